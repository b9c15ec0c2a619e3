import SimCore

/// What `explore` may break in a scenario: for each fault action, the
/// targets the scenario's topology has (FIS's idea of a target: an AZ, a
/// region, an instance, a node, the database, a health check).
///
/// The default vocabulary is the disruption class a scenario claims to
/// survive: every single-component fault the topology offers (AZ outages,
/// partitions and latency on an AZ, host and node crashes, a database primary
/// crash, a failing health check), plus region outages and the Aurora global
/// operator actions only when the scenario itself schedules one of them — a
/// single-region deployment does not claim to survive the loss of its region.
public struct FaultVocabulary: Sendable {
    /// Each action with the targets it can hit, in a stable order.
    public private(set) var targets: [(action: FaultAction, targets: [FaultDomain])]

    /// The actions that have at least one target.
    public var actions: [FaultAction] { targets.map(\.action) }

    /// The vocabulary for `scenario`: `actions` when given (each must have a
    /// target; see ``unavailable(_:in:)``), else the default.
    public init(_ scenario: Scenario, actions: [FaultAction]? = nil) {
        let wanted = actions ?? Self.defaultActions(scenario)
        targets = wanted.compactMap { action in
            let domains = Self.targets(of: action, in: scenario)
            return domains.isEmpty ? nil : (action, domains)
        }
    }

    /// The actions of `requested` the scenario offers no target for, with why.
    public static func unavailable(_ requested: [FaultAction], in scenario: Scenario) -> [(FaultAction, String)] {
        requested.compactMap { action in
            guard targets(of: action, in: scenario).isEmpty else { return nil }
            return (action, "the scenario has no \(targetNoun(action))")
        }
    }

    /// The default actions: the scenario's `explore.faults` when it lists them, else see the type's documentation.
    public static func defaultActions(_ scenario: Scenario) -> [FaultAction] {
        if let declared = scenario.explore?.faults { return declared }
        let scheduled = Set(scenario.faults.map(\.action))
        return FaultAction.allCases.filter { action in
            switch action {
            case .regionOutage, .dbGlobalFailover, .dbGlobalSwitchover: return scheduled.contains(action)
            default: return true
            }
        }
    }

    /// Every target of `action` in `scenario`, sorted by name.
    public static func targets(of action: FaultAction, in scenario: Scenario) -> [FaultDomain] {
        let topology = scenario.topology
        // The cluster's nodes, a standby cluster's, and the nodes an ec2 or cloudformation installer makes.
        let kubeNodes = (scenario.kubernetes?.nodes.map(\.name) ?? []) + (scenario.odas?.standby?.nodes.map(\.name) ?? [])
            + (scenario.installer?.plannedInstances.map(\.name) ?? [])
        switch action {
        case .azOutage:
            return topology.availabilityZones.sorted().map { .availabilityZone($0) }
        case .regionOutage:
            return topology.regions.map(\.name).sorted().map { .region($0) }
        case .hostCrash:
            // Kubernetes nodes are hosts too; their crash is node-crash (the kubelet's Lease stops).
            let nodes = Set(kubeNodes)
            return topology.hosts.map(\.name).filter { !nodes.contains($0) }.sorted().map { .host($0) }
        case .nodeCrash:
            return kubeNodes.sorted().map { .host($0) }
        case .dbPrimaryCrash:
            return scenario.database.map { [.host($0.identifier)] } ?? []
        case .dbGlobalFailover, .dbGlobalSwitchover:
            guard let database = scenario.database, database.globalSecondaryRegion != nil else { return [] }
            return [.host(database.identifier)]
        case .dnsHealthCheckFailure:
            return (scenario.dns?.healthChecks.map(\.name) ?? []).sorted().map { .host($0) }
        case .apiInternalError, .apiThrottleError, .apiUnavailableError:
            return scenario.buckets.isEmpty ? [] : [.host(APIFaults.s3Service)]
        case .s3ReplicationPause:
            return scenario.buckets.filter { $0.replicateTo != nil }.map(\.name).sorted().map { .host($0) }
        case .networkPartition:
            // An AZ cut off from everything outside it; with several regions, a region from the others.
            let zones = topology.availabilityZones.sorted().map { FaultDomain.availabilityZone($0) }
            let regions = topology.regions.count > 1 ? topology.regions.map(\.name).sorted().map { FaultDomain.region($0) } : []
            return regions + zones
        case .networkLatency, .networkPacketLoss:
            return topology.availabilityZones.sorted().map { .availabilityZone($0) }
        }
    }

    static func targetNoun(_ action: FaultAction) -> String {
        switch action {
        case .azOutage, .networkLatency, .networkPacketLoss: return "availability zone"
        case .regionOutage: return "region"
        case .networkPartition: return "availability zone or second region"
        case .hostCrash: return "host outside Kubernetes (topology.hosts, compute.instances)"
        case .nodeCrash: return "Kubernetes node (kubernetes.nodes)"
        case .dbPrimaryCrash: return "database (database:)"
        case .dbGlobalFailover, .dbGlobalSwitchover: return "Aurora Global Database (database.globalSecondary)"
        case .dnsHealthCheckFailure: return "Route 53 health check (dns.healthChecks)"
        case .s3ReplicationPause: return "replicated bucket (buckets[].replicateTo)"
        case .apiInternalError, .apiThrottleError, .apiUnavailableError: return "S3 bucket (buckets:)"
        }
    }
}
