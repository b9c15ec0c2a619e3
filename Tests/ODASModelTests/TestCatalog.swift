import AWSSim
@testable import ODASModel

/// A catalog in a real SQLite database (the RDS fake's), written only
/// through `CatalogChange.statements()` and read only through
/// `CatalogSnapshot.loadQueries`.
struct TestCatalog {
    let database: SQLiteDatabase

    init() throws {
        database = try SQLiteDatabase()
        _ = try database.transaction(CatalogSchema.statements)
    }

    /// Applies each change as its own transaction; returns the version each produced.
    @discardableResult
    func apply(_ changes: [CatalogChange]) throws -> [Int] {
        var versions: [Int] = []
        for change in changes {
            let rows = try database.transaction(try change.statements()).rows
            versions.append(Int(rows.first?.first.flatMap { $0 } ?? "") ?? -1)
        }
        return versions
    }

    func snapshot() throws -> CatalogSnapshot {
        try CatalogSnapshot(rows: CatalogSnapshot.loadQueries.map { try database.query($0) })
    }

    func rawRows() throws -> [[[String?]]] {
        try CatalogSnapshot.loadQueries.map { try database.query($0) }
    }
}

enum Fixtures {
    static let transactions = DatasetDefinition(
        name: "sales.transactions", bucket: "okera-data", prefix: "sales/",
        columns: [
            ColumnDefinition(name: "id", type: .bigint),
            ColumnDefinition(name: "amount", type: .double),
            ColumnDefinition(name: "region", type: .string),
            ColumnDefinition(name: "card", type: .string),
            ColumnDefinition(name: "day", type: .date),
            ColumnDefinition(name: "refunded", type: .boolean),
        ],
        files: 3, rowsPerFile: 10)

    static let customers = DatasetDefinition(
        name: "sales.customers", bucket: "okera-data", prefix: "customers",
        columns: [ColumnDefinition(name: "id", type: .bigint), ColumnDefinition(name: "name", type: .string)],
        files: 1, rowsPerFile: 5)

    static let ledger = DatasetDefinition(
        name: "finance.ledger", bucket: "okera-finance", prefix: "",
        columns: [ColumnDefinition(name: "entry", type: .int), ColumnDefinition(name: "total", type: .double)],
        files: 2, rowsPerFile: 4)

    /// Databases sales and finance, three datasets, roles admin / analyst /
    /// auditor with groups admins / analysts / auditors; users alice (admins),
    /// bob (analysts), carol (auditors), dave (no group). No data grants
    /// except admin's ALL on the server.
    static func base() -> [CatalogChange] {
        [
            .createDatabase("sales"), .createDatabase("finance"),
            .createDataset(transactions), .createDataset(customers), .createDataset(ledger),
            .createRole("analyst"), .createRole("auditor"),
            .grantRoleToGroup(role: "analyst", group: "analysts"),
            .grantRoleToGroup(role: "auditor", group: "auditors"),
            .addUserToGroup(user: "bob", group: "analysts"),
            .addUserToGroup(user: "carol", group: "auditors"),
        ] + CatalogChange.bootstrapAdministrator(user: "alice", group: "admins", role: "admin")
    }

    static func catalog(_ extra: [CatalogChange] = []) throws -> TestCatalog {
        let catalog = try TestCatalog()
        try catalog.apply(base() + extra)
        return catalog
    }

    static func snapshot(_ extra: [CatalogChange] = []) throws -> CatalogSnapshot {
        try catalog(extra).snapshot()
    }

    static func select(_ role: String, _ scope: GrantScope) -> CatalogChange {
        .grant(Grant(role: role, privilege: .select, scope: scope))
    }
}
