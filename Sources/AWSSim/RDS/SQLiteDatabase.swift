import CSQLite

/// An error from SQLite, with its result code and message.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "SQLite error \(code): \(message)" }
}

/// One committed transaction as a replication log entry: schema statements
/// travel as SQL text (sessions do not record DDL), row changes as a SQLite
/// session changeset.
public enum ReplicationEntry: Equatable, Sendable {
    case schema(String)
    case changeset([UInt8])
}

/// A real SQLite database (in memory), one per RDS replica.
///
/// A reference type because a database is an identity (a connection), not a
/// value. It is confined to the simulation's single isolation domain (the run
/// loop, or serve's world lock), which is what makes the unchecked Sendable safe.
public final class SQLiteDatabase: @unchecked Sendable {
    let handle: OpaquePointer

    public init() throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(":memory:", &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            if let db { sqlite3_close(db) }
            throw SQLiteError(code: status, message: "cannot open an in-memory database")
        }
        handle = db
    }

    deinit { sqlite3_close(handle) }

    var lastError: SQLiteError {
        SQLiteError(code: sqlite3_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs one statement and returns its rows (values as text, NULL as nil).
    @discardableResult
    public func query(_ sql: String) throws(SQLiteError) -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw lastError }
        defer { sqlite3_finalize(statement) }
        var rows: [[String?]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw lastError }
            let columns = sqlite3_column_count(statement)
            rows.append((0..<columns).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            })
        }
        return rows
    }

    /// Runs `statements` as one transaction and returns what a replica needs
    /// to replay it. Any failure rolls the whole transaction back.
    /// Tables must have a primary key: SQLite sessions record changes only for
    /// those, so a table without one could not be replicated and is refused.
    public func transaction(_ statements: [String]) throws(SQLiteError) -> (rows: [[String?]], log: [ReplicationEntry]) {
        var session: OpaquePointer?
        guard sqlite3session_create(handle, "main", &session) == SQLITE_OK, let session else { throw lastError }
        defer { sqlite3session_delete(session) }
        sqlite3session_attach(session, nil)
        try query("BEGIN")
        var rows: [[String?]] = []
        var schema: [ReplicationEntry] = []
        do {
            for sql in statements {
                let trimmed = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" }.uppercased()
                rows = try query(sql)
                if trimmed.hasPrefix("CREATE") || trimmed.hasPrefix("DROP") || trimmed.hasPrefix("ALTER") {
                    if trimmed.hasPrefix("CREATE TABLE") { try requirePrimaryKeys() }
                    schema.append(.schema(sql))
                }
            }
            try query("COMMIT")
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
        var size: Int32 = 0
        var buffer: UnsafeMutableRawPointer?
        guard sqlite3session_changeset(session, &size, &buffer) == SQLITE_OK else { throw lastError }
        defer { sqlite3_free(buffer) }
        var log = schema
        if size > 0, let buffer {
            log.append(.changeset(Array(UnsafeRawBufferPointer(start: buffer, count: Int(size)))))
        }
        return (rows, log)
    }

    func requirePrimaryKeys() throws(SQLiteError) {
        let tables = try query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for row in tables {
            guard let name = row.first ?? nil else { continue }
            let keyed = try query("SELECT count(*) FROM pragma_table_info('\(name.replacingOccurrences(of: "'", with: "''"))') WHERE pk > 0")
            if keyed.first?.first == "0" {
                throw SQLiteError(code: SQLITE_CONSTRAINT,
                                  message: "table \(name) has no PRIMARY KEY; replicated RDS tables need one (docs/fidelity.md)")
            }
        }
    }

    /// Replays a replication entry from the primary.
    public func apply(_ entry: ReplicationEntry) throws(SQLiteError) {
        switch entry {
        case .schema(let sql):
            try query(sql)
        case .changeset(let bytes):
            var copy = bytes
            let status = copy.withUnsafeMutableBytes { raw -> Int32 in
                guard let base = raw.baseAddress else { return SQLITE_OK }
                return sqlite3changeset_apply(handle, Int32(raw.count), base, nil, { _, _, _ in
                    // Replicas only ever receive the primary's changes: the primary wins.
                    SQLITE_CHANGESET_REPLACE
                }, nil)
            }
            guard status == SQLITE_OK else { throw lastError }
        }
    }
}
