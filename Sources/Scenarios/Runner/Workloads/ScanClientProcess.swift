import ODASModel
import SimCore

/// `scan`: a data scan through ODAS, as an EMR or third-party client does it.
/// The client connects to a planner (found as ``PlannerLocator`` says:
/// the planner Service, a `hostports` list, or a Route 53 name), which
/// authorizes the user against its policy cache and returns one task per
/// file; the client sends each task to a worker of the planner's cluster
/// (through its worker Service); the scan succeeds when every task returned. A failure names the
/// hop that failed and why.
struct ScanClientProcess: ClientProcess {
    struct Scan: Sendable {
        var outstanding = 0
        var summary: ScanRowSummary?
        var catalogVersion = 0
        var rowFilters: [String] = []
        var planner = ""
        var cluster = 0
    }

    var client: ClientState
    var options: ODASWorkloadOptions
    var scans: [Int: Scan] = [:]
    /// Per call: the operation and the hop it is ("planner odas-planner-x on node-y").
    var hops: [CallID: (op: Int, hop: String, isPlan: Bool)] = [:]
    var locator: PlannerLocator

    init(_ client: ClientState) {
        self.client = client
        options = client.spec.odas ?? ODASWorkloadOptions(user: "")
        locator = PlannerLocator(options)
    }

    mutating func issue(world: inout World) {
        let dataset = options.dataset ?? client.spec.target
        let op = world.history.invoke(workload: client.spec.name, kind: .read, at: world.loop.now, target: dataset, key: options.user)
        let (pick, endpoint): (PlannerLocator.Pick, Endpoint)
        switch locator.locate(client: &client, world: &world) {
        case .success(let found): (pick, endpoint) = found
        case .failure(let failure):
            failLocally(op, error: failure.message, countsAsFailure: failure.countsAsFailure, world: &world)
            return
        }
        scans[op] = Scan(planner: world.odasLabel(pick.cluster, pick.pod), cluster: pick.cluster)
        let call = world.call(from: client.id, to: endpoint, PlanRequest(pod: pick.pod, user: options.user, dataset: dataset),
                              timeout: client.spec.timeout)
        hops[call] = (op, "planner \(world.odasLabel(pick.cluster, pick.pod)) on \(pick.node)", true)
    }

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .request(let call, _, _):
            world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "\(client.spec.name) is a client"))
        case .reply(let call, let payload):
            guard let hop = hops.removeValue(forKey: call), scans[hop.op] != nil else { return }
            if let plan = payload as? PlanReply {
                planned(op: hop.op, plan, world: &world)
            } else if let reply = payload as? TaskReply {
                taskDone(op: hop.op, reply.summary, world: &world)
            } else if let answer = payload as? ServiceAnswer, case .error(let code, let message) = answer.result {
                fail(op: hop.op, code: code, error: "\(hop.hop): \(code): \(message)", isPlanner: hop.isPlan, world: &world)
            }
        case .timedOut(let call, let reason):
            guard let hop = hops.removeValue(forKey: call), scans[hop.op] != nil else { return }
            fail(op: hop.op, code: "Timeout", error: "\(hop.hop): timeout after \(client.spec.timeout): \(reason)", isPlanner: hop.isPlan,
                 world: &world)
        }
    }

    mutating func planned(op: Int, _ plan: PlanReply, world: inout World) {
        scans[op]?.catalogVersion = plan.catalogVersion
        scans[op]?.rowFilters = plan.tasks.first?.scan.rowFilters.map(\.description) ?? []
        guard !plan.tasks.isEmpty else {
            scans[op]?.summary = ScanRowSummary(rowsRead: 0, rowsReturned: 0, columns: [])
            finish(op: op, world: &world)
            return
        }
        let cluster = scans[op]?.cluster ?? 0
        let workers = world.odasEndpoints(.worker, cluster: cluster)
        guard !workers.isEmpty else {
            let service = world.odasLabel(cluster, ODASComponent.worker.objectName)
            fail(op: op, code: "Unavailable", error: "worker: Service \(service) has no ready endpoints", isPlanner: false, world: &world)
            return
        }
        scans[op]?.outstanding = plan.tasks.count
        for task in plan.tasks {
            let pick = workers[Int(client.random.next(upperBound: UInt64(workers.count)))]
            guard let endpoint = world.odasEndpoint(.worker, cluster: cluster, node: pick.node) else {
                fail(op: op, code: "Unavailable", error: "worker: the ODAS worker service is not running", isPlanner: false, world: &world)
                return
            }
            let call = world.call(from: client.id, to: endpoint, TaskRequest(pod: pick.pod, task: task), timeout: client.spec.timeout)
            hops[call] = (op, "worker \(world.odasLabel(cluster, pick.pod)) on \(pick.node)", false)
        }
    }

    mutating func taskDone(op: Int, _ summary: ScanRowSummary, world: inout World) {
        guard var scan = scans[op] else { return }
        scan.summary = scan.summary.map { $0.merged(with: summary) } ?? summary
        scan.outstanding -= 1
        scans[op] = scan
        if scan.outstanding == 0 { finish(op: op, world: &world) }
    }

    mutating func finish(op: Int, world: inout World) {
        guard let scan = scans.removeValue(forKey: op) else { return }
        let summary = scan.summary ?? ScanRowSummary(rowsRead: 0, rowsReturned: 0, columns: [])
        world.history.setScan(op, ScanObservation(
            user: options.user, dataset: options.dataset ?? client.spec.target, rowsRead: summary.rowsRead,
            rowsReturned: summary.rowsReturned, unmaskedColumns: summary.unmaskedColumns,
            maskedColumns: summary.columns.filter { $0.mask != nil }.map(\.name), catalogVersion: scan.catalogVersion,
            rowFilters: scan.rowFilters, contentDigest: summary.contentDigest))
        world.history.complete(op, at: world.loop.now, outcome: .ok, value: "\(summary.rowsReturned) rows from \(scan.planner)")
        client.consecutiveFailures = 0
        world.recordCompletion(op)
    }

    mutating func fail(op: Int, code: String, error: String, isPlanner: Bool, world: inout World) {
        guard scans.removeValue(forKey: op) != nil else { return }
        world.history.complete(op, at: world.loop.now, outcome: .failed, error: error)
        world.recordCompletion(op)
        if isPlanner { locator.plannerFailed() }
        if !World.refusalCodes.contains(code) { noteFailure(world: &world) }
    }
}
