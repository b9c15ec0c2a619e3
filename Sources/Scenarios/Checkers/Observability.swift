import SimCore

/// What a run could observe of each workload: when its client was itself
/// down, and which faults touched something it depends on. The checkers use
/// it to tell a property that held from one that was never put to the test
/// (docs/properties.md, "Vacuous expectations").
public struct Observability: Sendable {
    /// A window in which a workload's client could issue nothing because a
    /// fault took down the domain it runs in.
    public struct ClientOutage: Sendable, Equatable {
        public var fault: String
        /// The downed domain, as the scenario names it (`us-west-2`).
        public var domain: String
        public var start: SimInstant
        public var end: SimInstant
    }

    /// Per workload, the windows its client was down, by start.
    public var clientOutages: [String: [ClientOutage]] = [:]
    /// Per workload, the names of the faults that touched its client or
    /// anything it depends on.
    public var touchingFaults: [String: Set<String>] = [:]
    /// Per workload, the fault domains it depends on (its client's first),
    /// for the text that explains an untouched workload.
    public var footprints: [String: [FaultDomain]] = [:]

    public init() {}

    /// Everything observable, for checkers run without a world (tests).
    public static func unconstrained(_ scenario: Scenario) -> Observability {
        var observability = Observability()
        let names = Set(scenario.faults.map(\.name))
        for workload in scenario.workloads { observability.touchingFaults[workload.name] = names }
        return observability
    }

    /// Derives what could be observed from the scenario; `isWithin(inner, outer)`
    /// answers from the world's fault model whether a domain lies inside another.
    public static func analyze(_ scenario: Scenario, isWithin: (FaultDomain, FaultDomain) -> Bool) -> Observability {
        var observability = Observability()
        let end = SimInstant.zero + scenario.duration
        let downing: Set<FaultAction> = [.azOutage, .regionOutage, .hostCrash, .nodeCrash]
        for workload in scenario.workloads {
            let footprint = Footprint.domains(of: workload, in: scenario)
            observability.footprints[workload.name] = footprint
            var touching: Set<String> = []
            var outages: [ClientOutage] = []
            for fault in scenario.faults {
                if downing.contains(fault.action), isWithin(workload.from, fault.target) {
                    outages.append(ClientOutage(fault: fault.name, domain: fault.target.name, start: .zero + fault.at,
                                                end: fault.end.map { .zero + $0 } ?? end))
                }
                let struck = [fault.target] + (fault.peers ?? [])
                if footprint.contains(where: { domain in struck.contains { isWithin(domain, $0) } }) {
                    touching.insert(fault.name)
                }
            }
            observability.clientOutages[workload.name] = outages.sorted { ($0.start, $0.fault) < ($1.start, $1.fault) }
            observability.touchingFaults[workload.name] = touching
        }
        return observability
    }

    /// The first client outage of `workload` overlapping `[start, end)`.
    func clientOutage(of workload: String, overlapping start: SimInstant, _ end: SimInstant) -> ClientOutage? {
        clientOutages[workload]?.first { $0.start < end && $0.end > start }
    }

    /// True when a fault of `disruption` touched the workload.
    func touches(_ disruption: Disruption, _ workload: String) -> Bool {
        let touching = touchingFaults[workload] ?? []
        return disruption.faults.contains { touching.contains($0.name) }
    }

    /// "its client in us-west-2a, us-west-2, odas-node-1, …" for texts.
    func footprintText(_ workload: String) -> String {
        let domains = footprints[workload] ?? []
        let shown = domains.prefix(6).map(\.name).joined(separator: ", ")
        return domains.count > 6 ? shown + " and \(domains.count - 6) more" : shown
    }

    /// The sentence for a disruption the client could not see.
    static func clientDownText(_ workload: String, _ outage: ClientOutage, measuring what: String) -> String {
        "client \(workload) was down with \(outage.domain) from \(outage.start.readable) (\(outage.fault)); the \(what) from its point of view cannot be measured"
    }
}

