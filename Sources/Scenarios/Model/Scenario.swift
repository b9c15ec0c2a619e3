import KubeSim
import SimCore

/// A validated scenario: everything one run needs. Produced only by
/// ``ScenarioLoader``; every field has been checked against the others
/// (fault targets exist, expectations name workloads, faults lie inside the run).
public struct Scenario: Sendable {
    /// The file it was loaded from, as given.
    public var file: String
    public var name: String
    public var description: String
    /// The scenario's default seed; `odas-sim run --seed` overrides it.
    public var seed: UInt64
    /// Simulated time the run lasts.
    public var duration: SimDuration
    public var topology: Topology
    public var buckets: [BucketSpec]
    public var workloads: [WorkloadSpec]
    public var faults: [FaultSpec]
    public var expectations: Expectations
    /// Expectations that must fail (the scenario demonstrates a flaw); each
    /// entry is an expectation id (`rpo/ingest`) or a kind (`rpo`).
    public var expectFailure: [String]
    /// Expectation ids or kinds the run cannot observe (`expectVacuous`):
    /// their VACUOUS status is what the scenario declares.
    public var expectVacuous: [String] = []
    /// FNV-1a of the scenario file's bytes (the trace's `input scenario` record).
    public var sourceDigest: UInt64 = 0
    /// What loading noticed that is not an error ("file:line:column: an empty manifest document was skipped").
    public var notes: [String] = []
    /// IAM users with long-lived access keys (people and tools outside the
    /// deployment); `odas-sim serve` accepts their keys.
    public var iamUsers: [IAMUserSpec] = []
    /// IAM roles (`iam.roles`): the deployment's identities, used through
    /// instance profiles and temporary credentials.
    public var iamRoles: [IAMRoleSpec] = []
    /// The RDS database holding ODAS's state, if the scenario has one.
    public var database: DatabaseSpec?
    /// Route 53 names for ODAS's services.
    public var dns: DNSSpec?
    /// Security groups (`network:`) and EC2 instances (`compute:`).
    public var network = NetworkSpec()
    /// The Kubernetes cluster ODAS runs on (`kubernetes:`), if any.
    public var kubernetes: KubernetesSpec?
    /// The ODAS cluster (`odas:`), if the scenario deploys one.
    public var odas: ODASSpec?
    /// How ODAS is installed, with the prerequisites preflight checks (`installer:`).
    public var installer: InstallerSpec?
    /// What `odas-sim explore` draws by default (`explore:`).
    public var explore: ExploreSpec?
}

/// `kubernetes:` — the cluster's nodes and the manifests applied at the start.
public struct KubernetesSpec: Sendable {
    /// One node; each is also a host of the topology (a fault target, a workload's `from`).
    public struct Node: Sendable {
        public var name: String
        public var availabilityZone: String
        public var region: String
        public var cpu: Quantity
        public var memory: Quantity
        public var pods: Int64
        public var labels: [String: String]
    }

    /// A manifest file and the objects it holds, in document order.
    public struct Manifest: Sendable {
        public var file: String
        public var objects: [AnyKubeObject]
        /// FNV-1a of the manifest's text (of its JSON rendering when inline).
        public var digest: UInt64 = 0
    }

    public var nodes: [Node]
    public var manifests: [Manifest]
}

/// `network:` security groups and `compute:` instances.
public struct NetworkSpec: Sendable {
    public struct Rule: Sendable {
        public var ipProtocol: String
        public var fromPort: Int
        public var toPort: Int
        /// A CIDR block, or `sg:<name>` for members of a security group.
        public var peer: String
    }

    public struct SecurityGroup: Sendable {
        public var name: String
        public var region: String
        public var ingress: [Rule]
        /// nil: AWS's default (all outbound traffic allowed).
        public var egress: [Rule]?
    }

    public struct Instance: Sendable {
        public var name: String
        public var type: String
        public var availabilityZone: String
        public var subnet: String
        public var securityGroups: [String]
        public var instanceProfile: String?
    }

