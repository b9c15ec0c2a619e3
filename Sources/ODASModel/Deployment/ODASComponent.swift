/// The services of an ODAS cluster (Okera's STANDALONE_CLUSTER: canary,
/// ZooKeeper, catalog, planner, workers, REST server, web UI — "7/7 READY";
/// domain-notes §1.2). Ports are Okera's defaults (docs.okera.com
/// …/manage/ports/); replica counts and requests are model defaults, listed in
/// docs/fidelity.md.
public enum ODASComponent: String, CaseIterable, Sendable, Hashable {
    /// The Policy Engine: parses requests, authorizes them against the catalog, returns task lists.
    case planner
    /// The Enforcement Fleet: reads S3, applies masks and filters, streams rows.
    case worker
    /// Database/dataset schemas and access policies, stored in the RDBMS.
    case catalog
    /// `cdas-rest-server`: the REST API and the web UI's backend.
    case restServer = "rest-server"
    case webUI = "web-ui"
    /// A periodic end-to-end probe.
    case canary
    /// Membership and coordination (ephemeral state only).
    case zookeeper

    /// Kubernetes object name and `app` label.
    public var objectName: String { "odas-" + rawValue }

    /// The container port the service listens on.
    public var port: Int {
        switch self {
        case .planner: return 12050      // planner API (Okera ports page)
        case .worker: return 13050       // worker API
        case .restServer: return 8083    // web UI / REST
        case .webUI: return 8083         // served with the REST server's port (Okera ports page)
        case .catalog: return 9083       // Hive Metastore's default; Okera's catalog port is not published [U]
        case .canary: return 8080        // a model choice [U]
        case .zookeeper: return 2181     // ZooKeeper's default client port
        }
    }

    /// Replicas when the scenario does not say: one of each, as in Okera's
    /// example pod set, except three workers (workers "run in multiples for
    /// parallelism and availability").
    public var defaultReplicas: Int { self == .worker ? 3 : 1 }

    /// CPU (cores) and memory (GiB) requests: workers hold the memory (Okera's
    /// memory page: "all the other services maintain very little state").
    public var defaultRequests: (cpu: String, memory: String) {
        switch self {
        case .worker: return ("2", "8Gi")
        case .planner: return ("1", "4Gi")
        default: return ("500m", "1Gi")
        }
    }

    /// External endpoints are LoadBalancer Services on EKS (Okera ports page);
    /// planner and workers are what EMR and other clients call.
    public var serviceType: String {
        switch self {
        case .planner, .worker, .restServer: return "LoadBalancer"
        default: return "ClusterIP"
        }
    }

    /// ZooKeeper keeps stable identities (a StatefulSet); the rest are stateless Deployments.
    public var isStatefulSet: Bool { self == .zookeeper }
}
