import ODASModel
import SimCore

/// `odas:` — the ODAS deployment the scenario runs: its services on the
/// Kubernetes cluster (and, with `standby:`, on a second cluster in another
/// region), its catalog in the scenario's database, the IAM role its nodes
/// carry, and the catalog's initial contents.
public struct ODASSpec: Sendable {
    /// The primary cluster's name (Route 53 targets name its Services `NAME/odas-planner`).
    public var name: String = "odas"
    /// The primary cluster's region (its Kubernetes nodes').
    public var region: String = ""
    /// Namespace, replicas, requests and placement of each service.
    public var deployment: ODASDeploymentSpec
    /// The `database:` identifier holding the catalog (and policies).
    public var catalogDatabase: String
    /// The role of the nodes' instance profile: what planners and workers
    /// sign S3 requests with (instance metadata credentials, no keys).
    public var nodeRole: String?
    /// How long a planner trusts its policy cache before refreshing it from the catalog.
    public var policyCacheTTL: SimDuration
    /// A flawed planner that keeps serving its stale policies when a refresh
    /// fails (fail-open); ODAS fails closed.
    public var serveStalePolicies: Bool
    /// The catalog at the start, as changes applied in order.
    public var bootstrap: [CatalogChange]
    /// The datasets (also in `bootstrap`): their files are preloaded into S3.
    public var datasets: [DatasetDefinition]
    /// Catalog users (as `scan`/`catalog-write` workloads' `as:` name them).
    public var users: [String]
    /// A standby ODAS cluster in another region, sharing the catalog (`odas.standby`).
    public var standby: ODASClusterSpec?
    /// The REST API's bearer tokens (`odas.users[].token`): token → user.
    public var tokens: [String: String] = [:]

    /// Every ODAS cluster, the primary first: what the runner deploys.
    public var clusters: [ODASClusterSpec] {
        [ODASClusterSpec(name: name, region: region, deployment: deployment, nodeRole: nodeRole, nodes: [])]
            + (standby.map { [$0] } ?? [])
    }
}

/// One ODAS cluster: its own Kubernetes cluster in one region running the
/// ODAS services, reading the shared catalog.
public struct ODASClusterSpec: Sendable {
    public var name: String
    public var region: String
    public var deployment: ODASDeploymentSpec
    /// The role of this cluster's nodes (instance profile).
    public var nodeRole: String?
    /// A standby's Kubernetes nodes; the primary's are the `kubernetes:` section's.
    public var nodes: [KubernetesSpec.Node]

    /// The name a Route 53 record or health check uses for one of its Services.
    public func serviceTarget(_ component: ODASComponent) -> String { name + "/" + component.objectName }
}

/// What a `scan` or `catalog-write` workload adds to its spec.
public struct ODASWorkloadOptions: Sendable {
    /// How a client finds planners: through the planner Service's endpoints
    /// (kube-proxy / the load balancer), a fixed list of planner addresses
    /// taken when the client starts (`recordservice.planner.hostports`), or a
    /// Route 53 name resolved through the client's caching resolver, whose
    /// answer is an ODAS cluster's planner Service.
    public enum PlannerDiscovery: Sendable, Equatable {
        case service
        case hostports
        case dns(String)
    }

    /// The catalog user the client authenticates as.
    public var user: String
    /// scan: the dataset read.
    public var dataset: String?
    public var planners: PlannerDiscovery = .service
    /// The ODAS cluster whose Service or planners a `service`/`hostports`
    /// client uses (an index into ``ODASSpec/clusters``).
    public var cluster = 0
    /// catalog-write: changes made once at a given time (a revoke mid-run),
    /// besides the stream of new datasets at the workload's rate.
    public var scheduledChanges: [(at: SimDuration, change: CatalogChange)] = []
    /// catalog-write: the database the written datasets go to.
    public var writeDatabase: String?
}
