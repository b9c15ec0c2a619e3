import AWSSim
import SimCore

/// A scenario's world driven live, for `odas-sim serve`: the same ``World``
/// a run uses, advanced to a virtual instant chosen by the caller, answering
/// wire requests and taking faults from a control endpoint.
///
/// Not thread-safe; the server keeps it in one isolation domain (a lock).
public struct LiveWorld: Sendable {
    var world: World

    /// Builds the scenario's world at virtual time zero (buckets, topology,
    /// the fault schedule and the workloads, which play as time advances).
    /// The serve trace keeps this many of its last lines in memory (about
    /// 180 bytes each); older ones are dropped and counted.
    public static let traceLines = 50_000

    public init(scenario: Scenario, seed: UInt64? = nil) {
        world = World(scenario: scenario, seed: seed ?? scenario.seed)
        world.trace = Trace(retention: .last(Self.traceLines))
        world.build()
    }

    /// Virtual now.
    public var now: SimInstant { world.loop.now }

    /// Region names of the topology.
    public var regions: [String] { world.scenario.topology.regions.map(\.name) }
    /// The scenario served.
    public var scenario: Scenario { world.scenario }

    /// Runs every event due up to `instant`, then sets the clock there.
    /// Instants in the past are ignored: virtual time never goes back.
    public mutating func advance(to instant: SimInstant) {
        while let (_, event) = world.loop.next(until: instant) {
            world.handle(event)
        }
    }

    /// Answers an authenticated S3 request. The bucket's region endpoint must
    /// be reachable in the fault model; if not, S3 answers 503 ServiceUnavailable
    /// (a real client would time out; answering keeps tests fast).
    public mutating func handleS3(_ request: WireRequest, body: [UInt8], trailers: [(name: String, value: String)],
                                  context: S3WireContext) -> WireResponse {
        var region = context.signingRegion
        if case .success(let address) = S3RestAdapter.address(of: request, baseDomains: context.baseDomains),
           let bucket = address.bucket, let bucketRegion = world.s3.buckets[bucket]?.region {
            region = bucketRegion
        }
        let endpoint = FaultDomain.host(S3Endpoint.host(region: region))
        if world.faults.contains(.region(region)), let reason = world.faults.unreachability(from: .host("serve-client"), to: endpoint) {
            let error = S3Error(code: "ServiceUnavailable", httpStatus: 503,
                                message: "Service is unable to handle request: simulated outage (\(reason))",
                                resource: String(request.rawPath))
            var response = S3RestAdapter.errorResponse(error, request: request, context: context)
            response.headers.append(("x-amz-request-id", context.requestId))
            return response
        }
        let response = S3RestAdapter.handle(request, body: body, trailers: trailers, s3: &world.s3, context: context)
        world.drainS3Outbox()
        world.trace.record("s3", "wire-request", at: world.loop.now, [
            "method": .string(request.method), "target": .string(String(request.rawPath.prefix(200))),
            "status": .int(Int64(response.status)),
        ])
        return response
    }

