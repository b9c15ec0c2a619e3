import ODASModel
import SimCore

/// The ODAS planners (Policy Engine, port 12050): one process answering for
/// every planner pod, with a policy cache per pod. A request is served from
/// the pod's cache while it is younger than the TTL; otherwise the pod asks a
/// catalog pod for the current catalog first (requests wait meanwhile). A
/// restarted or new pod starts with an empty cache. When a refresh fails,
/// ODAS fails closed: the waiting requests are refused; the flawed
/// `serve-stale` mode answers them from the stale cache instead (fail-open).
struct PlannerProcess: WorldProcess {
    struct Cache: Sendable {
        var snapshot: CatalogSnapshot
        /// When the refresh that fetched it was sent: the data is at least this recent.
        var fetchedAt: SimInstant
    }

    /// A request waiting for the pod's cache.
    enum Waiting: Sendable {
        case plan(call: CallID, PlanRequest)
        case change(call: CallID, ChangeRequest)
        case list(call: CallID, DatasetListRequest)
    }

    /// An outgoing call of a pod.
    enum Outgoing: Sendable {
        case refresh(pod: String, node: String, sentAt: SimInstant)
        case write(pod: String, client: CallID)
    }

    var spec: ODASSpec
    /// The ODAS cluster whose planner pods this process answers for.
    var cluster: Int
    var random: SimRandom
    var caches: [String: Cache] = [:]
    var waiting: [String: [Waiting]] = [:]
    var refreshing: Set<String> = []
    var outgoing: [CallID: Outgoing] = [:]

    init(spec: ODASSpec, cluster: Int, random: SimRandom) {
        self.spec = spec
        self.cluster = cluster
        self.random = random
    }

