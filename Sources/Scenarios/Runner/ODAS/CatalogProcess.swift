import ODASModel
import SimCore

/// The ODAS catalog pods: stateless, they read and write the catalog's
/// tables in the database through its endpoint (which RDS points at the
/// current primary), so Multi-AZ and Aurora failovers act on them exactly as
/// on any client of the database. A cluster in the region of an Aurora
/// Global Database's secondary reads the catalog there (read-only, what it
/// has applied so far) and writes through the writer, wherever it is.
struct CatalogProcess: WorldProcess {
    var spec: ODASSpec
    /// The ODAS cluster whose catalog pods this process answers for.
    var cluster: Int
    var random: SimRandom
    /// Database calls in progress: for whom, and whether they read the catalog.
    var outgoing: [CallID: (client: CallID, pod: String, isRead: Bool)] = [:]
    /// The last catalog parsed, by a digest of its rows: parsing is the
    /// simulator's cost, not the model's, so the same rows are parsed once.
    var parsed: (digest: UInt64, snapshot: CatalogSnapshot)?

    init(spec: ODASSpec, cluster: Int, random: SimRandom) {
        self.spec = spec
        self.cluster = cluster
        self.random = random
    }

    /// FNV-1a over every field of every row, with separators.
    static func digest(_ rows: [[String?]]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for row in rows {
            for field in row {
                if let field { for byte in field.utf8 { mix(byte) } } else { mix(0xff) }
                mix(0x1f)
            }
            mix(0x1e)
        }
        return hash
    }

    /// How long the catalog waits for the database (a model choice).
    static let databaseTimeout = SimDuration.seconds(2)

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .request(let call, _, let payload):
            let pod: String
            let statements: [String]
            let isRead: Bool
            if let request = payload as? SnapshotRequest {
                (pod, statements, isRead) = (request.pod, [CatalogSnapshot.combinedLoadQuery], true)
            } else if let request = payload as? CatalogWriteRequest {
                (pod, statements, isRead) = (request.pod, request.statements, false)
            } else {
                world.reply(to: call, ServiceAnswer.error("ProtocolError", "not a catalog request"))
                return
            }
            let node = world.odasPodNode(pod, cluster: cluster)
            if let refusal = world.podRefusal(pod, node: node, cluster: cluster) {
                world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "catalog \(refusal)"))
                return
            }
            let local = isRead ? world.odasCluster(cluster).flatMap { world.databaseEndpoint(spec.catalogDatabase, globalSecondaryIn: $0.region) } : nil
            guard let from = world.odasEndpoint(.catalog, cluster: cluster, node: node),
                  let database = local ?? world.databaseEndpoint(spec.catalogDatabase, reader: false) else {
                world.reply(to: call, ServiceAnswer.error("CatalogUnavailable", "catalog \(pod): the catalog database does not resolve"))
                return
            }
            let request = SQLRequest(database: spec.catalogDatabase, statements: statements, onGlobalSecondary: local != nil)
            let query = world.call(from: from, to: database, request, timeout: Self.databaseTimeout)
            outgoing[query] = (call, pod, isRead)
        case .reply(let call, let payload):
            guard let pending = outgoing.removeValue(forKey: call) else { return }
            let endpoint = world.rds.instances[spec.catalogDatabase]?.endpoint ?? spec.catalogDatabase
            if let rows = payload as? SQLRows {
                if pending.isRead {
                    do {
                        let digest = Self.digest(rows.rows)
                        let snapshot: CatalogSnapshot
                        if let parsed, parsed.digest == digest { snapshot = parsed.snapshot } else {
                            snapshot = try CatalogSnapshot(combinedRows: rows.rows)
                            parsed = (digest, snapshot)
                        }
                        world.reply(to: pending.client, SnapshotReply(snapshot: snapshot))
                    } catch {
                        world.reply(to: pending.client, ServiceAnswer.error("CatalogCorrupt", "catalog \(pending.pod): \(error.description)"))
                    }
                } else {
                    world.reply(to: pending.client, ServiceAnswer.ok("committed"))
                }
            } else if let answer = payload as? ServiceAnswer, case .error(let code, let message) = answer.result {
                world.reply(to: pending.client, ServiceAnswer.error(code, "catalog \(pending.pod) → database \(endpoint): \(message)"))
            }
        case .timedOut(let call, let reason):
            guard let pending = outgoing.removeValue(forKey: call) else { return }
            let endpoint = world.rds.instances[spec.catalogDatabase]?.endpoint ?? spec.catalogDatabase
            world.reply(to: pending.client, ServiceAnswer.error("CatalogUnavailable",
                                                                "catalog \(pending.pod) → database \(endpoint): no answer within \(Self.databaseTimeout): \(reason)"))
        }
    }
}