    /// A reachability expectation: can `from` (an instance, an address or a
    /// block) open a TCP connection to instance `to` on `port`?
    public struct Reachability: Sendable {
        public var from: String
        public var to: String
        public var port: Int
        public var allowed: Bool
        public var id: String { "reachability/\(from)->\(to):\(port)" }
    }

    /// An Auto Scaling group over one subnet per listed AZ.
    public struct AutoScalingGroup: Sendable {
        public var name: String
        public var availabilityZones: [String]
        public var minSize: Int
        public var maxSize: Int
        public var desiredCapacity: Int
        public var type: String
        public var securityGroups: [String]
        public var instanceProfile: String?
    }

    /// An EKS cluster whose managed node groups are Auto Scaling groups.
    public struct EKSCluster: Sendable {
        public var name: String
        public var region: String
        public var controlPlaneAZs: [String]
        public var nodeGroups: [String]
    }

    public var securityGroups: [SecurityGroup] = []
    /// VPC peering connections between regions.
    public var peerings: [[String]] = []
    public var instances: [Instance] = []
    public var autoScalingGroups: [AutoScalingGroup] = []
    public var eks: EKSCluster?
    public var reachability: [Reachability] = []
}

/// `dns:` — one hosted zone with record sets and health checks.
public struct DNSSpec: Sendable {
    public struct Record: Sendable {
        public var name: String
        public var type: String
        public var ttl: SimDuration
        public var target: String
        public var failover: String?
        public var weight: Int?
        public var healthCheck: String?
        /// Alias records name another record of the zone instead of a target,
        /// or an ODAS `LoadBalancer` Service (`odas/odas-planner`) on EKS: an
        /// alias of the network load balancer provisioned for it.
        public var alias: String?
        public var evaluateTargetHealth: Bool = false

        /// Whether the alias names a Service's load balancer (created when the load balancer is).
        public var aliasesServiceLoadBalancer: Bool { alias?.contains("/") == true }
    }

    public struct HealthCheck: Sendable {
        public var name: String
        /// What the checkers must reach: a host, AZ or region (for an ODAS
        /// Service, its cluster's region).
        public var target: FaultDomain
        public var interval: SimDuration
        public var failureThreshold: Int
        /// An ODAS Service (`CLUSTER/odas-planner`) whose load balancer the
        /// check probes: healthy only while the Service has a ready endpoint.
        public var odasService: String? = nil
    }

    public var zone: String
    public var records: [Record]
    public var healthChecks: [HealthCheck]
    /// A private zone is associated with the VPC of this region and answers only clients there.
    public var privateRegion: String?
}

/// An RDS DB instance (`database:`): single-AZ, or Multi-AZ with a standby.
public struct DatabaseSpec: Sendable {
    public var identifier: String
    public var engine: String
    public var region: String
    public var primaryAZ: String
    /// nil: single-AZ.
    public var standbyAZ: String?
    /// Aurora: reader AZs, promotion order.
    public var readerAZs: [String] = []
    /// Aurora Global Database: the secondary region and the AZ of its writer-to-be.
    public var globalSecondaryRegion: String?
    public var globalSecondaryAZ: String?
    /// The VPC security groups of the DB instance (by `network` name); none:
    /// the VPC's default group, which admits only its own members.
    public var securityGroups: [String] = []

    public var isAurora: Bool { engine == "aurora-mysql" }
}

/// An IAM user with an access key, as `iam.users` declares it.
public struct IAMUserSpec: Sendable {
    public var name: String
    public var accessKeyId: String
    public var secretAccessKey: String
    /// Identity policies: JSON documents (managed policies given by ARN are expanded).
    public var policies: [String] = []
}

/// An IAM role, as `iam.roles` declares it.
public struct IAMRoleSpec: Sendable {
    public var name: String
    /// The trust policy (JSON).
    public var trustPolicy: String
    /// Identity policies (JSON; managed policies given by ARN are expanded).
    public var policies: [String]
    public var permissionsBoundary: String?
    /// The instance profile that carries the role (default: the role's name).
    public var instanceProfile: String
    /// For `least-privilege`: the buckets this role serves (their replicas
    /// included); nil when the role is not checked.
    public var buckets: [String]?
}