/// The fault domains a workload depends on, read from the scenario: its
/// client's domain, then what its kind talks to. A fault touches the
/// workload when one of these lies inside what the fault strikes.
enum Footprint {
    static func domains(of workload: WorkloadSpec, in scenario: Scenario) -> [FaultDomain] {
        var domains = [workload.from]
        func add(_ domain: FaultDomain) { if !domains.contains(domain) { domains.append(domain) } }
        switch workload.kind {
        case .s3Put, .s3Get:
            bucketRegions(workload.target, scenario).forEach(add)
        case .dbWrite, .dbRead:
            databaseDomains(scenario).forEach(add)
        case .dnsResolve:
            dnsDomains(workload.target, scenario).forEach(add)
        case .eksAPI:
            scenario.network.eks?.controlPlaneAZs.forEach { add(.availabilityZone($0)) }
        case .http:
            scenario.kubernetes?.nodes.forEach { add(.host($0.name)) }
            nodeGroupAZs(scenario).forEach { add(.availabilityZone($0)) }
        case .scan, .catalogWrite:
            odasNodes(scenario).forEach(add)
            if scenario.odas != nil { databaseDomains(scenario).forEach(add) }
            if workload.kind == .scan, let odas = scenario.odas {
                let datasets = odas.datasets.filter { definition in
                    workload.odas?.dataset.map { definition.name == $0 || $0.hasPrefix(definition.name) } ?? true
                }
                datasets.flatMap { bucketRegions($0.bucket, scenario) }.forEach(add)
            }
            if case .dns(let name) = workload.odas?.planners { dnsDomains(name, scenario).forEach(add) }
        }
        return domains
    }

    static func bucketRegions(_ bucket: String, _ scenario: Scenario) -> [FaultDomain] {
        guard let spec = scenario.buckets.first(where: { $0.name == bucket || $0.replicaBucket == bucket }) else { return [] }
        // The bucket itself is what an s3-replication-pause names.
        return [.region(spec.region), .host(spec.name), .host(APIFaults.s3Service)] + (spec.replicateTo.map { [.region($0)] } ?? [])
    }

    /// The database's instances: the identifier a db fault names, and the
    /// zones and regions its hosts are in.
    static func databaseDomains(_ scenario: Scenario) -> [FaultDomain] {
        guard let database = scenario.database else { return [] }
        var domains: [FaultDomain] = [.host(database.identifier), .availabilityZone(database.primaryAZ)]
        if let standby = database.standbyAZ { domains.append(.availabilityZone(standby)) }
        domains += database.readerAZs.map { .availabilityZone($0) }
        if let az = database.globalSecondaryAZ { domains.append(.availabilityZone(az)) }
        else if let region = database.globalSecondaryRegion { domains.append(.region(region)) }
        return domains
    }

    /// A Route 53 name's record targets and health checks (a health check
    /// fault names the check).
    static func dnsDomains(_ name: String, _ scenario: Scenario) -> [FaultDomain] {
        guard let dns = scenario.dns else { return [] }
        var domains: [FaultDomain] = []
        var names = [name]
        var seen: Set<String> = []
        while let next = names.popLast() {
            guard seen.insert(next).inserted else { continue }
            for record in dns.records where record.name == next {
                if let alias = record.alias { names.append(alias) }
                if let domain = scenario.topology.domain(named: record.target) { domains.append(domain) }
                if let cluster = scenario.odas?.clusters.firstIndex(where: { record.target.hasPrefix($0.name + "/") }) {
                    domains += nodes(ofCluster: cluster, scenario).map { .host($0) }
                }
                if let check = record.healthCheck, let spec = dns.healthChecks.first(where: { $0.name == check }) {
                    domains += [.host(check), spec.target]
                }
            }
        }
        return domains
    }

    /// The zones of the Auto Scaling groups that are the EKS cluster's node groups.
    static func nodeGroupAZs(_ scenario: Scenario) -> [String] {
        let groups = scenario.network.eks?.nodeGroups ?? []
        return scenario.network.autoScalingGroups.filter { groups.contains($0.name) }.flatMap(\.availabilityZones)
    }

    static func odasNodes(_ scenario: Scenario) -> [FaultDomain] {
        guard let odas = scenario.odas else { return [] }
        return odas.clusters.indices.flatMap { nodes(ofCluster: $0, scenario) }.map { .host($0) }
    }

    static func nodes(ofCluster index: Int, _ scenario: Scenario) -> [String] {
        guard let odas = scenario.odas else { return [] }
        if index == 0 { return scenario.kubernetes?.nodes.map(\.name) ?? [] }
        return odas.clusters.indices.contains(index) ? odas.clusters[index].nodes.map(\.name) : []
    }
}