    /// Starts a fault now, as the control endpoint asks; returns its id.
    /// `duration` nil lasts until lifted.
    public mutating func injectFault(action: String, target: String, peers: [String]? = nil,
                                     latency: SimDuration? = nil, duration: SimDuration?) throws(LiveWorldError) -> String {
        guard let action = FaultAction(rawValue: action) else {
            throw LiveWorldError("unknown fault action \"\(action)\"; one of \(FaultAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        switch action {
        case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover:
            return try injectDatabaseAction(action, database: target)
        case .dnsHealthCheckFailure:
            return try injectHealthCheckFailure(target, duration: duration)
        case .apiInternalError, .apiThrottleError, .apiUnavailableError:
            throw LiveWorldError("\(action.rawValue) is not injected through the control endpoint; schedule it in the scenario's faults")
        case .s3ReplicationPause:
            // Scheduled in a scenario's faults it works in serve too; the control endpoint does not start one (docs/serve.md).
            throw LiveWorldError("s3-replication-pause is not injected through the control endpoint; schedule it in the scenario's faults")
        default:
            break
        }
        guard let domain = domain(named: target) else {
            throw LiveWorldError("unknown target \"\(target)\"; regions, AZs, subnets and hosts of the scenario are: \(domainNames.joined(separator: ", "))")
        }
        let kind: FaultKind
        switch action {
        case .azOutage:
            guard case .availabilityZone = domain else { throw LiveWorldError("az-outage needs an availability zone, not \(domain)") }
            kind = .outage(domain)
        case .regionOutage:
            guard case .region = domain else { throw LiveWorldError("region-outage needs a region, not \(domain)") }
            kind = .outage(domain)
        case .hostCrash, .nodeCrash:
            guard case .host(let name) = domain else { throw LiveWorldError("\(action.rawValue) needs a host, not \(domain)") }
            if action == .nodeCrash, world.scenario.kubernetes?.nodes.contains(where: { $0.name == name }) != true {
                throw LiveWorldError("node-crash needs a Kubernetes node of the scenario, not \(name)")
            }
            kind = .crash(host: name)
        case .networkPartition:
            var peerDomains: [FaultDomain]?
            if let peers {
                peerDomains = []
                for peer in peers {
                    guard let d = self.domain(named: peer) else { throw LiveWorldError("unknown peer \"\(peer)\"") }
                    peerDomains?.append(d)
                }
            }
            kind = .partition(side: [domain], peers: peerDomains)
        case .networkPacketLoss:
            throw LiveWorldError("network-packet-loss is not injected through the control endpoint; schedule it in the scenario's faults")
        case .networkLatency:
            guard let latency, latency > .zero else { throw LiveWorldError("network-latency needs a latency such as 200ms") }
            kind = .latency(domain, latency: latency)
        case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover, .dnsHealthCheckFailure, .s3ReplicationPause,
             .apiInternalError, .apiThrottleError, .apiUnavailableError:
            throw LiveWorldError("\(action.rawValue) is handled above")
        }
        let id = "control-\(world.nextControlFault)"
        world.nextControlFault += 1
        let description = "\(action.rawValue) \(target)"
        world.controlFaults[id] = (world.faults.apply(kind), description)
        world.trace.record("fault", "action-start", at: world.loop.now, [
            "fault": .string(id), "action": .string(action.rawValue), "target": .string(target),
        ])
        world.timeline.append(TimelineEntry(at: world.loop.now, kind: "fault-start", text: "fault \(id) starts: \(description)"))
        if let duration { world.loop.schedule(.controlFaultEnd(id), after: duration) }
        world.refreshClientLiveness()
        world.notifyServices()
        return id
    }

    /// Lifts a fault injected through the control endpoint, or one of the
    /// scenario's own (by name). Returns false if no such fault is active.
    public mutating func liftFault(_ id: String) -> Bool {
        if world.liftControlFault(id) { return true }
        if let index = world.scenario.faults.firstIndex(where: { $0.name == id }), world.activeFaults[index] != nil {
            world.endFault(index)
            return true
        }
        return false
    }

    /// Active faults: id, description, and whether the scenario or the control endpoint started them.
    public var activeFaults: [(id: String, description: String, source: String)] {
        let scheduled = world.activeFaults.keys.sorted().map { index -> (String, String, String) in
            let spec = world.scenario.faults[index]
            return (spec.name, "\(spec.action.rawValue) \(spec.target.name)", "scenario")
        }
        let ids = Set(world.controlFaults.keys).union(world.controlHealthChecks.keys)
        let injected = ids.sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }
            .map { ($0, world.controlFaults[$0]?.description ?? world.controlHealthChecks[$0].map { "dns-health-check-failure " + $0 } ?? "", "control") }
        return scheduled + injected
    }

    // MARK: Query-protocol services (EC2, RDS, Auto Scaling, CloudFormation, Elastic Load Balancing)

    /// Answers a Query-protocol request for `service` (the SigV4 scope's
    /// service) in `region`; nil for services not simulated.
    public mutating func handleQuery(service: String, request: WireRequest, body: [UInt8], region: String,
                                     requestId: String, wallDate: String = "2026-01-01T00:00:00.000Z",
                                     epochUnixMilliseconds: Int64 = 0) -> WireResponse? {
        let query = QueryRequest(request, body: body)
        switch service {
        case "ec2":
            return EC2QueryAdapter.handle(query, ec2: world.ec2, topology: ec2View(), region: region, requestId: requestId)
        case "rds":
            let response = RDSQueryAdapter.handle(query, rds: &world.rds, faults: world.faults, now: world.loop.now,
                                                  requestId: requestId, epochUnixMilliseconds: epochUnixMilliseconds)
            world.drainRDS()
            return response
        case "autoscaling":
            return AutoScalingQueryAdapter.handle(query, autoScaling: world.autoScaling, ec2: world.ec2, requestId: requestId)
        case "cloudformation":
            let response = CloudFormationQueryAdapter.handle(query, cfn: &world.cloudFormation, s3: world.s3, region: region, now: world.loop.now,
                                                             requestId: requestId, epochUnixMilliseconds: epochUnixMilliseconds)
            world.drainCloudFormation()
            return response
        case "elasticloadbalancing":
            let view = ec2View()
            let response = ELBv2QueryAdapter.handle(query, elbv2: &world.elbv2, ec2: world.ec2,
                                                    subnetVPCs: Dictionary(view.subnets.map { ($0.id, $0.vpcId) }, uniquingKeysWith: { a, _ in a }),
                                                    region: region, now: world.loop.now, requestId: requestId, epochUnixMilliseconds: epochUnixMilliseconds)
            world.drainELBv2()
            return response
        case "route53":
            return Route53RestAdapter.handle(request, body: body, route53: &world.route53, now: wallDate, requestId: requestId)
        case "eks":
            let faults = world.faults, eks = world.eks
            return EKSRestAdapter.handle(request, eks: eks, controlPlaneUp: { eks.isControlPlaneAvailable($0, faults: faults) },
                                         requestId: requestId)
        default:
            return nil
        }
    }

