import SimCore

/// What every workload's client process keeps: its spec, its seeded stream
/// (arrival times, key choices), and the operations waiting for an answer.
struct ClientState: Sendable {
    var spec: WorkloadSpec
    var id: ProcessID
    var random: SimRandom
    var sequence = 0
    var consecutiveFailures = 0
    /// True while the client's host (or a domain containing it) is down: it issues nothing.
    var isDown = false
    /// Operations waiting for an answer, by the call that carries them.
    var pending: [CallID: Int] = [:]
    /// Retries in flight (`retry:` on the workload).
    var retries = RetryState()

    init(spec: WorkloadSpec, id: ProcessID, random: SimRandom) {
        self.spec = spec
        self.id = id
        self.random = random
    }
}

/// A workload's client: issues operations at its rate (Poisson arrivals),
/// sends each as a call over the network, records invocations and outcomes
/// in the history, and may perform Jepsen's final read at the end.
///
/// Each workload kind is one type conforming to this protocol, in its own
/// file; the shared behaviour (arrivals, completion, timeouts, failure
/// counting) is here.
protocol ClientProcess: WorldProcess {
    var client: ClientState { get set }
    /// Issues one operation now (the client's host is up).
    mutating func issue(world: inout World)
    /// The answer to operation `op` arrived.
    mutating func answered(op: Int, _ answer: any WorldMessage, world: inout World)
    /// Operation `op` got no answer within the client's timeout.
    mutating func timedOut(op: Int, reason: String, world: inout World)
    /// Counts a failure; clients with a failover policy act on it.
    mutating func noteFailure(world: inout World)
    /// Jepsen's final read at the end of the run, for writing workloads.
    mutating func finalRead(at end: SimInstant, world: inout World)
    /// Sends operation `op` again (a retry): kinds that take a `retry:` policy resolve their endpoint anew.
    mutating func resend(op: Int, _ request: any WorldMessage, world: inout World)
}

/// The token of a client's arrival timer.
let issueToken = 0

extension ClientProcess {
    mutating func timerFires(_ token: Int, world: inout World) {
        if token >= retryTokenBase {
            retryFires(op: token - retryTokenBase, world: &world)
            return
        }
        guard token == issueToken else { return }
        scheduleNextIssue(world: &world)
        guard !client.isDown else { return }
        issue(world: &world)
    }

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .reply(let call, let payload):
            guard let op = client.pending.removeValue(forKey: call) else { return }
            if let answer = payload as? ServiceAnswer, case .error(let code, _) = answer.result,
               scheduleRetry(op: op, code: code, world: &world) { return }
            answered(op: op, payload, world: &world)
        case .timedOut(let call, let reason):
            guard let op = client.pending.removeValue(forKey: call) else { return }
            if scheduleRetry(op: op, code: nil, world: &world) { return }
            timedOut(op: op, reason: reason, world: &world)
        case .request(let call, _, _):
            // Clients serve nothing: the connection is refused.
            world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "\(client.spec.name) is a client"))
        }
    }

    /// Schedules the next arrival: an exponential gap (Poisson arrivals at the spec's rate).
    mutating func scheduleNextIssue(world: inout World, after offset: SimDuration = .zero) {
        let mean = SimDuration.fromSeconds(1 / client.spec.ratePerSecond)
        let gap = client.random.exponential(mean: mean)
        let at = world.loop.now + offset + gap
        if let stop = client.spec.stop, at >= .zero + stop { return }
        world.setTimer(client.id, token: issueToken, at: at)
    }

    /// Sends operation `op` as a call and remembers it until answered.
    mutating func send(op: Int, to endpoint: Endpoint, _ message: any WorldMessage, world: inout World) {
        let call = world.call(from: client.id, to: endpoint, message, timeout: client.spec.timeout)
        client.pending[call] = op
        if client.spec.retry != nil { client.retries.requests[op] = message }
    }

    /// Kinds without a `retry:` policy never resend (the loader refuses one for them).
    mutating func resend(op: Int, _ request: any WorldMessage, world: inout World) {
        failLocally(op, error: "RetryUnsupported: \(client.spec.kind.rawValue) does not retry", world: &world)
        client.retries.forget(op)
    }

    /// Default completion: ok (reads keep the value), or failed with the
    /// service's code. A refusal is not an outage: clients fail over on errors
    /// and timeouts of the endpoint, not on their own missing permissions.
    mutating func answered(op: Int, _ answer: any WorldMessage, world: inout World) {
        guard let answer = answer as? ServiceAnswer else {
            complete(op: op, .error(code: "ProtocolError", message: "unexpected answer \(type(of: answer))"), world: &world)
            return
        }
        complete(op: op, answer.result, world: &world)
    }

    /// Completes `op` with a service's result.
    mutating func complete(op: Int, _ result: ServiceAnswer.Result, world: inout World) {
        switch result {
        case .ok(let value):
            world.history.complete(op, at: world.loop.now, outcome: .ok, value: client.spec.kind.writes ? nil : value)
            client.consecutiveFailures = 0
            world.recordCompletion(op)
            client.retries.quota = min(RetryPolicy.quotaSize, client.retries.quota + 1)
        case .error(let code, let message):
            // A write with an attempt that timed out may have been applied: indeterminate, whatever the last attempt said.
            let outcome: OperationOutcome = client.retries.indeterminate.contains(op) ? .unknown : .failed
            world.history.complete(op, at: world.loop.now, outcome: outcome, error: "\(code): \(message)\(attemptsSuffix(op))")
            world.recordCompletion(op)
            if !World.refusalCodes.contains(code) { noteFailure(world: &world) }
        }
        client.retries.forget(op)
    }

    /// Default timeout: a write that may have been applied is indeterminate;
    /// a read that timed out certainly changed nothing.
    mutating func timedOut(op: Int, reason: String, world: inout World) {
        let outcome: OperationOutcome = client.spec.kind.writes ? .unknown : .failed
        world.history.complete(op, at: world.loop.now, outcome: outcome, error: "timeout after \(client.spec.timeout): \(reason)\(attemptsSuffix(op))")
        world.recordCompletion(op)
        client.retries.forget(op)
        noteFailure(world: &world)
    }

    mutating func noteFailure(world: inout World) { client.consecutiveFailures += 1 }

    mutating func finalRead(at end: SimInstant, world: inout World) {}

    /// Completes `op` at once, without a call (a local failure: no credentials, NXDOMAIN).
    mutating func failLocally(_ op: Int, error: String, countsAsFailure: Bool = true, world: inout World) {
        let outcome: OperationOutcome = client.retries.indeterminate.contains(op) ? .unknown : .failed
        client.retries.forget(op)
        world.history.complete(op, at: world.loop.now, outcome: outcome, error: error)
        world.recordCompletion(op)
        if countsAsFailure { noteFailure(world: &world) }
    }
}

