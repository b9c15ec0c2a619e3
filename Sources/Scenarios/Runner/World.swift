import AWSSim
import KubeSim
import ODASModel
import SimCore

/// The simulated world of one run: the event loop, the fault model, the AWS
/// services, the processes on the simulated network (clients, service
/// endpoints), the history and the trace.
///
/// Single-threaded by construction: ``run(progress:)`` pops events in
/// `(instant, sequence)` order and each handler mutates the world
/// synchronously. Nothing here reads the wall clock or unseeded randomness.
struct World {
    let scenario: Scenario
    let seed: UInt64
    var loop = EventLoop<WorldEvent>()
    var faults = FaultModel()
    var s3: S3Service
    var rds: RDSService
    var route53: Route53Service
    var ec2: EC2Service
    var autoScaling: AutoScalingService
    var elbv2: ELBv2Service
    /// The Services and nodes the load balancer controller last reconciled (``reconcileServiceLoadBalancers()``).
    var loadBalancerFingerprint = ""
    var eks = EKSService()
    var iam = IAMService(account: World.account)
    var sts = STSService()
    var kms = KMSService(account: World.account)
    var cloudFormation: CloudFormationService
    /// Per stack, how many of its events are already in the trace.
    var cloudFormationEventsTraced: [String: Int] = [:]
    /// Per stack, the status last seen (the installer waits for changes).
    var cloudFormationStatusSeen: [String: String] = [:]
    /// Bucket policies parsed, by text.
    var policyCache: [String: PolicyDocument?] = [:]
    /// The scenario's Kubernetes cluster and a standby ODAS cluster's; per
    /// cluster index, its trace lines already copied and the world timer that wakes it.
    var kube: KubeCluster?
    var standbyKube: KubeCluster?
    var kubeTraceConsumed: [Int: Int] = [:]
    var kubeTimers: [Int: (id: TimerID, at: SimInstant)] = [:]
    /// EKS node-group instances that joined before the cluster was built (they register at time zero).
    var pendingEKSNodes: [(instance: String, name: String, availabilityZone: String)] = []
    /// In-service instances per Auto Scaling group, each time it changes.
    var capacityTimeline: [String: [(at: SimInstant, inService: Int)]] = [:]
    var history = History()
    /// Reachability expectations, decided from the network as built.
    var reachabilityResults: [PropertyResult] = []
    var trace = Trace()
    /// The simulated network and its processes, indexed by ``ProcessID``.
    var network: SimNetwork<any WorldMessage>
    var processes: [any WorldProcess] = []
    /// The workloads' client processes, in workload order.
    var clientIDs: [ProcessID] = []
    /// Service endpoints: S3 by region, databases and EKS clusters by identifier.
    var s3Endpoints: [String: ProcessID] = [:]
    var databaseEndpoints: [String: ProcessID] = [:]
    var eksEndpoints: [String: ProcessID] = [:]
    /// The Kubernetes pod network, when the scenario has a cluster.
    var podNetwork: ProcessID?
    /// What accepts connections on any address (``ListenerProcess``).
    var listener = ProcessID(rawValue: 0)
    /// The processes of ODAS's planner, worker and catalog services, per ODAS cluster.
    var odasServices: [Int: [ODASComponent: ProcessID]] = [:]
    /// The scenario's ODAS clusters, the primary first (``ODASSpec/clusters``, computed once).
    let odasClusters: [ODASClusterSpec]
    /// The ready endpoints of each ODAS service last seen, per cluster, for the timeline.
    var odasReady: [Int: [ODASComponent: [String]]] = [:]
    var odasReadyAnnounced: Set<Int> = []
    /// Instances Auto Scaling terminated to rebalance its zones, with the
    /// Kubernetes node each was (evidence for ``Suggestions``).
    var rebalanceTerminations: [RebalanceTermination] = []
    /// Terminated instances whose node hosts are down for good (``retireTerminatedHosts()``).
    var retiredHosts: Set<String> = []
    /// The REST API's gateway process (spawned by the first request on `serve`) and the outcomes of its requests.
    var restGateway: ProcessID?
    var restOutcomes: [Int: RESTOutcome] = [:]
    var nextRESTRequest = 1
    /// The access tables as last recorded (see ``recordCatalogVersion()``).
    var catalogAccessFingerprint: String?
    /// Every catalog version committed, when (the ODAS checkers' oracle).
    var catalogTimeline: [(at: SimInstant, snapshot: CatalogSnapshot)] = []
    /// FaultIDs of the scenario's faults while they are active.
    var activeFaults: [Int: FaultID] = [:]
    var timeline: [TimelineEntry] = []
    /// Scenario faults that force a Route 53 health check to fail, while active.
    var forcedHealthChecks: Set<Int> = []
    /// Faults pausing a bucket's replication (`s3-replication-pause`), active now.
    var pausedReplications: Set<Int> = []
    /// API faults active now (indices of scenario faults).
    var apiFaults: Set<Int> = []
    /// Faults injected at run time (serve's control endpoint), by id.
    var controlFaults: [String: (id: FaultID, description: String)] = [:]
    /// Health checks forced to fail through the control endpoint, by fault id.
    var controlHealthChecks: [String: String] = [:]
    var nextControlFault = 1
    /// The installation phase (after a passing preflight), and the installer at work.
    var installation: Installation?
    var installer: (any WorldInstaller)?

