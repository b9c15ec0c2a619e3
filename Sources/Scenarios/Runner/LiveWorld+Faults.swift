import AWSSim
import SimCore

/// The fault actions of `run` that act on a service rather than on the
/// fault model, injected live (`POST /v1/faults`, `odas-sim fault inject`):
/// a database primary crash or Aurora Global failover/switchover (instant,
/// as AWS FIS's RDS actions are API calls), and a forced Route 53 health
/// check failure (until lifted or for its duration).
extension LiveWorld {
    mutating func injectDatabaseAction(_ action: FaultAction, database: String) throws(LiveWorldError) -> String {
        guard world.rds.instances[database] != nil else {
            let names = world.rds.instances.keys.sorted()
            throw LiveWorldError("\(action.rawValue) needs a database of the scenario, not \"\(database)\"; "
                + (names.isEmpty ? "the scenario has none" : "its databases are: \(names.joined(separator: ", "))"))
        }
        let now = world.loop.now
        do throws(RDSError) {
            switch action {
            case .dbGlobalFailover: try world.rds.failoverGlobalCluster(database, now: now)
            case .dbGlobalSwitchover: try world.rds.switchoverGlobalCluster(database, faults: world.faults, now: now)
            default: try world.rds.crashPrimary(database, faults: world.faults, now: now)
            }
        } catch {
            throw LiveWorldError("\(action.rawValue) \(database): \(error.code): \(error.message)")
        }
        let id = nextControlID()
        world.trace.record("fault", "action-start", at: now, [
            "fault": .string(id), "action": .string(action.rawValue), "target": .string(database),
        ])
        world.timeline.append(TimelineEntry(at: now, kind: "fault-start", text: "fault \(id): \(action.rawValue) \(database)"))
        world.drainRDS()
        return id
    }

    mutating func injectHealthCheckFailure(_ check: String, duration: SimDuration?) throws(LiveWorldError) -> String {
        guard world.route53.healthChecks[check] != nil else {
            let names = world.route53.healthChecks.keys.sorted()
            throw LiveWorldError("dns-health-check-failure needs a health check of the scenario, not \"\(check)\"; "
                + (names.isEmpty ? "the scenario has none" : "its health checks are: \(names.joined(separator: ", "))"))
        }
        let id = nextControlID()
        world.route53.setForcedFailure(check, true)
        world.controlHealthChecks[id] = check
        world.trace.record("fault", "action-start", at: world.loop.now, [
            "fault": .string(id), "action": .string(FaultAction.dnsHealthCheckFailure.rawValue), "target": .string(check),
        ])
        world.timeline.append(TimelineEntry(at: world.loop.now, kind: "fault-start", text: "fault \(id) starts: dns-health-check-failure \(check)"))
        if let duration { world.loop.schedule(.controlFaultEnd(id), after: duration) }
        return id
    }

    mutating func nextControlID() -> String {
        defer { world.nextControlFault += 1 }
        return "control-\(world.nextControlFault)"
    }
}