extension World {
    /// Error codes that mean "you may not", not "the service is unavailable".
    static let refusalCodes: Set<String> = ["AccessDenied", "ExpiredToken", "InvalidAccessKeyId"]

    /// Traces one completed operation.
    mutating func recordCompletion(_ op: Int) {
        let operation = history.operation(op)
        var attributes: [(key: String, value: TraceValue)] = [
            ("workload", .string(operation.workload)), ("op", .int(Int64(op))),
            ("kind", .string(operation.kind.rawValue)), ("bucket", .string(operation.target)),
            ("key", .string(operation.key)), ("outcome", .string(operation.outcome?.rawValue ?? "unknown")),
            ("invoked_ns", .int(operation.invoked.nanosecondsSinceStart)),
        ]
        if let error = operation.error { attributes.append(("error", .string(error))) }
        trace.record("workload", "op", at: loop.now, attributes: attributes)
    }

    /// Spawns the client process of every workload and schedules its first arrival.
    mutating func spawnClients() {
        let root = SimRandom(seed: seed)
        for spec in scenario.workloads {
            let id = ProcessID(rawValue: network.processes.count)
            let state = ClientState(spec: spec, id: id, random: root.stream("workload." + spec.name))
            var process = WorkloadProcesses.make(state, world: self)
            spawn(process, name: "client." + spec.name, domain: spec.from)
            clientIDs.append(id)
            // With an installer, clients start when ODAS is installed (``startClients()``).
            if !installs { process.scheduleNextIssue(world: &self, after: spec.start) }
            processes[id.rawValue] = process
        }
    }

    /// ODAS is installed: each workload starts at its `start`, or now if that has passed.
    mutating func startClients() {
        let elapsed = loop.now - SimInstant.zero
        for id in clientIDs {
            withProcess(id) { process, world in
                guard var client = process as? any ClientProcess else { return }
                let start = client.client.spec.start
                client.scheduleNextIssue(world: &world, after: start > elapsed ? start - elapsed : .zero)
                process = client
            }
        }
    }

    /// The client process of a workload, read-only.
    func clientProcess(_ id: ProcessID) -> (any ClientProcess)? {
        processes[id.rawValue] as? any ClientProcess
    }

    /// Records clients whose host goes down or comes back with a fault.
    mutating func refreshClientLiveness() {
        for id in clientIDs {
            guard let process = clientProcess(id) else { continue }
            let spec = process.client.spec
            let down = !faults.isUp(spec.from)
            guard down != process.client.isDown else { continue }
            withProcess(id) { process, _ in
                if var client = process as? any ClientProcess {
                    client.client.isDown = down
                    process = client
                }
            }
            trace.record("workload", down ? "client-down" : "client-up", at: loop.now, ["workload": .string(spec.name)])
            timeline.append(TimelineEntry(at: loop.now, kind: down ? "client-down" : "client-up",
                                          text: "client \(spec.name) \(down ? "is down with its \(spec.from.kind)" : "is back")"))
        }
    }

    /// Every client's final read, in workload order.
    mutating func finalReads(at end: SimInstant) {
        for id in clientIDs {
            withProcess(id) { process, world in
                guard var client = process as? any ClientProcess else { return }
                client.finalRead(at: end, world: &world)
                process = client
            }
        }
    }
}
