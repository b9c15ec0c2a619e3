import SimCore

/// A manual DB snapshot (what DeleteDBInstance's FinalDBSnapshotIdentifier,
/// or CloudFormation's DeletionPolicy Snapshot, leaves behind).
public struct DBSnapshot: Sendable, Equatable {
    public var identifier: String
    public var instanceIdentifier: String
    public var engine: String
    public var created: SimInstant
    /// The rows of every table at the snapshot, as `inspect` reads them (table → rows).
    public var tables: [String: [[String?]]]
}

extension RDSService {
    /// DeleteDBInstance (and DeleteDBCluster), with an optional final snapshot
    /// (RDS API Reference, DeleteDBInstance: FinalDBSnapshotIdentifier).
    public mutating func deleteDBInstance(_ identifier: String, finalSnapshot: String?, now: SimInstant) throws(RDSError) {
        guard let instance = instances[identifier] else { throw .notFound(identifier) }
        if let name = finalSnapshot {
            guard snapshots[name] == nil else {
                throw RDSError(code: "DBSnapshotAlreadyExists", message: "Cannot create the snapshot because a snapshot with the identifier \(name) already exists.")
            }
            var tables: [String: [[String?]]] = [:]
            let names = (try? inspect(identifier, query: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) ?? []
            for row in names {
                guard let table = row.first ?? nil else { continue }
                tables[table] = try? inspect(identifier, query: "SELECT * FROM \"\(table.replacingOccurrences(of: "\"", with: "\"\""))\"")
            }
            snapshots[name] = DBSnapshot(identifier: name, instanceIdentifier: identifier, engine: instance.engine, created: now, tables: tables)
        }
        instances[identifier] = nil
        // Events still due for it (a failover in flight) find no instance and do nothing.
    }
}
