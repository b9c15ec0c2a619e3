import ODASModel
import SimCore

/// How an ODAS client (scan, catalog-write) finds a planner, as its
/// configuration says: the planner Service's ready endpoints (kube-proxy or
/// the load balancer picks one at random), a fixed `hostports` list taken
/// when the client starts (it moves to the next entry after a planner
/// failed), or a Route 53 name resolved through the client's caching stub
/// resolver, whose answer names an ODAS cluster's planner Service.
struct PlannerLocator: Sendable {
    /// A planner to call, and the cluster it belongs to (whose workers run the tasks).
    struct Pick: Sendable {
        var cluster: Int
        var pod: String
        var node: String
        /// How it was found, for the report: "planner.odas.example.com → odas-east/odas-planner".
        var route: String?
        /// A load balancer node that is down: the call goes there and times out.
        var via: String? = nil
    }

    var discovery: ODASWorkloadOptions.PlannerDiscovery
    var cluster: Int
    var hostports: [(pod: String, node: String)]?
    var hostportIndex = 0

    init(_ options: ODASWorkloadOptions) {
        discovery = options.planners
        cluster = options.cluster
    }

    /// A planner, or why there is none to call.
    mutating func pick(client: inout ClientState, world: inout World) -> Result<Pick, PlannerLookupFailure> {
        switch discovery {
        case .hostports:
            if hostports == nil { hostports = world.odasEndpoints(.planner, cluster: cluster) }
            guard let list = hostports, !list.isEmpty else {
                return .failure(PlannerLookupFailure("planner: no planner hostports were configured (none was ready when the client started)"))
            }
            let entry = list[hostportIndex % list.count]
            return .success(Pick(cluster: cluster, pod: entry.pod, node: entry.node))
        case .service:
            return Self.pickReady(cluster: cluster, route: nil, client: &client, world: world)
        case .dns(let name):
            guard let answer = world.route53.resolve(name: name, client: client.spec.name,
                                                     clientRegion: world.faults.region(of: client.spec.from), now: world.loop.now) else {
                return .failure(PlannerLookupFailure("planner: NXDOMAIN \(name)", countsAsFailure: false))
            }
            let route = "\(name) → \(answer.target)\(answer.authoritative ? "" : " (cached)")"
            if let (balancer, zone) = world.elbv2.node(at: answer.target) {
                // A load balancer's node: it forwards to a node port, where kube-proxy picks any ready endpoint.
                if !world.faults.isUp(.host(answer.target)), let service = world.odasService(of: balancer, listenerPort: ODASComponent.planner.port) {
                    // The node is down with its zone: the connection times out like any call to a dead host.
                    return .success(Pick(cluster: service.cluster, pod: "load balancer \(balancer.name)", node: "\(answer.target) (\(zone.availabilityZone))",
                                         route: route, via: answer.target))
                }
                switch world.loadBalancerTarget(address: answer.target, port: ODASComponent.planner.port, random: &client.random) {
                case .failure(let failure): return .failure(PlannerLookupFailure("planner: \(route): \(failure.message)"))
                case .success(let (balancer, target)):
                    guard let service = world.odasService(of: balancer, listenerPort: ODASComponent.planner.port), service.component == .planner else {
                        return .failure(PlannerLookupFailure("planner: \(route) is not the load balancer of an ODAS planner Service"))
                    }
                    return Self.pickReady(cluster: service.cluster, route: route + " → \(target.id) (\(target.availabilityZone))",
                                          client: &client, world: world)
                }
            }
            guard let target = world.odasCluster(serviceTarget: answer.target, .planner) else {
                return .failure(PlannerLookupFailure("planner: \(route) is not an ODAS planner Service"))
            }
            return Self.pickReady(cluster: target, route: route, client: &client, world: world)
        }
    }

    /// A planner and where to call it, or why there is none.
    mutating func locate(client: inout ClientState, world: inout World) -> Result<(Pick, Endpoint), PlannerLookupFailure> {
        switch pick(client: &client, world: &world) {
        case .failure(let failure): return .failure(failure)
        case .success(let pick):
            if let via = pick.via, let process = world.odasServices[pick.cluster]?[.planner] {
                return .success((pick, Endpoint(process: process, domain: .host(via))))
            }
            guard let endpoint = world.odasEndpoint(.planner, cluster: pick.cluster, node: pick.node) else {
                return .failure(PlannerLookupFailure("planner: the ODAS services are not running"))
            }
            return .success((pick, endpoint))
        }
    }

    /// A random ready endpoint of the cluster's planner Service.
    static func pickReady(cluster: Int, route: String?, client: inout ClientState, world: World) -> Result<Pick, PlannerLookupFailure> {
        let ready = world.odasEndpoints(.planner, cluster: cluster)
        guard !ready.isEmpty else {
            let service = world.odasLabel(cluster, ODASComponent.planner.objectName)
            return .failure(PlannerLookupFailure("planner: \(route.map { $0 + ": " } ?? "")Service \(service) has no ready endpoints"))
        }
        let pick = ready[Int(client.random.next(upperBound: UInt64(ready.count)))]
        return .success(Pick(cluster: cluster, pod: pick.pod, node: pick.node, route: route))
    }

    /// A planner failed to answer: a hostports client tries the next one next time.
    mutating func plannerFailed() {
        if discovery == .hostports { hostportIndex += 1 }
    }
}

/// Why a client found no planner to call.
struct PlannerLookupFailure: Error, Sendable {
    var message: String
    /// NXDOMAIN is a configuration answer, not an outage (as for dns-resolve).
    var countsAsFailure = true

    init(_ message: String, countsAsFailure: Bool = true) {
        self.message = message
        self.countsAsFailure = countsAsFailure
    }
}