/// Who a workload's requests are signed as.
public enum WorkloadPrincipal: Sendable, Equatable, CustomStringConvertible {
    /// Temporary credentials of a role, from the instance metadata service of the client's instance.
    case role(String)
    /// A user's long-lived access key.
    case user(String)

    public var description: String {
        switch self {
        case .role(let name): return "role/\(name)"
        case .user(let name): return "user/\(name)"
        }
    }
}

/// Regions, their availability zones and VPCs, and named hosts.
public struct Topology: Sendable {
    public struct Region: Sendable {
        public var name: String
        public var availabilityZones: [String]
        public var vpc: VPC?
    }

    public struct VPC: Sendable {
        /// The VPC's IPv4 block, e.g. `10.20.0.0/16`.
        public var cidr: String
        /// One subnet per AZ, derived from the VPC block.
        public var subnets: [Subnet]
    }

    public struct Subnet: Sendable {
        public var id: String
        public var availabilityZone: String
        public var cidr: String
        /// A route to an internet gateway (a public subnet).
        public var isPublic: Bool = false
    }

    /// A named machine of the scenario (a client host, a bastion…), placed in
    /// an AZ or a subnet; a target for `host-crash` and a `from` for workloads.
    public struct Host: Sendable {
        public var name: String
        public var placement: FaultDomain
    }

    public var regions: [Region]
    public var hosts: [Host]

    /// Appends the hosts whose names are not taken yet, in order (linear in
    /// all the hosts: a scenario may have ten thousands of nodes).
    public mutating func addHosts(_ added: [Host]) {
        var taken = Set(hosts.map(\.name))
        for host in added where taken.insert(host.name).inserted { hosts.append(host) }
    }

    /// Every AZ name, in file order.
    public var availabilityZones: [String] { regions.flatMap(\.availabilityZones) }
    /// Every subnet, in file order.
    public var subnets: [Subnet] { regions.flatMap { $0.vpc?.subnets ?? [] } }

    /// Finds a domain by name: region, AZ, subnet or host (names share one namespace).
    public func domain(named name: String) -> FaultDomain? {
        if regions.contains(where: { $0.name == name }) { return .region(name) }
        if availabilityZones.contains(name) { return .availabilityZone(name) }
        if subnets.contains(where: { $0.id == name }) { return .subnet(name) }
        if hosts.contains(where: { $0.name == name }) { return .host(name) }
        return nil
    }

    /// Every domain name, regions first.
    public var domainNames: [String] {
        regions.map(\.name) + availabilityZones + subnets.map(\.id) + hosts.map(\.name)
    }
}

/// An S3 bucket the world starts with.
public struct BucketSpec: Sendable {
    public var name: String
    public var region: String
    /// Objects preloaded under `data/` (and already present in the replica).
    public var objects: Int
    public var objectSize: Int
    /// Cross-region replication of new objects to `replicaBucket` in this region.
    public var replicateTo: String?
    public var replicaBucket: String?
    public var replicationTimeControl: Bool
    /// The bucket policy (JSON) of the bucket, and of its replica: S3
    /// replication does not copy bucket policies, so each bucket has its own.
    public var policy: String? = nil
    public var replicaPolicy: String? = nil
    /// Versioning enabled on the bucket (and its replica, which replication requires).
    public var versioning = false
    /// Default encryption: `AES256` (SSE-S3, S3's own default) or `aws:kms`
    /// with `kmsKey`, a KMS alias the world creates in the bucket's region.
    public var encryptionAlgorithm: String? = nil
    public var kmsKey: String? = nil
}

/// The fault actions of scenario format v1. Names follow AWS FIS's meaning
/// (see docs/scenario-format.md).
public enum FaultAction: String, CaseIterable, Sendable {
    case azOutage = "az-outage"
    case regionOutage = "region-outage"
    case networkPartition = "network-partition"
    case hostCrash = "host-crash"
    case networkLatency = "network-latency"
    /// A share of the packets to or from a domain is dropped (FIS's
    /// `AWSFIS-Run-Network-Packet-Loss` document, `LossPercent`); TCP's
    /// retransmissions turn it into latency, and at worst into a lost message.
    case networkPacketLoss = "network-packet-loss"
    /// The database's primary crashes (a Multi-AZ instance fails over; a
    /// single-AZ one restarts), like FIS `aws:rds:reboot-db-instances` with forceFailover.
    case dbPrimaryCrash = "db-primary-crash"
    /// The operator promotes the Aurora Global Database's secondary region
    /// (FailoverGlobalCluster with AllowDataLoss): unreplicated commits are lost.
    case dbGlobalFailover = "db-global-failover"
    /// The operator switches the Aurora Global Database over to the secondary
    /// region while both are healthy (SwitchoverGlobalCluster): RPO 0.
    case dbGlobalSwitchover = "db-global-switchover"

