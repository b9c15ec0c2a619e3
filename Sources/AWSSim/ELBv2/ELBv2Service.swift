import SimCore

/// Elastic Load Balancing (v2) of the simulated account: network and
/// application load balancers with a node in each of their subnets, target
/// groups whose targets are health-checked on virtual time, and listeners.
/// What the load balancer's DNS name answers follows its targets' health
/// (``dnsAnswer(_:)``), as AWS's ELB DNS does.
public struct ELBv2Service: Sendable {
    public internal(set) var loadBalancers: [String: ELBv2LoadBalancer] = [:]
    public internal(set) var targetGroups: [String: ELBv2TargetGroup] = [:]
    public internal(set) var listeners: [String: ELBv2Listener] = [:]
    public var account = "123456789012"
    public var outbox: [(at: SimInstant, event: ELBv2Event)] = []
    /// Health changes and state changes, for the timeline.
    public var notices: [String] = []
    var random: SimRandom

    public init(random: SimRandom) { self.random = random }

    /// The Route 53 hosted zone of a region's load balancers' DNS names
    /// (CanonicalHostedZoneId; "Elastic Load Balancing endpoints and quotas",
    /// AWS General Reference). Regions not listed get a stable made-up id.
    static let hostedZones: [String: (network: String, application: String)] = [
        "us-east-1": ("Z26RNL4JYFTOTI", "Z35SXDOTRQ7X7K"),
        "us-east-2": ("ZLMOA37VPKANP", "Z3AADJGX6KTTL2"),
        "us-west-1": ("Z24FKFUX50B4VW", "Z368ELLRRE2KJ0"),
        "us-west-2": ("Z18D5FSROUN65G", "Z1H1FL5HABSF5"),
        "eu-west-1": ("Z2IFOLAFXWLO4F", "Z32O12XQLNTSW2"),
        "eu-central-1": ("Z3F0SRJ5LGBH90", "Z215JYRZR1TBD5"),
    ]

    mutating func hex(_ digits: Int) -> String {
        var text = ""
        while text.count < digits { text += String(random.next(), radix: 16) }
        return String(text.prefix(digits))
    }

    /// Names of load balancers and target groups: at most 32 alphanumeric
    /// characters or hyphens, not beginning or ending with a hyphen, and (for
    /// load balancers) not beginning with `internal-` (CreateLoadBalancer `Name`).
    static func checkName(_ name: String, what: String) throws(ELBv2Error) {
        let valid = !name.isEmpty && name.count <= 32 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            && !name.hasPrefix("-") && !name.hasSuffix("-") && !(what == "load balancer" && name.hasPrefix("internal-"))
        guard valid else {
            throw ELBv2Error("ValidationError", "The \(what) name '\(name.prefix(64))' must have a maximum of 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen")
        }
    }

    /// CreateLoadBalancer: one node per subnet (one subnet per zone), in
    /// `provisioning` until `provisioning` has passed. `subnets` are (subnet
    /// id, its zone, the node's address in it).
    public mutating func createLoadBalancer(name: String, type: String = "network", scheme: String = "internet-facing", region: String,
                                            subnets: [ELBv2Zone], securityGroups: [String] = [], tags: [String: String] = [:],
                                            provisioning: SimDuration, now: SimInstant) throws(ELBv2Error) -> ELBv2LoadBalancer {
        try Self.checkName(name, what: "load balancer")
        guard ["network", "application"].contains(type) else {
            throw ELBv2Error("ValidationError", "Load balancer type '\(type)' is not simulated (network and application are)")
        }
        guard ["internal", "internet-facing"].contains(scheme) else {
            throw ELBv2Error("ValidationError", "1 validation error detected: Value '\(scheme)' at 'scheme' failed to satisfy constraint: Member must satisfy enum value set: [internet-facing, internal]")
        }
        guard !subnets.isEmpty else { throw ELBv2Error("ValidationError", "At least one subnet must be specified") }
        let zones = Set(subnets.map(\.availabilityZone))
        guard zones.count == subnets.count else {
            throw ELBv2Error("InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone")
        }
        if type == "application", zones.count < 2 {
            throw ELBv2Error("ValidationError", "At least two subnets in two different Availability Zones must be specified")
        }
        if let existing = loadBalancers.values.first(where: { $0.name == name && $0.region == region }) {
            guard existing.type == type, existing.scheme == scheme, Set(existing.zones.map(\.subnet)) == Set(subnets.map(\.subnet)) else {
                throw ELBv2Error("DuplicateLoadBalancerName", "A load balancer with the same name '\(name)' exists, but with different settings")
            }
            return existing
        }
        let id = hex(16)
        let short = type == "network" ? "net" : "app"
        let arn = "arn:aws:elasticloadbalancing:\(region):\(account):loadbalancer/\(short)/\(name)/\(id)"
        // DNS names: NAME-ID.elb.REGION.amazonaws.com (network), [internal-]NAME-NUMBER.REGION.elb.amazonaws.com (application).
        let dnsName = type == "network" ? "\(name)-\(id).elb.\(region).amazonaws.com"
            : "\(scheme == "internal" ? "internal-" : "")\(name)-\(random.next() % 9_000_000_000 + 1_000_000_000).\(region).elb.amazonaws.com"
        let zoneIds = Self.hostedZones[region]
        let hostedZone = (type == "network" ? zoneIds?.network : zoneIds?.application)
            ?? "Z" + String(String(StableHash.fnv1a64(region + type), radix: 36).uppercased().prefix(13))
        let balancer = ELBv2LoadBalancer(arn: arn, name: name, type: type, scheme: scheme, region: region,
                                         zones: subnets.sorted { $0.availabilityZone < $1.availabilityZone }, securityGroups: securityGroups,
                                         dnsName: dnsName.lowercased(), canonicalHostedZoneId: hostedZone, state: "provisioning",
                                         createdAt: now, crossZone: type == "application", tags: tags)
        loadBalancers[arn] = balancer
        outbox.append((now + provisioning, .active(loadBalancer: arn)))
        return balancer
    }

