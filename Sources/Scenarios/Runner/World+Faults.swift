import AWSSim
import KubeSim
import SimCore

/// The scenario's fault schedule acting on the fault model and the services.
extension World {
    /// Since when `domain` has been down because of a scenario fault, if it is.
    func downSince(_ domain: FaultDomain) -> SimInstant? {
        guard !faults.isUp(domain) else { return nil }
        return activeFaults.keys.compactMap { index -> SimInstant? in
            let spec = scenario.faults[index]
            switch spec.action {
            case .azOutage, .regionOutage, .hostCrash:
                return faults.isWithin(domain, spec.target) ? .zero + spec.at : nil
            default:
                return nil
            }
        }.min()
    }


    mutating func startFault(_ index: Int) {
        let spec = scenario.faults[index]
        let kind: FaultKind
        switch spec.action {
        case .azOutage, .regionOutage: kind = .outage(spec.target)
        case .hostCrash, .nodeCrash: kind = .crash(host: spec.target.name)
        case .networkPartition: kind = .partition(side: [spec.target], peers: spec.peers)
        case .networkLatency: kind = .latency(spec.target, latency: spec.latency ?? .zero)
        case .networkPacketLoss: kind = .packetLoss(spec.target, fraction: spec.percentage ?? 0)
        case .apiInternalError, .apiThrottleError, .apiUnavailableError:
            apiFaults.insert(index)
            trace.record("fault", "action-start", at: loop.now, [
                "fault": .string(spec.name), "action": .string(spec.action.rawValue), "target": .string(spec.target.name),
                "percentage": .string(Format.percent(spec.percentage ?? 1)),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                          text: "fault \(spec.name) starts: \(spec.action.rawValue) on \(spec.target.name) \((spec.operations ?? APIFaults.s3Operations).joined(separator: ", ")), \(Format.percent(spec.percentage ?? 1)) of calls"))
            return
        case .s3ReplicationPause:
            s3.setReplicationPaused(spec.target.name, true)
            pausedReplications.insert(index)
            trace.record("fault", "action-start", at: loop.now, [
                "fault": .string(spec.name), "action": .string(spec.action.rawValue), "target": .string(spec.target.name),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                          text: "fault \(spec.name) starts: s3-replication-pause \(spec.target.name)"))
            return
        case .dnsHealthCheckFailure:
            route53.setForcedFailure(spec.target.name, true)
            forcedHealthChecks.insert(index)
            trace.record("fault", "action-start", at: loop.now, [
                "fault": .string(spec.name), "action": .string(spec.action.rawValue), "target": .string(spec.target.name),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                          text: "fault \(spec.name) starts: dns-health-check-failure \(spec.target.name)"))
            return
        case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover:
            // Events handled by RDS, as FIS's RDS actions are API calls, not a fault-model state.
            trace.record("fault", "action-start", at: loop.now, [
                "fault": .string(spec.name), "action": .string(spec.action.rawValue), "target": .string(spec.target.name),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                          text: "fault \(spec.name): \(spec.action.rawValue) \(spec.target.name)"))
            do {
                if spec.action == .dbGlobalFailover {
                    try rds.failoverGlobalCluster(spec.target.name, now: loop.now)
                } else if spec.action == .dbGlobalSwitchover {
                    try rds.switchoverGlobalCluster(spec.target.name, faults: faults, now: loop.now)
                } else {
                    try rds.crashPrimary(spec.target.name, faults: faults, now: loop.now)
                }
            } catch {
                trace.record("rds", "crash-failed", at: loop.now, ["error": .string(error.description)])
            }
            drainRDS()
            return
        }
        activeFaults[index] = faults.apply(kind)
        var attributes: [(key: String, value: TraceValue)] = [
            ("fault", .string(spec.name)), ("action", .string(spec.action.rawValue)),
            ("target", .string(spec.target.name)),
        ]
        if let peers = spec.peers { attributes.append(("peers", .string(peers.map(\.name).joined(separator: ",")))) }
        if let latency = spec.latency { attributes.append(("latency", .duration(latency))) }
        trace.record("fault", "action-start", at: loop.now, attributes: attributes)
        timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                      text: "fault \(spec.name) starts: \(spec.action.rawValue) \(spec.target.name)"))
        refreshClientLiveness()
        notifyServices()
        observeInstall(.faultsChanged)
    }

    mutating func endFault(_ index: Int) {
        if apiFaults.remove(index) != nil {
            trace.record("fault", "action-end", at: loop.now, ["fault": .string(scenario.faults[index].name)])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(scenario.faults[index].name) ends"))
            return
        }
        if pausedReplications.remove(index) != nil {
            let spec = scenario.faults[index]
            s3.setReplicationPaused(spec.target.name, false)
            trace.record("fault", "action-end", at: loop.now, ["fault": .string(spec.name)])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(spec.name) ends"))
            return
        }
        if forcedHealthChecks.remove(index) != nil {
            let spec = scenario.faults[index]
            route53.setForcedFailure(spec.target.name, false)
            trace.record("fault", "action-end", at: loop.now, ["fault": .string(spec.name)])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(spec.name) ends"))
            return
        }
        guard let id = activeFaults.removeValue(forKey: index) else { return }
        faults.lift(id)
        let spec = scenario.faults[index]
        trace.record("fault", "action-end", at: loop.now, ["fault": .string(spec.name)])
        timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(spec.name) ends"))
        refreshClientLiveness()
        notifyServices()
        observeInstall(.faultsChanged)
    }
}