    /// A Kubernetes node's host crashes: its kubelet stops renewing its Lease
    /// (like FIS `aws:eks:terminate-nodegroup-instances` without the replacement).
    case nodeCrash = "node-crash"

    /// A Route 53 health check reports its endpoint unhealthy (FIS has no
    /// equivalent; it exercises DNS failover without losing the endpoint).
    case dnsHealthCheckFailure = "dns-health-check-failure"

    /// Replication from a bucket stops for the fault's duration and then
    /// resumes, like FIS `aws:s3:bucket-pause-replication`: new objects stay
    /// PENDING meanwhile, so a region lost during the pause loses them.
    case s3ReplicationPause = "s3-replication-pause"

    /// A share of the API calls to a service fail with its internal error, a
    /// throttling error or "unavailable" — FIS's `aws:fis:inject-api-internal-error`,
    /// `-throttle-error` and `-unavailable-error`, here on S3's GetObject and PutObject.
    case apiInternalError = "api-internal-error"
    case apiThrottleError = "api-throttle-error"
    case apiUnavailableError = "api-unavailable-error"

    /// The API fault actions.
    public var isAPIFault: Bool { self == .apiInternalError || self == .apiThrottleError || self == .apiUnavailableError }

    /// Actions that are events handled by a service rather than fault-model states.
    public var isInstant: Bool { self == .dbPrimaryCrash || self == .dbGlobalFailover || self == .dbGlobalSwitchover }
}

/// One scheduled fault.
public struct FaultSpec: Sendable {
    public var name: String
    public var action: FaultAction
    public var target: FaultDomain
    /// For `network-partition`: the other side (nil: everything outside `target`).
    public var peers: [FaultDomain]?
    /// For `network-latency`: the added one-way delay.
    public var latency: SimDuration?
    /// Start, from the beginning of the run.
    public var at: SimDuration
    /// Length; nil lasts until the end of the run.
    public var duration: SimDuration?
    /// API faults: the operations hit (nil: every one the service's clients call) and the share of calls that fail (0–1].
    public var operations: [String]? = nil
    public var percentage: Double? = nil

    /// When the fault ends, if it ends.
    public var end: SimDuration? { duration.map { at + $0 } }
}

/// The workload kinds available today; each service fake adds its own.
public enum WorkloadKind: String, CaseIterable, Sendable {
    /// PutObject of a new, unique key per operation (a write).
    case s3Put = "s3-put"
    /// GetObject of a preloaded object (a read).
    case s3Get = "s3-get"
    /// An INSERT of a new row per operation, through the database endpoint (a write).
    case dbWrite = "db-write"
    /// A SELECT through the database endpoint (a read).
    case dbRead = "db-read"
    /// Resolve a Route 53 name through the client's caching resolver, then
    /// connect to the answer: ok only if the answer is reachable.
    case dnsResolve = "dns-resolve"
    /// A call to the EKS cluster's API server (kubectl, controllers).
    case eksAPI = "eks-api"
    /// An HTTP request to a Kubernetes Service: the client's kube-proxy picks
    /// one of the ready endpoints at random; ok only if that pod's node is
    /// reachable from the client.
    case http = "http"
    /// A data scan through ODAS as a catalog user: the planner authorizes and
    /// plans, workers read S3 and apply masks and filters.
    case scan = "scan"
    /// Catalog changes through ODAS (a new dataset per operation; scheduled
    /// grants and revokes): SQL transactions on the catalog database.
    case catalogWrite = "catalog-write"