    /// The load balancer an ARN or a name names.
    public func loadBalancer(_ arnOrName: String) -> ELBv2LoadBalancer? {
        loadBalancers[arnOrName] ?? loadBalancers.values.filter { $0.name == arnOrName }.min { $0.arn < $1.arn }
    }

    /// ModifyLoadBalancerAttributes `load_balancing.cross_zone.enabled` (network load balancers).
    public mutating func setCrossZone(_ arn: String, _ enabled: Bool) throws(ELBv2Error) {
        guard let balancer = loadBalancers[arn] else { throw Self.loadBalancerNotFound }
        guard balancer.type == "network" else {
            throw ELBv2Error("InvalidConfigurationRequest", "Cross-zone load balancing cannot be disabled for Application Load Balancers")
        }
        loadBalancers[arn]?.crossZone = enabled
    }

    static let loadBalancerNotFound = ELBv2Error("LoadBalancerNotFound", "One or more load balancers not found")
    static let targetGroupNotFound = ELBv2Error("TargetGroupNotFound", "One or more target groups not found")

    /// DeleteLoadBalancer (its listeners go with it; deleting one that does not exist succeeds).
    public mutating func deleteLoadBalancer(_ arn: String) {
        guard loadBalancers[arn] != nil else { return }
        loadBalancers[arn] = nil
        for listener in listeners.values where listener.loadBalancerArn == arn { listeners[listener.arn] = nil }
    }

    /// CreateTargetGroup. Health-check defaults are AWS's for TCP, HTTP and
    /// HTTPS target groups: every 30 s, healthy after 5 successes, unhealthy
    /// after 2 failures (ELBv2 API Reference, CreateTargetGroup).
    public mutating func createTargetGroup(name: String, protocol proto: String, port: Int, vpcId: String?, region: String,
                                           targetType: String = "instance", intervalSeconds: Int? = nil, healthyThreshold: Int? = nil,
                                           unhealthyThreshold: Int? = nil, tags: [String: String] = [:], now: SimInstant) throws(ELBv2Error) -> ELBv2TargetGroup {
        try Self.checkName(name, what: "target group")
        guard ["TCP", "UDP", "TCP_UDP", "TLS", "HTTP", "HTTPS"].contains(proto) else {
            throw ELBv2Error("ValidationError", "1 validation error detected: Value '\(proto)' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP]")
        }
        guard (1...65535).contains(port) else { throw ELBv2Error("ValidationError", "Port '\(port)' must be between 1 and 65535") }
        guard ["instance", "ip"].contains(targetType) else {
            throw ELBv2Error("ValidationError", "Target type '\(targetType)' is not simulated (instance and ip are)")
        }
        let interval = intervalSeconds ?? 30
        guard (5...300).contains(interval) else {
            throw ELBv2Error("ValidationError", "Health check interval must be between 5 and 300 seconds")
        }
        for threshold in [healthyThreshold, unhealthyThreshold].compactMap({ $0 }) where !(2...10).contains(threshold) {
            throw ELBv2Error("ValidationError", "Health check threshold count '\(threshold)' must be between 2 and 10")
        }
        if let existing = targetGroups.values.first(where: { $0.name == name && $0.arn.contains(":\(region):") }) {
            throw ELBv2Error("DuplicateTargetGroupName", "A target group with the same name '\(existing.name)' exists, but with different settings")
        }
        let arn = "arn:aws:elasticloadbalancing:\(region):\(account):targetgroup/\(name)/\(hex(16))"
        let group = ELBv2TargetGroup(arn: arn, name: name, protocol: proto, port: port, vpcId: vpcId, targetType: targetType,
                                     healthCheckIntervalSeconds: interval, healthyThresholdCount: healthyThreshold ?? 5,
                                     unhealthyThresholdCount: unhealthyThreshold ?? 2, deregistrationDelaySeconds: 300, targets: [], tags: tags)
        targetGroups[arn] = group
        outbox.append((now + .seconds(Int64(interval)), .probe(targetGroup: arn)))
        return group
    }

