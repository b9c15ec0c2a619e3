import ODASModel
import SimCore

/// What a REST API request asks of ODAS (`odas-sim serve`'s ODAS endpoint).
enum RESTCall: Sendable {
    /// `GET /api/datasets`: what the user may scan.
    case listDatasets(user: String)
    /// `GET /api/scan/{dataset}?records=N`: a scan, its rows after filters and masks.
    case scan(user: String, dataset: String, records: Int)
}

/// How a REST API request ended.
enum RESTOutcome: Sendable {
    case datasets([(name: String, columns: [ResultColumn])], catalogVersion: Int, via: String)
    case scan(columns: [ResultColumn], rows: [Row], summary: ScanRowSummary, catalogVersion: Int, via: String)
    /// A refusal or a failed hop: the HTTP status, ODAS's error code and the hop's message.
    case failed(status: Int, code: String, message: String)
}

/// The ODAS REST server's pods (`odas-rest-server`, port 8083), as one
/// process: a request reaches a ready REST server pod, which calls a planner
/// of its cluster (list or plan) and, for a scan, that cluster's workers for
/// the rows — the same hops, faults and timeouts as an EMR client's scan,
/// from the REST server's node. The outcome is left in
/// ``World/restOutcomes`` for the caller (``LiveWorld``) to collect.
struct RESTGatewayProcess: WorldProcess {
    struct Pending: Sendable {
        var call: RESTCall
        var restPod: String
        var restNode: String
        var cluster = 0
        var planner = ""
        var catalogVersion = 0
        var outstanding = 0
        var columns: [ResultColumn] = []
        /// Rows by the file (task key) they came from.
        var rows: [String: [Row]] = [:]
        var summary = ScanRowSummary(rowsRead: 0, rowsReturned: 0, columns: [])
        var workers: Set<String> = []
    }

    var id: ProcessID
    var random: SimRandom
    var pending: [Int: Pending] = [:]
    var calls: [CallID: (request: Int, hop: String, key: String)] = [:]

    /// How long the REST server waits for a planner or a worker (a model choice).
    static let timeout = SimDuration.seconds(10)

    /// Starts request `request`: at a ready REST server pod, to a planner.
    mutating func start(_ request: Int, _ call: RESTCall, world: inout World) {
        let servers = world.odasEndpoints(.restServer)
        guard !servers.isEmpty else {
            world.restOutcomes[request] = .failed(status: 503, code: "Unavailable", message: "Service odas-rest-server has no ready endpoints")
            return
        }
        let server = servers[Int(random.next(upperBound: UInt64(servers.count)))]
        var entry = Pending(call: call, restPod: server.pod, restNode: server.node)
        if let refusal = world.podRefusal(server.pod, node: server.node) {
            world.restOutcomes[request] = .failed(status: 503, code: "Unavailable", message: "rest-server \(refusal)")
            return
        }
        let planners = world.odasEndpoints(.planner)
        guard !planners.isEmpty else {
            world.restOutcomes[request] = .failed(status: 503, code: "Unavailable",
                                                  message: "rest-server \(server.pod) → planner: Service odas-planner has no ready endpoints")
            return
        }
        let planner = planners[Int(random.next(upperBound: UInt64(planners.count)))]
        guard let to = world.odasEndpoint(.planner, node: planner.node) else { return }
        entry.planner = planner.pod
        pending[request] = entry
        let message: any WorldMessage
        switch call {
        case .listDatasets(let user): message = DatasetListRequest(pod: planner.pod, user: user)
        case .scan(let user, let dataset, _): message = PlanRequest(pod: planner.pod, user: user, dataset: dataset)
        }
        let sent = world.call(from: Endpoint(process: id, domain: .host(server.node)), to: to, message, timeout: Self.timeout)
        calls[sent] = (request, "rest-server \(server.pod) → planner \(planner.pod) on \(planner.node)", "")
    }

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .request(let call, _, _):
            world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "the REST gateway takes no requests"))
        case .reply(let call, let payload):
            guard let (request, hop, key) = calls.removeValue(forKey: call), var entry = pending[request] else { return }
            if let list = payload as? DatasetListReply {
                finish(request, .datasets(list.datasets, catalogVersion: list.catalogVersion, via: "\(entry.restPod) → \(entry.planner)"), world: &world)
            } else if let plan = payload as? PlanReply {
                entry.catalogVersion = plan.catalogVersion
                pending[request] = entry
                sendTasks(request, plan, world: &world)
            } else if let reply = payload as? TaskReply {
                entry.summary = entry.summary.merged(with: reply.summary)
                if let result = reply.result {
                    entry.columns = result.columns
                    entry.rows[key] = result.rows
                }
                entry.outstanding -= 1
                pending[request] = entry
                if entry.outstanding == 0 { finishScan(request, world: &world) }
            } else if let answer = payload as? ServiceAnswer, case .error(let code, let message) = answer.result {
                let status = code == "AccessDenied" ? 403 : 503
                finish(request, .failed(status: status, code: code, message: "\(hop): \(message)"), world: &world)
            }
        case .timedOut(let call, let reason):
            guard let (request, hop, _) = calls.removeValue(forKey: call) else { return }
            finish(request, .failed(status: 504, code: "Timeout", message: "\(hop): no answer within \(Self.timeout): \(reason)"), world: &world)
        }
    }

    /// One task per file, each to a worker picked among the ready ones.
    mutating func sendTasks(_ request: Int, _ plan: PlanReply, world: inout World) {
        guard var entry = pending[request] else { return }
        guard !plan.tasks.isEmpty else {
            finishScan(request, world: &world)
            return
        }
        let workers = world.odasEndpoints(.worker)
        guard !workers.isEmpty else {
            finish(request, .failed(status: 503, code: "Unavailable", message: "rest-server \(entry.restPod) → worker: Service odas-worker has no ready endpoints"),
                   world: &world)
            return
        }
        entry.outstanding = plan.tasks.count
        pending[request] = entry
        for task in plan.tasks {
            let worker = workers[Int(random.next(upperBound: UInt64(workers.count)))]
            guard let to = world.odasEndpoint(.worker, node: worker.node) else { continue }
            pending[request]?.workers.insert(worker.pod)
            let sent = world.call(from: Endpoint(process: id, domain: .host(entry.restNode)), to: to,
                                  TaskRequest(pod: worker.pod, task: task, wantRows: true), timeout: Self.timeout)
            calls[sent] = (request, "rest-server \(entry.restPod) → worker \(worker.pod) on \(worker.node)", task.key)
        }
    }

    mutating func finishScan(_ request: Int, world: inout World) {
        guard let entry = pending[request], case .scan(_, _, let records) = entry.call else { return }
        // Rows in file order (tasks answer in any order), then in their order within the file.
        let rows = Array(entry.rows.keys.sorted().flatMap { entry.rows[$0] ?? [] }.prefix(records))
        let via = "\(entry.restPod) → \(entry.planner) → \(entry.workers.sorted().joined(separator: ", "))"
        finish(request, .scan(columns: entry.columns, rows: rows, summary: entry.summary, catalogVersion: entry.catalogVersion, via: via),
               world: &world)
    }

    mutating func finish(_ request: Int, _ outcome: RESTOutcome, world: inout World) {
        guard pending.removeValue(forKey: request) != nil else { return }
        world.restOutcomes[request] = outcome
        // Later answers for this request are dropped.
        for (call, entry) in calls where entry.request == request { calls[call] = nil }
    }
}