    /// True for kinds whose operations write data (and so have an RPO).
    public var writes: Bool { self == .s3Put || self == .dbWrite || self == .catalogWrite }
    /// True for kinds that talk to the database rather than S3.
    public var usesDatabase: Bool { self == .dbWrite || self == .dbRead }
}

/// One client workload: a process issuing operations at a rate.
public struct WorkloadSpec: Sendable {
    public var name: String
    public var kind: WorkloadKind
    /// Where the client runs; it issues nothing while this domain is down.
    public var from: FaultDomain
    /// Mean operations per second (Poisson arrivals from a seeded stream).
    public var ratePerSecond: Double
    /// What the workload talks to: the bucket (S3 kinds), the database
    /// identifier (db kinds), the record name (dns-resolve), the Service as
    /// `namespace/name` (http) or the EKS cluster (eks-api).
    public var target: String
    /// Client-side failover: after `failoverAfter` consecutive failures the
    /// client switches to the bucket's replica and stays there.
    public var failover: Bool
    public var failoverAfter: Int
    /// How long the client waits for an answer before giving up.
    public var timeout: SimDuration
    /// db-read: read through the cluster's reader endpoint (Aurora).
    public var readerEndpoint: Bool = false
    /// Active window within the run.
    public var start: SimDuration
    public var stop: SimDuration?
    /// Who signs the workload's S3 requests; nil: the account's own
    /// deployment role (full access), for scenarios without an `iam` section.
    public var principal: WorkloadPrincipal? = nil
    /// True for clients outside the deployment (people, partner tools): they
    /// may hold long-lived keys without breaking `no-static-credentials`.
    public var external = false
    /// scan and catalog-write: the catalog user and what they do.
    public var odas: ODASWorkloadOptions? = nil
    /// How the client retries before the application sees a failure (`retry:`); nil: it does not.
    public var retry: RetryPolicy? = nil
}

/// The properties a run is judged by.
public struct Expectations: Sendable {
    public var rto: [(workload: String, target: SimDuration)] = []
    public var rpo: [(workload: String, target: SimDuration)] = []
    public var availability: [(workload: String, target: Double)] = []
    public var invariants: [Invariant] = []

    /// Reachability checks (`expect.reachability`).
    public var reachability: [NetworkSpec.Reachability] = []
    /// Time to restore an Auto Scaling group's desired in-service capacity after a disruption.
    public var capacity: [(group: String, target: SimDuration)] = []
    /// The longest the installation may take, from the start of the run to ODAS ready (`installed-within`).
    public var installedWithin: SimDuration?

    /// The ids of every expectation, as reports and `expectFailure` name them.
    public var ids: [String] {
        rto.map { "rto/\($0.workload)" } + rpo.map { "rpo/\($0.workload)" }
            + availability.map { "availability/\($0.workload)" } + invariants.map { "invariant/\($0.rawValue)" }
            + reachability.map(\.id) + capacity.map { "capacity/\($0.group)" } + (installedWithin == nil ? [] : ["installed-within"])
    }
}

/// Invariants checked over the whole history.
public enum Invariant: String, CaseIterable, Sendable {
    /// Every acknowledged write is visible to the final read.
    case noAcknowledgedWriteLost = "no-acknowledged-write-lost"
    /// Route 53 never answers with an endpoint that has been down for longer
    /// than its health check needs to notice (cached answers excepted).
    case dnsPointsToHealthy = "dns-points-to-healthy"
    /// No read succeeded that the policies of the dataset's bucket and of the
    /// reader forbid (replicas and failover included).
    case noUnauthorizedRead = "no-unauthorized-read"
    /// No component of the deployment holds long-lived access keys.
    case noStaticCredentials = "no-static-credentials"
    /// Roles with a bucket list cannot reach any other bucket.
    case leastPrivilege = "least-privilege"
    /// After a revoke is acknowledged, no scan that starts more than the
    /// planners' policy-cache TTL later returns the revoked data.
    case failClosed = "fail-closed"

    /// Invariants of the format that need service fakes not built yet, with
    /// what they wait for; a scenario naming one is rejected with this note.
    public static let planned: [String: String] = [:]
}
