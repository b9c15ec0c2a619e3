/// A privilege a grant gives. `ALL` includes `SELECT`.
public enum Privilege: String, Sendable, Hashable, CaseIterable, Codable {
    /// Read the covered data.
    case select = "SELECT"
    /// Everything: read, and (on the server) change the catalog.
    case all = "ALL"

    /// Whether this privilege includes `other` (`ALL` includes `SELECT`).
    public func includes(_ other: Privilege) -> Bool { self == .all || self == other }
}

/// What a grant covers, from widest to narrowest (Sentry's hierarchy:
/// server ⊃ database ⊃ table ⊃ column).
public enum GrantScope: Sendable, Hashable, CustomStringConvertible {
    /// Every database and dataset.
    case server
    /// Every dataset in the database.
    case database(String)
    /// Every column of the dataset (`database.table`).
    case dataset(String)
    /// One column of a dataset.
    case column(dataset: String, column: String)

    /// The scope's name as stored in `odas_grants.scope`.
    public var kind: String {
        switch self {
        case .server: return "server"
        case .database: return "database"
        case .dataset: return "dataset"
        case .column: return "column"
        }
    }

    /// `server`, `database sales`, `dataset sales.t`, `column sales.t.amount`.
    public var description: String {
        switch self {
        case .server: return "server"
        case .database(let name): return "database \(name)"
        case .dataset(let name): return "dataset \(name)"
        case .column(let dataset, let column): return "column \(dataset).\(column)"
        }
    }

    /// Whether this scope covers the whole of dataset `dataset` (in database `database`).
    public func coversWholeDataset(_ dataset: String, database: String) -> Bool {
        switch self {
        case .server: return true
        case .database(let name): return name.utf8.elementsEqual(database.utf8)
        case .dataset(let name): return name.utf8.elementsEqual(dataset.utf8)
        case .column: return false
        }
    }
}

/// A privilege on a scope, given to a role (`GRANT SELECT ON TABLE sales.t TO ROLE analyst`).
public struct Grant: Sendable, Hashable, CustomStringConvertible {
    /// The role holding the privilege.
    public var role: String
    /// `SELECT` or `ALL`.
    public var privilege: Privilege
    /// What it covers.
    public var scope: GrantScope

    /// A grant of `privilege` on `scope` to `role`.
    public init(role: String, privilege: Privilege, scope: GrantScope) {
        self.role = role
        self.privilege = privilege
        self.scope = scope
    }

    /// `SELECT on dataset sales.t to role analyst`.
    public var description: String { "\(privilege.rawValue) on \(scope) to role \(role)" }

    /// Checks the role's and objects' names.
    public func validate() throws(CatalogError) {
        try CatalogNames.validate(role, field: "role name")
        switch scope {
        case .server: break
        case .database(let name): try CatalogNames.validateDatabase(name)
        case .dataset(let name): try CatalogNames.validateDataset(name)
        case .column(let dataset, let column):
            try CatalogNames.validateDataset(dataset)
            try CatalogNames.validate(column, field: "column name")
        }
    }

    /// The stored columns `(scope, database_name, dataset, column_name)`;
    /// parts that do not apply are empty strings, never NULL (SQLite sessions
    /// ignore rows with a NULL in the primary key, so they would not replicate).
    var storedScope: (scope: String, database: String, dataset: String, column: String) {
        switch scope {
        case .server: return ("server", "", "", "")
        case .database(let name): return ("database", name, "", "")
        case .dataset(let name): return ("dataset", "", name, "")
        case .column(let dataset, let column): return ("column", "", dataset, column)
        }
    }
}