    func ec2View() -> EC2TopologyView {
        let topology = world.scenario.topology
        var zones: [EC2TopologyView.Zone] = []
        var vpcs: [EC2TopologyView.VPC] = []
        var subnets: [EC2TopologyView.Subnet] = []
        for region in topology.regions {
            for az in region.availabilityZones {
                zones.append(.init(name: az, region: region.name, isUp: world.faults.isUp(.availabilityZone(az))))
            }
            guard let vpc = region.vpc else { continue }
            let id = World.vpcId(region: region.name, cidr: vpc.cidr)
            vpcs.append(.init(id: id, region: region.name, cidr: vpc.cidr))
            subnets += vpc.subnets.map { .init(id: $0.id, vpcId: id, availabilityZone: $0.availabilityZone, cidr: $0.cidr) }
        }
        // VPCs and subnets created over CloudFormation, beside the topology's.
        for vpc in world.ec2.vpcs.values.sorted(by: { $0.id < $1.id }) where !vpcs.contains(where: { $0.id == vpc.id }) {
            vpcs.append(.init(id: vpc.id, region: vpc.region, cidr: vpc.cidr.description))
        }
        for subnet in world.ec2.subnets.values.sorted(by: { $0.id < $1.id }) where !subnets.contains(where: { $0.id == subnet.id }) {
            subnets.append(.init(id: subnet.id, vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone, cidr: subnet.cidr.description))
        }
        return EC2TopologyView(zones: zones, vpcs: vpcs, subnets: subnets)
    }

    // MARK: State for persistence

    /// Starts recording which S3 buckets and objects change (for `--state-dir`).
    public mutating func recordS3Changes() { world.s3.changeLog = world.s3.changeLog ?? [] }

    /// The S3 changes since the last call, in order, without repeats.
    public mutating func takeS3Changes() -> [S3Change] {
        let changes = world.s3.changeLog ?? []
        if world.s3.changeLog != nil { world.s3.changeLog = [] }
        var seen: Set<S3Change> = []
        return changes.reversed().filter { seen.insert($0).inserted }.reversed()
    }

    /// A bucket's policy document, if it has one.
    public func bucketPolicy(_ name: String) -> String? { world.s3.buckets[name]?.policy }

    /// The region of a bucket, if it exists.
    public func bucketRegion(_ name: String) -> String? { world.s3.buckets[name]?.region }

    /// Every bucket with its objects, in name order.
    public var s3Buckets: [S3Bucket] { world.s3.listBuckets() }

    /// One bucket with its objects, if it exists.
    public func s3Bucket(_ name: String) -> S3Bucket? { world.s3.buckets[name] }

    /// The trace's last ``traceLines`` lines, canonical JSON Lines.
    public var traceJSONLines: String { world.trace.canonicalJSONLines() }

    /// Trace lines recorded before the retained ones, dropped from memory.
    public var traceLinesDropped: Int { world.trace.droppedLines }

    var domainNames: [String] { world.scenario.topology.domainNames }

    func domain(named name: String) -> FaultDomain? { world.scenario.topology.domain(named: name) }
}

/// A control request the live world refuses, with the reason.
public struct LiveWorldError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension World {
    /// Ends a control fault. Returns false if it is not active.
    mutating func liftControlFault(_ id: String) -> Bool {
        if let check = controlHealthChecks.removeValue(forKey: id) {
            // Still forced while a scenario fault or another injection holds the same check.
            let held = controlHealthChecks.values.contains(check)
                || forcedHealthChecks.contains { scenario.faults[$0].target.name == check }
            if !held { route53.setForcedFailure(check, false) }
            trace.record("fault", "action-end", at: loop.now, ["fault": .string(id)])
            timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(id) ends"))
            return true
        }
        guard let fault = controlFaults.removeValue(forKey: id) else { return false }
        faults.lift(fault.id)
        trace.record("fault", "action-end", at: loop.now, ["fault": .string(id)])
        timeline.append(TimelineEntry(at: loop.now, kind: "fault-end", text: "fault \(id) ends"))
        refreshClientLiveness()
        notifyServices()
        return true
    }
}
