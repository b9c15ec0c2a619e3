import SimCore

extension ELBv2Service {
    /// Runs due background work. `reachable` says whether a target answers
    /// a TCP connection on its port now (its instance running, its zone up, its
    /// node forwarding to something that listens on the group's port) — the
    /// owner of the targets knows, ELB only probes.
    public mutating func handle(_ event: ELBv2Event, now: SimInstant, reachable: (ELBv2Target, ELBv2TargetGroup) -> Bool) {
        switch event {
        case .active(let arn):
            guard loadBalancers[arn]?.state == "provisioning" else { return }
            loadBalancers[arn]?.state = "active"
            notices.append("load balancer \(loadBalancers[arn]?.name ?? arn) active")
        case .probe(let arn):
            guard var group = targetGroups[arn] else { return }
            group.targets.removeAll { target in
                guard let drained = target.drainedAt, drained <= now else { return false }
                notices.append("target group \(group.name): \(target.id) deregistered")
                return true
            }
            for index in group.targets.indices where group.targets[index].state != .draining {
                probe(&group.targets[index], ok: reachable(group.targets[index], group), group: group)
            }
            targetGroups[arn] = group
            outbox.append((now + .seconds(Int64(group.healthCheckIntervalSeconds)), .probe(targetGroup: arn)))
        }
    }

    /// One health check of one target: the state changes after its threshold
    /// of consecutive opposite results (an `initial` target fails as it passes).
    mutating func probe(_ target: inout ELBv2Target, ok: Bool, group: ELBv2TargetGroup) {
        let healthy = target.state == .healthy
        guard ok != healthy else {
            target.streak = 0
            return
        }
        target.streak += 1
        let threshold = ok ? group.healthyThresholdCount : group.unhealthyThresholdCount
        guard target.streak >= threshold else { return }
        target.streak = 0
        let before = target.state
        target.state = ok ? .healthy : .unhealthy
        target.reason = ok ? nil : "Target.FailedHealthChecks"
        if before != target.state {
            notices.append("target group \(group.name): \(target.id) (\(target.availabilityZone)) \(target.state.rawValue)\(ok ? "" : " (Target.FailedHealthChecks)")")
        }
    }

    /// The target groups behind a load balancer's listeners, sorted.
    public func targetGroups(of balancer: ELBv2LoadBalancer) -> [ELBv2TargetGroup] {
        Array(Set(listeners.values.filter { $0.loadBalancerArn == balancer.arn }.map(\.targetGroupArn))).sorted().compactMap { targetGroups[$0] }
    }

    /// The zones whose node is in DNS: with cross-zone load balancing off, a
    /// zone needs a healthy target in every target group of the load balancer
    /// in that zone; with it on, in any zone. When no zone qualifies, the load
    /// balancer fails open and every zone is published (AWS re:Post, "How do
    /// ELB DNS and traffic flow work with different cross-zone load balancing
    /// configurations?"; network/target-group-health-checks.html).
    public func healthyZones(_ balancer: ELBv2LoadBalancer) -> [ELBv2Zone] {
        let groups = targetGroups(of: balancer)
        guard !groups.isEmpty else { return [] }
        return balancer.zones.filter { zone in
            groups.allSatisfy { group in
                group.targets.contains { $0.state == .healthy && (balancer.crossZone || $0.availabilityZone == zone.availabilityZone) }
            }
        }
    }

    /// What the load balancer's DNS name answers now, or nil for a name that
    /// is no active load balancer's.
    public func dnsAnswer(_ dnsName: String) -> ELBv2DNSAnswer? {
        guard let balancer = loadBalancers.values.first(where: { $0.dnsName == dnsName.lowercased() }), balancer.state == "active" else { return nil }
        let zones = healthyZones(balancer)
        return zones.isEmpty ? ELBv2DNSAnswer(addresses: balancer.zones.map(\.address), healthy: false)
            : ELBv2DNSAnswer(addresses: zones.map(\.address), healthy: true)
    }

    /// The load balancer node at an address: its load balancer and zone.
    public func node(at address: String) -> (loadBalancer: ELBv2LoadBalancer, zone: ELBv2Zone)? {
        for balancer in loadBalancers.values.sorted(by: { $0.arn < $1.arn }) {
            if let zone = balancer.zones.first(where: { $0.address == address }) { return (balancer, zone) }
        }
        return nil
    }

    /// The targets a node forwards a new connection on `port` to: the
    /// healthy targets of the listener's group in the node's zone (every
    /// zone's with cross-zone load balancing), or all registered targets when
    /// none is healthy anywhere (fail open). Empty: the connection is reset.
    public func routableTargets(loadBalancer arn: String, zone: String, port: Int) -> [ELBv2Target] {
        guard let balancer = loadBalancers[arn], balancer.state == "active",
              let listener = listeners.values.first(where: { $0.loadBalancerArn == arn && $0.port == port }),
              let group = targetGroups[listener.targetGroupArn] else { return [] }
        let live = group.targets.filter { $0.state != .draining }
        if !live.contains(where: { $0.state == .healthy }) { return live }
        return live.filter { $0.state == .healthy && (balancer.crossZone || $0.availabilityZone == zone) }
    }
}