    /// DeleteTargetGroup: refused while a listener forwards to it.
    public mutating func deleteTargetGroup(_ arn: String) throws(ELBv2Error) {
        guard targetGroups[arn] != nil else { return }
        if listeners.values.contains(where: { $0.targetGroupArn == arn }) {
            throw ELBv2Error("ResourceInUse", "Target group '\(arn)' is currently in use by a listener or a rule")
        }
        targetGroups[arn] = nil
    }

    /// RegisterTargets: each starts `initial` (Elb.RegistrationInProgress) and
    /// becomes healthy after the healthy threshold of passing probes.
    /// `targets` are (id, port, zone); registering one again changes nothing.
    public mutating func registerTargets(_ arn: String, _ targets: [(id: String, port: Int?, availabilityZone: String)]) throws(ELBv2Error) {
        guard var group = targetGroups[arn] else { throw Self.targetGroupNotFound }
        for target in targets {
            let port = target.port ?? group.port
            if let index = group.targets.firstIndex(where: { $0.id == target.id && $0.port == port }) {
                if group.targets[index].state == .draining {
                    group.targets[index].state = .initial
                    group.targets[index].reason = "Elb.RegistrationInProgress"
                    group.targets[index].drainedAt = nil
                    group.targets[index].streak = 0
                }
                continue
            }
            group.targets.append(ELBv2Target(id: target.id, port: port, availabilityZone: target.availabilityZone, state: .initial,
                                             reason: "Elb.RegistrationInProgress"))
        }
        targetGroups[arn] = group
    }

    /// DeregisterTargets: draining for the deregistration delay, then gone.
    public mutating func deregisterTargets(_ arn: String, ids: [String], now: SimInstant) throws(ELBv2Error) {
        guard var group = targetGroups[arn] else { throw Self.targetGroupNotFound }
        for index in group.targets.indices where ids.contains(group.targets[index].id) && group.targets[index].state != .draining {
            group.targets[index].state = .draining
            group.targets[index].reason = "Target.DeregistrationInProgress"
            group.targets[index].drainedAt = now + .seconds(Int64(group.deregistrationDelaySeconds))
        }
        targetGroups[arn] = group
    }

    /// CreateListener forwarding to one target group.
    public mutating func createListener(loadBalancer arn: String, port: Int, protocol proto: String, targetGroup: String) throws(ELBv2Error) -> ELBv2Listener {
        guard let balancer = loadBalancers[arn] else { throw Self.loadBalancerNotFound }
        guard targetGroups[targetGroup] != nil else { throw Self.targetGroupNotFound }
        guard (1...65535).contains(port) else { throw ELBv2Error("ValidationError", "Port '\(port)' must be between 1 and 65535") }
        if listeners.values.contains(where: { $0.loadBalancerArn == arn && $0.port == port }) {
            throw ELBv2Error("DuplicateListener", "A listener already exists on this port for this load balancer '\(arn)'")
        }
        let suffix = balancer.fullName.split(separator: "/").dropFirst().joined(separator: "/")
        let short = balancer.type == "network" ? "net" : "app"
        let listenerArn = "arn:aws:elasticloadbalancing:\(balancer.region):\(account):listener/\(short)/\(suffix)/\(hex(16))"
        let listener = ELBv2Listener(arn: listenerArn, loadBalancerArn: arn, port: port, protocol: proto, targetGroupArn: targetGroup)
        listeners[listenerArn] = listener
        return listener
    }

    /// DeleteListener.
    public mutating func deleteListener(_ arn: String) { listeners[arn] = nil }

    /// The load balancers a target group is attached to (through a listener), sorted.
    public func loadBalancerArns(of targetGroup: String) -> [String] {
        Array(Set(listeners.values.filter { $0.targetGroupArn == targetGroup }.map(\.loadBalancerArn))).sorted()
    }
}
