import AWSSim
import SimCore

/// `db-write` and `db-read`: a client of the scenario's database through its
/// endpoint name, which RDS points at the current primary (or, for Aurora's
/// reader endpoint, at a reader). A write inserts a new row per operation; a
/// read counts the rows.
struct DatabaseClientProcess: ClientProcess {
    var client: ClientState

    init(_ client: ClientState) { self.client = client }

    mutating func issue(world: inout World) {
        let spec = client.spec
        guard let instance = world.rds.instances[spec.target] else { return }
        let key: String
        var value: String?
        let statements: [String]
        if spec.kind == .dbWrite {
            client.sequence += 1
            let sequence = client.sequence
            key = Keys.dbRow(workload: spec.name, sequence: sequence)
            value = "\(spec.name)-\(sequence)"
            statements = ["INSERT INTO writes (workload, seq, value) VALUES ('\(Keys.sqlEscaped(spec.name))', \(sequence), '\(Keys.sqlEscaped(value ?? ""))')"]
        } else {
            key = "count"
            statements = ["SELECT count(*) FROM writes"]
        }
        let op = world.history.invoke(workload: spec.name, kind: spec.kind.writes ? .write : .read, at: world.loop.now,
                                      target: instance.endpoint, key: key, value: value)
        guard let endpoint = world.databaseEndpoint(spec.target, reader: spec.readerEndpoint) else {
            failLocally(op, error: "UnknownHost: \(instance.endpoint) does not resolve", world: &world)
            return
        }
        send(op: op, to: endpoint, SQLRequest(database: spec.target, statements: statements, onReader: spec.readerEndpoint),
             world: &world)
    }

    /// A reconnect (`retry: reconnect`): the endpoint name is resolved again, so an attempt after a failover reaches the new primary.
    mutating func resend(op: Int, _ request: any WorldMessage, world: inout World) {
        guard let endpoint = world.databaseEndpoint(client.spec.target, reader: client.spec.readerEndpoint) else {
            failLocally(op, error: "UnknownHost: the endpoint of \(client.spec.target) does not resolve\(attemptsSuffix(op))", world: &world)
            return
        }
        send(op: op, to: endpoint, request, world: &world)
    }

    mutating func answered(op: Int, _ answer: any WorldMessage, world: inout World) {
        if let rows = answer as? SQLRows {
            complete(op: op, .ok(rows.firstValue), world: &world)
        } else {
            complete(op: op, (answer as? ServiceAnswer)?.result ?? .error(code: "ProtocolError", message: "unexpected answer"), world: &world)
        }
    }

    /// Lists the rows this writer can read now through the endpoint.
    mutating func finalRead(at end: SimInstant, world: inout World) {
        guard client.spec.kind == .dbWrite, let instance = world.rds.instances[client.spec.target] else { return }
        let name = client.spec.name
        let op = world.history.invoke(workload: name, kind: .finalRead, at: end, target: instance.endpoint, key: "writes")
        if instance.status != .available {
            world.history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(instance.endpoint) is \(instance.statusName)")
        } else if let reason = world.faults.unreachability(from: client.spec.from, to: .host(instance.primaryHost)) {
            world.history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(reason)")
        } else {
            do {
                let rows = try world.rds.execute(client.spec.target, statements: [
                    "SELECT seq FROM writes WHERE workload = '\(Keys.sqlEscaped(name))' ORDER BY seq",
                ], faults: world.faults)
                let observed = rows.compactMap { $0.first ?? nil }.compactMap(Int.init).map { Keys.dbRow(workload: name, sequence: $0) }
                world.history.complete(op, at: end, outcome: .ok, observed: observed)
            } catch {
                world.history.complete(op, at: end, outcome: .failed, error: error.description)
            }
        }
        let completed = world.history.operation(op)
        world.trace.record("workload", "final-read", at: end, [
            "workload": .string(name), "database": .string(instance.identifier),
            "outcome": .string(completed.outcome?.rawValue ?? "unknown"),
            "observed": .int(Int64(completed.observed?.count ?? 0)),
        ])
    }
}