    init(scenario: Scenario, seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
        odasClusters = scenario.odas?.clusters ?? []
        let root = SimRandom(seed: seed)
        s3 = S3Service(random: root.stream("s3"))
        rds = RDSService(random: root.stream("rds"))
        route53 = Route53Service(random: root.stream("route53"))
        ec2 = EC2Service(random: root.stream("ec2"))
        autoScaling = AutoScalingService(random: root.stream("autoscaling"))
        elbv2 = ELBv2Service(random: root.stream("elbv2"))
        elbv2.account = World.account
        cloudFormation = CloudFormationService(account: World.account, random: root.stream("cloudformation"))
        cloudFormation.availabilityZones = Dictionary(uniqueKeysWithValues: scenario.topology.regions.map { ($0.name, $0.availabilityZones) })
        network = SimNetwork(random: root.stream("network"))
    }

    // MARK: Running

    /// Runs until the scenario's duration, then completes the history with
    /// the final reads.
    /// Plays the run to its end, or — when `shouldStop` (asked every 2048
    /// events; the caller's wall-clock budget, outside the simulation) says
    /// so — to where it is then; returns the instant the run ended.
    @discardableResult
    mutating func run(progress: ((SimInstant, SimDuration) -> Void)?, shouldStop: (() -> Bool)? = nil) -> SimInstant {
        var end = SimInstant.zero + scenario.duration
        var delivered = 0
        while let (_, event) = loop.next(until: end) {
            if case .progress = event {
                progress?(loop.now, scenario.duration)
                continue
            }
            handle(event)
            delivered += 1
            if delivered % 2048 == 0, let shouldStop, shouldStop() {
                end = loop.now
                break
            }
        }
        history.completePending(at: end)
        network.abandonAll(loop: &loop)
        finalReads(at: end)
        return end
    }

    mutating func handle(_ event: WorldEvent) {
        switch event {
        case .faultStart(let index): startFault(index)
        case .faultEnd(let index): endFault(index)
        case .network(let event): handleNetwork(event)
        case .processTimer(let process, let token): processTimerFires(process, token: token)
        case .s3(let s3Event):
            s3.handle(s3Event, now: loop.now, faults: faults, trace: &trace)
            drainS3Outbox()
        case .rds(let rdsEvent):
            rds.handle(rdsEvent, faults: faults, now: loop.now)
            drainRDS()
        case .route53(let event):
            route53.handle(event, faults: faults, now: loop.now)
            drainRoute53()
        case .autoScaling(let event):
            autoScaling.handle(event, ec2: &ec2, faults: faults, now: loop.now)
            drainAutoScaling()
        case .cloudFormation(let event): handleCloudFormation(event)
        case .elbv2(let event): handleELBv2(event)
        case .kube(let cluster): kubeTimerFires(cluster)
        case .progress: break
        case .controlFaultEnd(let id): _ = liftControlFault(id)
        case .installer(let token): withInstaller { installer, world in installer.timer(token, world: &world) }
        }
    }

}
