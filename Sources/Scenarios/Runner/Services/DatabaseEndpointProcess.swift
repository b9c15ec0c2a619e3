import AWSSim
import SimCore

/// SQL statements sent to a database endpoint, run as one transaction.
struct SQLRequest: WorldMessage {
    var database: String
    var statements: [String]
    /// Through Aurora's reader endpoint (reads only).
    var onReader: Bool = false
    /// On an Aurora Global Database's secondary cluster (reads only).
    var onGlobalSecondary: Bool = false
}

/// The rows a SQL request returned (values as text, NULL as nil).
struct SQLRows: WorldMessage {
    var rows: [[String?]]
}

/// An RDS instance's (or Aurora cluster's) endpoint. The caller resolves the
/// endpoint name to the host it points at now (the primary, or a reader) and
/// sends there; the request is lost if that host is down. A host that is up
/// but whose instance is not available (rebooting, failing over) refuses the
/// connection at once. Otherwise the statements run as one transaction on
/// the primary and are replicated before the answer (RDSService.execute).
struct DatabaseEndpointProcess: WorldProcess {
    var identifier: String
    var random: SimRandom

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        guard case .request(let call, _, let payload) = delivery else { return }
        guard let request = payload as? SQLRequest else {
            world.reply(to: call, ServiceAnswer.error("ProtocolError", "not a SQL request"))
            return
        }
        guard let instance = world.rds.instances[request.database] else {
            world.reply(to: call, ServiceAnswer.error("UnknownDatabase", "no database \(request.database)"))
            return
        }
        if request.onGlobalSecondary {
            // The secondary cluster answers reads in its region whatever the primary region's state.
            let serviceTime = random.logNormal(median: .milliseconds(30), sigma: 0.5)
            do {
                let rows = try world.rds.queryGlobalSecondary(request.database, query: request.statements.joined(separator: "; "))
                world.reply(to: call, SQLRows(rows: rows), after: serviceTime)
            } catch {
                world.reply(to: call, ServiceAnswer.error(error.code, error.message), after: serviceTime)
            }
            return
        }
        if !request.onReader, instance.status != .available {
            world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "\(instance.endpoint) is \(instance.statusName)"))
            return
        }
        // A modelling assumption (docs/fidelity.md): a small transaction's
        // service time, log-normal around 30 ms.
        let serviceTime = random.logNormal(median: .milliseconds(30), sigma: 0.5)
        do {
            let rows = try world.rds.execute(request.database, statements: request.statements, faults: world.faults,
                                             now: world.loop.now, onReader: request.onReader)
            world.drainRDS()
            if request.database == world.scenario.odas?.catalogDatabase, !request.onReader { world.recordCatalogVersion() }
            world.reply(to: call, SQLRows(rows: rows), after: serviceTime)
        } catch {
            world.reply(to: call, ServiceAnswer.error(error.code, error.message), after: serviceTime)
        }
    }
}

extension SQLRows {
    /// The first column of the first row, as db-read reports it.
    var firstValue: String { rows.first?.first.flatMap { $0 } ?? "" }
}

extension World {
    /// Spawns the endpoint process of the scenario's database.
    mutating func spawnDatabaseEndpoints() {
        let root = SimRandom(seed: seed).stream("db-endpoints")
        for identifier in rds.instances.keys.sorted() {
            guard let instance = rds.instances[identifier] else { continue }
            let id = spawn(DatabaseEndpointProcess(identifier: identifier, random: root.stream(identifier)),
                           name: instance.endpoint, domain: .host(instance.primaryHost))
            databaseEndpoints[identifier] = id
        }
    }

    /// Where the endpoint name of `identifier` points now: the primary's host,
    /// or with `reader` a reader's.
    func databaseEndpoint(_ identifier: String, reader: Bool) -> Endpoint? {
        guard let instance = rds.instances[identifier], let id = databaseEndpoints[identifier] else { return nil }
        return Endpoint(process: id, domain: .host(reader ? instance.readerHost(faults) : instance.primaryHost))
    }

    /// The endpoint of the Aurora Global Database secondary cluster in
    /// `region`, when the database has one there now (a failover promotes it
    /// and detaches the old primary).
    func databaseEndpoint(_ identifier: String, globalSecondaryIn region: String) -> Endpoint? {
        guard let instance = rds.instances[identifier], instance.globalSecondaryRegion == region,
              let host = instance.globalSecondaryHost, let id = databaseEndpoints[identifier] else { return nil }
        return Endpoint(process: id, domain: .host(host))
    }
}
