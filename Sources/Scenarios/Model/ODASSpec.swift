import ODASModel
import SimCore

/// `odas:` — the ODAS cluster the scenario deploys: its services on the
/// Kubernetes cluster, its catalog in the scenario's database, the IAM role
/// its nodes carry, and the catalog's initial contents.
public struct ODASSpec: Sendable {
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
}

/// What a `scan` or `catalog-write` workload adds to its spec.
public struct ODASWorkloadOptions: Sendable {
    /// How a client finds planners: through the planner Service's endpoints
    /// (kube-proxy / the load balancer), or a fixed list of planner addresses
    /// taken when the client starts (`recordservice.planner.hostports`).
    public enum PlannerDiscovery: String, Sendable { case service, hostports }

    /// The catalog user the client authenticates as.
    public var user: String
    /// scan: the dataset read.
    public var dataset: String?
    public var planners: PlannerDiscovery = .service
    /// catalog-write: changes made once at a given time (a revoke mid-run),
    /// besides the stream of new datasets at the workload's rate.
    public var scheduledChanges: [(at: SimDuration, change: CatalogChange)] = []
    /// catalog-write: the database the written datasets go to.
    public var writeDatabase: String?
}
