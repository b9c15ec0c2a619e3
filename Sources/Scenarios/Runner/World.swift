import AWSSim
import KubeSim
import SimCore

/// The simulated world of one run: the event loop, the fault model, the AWS
/// services, the client workloads, the history and the trace.
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
    var eks = EKSService()
    var iam = IAMService(account: World.account)
    var sts = STSService()
    var kms = KMSService(account: World.account)
    /// Bucket policies parsed, by text.
    var policyCache: [String: PolicyDocument?] = [:]
    /// The scenario's Kubernetes cluster, its trace lines already copied, and the world timer that wakes it.
    var kube: KubeCluster?
    var kubeTraceConsumed = 0
    var kubeTimer: (id: TimerID, at: SimInstant)?
    /// EKS node-group instances that joined before the cluster was built (they register at time zero).
    var pendingEKSNodes: [(instance: String, name: String, availabilityZone: String)] = []
    /// In-service instances per Auto Scaling group, each time it changes.
    var capacityTimeline: [String: [(at: SimInstant, inService: Int)]] = [:]
    var history = History()
    /// Reachability expectations, decided from the network as built.
    var reachabilityResults: [PropertyResult] = []
    var trace = Trace()
    var clients: [Client]
    var inFlight: [Int: InFlight] = [:]
    /// FaultIDs of the scenario's faults while they are active.
    var activeFaults: [Int: FaultID] = [:]
    var timeline: [TimelineEntry] = []
    /// Scenario faults that force a Route 53 health check to fail, while active.
    var forcedHealthChecks: Set<Int> = []
    /// Faults injected at run time (serve's control endpoint), by id.
    var controlFaults: [String: (id: FaultID, description: String)] = [:]
    var nextControlFault = 1

    /// A workload's client process.
    struct Client {
        var spec: WorkloadSpec
        var random: SimRandom
        var sequence = 0
        var consecutiveFailures = 0
        var usingReplica = false
        var isDown = false
        var primaryBucket: String
        var replicaBucket: String?
        var preloadedObjects: Int

        var currentBucket: String { usingReplica ? (replicaBucket ?? primaryBucket) : primaryBucket }
    }

    /// An operation whose outcome the client does not know yet.
    struct InFlight {
        var workload: Int
        var bucket: String
        var key: String
        var body: [UInt8]?
        var endpoint: FaultDomain
        var oneWay: SimDuration
        var timeout: TimerID?
        /// For database operations: the SQL to run.
        var statements: [String] = []
        /// Set when the service executed the request: the answer to deliver.
        var answer: Answer?
        /// Why the request or answer did not get through, for the timeout message.
        var lostBecause: String?
        /// For S3 operations: what the request is signed with.
        var credentials: Credentials?
    }

    enum Answer {
        case ok(value: String)
        case error(code: String, message: String)
    }

    init(scenario: Scenario, seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
        let root = SimRandom(seed: seed)
        s3 = S3Service(random: root.stream("s3"))
        rds = RDSService(random: root.stream("rds"))
        route53 = Route53Service(random: root.stream("route53"))
        ec2 = EC2Service(random: root.stream("ec2"))
        autoScaling = AutoScalingService(random: root.stream("autoscaling"))
        clients = scenario.workloads.map { spec in
            let bucket = scenario.buckets.first { $0.name == spec.bucket }
            return Client(spec: spec, random: root.stream("workload." + spec.name), primaryBucket: spec.bucket,
                          replicaBucket: bucket?.replicaBucket, preloadedObjects: bucket?.objects ?? 0)
        }
    }

    // MARK: Building

    /// Builds the topology, the buckets and the schedule of faults and clients.
    mutating func build() {
        let start = loop.now
        for region in scenario.topology.regions {
            faults.addRegion(region.name)
            // S3 is a regional service: its endpoint lives in the region, not in an AZ.
            faults.addHost(S3Endpoint.host(region: region.name), in: .region(region.name))
            for az in region.availabilityZones { faults.addAvailabilityZone(az, region: region.name) }
            for subnet in region.vpc?.subnets ?? [] {
                faults.addSubnet(subnet.id, availabilityZone: subnet.availabilityZone)
            }
            trace.record("ec2", "region", at: start, [
                "region": .string(region.name), "azs": .string(region.availabilityZones.joined(separator: ",")),
                "vpc": .string(region.vpc?.cidr ?? "none"),
            ])
        }
        for host in scenario.topology.hosts {
            faults.addHost(host.name, in: host.placement)
        }
        buildNetwork(at: start)
        buildBuckets(at: start)
        buildIAM(at: start)
        buildDatabase(at: start)
        buildDNS(at: start)
        buildKubernetes(at: start)
        for (index, fault) in scenario.faults.enumerated() {
            loop.schedule(.faultStart(index), at: .zero + fault.at)
            if let end = fault.end { loop.schedule(.faultEnd(index), at: .zero + end) }
        }
        for index in clients.indices {
            scheduleNextIssue(index, after: clients[index].spec.start)
        }
        let step = SimDuration(nanoseconds: max(scenario.duration.nanoseconds / 20, 1))
        var at = SimInstant.zero + step
        while at < .zero + scenario.duration {
            loop.schedule(.progress, at: at)
            at = at + step
        }
    }

    mutating func buildBuckets(at now: SimInstant) {
        for spec in scenario.buckets {
            createBucket(spec.name, region: spec.region, at: now)
            if let replica = spec.replicaBucket, let region = spec.replicateTo {
                createBucket(replica, region: region, at: now)
            }
            // Objects that exist before the run are already replicated (as S3
            // Batch Replication would have done for existing objects).
            for part in 0..<spec.objects {
                let key = Keys.preloaded(part)
                let body = Keys.body(for: "\(spec.name)/\(key)", size: spec.objectSize)
                for bucket in [spec.name] + (spec.replicaBucket.map { [$0] } ?? []) {
                    do { try s3.putObject(bucket: bucket, key: key, body: body, now: now) } catch {
                        trace.record("s3", "preload-failed", at: now, ["bucket": .string(bucket), "error": .string(error.code)])
                    }
                }
            }
            if spec.objects > 0 {
                trace.record("s3", "preload", at: now, ["bucket": .string(spec.name), "objects": .int(Int64(spec.objects))])
            }
            if let replica = spec.replicaBucket {
                // S3 replication needs versioning on both buckets.
                for bucket in [spec.name, replica] {
                    do { try s3.putBucketVersioning(bucket, status: .enabled) } catch {
                        trace.record("s3", "put-bucket-versioning-failed", at: now, ["bucket": .string(bucket), "error": .string(error.code)])
                    }
                }
                let rule = S3ReplicationRule(id: "replicate-to-\(replica)", destinationBucket: replica,
                                             replicationTimeControl: spec.replicationTimeControl)
                do {
                    try s3.putBucketReplication(spec.name, rules: [rule])
                    trace.record("s3", "put-bucket-replication", at: now, [
                        "bucket": .string(spec.name), "destination": .string(replica),
                        "rtc": .bool(spec.replicationTimeControl),
                    ])
                } catch {
                    trace.record("s3", "put-bucket-replication-failed", at: now, ["bucket": .string(spec.name), "error": .string(error.code)])
                }
            }
        }
    }

    /// The ODAS state database: the instance, its replicas as fault-model hosts
    /// in their AZs, and the table the db workloads write.
    mutating func buildDatabase(at now: SimInstant) {
        guard let spec = scenario.database else { return }
        do {
            if spec.isAurora {
                try rds.createDBCluster(identifier: spec.identifier, region: spec.region, writerAZ: spec.primaryAZ,
                                        readerAZs: spec.readerAZs, globalSecondaryRegion: spec.globalSecondaryRegion,
                                        globalSecondaryAZ: spec.globalSecondaryAZ)
            } else {
                try rds.createDBInstance(identifier: spec.identifier, engine: spec.engine, region: spec.region,
                                         primaryAZ: spec.primaryAZ, standbyAZ: spec.standbyAZ)
            }
            let azs = [spec.primaryAZ] + (spec.standbyAZ.map { [$0] } ?? []) + spec.readerAZs
                + (spec.globalSecondaryAZ.map { [$0] } ?? [])
            for az in azs {
                faults.addHost(DBInstance.host(spec.identifier, az: az), in: .availabilityZone(az))
            }
            _ = try rds.execute(spec.identifier, statements: [
                "CREATE TABLE writes (workload TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT, PRIMARY KEY (workload, seq))",
            ], faults: faults, now: now)
            drainRDS()
            trace.record("rds", "create-db-instance", at: now, [
                "identifier": .string(spec.identifier), "engine": .string(spec.engine),
                "primary_az": .string(spec.primaryAZ), "standby_az": .string(spec.standbyAZ ?? "none"),
            ])
        } catch {
            trace.record("rds", "create-db-instance-failed", at: now, ["identifier": .string(spec.identifier), "error": .string(error.description)])
        }
    }

    /// Security groups (two passes: group references need every group's id)
    /// and instances; then the reachability expectations, decided by EC2's query.
    mutating func buildNetwork(at now: SimInstant) {
        let spec = scenario.network
        for subnet in scenario.topology.subnets where subnet.isPublic { ec2.routeToInternetGateway(subnet: subnet.id) }
        for pair in spec.peerings where pair.count == 2 { ec2.peer(pair[0], pair[1]) }
        var ids: [String: String] = [:]
        for group in spec.securityGroups {
            ids[group.name] = ec2.createSecurityGroup(name: group.name, region: group.region, ingress: [])
        }
        func rules(_ list: [NetworkSpec.Rule]) -> [SecurityGroupRule] {
            list.compactMap { rule in
                let peer: SecurityGroupPeer
                if rule.peer.hasPrefix("sg:") {
                    guard let id = ids[String(rule.peer.dropFirst(3))] else { return nil }
                    peer = .group(id)
                } else {
                    guard let block = IPv4Block(rule.peer) else { return nil }
                    peer = .cidr(block)
                }
                return SecurityGroupRule(ipProtocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, peer: peer)
            }
        }
        for group in spec.securityGroups {
            guard let id = ids[group.name] else { continue }
            ec2.authorizeSecurityGroupIngress(id, rules: rules(group.ingress))
            if let egress = group.egress { ec2.replaceSecurityGroupEgress(id, rules: rules(egress)) }
            trace.record("ec2", "create-security-group", at: now, ["name": .string(group.name), "id": .string(id)])
        }
        for instance in spec.instances {
            guard let subnet = scenario.topology.subnets.first(where: { $0.id == instance.subnet }),
                  let block = IPv4Block(subnet.cidr) else { continue }
            let region = scenario.topology.regions.first { $0.availabilityZones.contains(instance.availabilityZone) }?.name ?? ""
            let id = ec2.runInstance(name: instance.name, type: instance.type, region: region,
                                     availabilityZone: instance.availabilityZone, subnet: instance.subnet, subnetCIDR: block,
                                     securityGroups: instance.securityGroups.compactMap { ids[$0] },
                                     instanceProfile: instance.instanceProfile)
            trace.record("ec2", "run-instance", at: now, [
                "name": .string(instance.name), "id": .string(id), "az": .string(instance.availabilityZone),
            ])
        }
        for group in spec.autoScalingGroups {
            let subnets = group.availabilityZones.compactMap { az -> GroupSubnet? in
                guard let subnet = scenario.topology.subnets.first(where: { $0.availabilityZone == az }),
                      let block = IPv4Block(subnet.cidr) else { return nil }
                return GroupSubnet(id: subnet.id, availabilityZone: az, cidr: block)
            }
            let region = scenario.topology.regions.first { $0.availabilityZones.contains(group.availabilityZones.first ?? "") }?.name ?? ""
            autoScaling.createAutoScalingGroup(
                name: group.name, region: region, subnets: subnets, minSize: group.minSize, maxSize: group.maxSize,
                desiredCapacity: group.desiredCapacity,
                template: LaunchTemplate(instanceType: group.type, securityGroups: group.securityGroups.compactMap { ids[$0] },
                                         instanceProfile: group.instanceProfile),
                ec2: &ec2, faults: faults, now: now)
        }
        if let cluster = spec.eks {
            eks.createCluster(name: cluster.name, region: cluster.region, controlPlaneAZs: cluster.controlPlaneAZs,
                              nodeGroups: cluster.nodeGroups)
            trace.record("eks", "create-cluster", at: now, ["name": .string(cluster.name), "node_groups": .int(Int64(cluster.nodeGroups.count))])
        }
        drainAutoScaling(initial: true)
        for check in scenario.expectations.reachability {
            guard let destination = ec2.instance(named: check.to) else { continue }
            let verdict: ReachabilityVerdict
            if let source = ec2.instance(named: check.from) {
                verdict = ec2.reachability(from: source, to: destination, port: check.port)
            } else if let block = IPv4Block(check.from) {
                verdict = ec2.reachability(fromAddress: block, to: destination, port: check.port)
            } else { continue }
            reachabilityResults.append(PropertyResult(
                id: check.id, kind: "reachability", workload: nil, target: check.allowed ? "reachable" : "refused",
                measured: verdict.allowed ? "reachable" : "refused", status: verdict.allowed == check.allowed ? .pass : .fail,
                detail: verdict.explanation + "."))
        }
    }

    /// Registers launched instances as hosts, reports what Auto Scaling did,
    /// turns node-group changes into EKS node events, and samples capacity.
    mutating func drainAutoScaling(initial: Bool = false) {
        for item in autoScaling.outbox { loop.schedule(.autoScaling(item.event), at: item.at) }
        autoScaling.outbox.removeAll()
        for notice in autoScaling.notices {
            var text: String
            switch notice {
            case let .launched(group, instance, name, az, subnet):
                faults.addHost(name, in: .subnet(subnet))
                text = "auto scaling \(group): launched \(name) (\(instance)) in \(az)"
                if initial { eks.observe(.ready(group: group, instance: instance, name: name), ec2: ec2) }
            case let .launchFailed(group, az, reason):
                text = "auto scaling \(group): launch in \(az) failed: \(reason)"
            case let .terminated(group, _, name, reason):
                text = "auto scaling \(group): terminated \(name), \(reason)"
            case let .ready(group, _, name):
                text = "auto scaling \(group): \(name) in service"
            }
            eks.observe(notice, ec2: ec2)
            trace.record("autoscaling", "activity", at: loop.now, ["text": .string(text)])
            if !initial { timeline.append(TimelineEntry(at: loop.now, kind: "autoscaling", text: text)) }
        }
        autoScaling.notices.removeAll()
        for event in eks.nodeEvents {
            switch event {
            case let .joined(cluster, instance, name, az):
                trace.record("eks", "node-joined", at: loop.now, ["cluster": .string(cluster), "node": .string(name), "az": .string(az)])
                eksNodeJoined(instance: instance, name: name, availabilityZone: az)
            case let .left(cluster, _, name, reason):
                trace.record("eks", "node-left", at: loop.now, ["cluster": .string(cluster), "node": .string(name), "reason": .string(reason)])
                eksNodeLeft(name: name)
            }
        }
        eks.nodeEvents.removeAll()
        sampleCapacity()
    }

    mutating func sampleCapacity() {
        for name in autoScaling.groups.keys.sorted() {
            let inService = autoScaling.inService(name, ec2: ec2)
            if capacityTimeline[name]?.last?.inService != inService {
                capacityTimeline[name, default: []].append((loop.now, inService))
            }
        }
    }

    /// The hosted zone's health checks (probing from now on) and record sets.
    mutating func buildDNS(at now: SimInstant) {
        guard let dns = scenario.dns else { return }
        _ = route53.createHostedZone(name: dns.zone, privateVPCRegion: dns.privateRegion)
        for check in dns.healthChecks {
            route53.createHealthCheck(id: check.name, target: check.target, requestInterval: check.interval,
                                      failureThreshold: check.failureThreshold, now: now)
        }
        for record in dns.records {
            let routing: Route53Routing = record.failover.map { .failover(primary: $0 == "PRIMARY") }
                ?? record.weight.map { .weighted(weight: $0) } ?? .simple
            route53.upsert(Route53Record(name: record.name, type: record.type, ttl: record.ttl, target: record.target,
                                         routing: routing, setIdentifier: record.failover ?? record.weight.map(String.init),
                                         healthCheck: record.healthCheck, aliasTarget: record.alias,
                                         evaluateTargetHealth: record.evaluateTargetHealth))
        }
        trace.record("route53", "create-hosted-zone", at: now, [
            "zone": .string(dns.zone), "records": .int(Int64(dns.records.count)), "health_checks": .int(Int64(dns.healthChecks.count)),
        ])
        drainRoute53()
    }

    mutating func drainRoute53() {
        for item in route53.outbox { loop.schedule(.route53(item.event), at: item.at) }
        route53.outbox.removeAll()
        for notice in route53.notices {
            trace.record("route53", "health-check", at: loop.now, ["change": .string(notice)])
            timeline.append(TimelineEntry(at: loop.now, kind: "route53-health", text: notice))
        }
        route53.notices.removeAll()
    }

    /// Since when `domain` has been down because of a scenario fault, if it is.
    func downSince(_ domain: FaultDomain) -> SimInstant? {
        guard !faults.isUp(domain) else { return nil }
        return activeFaults.keys.compactMap { index -> SimInstant? in
            let spec = scenario.faults[index]
            switch spec.action {
            case .azOutage, .regionOutage, .hostCrash:
                return faults.isWithin(domain, spec.target) ? .zero + spec.at : nil
            default:
                return nil
            }
        }.min()
    }

    /// Tells RDS the fault model changed, then reports what RDS did.
    mutating func notifyServices() {
        rds.faultsChanged(faults, now: loop.now)
        drainRDS()
        ec2.faultsChanged(faults)
        for notice in ec2.notices {
            trace.record("ec2", "instance-state", at: loop.now, ["change": .string(notice)])
            timeline.append(TimelineEntry(at: loop.now, kind: "ec2-instance", text: notice))
        }
        ec2.notices.removeAll()
        sampleCapacity()
        kubeFaultsChanged()
    }

    mutating func drainRDS() {
        for item in rds.outbox { loop.schedule(.rds(item.event), at: item.at) }
        rds.outbox.removeAll()
        for notice in rds.notices {
            trace.record("rds", notice.kind, at: loop.now, ["instance": .string(notice.instance)])
            timeline.append(TimelineEntry(at: loop.now, kind: "rds-" + notice.kind, text: notice.text))
        }
        rds.notices.removeAll()
    }

    mutating func createBucket(_ name: String, region: String, at now: SimInstant) {
        do {
            try s3.createBucket(name, region: region)
            trace.record("s3", "create-bucket", at: now, ["bucket": .string(name), "region": .string(region)])
        } catch {
            trace.record("s3", "create-bucket-failed", at: now, ["bucket": .string(name), "error": .string(error.code)])
        }
    }

    // MARK: Running

    /// Runs until the scenario's duration, then completes the history with
    /// the final reads.
    mutating func run(progress: ((SimInstant, SimDuration) -> Void)?) {
        let end = SimInstant.zero + scenario.duration
        while let (_, event) = loop.next(until: end) {
            if case .progress = event {
                progress?(loop.now, scenario.duration)
                continue
            }
            handle(event)
        }
        history.completePending(at: end)
        for index in inFlight.keys.sorted() {
            if let timer = inFlight[index]?.timeout { loop.cancel(timer) }
        }
        inFlight.removeAll()
        finalReads(at: end)
    }

    mutating func handle(_ event: WorldEvent) {
        switch event {
        case .faultStart(let index): startFault(index)
        case .faultEnd(let index): endFault(index)
        case .clientIssue(let index): issue(index)
        case .requestArrives(let op): requestArrives(op)
        case .responseArrives(let op): responseArrives(op)
        case .clientTimeout(let op): timeout(op)
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
        case .kube: kubeTimerFires()
        case .progress: break
        case .controlFaultEnd(let id): _ = liftControlFault(id)
        }
    }

    mutating func drainS3Outbox() {
        for item in s3.outbox { loop.schedule(.s3(item.event), at: item.at) }
        s3.outbox.removeAll()
    }

    // MARK: Faults

    mutating func startFault(_ index: Int) {
        let spec = scenario.faults[index]
        let kind: FaultKind
        switch spec.action {
        case .azOutage, .regionOutage: kind = .outage(spec.target)
        case .hostCrash, .nodeCrash: kind = .crash(host: spec.target.name)
        case .networkPartition: kind = .partition(side: [spec.target], peers: spec.peers)
        case .networkLatency: kind = .latency(spec.target, latency: spec.latency ?? .zero)
        case .dnsHealthCheckFailure:
            route53.setForcedFailure(spec.target.name, true)
            forcedHealthChecks.insert(index)
            trace.record("fault", "action-start", at: loop.now, [
                "fault": .string(spec.name), "action": .string(spec.action.rawValue), "target": .string(spec.target.name),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                          text: "fault \(spec.name) starts: dns-health-check-failure \(spec.target.name)"))
            return
        case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover:
            // Events handled by RDS, as FIS's RDS actions are API calls, not a fault-model state.
            trace.record("fault", "action-start", at: loop.now, [
                "fault": .string(spec.name), "action": .string(spec.action.rawValue), "target": .string(spec.target.name),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                          text: "fault \(spec.name): \(spec.action.rawValue) \(spec.target.name)"))
            do {
                if spec.action == .dbGlobalFailover {
                    try rds.failoverGlobalCluster(spec.target.name, now: loop.now)
                } else if spec.action == .dbGlobalSwitchover {
                    try rds.switchoverGlobalCluster(spec.target.name, faults: faults, now: loop.now)
                } else {
                    try rds.crashPrimary(spec.target.name, faults: faults, now: loop.now)
                }
            } catch {
                trace.record("rds", "crash-failed", at: loop.now, ["error": .string(error.description)])
            }
            drainRDS()
            return
        }
        activeFaults[index] = faults.apply(kind)
        var attributes: [(key: String, value: TraceValue)] = [
            ("fault", .string(spec.name)), ("action", .string(spec.action.rawValue)),
            ("target", .string(spec.target.name)),
        ]
        if let peers = spec.peers { attributes.append(("peers", .string(peers.map(\.name).joined(separator: ",")))) }
        if let latency = spec.latency { attributes.append(("latency", .duration(latency))) }
        trace.record("fault", "action-start", at: loop.now, attributes: attributes)
        timeline.append(TimelineEntry(at: loop.now, kind: "fault-start",
                                      text: "fault \(spec.name) starts: \(spec.action.rawValue) \(spec.target.name)"))
        refreshClientLiveness()
        notifyServices()
    }

    mutating func endFault(_ index: Int) {
        if forcedHealthChecks.remove(index) != nil {
            let spec = scenario.faults[index]
            route53.setForcedFailure(spec.target.name, false)
            trace.record("fault", "action-end", at: loop.now, ["fault": .string(spec.name)])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(spec.name) ends"))
            return
        }
        guard let id = activeFaults.removeValue(forKey: index) else { return }
        faults.lift(id)
        let spec = scenario.faults[index]
        trace.record("fault", "action-end", at: loop.now, ["fault": .string(spec.name)])
        timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(spec.name) ends"))
        refreshClientLiveness()
        notifyServices()
    }

    /// Records clients whose host goes down or comes back with a fault.
    mutating func refreshClientLiveness() {
        for index in clients.indices {
            let down = !faults.isUp(clients[index].spec.from)
            guard down != clients[index].isDown else { continue }
            clients[index].isDown = down
            let name = clients[index].spec.name
            trace.record("workload", down ? "client-down" : "client-up", at: loop.now, ["workload": .string(name)])
            timeline.append(TimelineEntry(at: loop.now, kind: down ? "client-down" : "client-up",
                                          text: "client \(name) \(down ? "is down with its \(clients[index].spec.from.kind)" : "is back")"))
        }
    }

    // MARK: Clients

    mutating func scheduleNextIssue(_ index: Int, after offset: SimDuration = .zero) {
        let mean = SimDuration.fromSeconds(1 / clients[index].spec.ratePerSecond)
        let gap = clients[index].random.exponential(mean: mean)
        let at = loop.now + offset + gap
        if let stop = clients[index].spec.stop, at >= .zero + stop { return }
        loop.schedule(.clientIssue(workload: index), at: at)
    }

    mutating func issue(_ index: Int) {
        scheduleNextIssue(index)
        guard !clients[index].isDown else { return }
        let spec = clients[index].spec
        var bucket = clients[index].currentBucket
        var region = s3.buckets[bucket]?.region ?? ""
        var endpoint = FaultDomain.host(S3Endpoint.host(region: region))
        var key: String
        var body: [UInt8]?
        var value: String?
        var statements: [String] = []
        switch spec.kind {
        case .s3Put:
            clients[index].sequence += 1
            key = Keys.written(workload: spec.name, sequence: clients[index].sequence)
            value = "\(spec.name)-\(clients[index].sequence)"
            body = Array((value ?? "").utf8)
        case .s3Get:
            let part = Int(clients[index].random.next(upperBound: UInt64(max(clients[index].preloadedObjects, 1))))
            key = Keys.preloaded(part)
        case .http:
            issueHTTP(index)
            return
        case .eksAPI:
            let op = history.invoke(workload: spec.name, kind: .read, at: loop.now, target: spec.bucket, key: "GET /version")
            let cluster = eks.clusters[spec.bucket]
            let regionDown = cluster.map { !faults.isUp(.region($0.region)) } ?? true
            if eks.isControlPlaneAvailable(spec.bucket, faults: faults), !regionDown {
                history.complete(op, at: loop.now, outcome: .ok, value: "ok")
                clients[index].consecutiveFailures = 0
            } else {
                history.complete(op, at: loop.now, outcome: .failed, error: "API server of \(spec.bucket) unavailable: control plane lost quorum")
                noteFailure(index)
            }
            recordCompletion(op)
            return
        case .dnsResolve:
            // The stub resolver answers from its cache or from Route 53; then the
            // client connects to the answer. Both are local to the client's view.
            let op = history.invoke(workload: spec.name, kind: .read, at: loop.now, target: "route53", key: spec.bucket)
            let clientID = spec.name
            guard let answer = route53.resolve(name: spec.bucket, client: clientID, clientRegion: faults.region(of: spec.from),
                                               now: loop.now) else {
                history.complete(op, at: loop.now, outcome: .failed, error: "NXDOMAIN \(spec.bucket)")
                recordCompletion(op)
                return
            }
            let target = scenario.topology.domain(named: answer.target) ?? .host(answer.target)
            let downFor = downSince(target).map { loop.now - $0 }
            let bound = route53.healthCheck(forTarget: answer.target)?.detectionBound
            history.setDNS(op, DNSObservation(target: answer.target, authoritative: answer.authoritative,
                                              targetDownFor: downFor, detectionBound: bound))
            if let reason = faults.unreachability(from: spec.from, to: target) {
                history.complete(op, at: loop.now, outcome: .failed, value: answer.target,
                                 error: "\(spec.bucket) → \(answer.target)\(answer.authoritative ? "" : " (cached)"): \(reason)")
                noteFailure(index)
            } else {
                history.complete(op, at: loop.now, outcome: .ok, value: answer.target)
                clients[index].consecutiveFailures = 0
            }
            recordCompletion(op)
            return
        case .dbWrite, .dbRead:
            // Clients connect to the endpoint name, which RDS points at the current primary.
            guard let instance = rds.instances[spec.bucket] else { return }
            bucket = instance.endpoint
            region = instance.region
            endpoint = .host(spec.readerEndpoint ? instance.readerHost(faults) : instance.primaryHost)
            if spec.kind == .dbWrite {
                clients[index].sequence += 1
                let sequence = clients[index].sequence
                key = Keys.dbRow(workload: spec.name, sequence: sequence)
                value = "\(spec.name)-\(sequence)"
                statements = ["INSERT INTO writes (workload, seq, value) VALUES ('\(Keys.sqlEscaped(spec.name))', \(sequence), '\(Keys.sqlEscaped(value ?? ""))')"]
            } else {
                key = "count"
                statements = ["SELECT count(*) FROM writes"]
            }
        }
        let op = history.invoke(workload: spec.name, kind: spec.kind.writes ? .write : .read, at: loop.now,
                                target: bucket, key: key, value: value)
        var credentials: Credentials?
        if spec.kind == .s3Get || spec.kind == .s3Put {
            guard let held = self.credentials(for: index) else {
                history.complete(op, at: loop.now, outcome: .failed,
                                 error: "NoCredentialProviders: the instance metadata service gives no credentials for \(spec.principal?.description ?? World.defaultRole)")
                recordCompletion(op)
                noteFailure(index)
                return
            }
            credentials = held
            if case .success(let principal) = sts.principal(accessKeyId: held.accessKeyId, sessionToken: held.sessionToken, iam: iam,
                                                             now: loop.now) {
                history.setPrincipal(op, arn: principal.principalArn, longLivedKey: principal.usesLongLivedKey)
            }
        }
        let oneWay = networkLatency(index, to: endpoint, region: region)
        var flight = InFlight(workload: index, bucket: bucket, key: key, body: body, endpoint: endpoint, oneWay: oneWay)
        flight.statements = statements
        flight.credentials = credentials
        if spec.kind.usesDatabase, !spec.readerEndpoint, let instance = rds.instances[spec.bucket], instance.status != .available {
            // The endpoint answers nothing while failing over: the connection is refused at once.
            history.complete(op, at: loop.now, outcome: .failed, error: "connection refused: \(instance.endpoint) is \(instance.statusName)")
            recordCompletion(op)
            noteFailure(index)
            return
        }
        if let reason = faults.unreachability(from: spec.from, to: endpoint) {
            flight.lostBecause = reason.description
        } else {
            loop.schedule(.requestArrives(operation: op), after: oneWay)
        }
        flight.timeout = loop.schedule(.clientTimeout(operation: op), after: spec.timeout)
        inFlight[op] = flight
    }

    /// One-way latency from a client to a service endpoint: a seeded
    /// log-normal around 2 ms inside a region, plus 35 ms between regions,
    /// plus any active latency fault (modelling assumptions, docs/fidelity.md).
    mutating func networkLatency(_ index: Int, to endpoint: FaultDomain, region: String) -> SimDuration {
        let base = clients[index].random.logNormal(median: .milliseconds(2), sigma: 0.3)
        let crossRegion = faults.region(of: clients[index].spec.from) == region ? SimDuration.zero : .milliseconds(35)
        return base + crossRegion + faults.addedLatency(from: clients[index].spec.from, to: endpoint)
    }

    mutating func requestArrives(_ op: Int) {
        guard var flight = inFlight[op] else { return }
        let from = clients[flight.workload].spec.from
        if let reason = faults.unreachability(from: from, to: flight.endpoint) {
            flight.lostBecause = reason.description
            inFlight[op] = flight
            return
        }
        // S3 first-byte latency for small objects: "roughly 100–200 milliseconds"
        // (AmazonS3/latest/userguide/optimizing-performance-guidelines.html);
        // a log-normal with median 30 ms keeps most requests well inside it.
        let serviceTime = clients[flight.workload].random.logNormal(median: .milliseconds(30), sigma: 0.5)
        if !flight.statements.isEmpty {
            let spec = clients[flight.workload].spec
            do {
                let rows = try rds.execute(spec.bucket, statements: flight.statements, faults: faults, now: loop.now,
                                           onReader: spec.readerEndpoint)
                drainRDS()
                flight.answer = .ok(value: rows.first?.first.flatMap { $0 } ?? "")
            } catch {
                flight.answer = .error(code: error.code, message: error.message)
            }
        } else {
            let action = flight.body != nil ? "s3:PutObject" : "s3:GetObject"
            if let credentials = flight.credentials,
               let denied = authorizeS3(credentials, action: action, bucket: flight.bucket, key: flight.key) {
                flight.answer = .error(code: denied.code, message: denied.message)
            } else {
                flight.answer = executeS3(flight)
            }
        }
        inFlight[op] = flight
        loop.schedule(.responseArrives(operation: op), after: serviceTime + flight.oneWay)
    }

    /// Runs an authorized S3 request: a PUT (with its replication) or a GET.
    mutating func executeS3(_ flight: InFlight) -> Answer {
        do {
            if let body = flight.body {
                let object = try s3.putObject(bucket: flight.bucket, key: flight.key, body: body, now: loop.now)
                drainS3Outbox()
                return .ok(value: object.eTag)
            }
            return .ok(value: try s3.getObject(bucket: flight.bucket, key: flight.key).eTag)
        } catch {
            return .error(code: error.code, message: error.message)
        }
    }

    mutating func responseArrives(_ op: Int) {
        guard let flight = inFlight[op], let answer = flight.answer else { return }
        let from = clients[flight.workload].spec.from
        if let reason = faults.unreachability(from: flight.endpoint, to: from) {
            inFlight[op]?.lostBecause = "answer lost: \(reason)"
            return
        }
        if let timer = flight.timeout { loop.cancel(timer) }
        inFlight[op] = nil
        switch answer {
        case .ok(let value):
            let isWrite = flight.body != nil || clients[flight.workload].spec.kind == .dbWrite
            history.complete(op, at: loop.now, outcome: .ok, value: isWrite ? nil : value)
            clients[flight.workload].consecutiveFailures = 0
            recordCompletion(op)
        case .error(let code, let message):
            history.complete(op, at: loop.now, outcome: .failed, error: "\(code): \(message)")
            recordCompletion(op)
            // A refusal is not an outage: clients fail over on errors and
            // timeouts of the endpoint, not on their own missing permissions.
            if !["AccessDenied", "ExpiredToken", "InvalidAccessKeyId"].contains(code) { noteFailure(flight.workload) }
        }
    }

    mutating func timeout(_ op: Int) {
        guard let flight = inFlight.removeValue(forKey: op) else { return }
        let spec = clients[flight.workload].spec
        // A write that may have been applied is indeterminate; a read that
        // timed out certainly changed nothing.
        let outcome: OperationOutcome = spec.kind.writes ? .unknown : .failed
        history.complete(op, at: loop.now, outcome: outcome,
                         error: "timeout after \(spec.timeout): \(flight.lostBecause ?? "no answer")")
        recordCompletion(op)
        noteFailure(flight.workload)
    }

    mutating func recordCompletion(_ op: Int) {
        let operation = history.operations[op]
        var attributes: [(key: String, value: TraceValue)] = [
            ("workload", .string(operation.workload)), ("op", .int(Int64(op))),
            ("kind", .string(operation.kind.rawValue)), ("bucket", .string(operation.target)),
            ("key", .string(operation.key)), ("outcome", .string(operation.outcome?.rawValue ?? "unknown")),
            ("invoked_ns", .int(operation.invoked.nanosecondsSinceStart)),
        ]
        if let error = operation.error { attributes.append(("error", .string(error))) }
        trace.record("workload", "op", at: loop.now, attributes: attributes)
    }

    mutating func noteFailure(_ index: Int) {
        clients[index].consecutiveFailures += 1
        let client = clients[index]
        guard client.spec.failover, !client.usingReplica, let replica = client.replicaBucket,
              client.consecutiveFailures >= client.spec.failoverAfter else { return }
        clients[index].usingReplica = true
        clients[index].consecutiveFailures = 0
        trace.record("workload", "client-failover", at: loop.now, [
            "workload": .string(client.spec.name), "from": .string(client.primaryBucket), "to": .string(replica),
        ])
        timeline.append(TimelineEntry(at: loop.now, kind: "client-failover",
                                      text: "client \(client.spec.name) fails over from bucket \(client.primaryBucket) to \(replica)"))
    }

    // MARK: Final reads

    /// Jepsen's final read: for each writing workload, list what the client
    /// can read now, where it reads now (after failover: the replica).
    mutating func finalReads(at end: SimInstant) {
        for client in clients where client.spec.kind == .dbWrite {
            guard let instance = rds.instances[client.spec.bucket] else { continue }
            let op = history.invoke(workload: client.spec.name, kind: .finalRead, at: end, target: instance.endpoint,
                                    key: "writes")
            if instance.status != .available {
                history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(instance.endpoint) is \(instance.statusName)")
            } else if let reason = faults.unreachability(from: client.spec.from, to: .host(instance.primaryHost)) {
                history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(reason)")
            } else {
                do {
                    let rows = try rds.execute(client.spec.bucket, statements: [
                        "SELECT seq FROM writes WHERE workload = '\(Keys.sqlEscaped(client.spec.name))' ORDER BY seq",
                    ], faults: faults)
                    let observed = rows.compactMap { $0.first ?? nil }.compactMap(Int.init).map { Keys.dbRow(workload: client.spec.name, sequence: $0) }
                    history.complete(op, at: end, outcome: .ok, observed: observed)
                } catch {
                    history.complete(op, at: end, outcome: .failed, error: error.description)
                }
            }
            let completed = history.operations[op]
            trace.record("workload", "final-read", at: end, [
                "workload": .string(client.spec.name), "database": .string(instance.identifier),
                "outcome": .string(completed.outcome?.rawValue ?? "unknown"),
                "observed": .int(Int64(completed.observed?.count ?? 0)),
            ])
        }
        for client in clients where client.spec.kind == .s3Put {
            let bucket = client.currentBucket
            let op = history.invoke(workload: client.spec.name, kind: .finalRead, at: end, target: bucket,
                                    key: Keys.writtenPrefix(workload: client.spec.name))
            let region = s3.buckets[bucket]?.region ?? ""
            let endpoint = FaultDomain.host(S3Endpoint.host(region: region))
            if let reason = faults.unreachability(from: client.spec.from, to: endpoint) {
                history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(reason)")
            } else {
                do {
                    // In-process, one call lists everything (the wire adapter pages by 1000).
                    let observed = try s3.listObjects(bucket: bucket, prefix: Keys.writtenPrefix(workload: client.spec.name),
                                                      maxKeys: .max).objects.map(\.key)
                    history.complete(op, at: end, outcome: .ok, observed: observed)
                } catch {
                    history.complete(op, at: end, outcome: .failed, error: "\(error.code): \(error.message)")
                }
            }
            let completed = history.operations[op]
            trace.record("workload", "final-read", at: end, [
                "workload": .string(client.spec.name), "bucket": .string(bucket),
                "outcome": .string(completed.outcome?.rawValue ?? "unknown"),
                "observed": .int(Int64(completed.observed?.count ?? 0)),
            ])
        }
    }
}

/// A notable event for the report's timeline.
public struct TimelineEntry: Codable, Sendable {
    public var at: SimInstant
    public var kind: String
    public var text: String
}

/// Names of S3 endpoints in the fault model.
enum S3Endpoint {
    static func host(region: String) -> String { "s3.\(region).amazonaws.com" }
}

/// Object keys and bodies used by the workloads.
enum Keys {
    static func preloaded(_ part: Int) -> String {
        let digits = String(part)
        return "data/part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".parquet"
    }

    static func writtenPrefix(workload: String) -> String { "writes/\(workload)/" }

    /// The history key of a database row written by a workload.
    static func dbRow(workload: String, sequence: Int) -> String { "\(workload)#\(sequence)" }

    /// A string literal body for SQL (single quotes doubled).
    static func sqlEscaped(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "''") }

    static func written(workload: String, sequence: Int) -> String {
        let digits = String(sequence)
        return writtenPrefix(workload: workload) + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Deterministic bytes for a preloaded object.
    static func body(for name: String, size: Int) -> [UInt8] {
        var random = SimRandom(seed: StableHash.fnv1a64(name))
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        while bytes.count < size {
            var word = random.next()
            for _ in 0..<8 where bytes.count < size {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }
}