    /// How long a planner waits for the catalog (a model choice, docs/fidelity.md).
    static let catalogTimeout = SimDuration.seconds(3)

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .request(let call, _, let payload):
            let pod: String
            let item: Waiting
            if let request = payload as? PlanRequest {
                pod = request.pod
                item = .plan(call: call, request)
            } else if let request = payload as? ChangeRequest {
                pod = request.pod
                item = .change(call: call, request)
            } else if let request = payload as? DatasetListRequest {
                pod = request.pod
                item = .list(call: call, request)
            } else {
                world.reply(to: call, ServiceAnswer.error("ProtocolError", "not a planner request"))
                return
            }
            let node = world.odasPodNode(pod, cluster: cluster)
            if let refusal = world.podRefusal(pod, node: node, cluster: cluster) {
                world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "planner \(refusal)"))
                return
            }
            if let cache = caches[pod], world.loop.now - cache.fetchedAt <= spec.policyCacheTTL {
                serve(item, pod: pod, snapshot: cache.snapshot, world: &world)
                return
            }
            waiting[pod, default: []].append(item)
            refresh(pod: pod, node: node, world: &world)
        case .reply(let call, let payload):
            guard let purpose = outgoing.removeValue(forKey: call) else { return }
            switch purpose {
            case let .refresh(pod, _, sentAt):
                if let reply = payload as? SnapshotReply {
                    caches[pod] = Cache(snapshot: reply.snapshot, fetchedAt: sentAt)
                    refreshed(pod: pod, failure: nil, world: &world)
                } else {
                    refreshed(pod: pod, failure: Self.describe(payload), world: &world)
                }
            case let .write(pod, client):
                if payload is ServiceAnswer, case .error(let code, let message)? = (payload as? ServiceAnswer)?.result {
                    world.reply(to: client, ServiceAnswer.error(code, "planner \(pod) → catalog: \(message)"))
                } else {
                    // The change is visible to this pod's next request: drop its cache.
                    caches[pod] = nil
                    world.reply(to: client, ServiceAnswer.ok("committed"))
                }
            }
        case .timedOut(let call, let reason):
            guard let purpose = outgoing.removeValue(forKey: call) else { return }
            switch purpose {
            case let .refresh(pod, _, _):
                refreshed(pod: pod, failure: "catalog did not answer within \(Self.catalogTimeout): \(reason)", world: &world)
            case let .write(pod, client):
                world.reply(to: client, ServiceAnswer.error("CatalogUnavailable",
                                                            "planner \(pod) → catalog: no answer within \(Self.catalogTimeout): \(reason)"))
            }
        }
    }

    static func describe(_ payload: any WorldMessage) -> String {
        if let answer = payload as? ServiceAnswer, case .error(let code, let message) = answer.result { return "\(code): \(message)" }
        return "unexpected answer"
    }

    /// Starts a refresh of the pod's cache, unless one is under way.
    mutating func refresh(pod: String, node: String, world: inout World) {
        guard !refreshing.contains(pod) else { return }
        let catalogs = world.odasEndpoints(.catalog, cluster: cluster)
        guard !catalogs.isEmpty, let from = world.odasEndpoint(.planner, cluster: cluster, node: node) else {
            refreshed(pod: pod, failure: "no ready catalog pod (Service odas-catalog has no ready endpoints)", world: &world)
            return
        }
        let pick = catalogs[Int(random.next(upperBound: UInt64(catalogs.count)))]
        guard let to = world.odasEndpoint(.catalog, cluster: cluster, node: pick.node) else { return }
        refreshing.insert(pod)
        let call = world.call(from: from, to: to, SnapshotRequest(pod: pick.pod), timeout: Self.catalogTimeout)
        outgoing[call] = .refresh(pod: pod, node: node, sentAt: world.loop.now)
    }

    /// A refresh ended: serve the waiting requests, or refuse them (fail closed).
    mutating func refreshed(pod: String, failure: String?, world: inout World) {
        refreshing.remove(pod)
        let queue = waiting.removeValue(forKey: pod) ?? []
        if let failure {
            world.trace.record("odas", "policy-refresh-failed", at: world.loop.now, ["pod": .string(pod), "reason": .string(failure)])
        }
        for item in queue {
            if failure == nil || spec.serveStalePolicies, let cache = caches[pod] {
                serve(item, pod: pod, snapshot: cache.snapshot, world: &world)
            } else {
                let call: CallID
                switch item {
                case .plan(let c, _), .change(let c, _), .list(let c, _): call = c
                }
                world.reply(to: call, ServiceAnswer.error("CatalogUnavailable",
                                                          "planner \(pod) cannot refresh its policies: \(failure ?? "no catalog"); refusing (fail closed)"))
            }
        }
    }

    /// Answers from a snapshot: a plan (one task per file) or, for a change
    /// an administrator may make, the write through a catalog pod.
    mutating func serve(_ item: Waiting, pod: String, snapshot: CatalogSnapshot, world: inout World) {
        switch item {
        case .plan(let call, let request):
            let authorization = snapshot.authorizeScan(user: request.user, dataset: request.dataset)
            guard let scan = authorization.allowed else {
                world.reply(to: call, ServiceAnswer.error("AccessDenied", authorization.deniedReason ?? "denied"))
                return
            }
            let tasks = DatasetFile.keys(dataset: scan.dataset).map { ScanTask(bucket: scan.dataset.bucket, key: $0, scan: scan) }
            // Planning time: a modelling assumption (docs/fidelity.md).
            world.reply(to: call, PlanReply(tasks: tasks, catalogVersion: snapshot.version),
                        after: random.logNormal(median: .milliseconds(5), sigma: 0.4))
        case .list(let call, let request):
            var datasets: [(name: String, columns: [ResultColumn])] = []
            for dataset in snapshot.datasets {
                guard let scan = snapshot.authorizeScan(user: request.user, dataset: dataset.name).allowed else { continue }
                datasets.append((dataset.name, scan.columns.map { ResultColumn(name: $0.column.name, type: $0.resultType, mask: $0.mask) }))
            }
            world.reply(to: call, DatasetListReply(datasets: datasets.sorted { $0.name < $1.name }, catalogVersion: snapshot.version),
                        after: random.logNormal(median: .milliseconds(5), sigma: 0.4))
        case .change(let call, let request):
            guard snapshot.authorizeChange(user: request.user, change: request.change) else {
                world.reply(to: call, ServiceAnswer.error("AccessDenied", "user \(request.user) may not change the catalog (needs ALL on server)"))
                return
            }
            let statements: [String]
            do {
                try snapshot.check(request.change)
                statements = try request.change.statements()
            } catch {
                world.reply(to: call, ServiceAnswer.error("InvalidChange", "\(request.change.summary): \(error.description)"))
                return
            }
            let catalogs = world.odasEndpoints(.catalog, cluster: cluster)
            let node = world.odasPodNode(pod, cluster: cluster)
            guard !catalogs.isEmpty, let from = world.odasEndpoint(.planner, cluster: cluster, node: node) else {
                world.reply(to: call, ServiceAnswer.error("CatalogUnavailable", "planner \(pod): no ready catalog pod"))
                return
            }
            let pick = catalogs[Int(random.next(upperBound: UInt64(catalogs.count)))]
            guard let to = world.odasEndpoint(.catalog, cluster: cluster, node: pick.node) else { return }
            let write = world.call(from: from, to: to, CatalogWriteRequest(pod: pick.pod, statements: statements),
                                   timeout: Self.catalogTimeout)
            outgoing[write] = .write(pod: pod, client: call)
        }
    }
}
