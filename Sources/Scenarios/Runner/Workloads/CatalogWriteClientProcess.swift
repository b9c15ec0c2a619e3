import ODASModel
import SimCore

/// `catalog-write`: an administrator changing the catalog through ODAS. At
/// the workload's rate it creates a new dataset in its own database (a write
/// whose loss the final read detects); at the times its `changes` say, it
/// grants or revokes. Each change goes to a planner, which authorizes it and
/// has a catalog pod commit it as one SQL transaction on the catalog database.
struct CatalogWriteClientProcess: ClientProcess {
    var client: ClientState
    var options: ODASWorkloadOptions
    var hops: [CallID: String] = [:]
    /// Whether the scheduled changes' timers are armed.
    var scheduled = false
    var locator: PlannerLocator

    /// The token of the i-th scheduled change's timer is `scheduledBase + i`.
    static let scheduledBase = 1_000

    init(_ client: ClientState) {
        self.client = client
        options = client.spec.odas ?? ODASWorkloadOptions(user: "")
        locator = PlannerLocator(options)
    }

    var database: String { options.writeDatabase ?? client.spec.target }

    mutating func timerFires(_ token: Int, world: inout World) {
        if token == issueToken {
            scheduleChanges(world: &world)
            scheduleNextIssue(world: &world)
            guard !client.isDown else { return }
            issue(world: &world)
        } else if token >= Self.scheduledBase {
            let index = token - Self.scheduledBase
            guard options.scheduledChanges.indices.contains(index), !client.isDown else { return }
            send(change: options.scheduledChanges[index].change, world: &world)
        }
    }

    /// Arms one timer per scheduled change, once (at the first arrival).
    mutating func scheduleChanges(world: inout World) {
        guard !scheduled else { return }
        scheduled = true
        for (index, entry) in options.scheduledChanges.enumerated() {
            world.setTimer(client.id, token: Self.scheduledBase + index, at: .zero + entry.at)
        }
    }

    mutating func issue(world: inout World) {
        client.sequence += 1
        let table = "t\(client.sequence)"
        let dataset = DatasetDefinition(name: "\(database).\(table)", bucket: world.scenario.odas?.datasets.first?.bucket ?? "odas",
                                        prefix: "writes/\(client.spec.name)/\(table)/", columns: [ColumnDefinition(name: "id", type: .bigint)],
                                        files: 0, rowsPerFile: 0)
        send(change: .createDataset(dataset), world: &world)
    }

    mutating func send(change: CatalogChange, world: inout World) {
        let isData: Bool
        let key: String
        if case .createDataset = change {
            isData = true
            key = Keys.dbRow(workload: client.spec.name, sequence: client.sequence)
        } else {
            isData = false
            key = change.summary
        }
        let op = world.history.invoke(workload: client.spec.name, kind: isData ? .write : .change, at: world.loop.now,
                                      target: "catalog", key: key, value: change.summary)
        if case .revoke(let grant) = change {
            var dataset: String?
            var columns: [String]?
            switch grant.scope {
            case .dataset(let name): dataset = name
            case .column(let name, let column): (dataset, columns) = (name, [column])
            case .database(let name): dataset = name
            case .server: dataset = nil
            }
            world.history.setChange(op, CatalogChangeRecord(revokedRole: grant.role, revokedDataset: dataset, revokedColumns: columns,
                                                            summary: change.summary))
        } else {
            world.history.setChange(op, CatalogChangeRecord(summary: change.summary))
        }
        let (pick, endpoint): (PlannerLocator.Pick, Endpoint)
        switch locator.locate(client: &client, world: &world) {
        case .success(let found): (pick, endpoint) = found
        case .failure(let failure):
            failLocally(op, error: failure.message, countsAsFailure: failure.countsAsFailure, world: &world)
            return
        }
        let call = world.call(from: client.id, to: endpoint, ChangeRequest(pod: pick.pod, user: options.user, change: change),
                              timeout: client.spec.timeout)
        client.pending[call] = op
        hops[call] = "planner \(world.odasLabel(pick.cluster, pick.pod)) on \(pick.node)"
    }

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .request(let call, _, _):
            world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "\(client.spec.name) is a client"))
        case .reply(let call, let payload):
            guard let op = client.pending.removeValue(forKey: call) else { return }
            let hop = hops.removeValue(forKey: call) ?? "planner"
            guard let answer = payload as? ServiceAnswer else { return }
            if case .error(let code, _) = answer.result, code == "ConnectionRefused" { locator.plannerFailed() }
            switch answer.result {
            case .ok:
                world.history.complete(op, at: world.loop.now, outcome: .ok)
                client.consecutiveFailures = 0
                world.recordCompletion(op)
            case .error(let code, let message):
                // A change the catalog may or may not have committed is indeterminate.
                let unknown = code == "CatalogUnavailable" && message.contains("no answer")
                world.history.complete(op, at: world.loop.now, outcome: unknown ? .unknown : .failed, error: "\(hop): \(code): \(message)")
                world.recordCompletion(op)
                if !World.refusalCodes.contains(code) { noteFailure(world: &world) }
            }
        case .timedOut(let call, let reason):
            guard let op = client.pending.removeValue(forKey: call) else { return }
            let hop = hops.removeValue(forKey: call) ?? "planner"
            locator.plannerFailed()
            world.history.complete(op, at: world.loop.now, outcome: .unknown, error: "\(hop): timeout after \(client.spec.timeout): \(reason)")
            world.recordCompletion(op)
            noteFailure(world: &world)
        }
    }

    /// Lists the datasets of this writer's database, read from the catalog's primary.
    mutating func finalRead(at end: SimInstant, world: inout World) {
        guard let spec = world.scenario.odas, let instance = world.rds.instances[spec.catalogDatabase] else { return }
        let name = client.spec.name
        let op = world.history.invoke(workload: name, kind: .finalRead, at: end, target: "catalog", key: database)
        if instance.status != .available {
            world.history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(instance.endpoint) is \(instance.statusName)")
        } else if let reason = world.faults.unreachability(from: client.spec.from, to: .host(instance.primaryHost)) {
            world.history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(reason)")
        } else {
            do {
                let rows = try world.rds.inspect(instance.identifier, query: CatalogSnapshot.combinedLoadQuery)
                let snapshot = try CatalogSnapshot(combinedRows: rows)
                let observed = snapshot.datasets(in: database).compactMap { dataset -> String? in
                    guard let sequence = Int(dataset.table.dropFirst()) else { return nil }
                    return Keys.dbRow(workload: name, sequence: sequence)
                }
                world.history.complete(op, at: end, outcome: .ok, observed: observed)
            } catch {
                world.history.complete(op, at: end, outcome: .failed, error: "\(error)")
            }
        }
        let completed = world.history.operation(op)
        world.trace.record("workload", "final-read", at: end, [
            "workload": .string(name), "database": .string(database),
            "outcome": .string(completed.outcome?.rawValue ?? "unknown"),
            "observed": .int(Int64(completed.observed?.count ?? 0)),
        ])
    }
}
