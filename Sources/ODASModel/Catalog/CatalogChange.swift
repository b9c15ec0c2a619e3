/// One change to the catalog, written as one SQL transaction on the catalog
/// database (``statements()``).
///
/// What the SQL does, and what fails:
/// - `createDatabase`, `createDataset`, `createRole` insert; creating what
///   exists fails (`UNIQUE constraint failed`), as Hive's CREATE does.
///   `createDataset` needs its database (`NOT NULL constraint failed:
///   odas_datasets.database_name` otherwise).
/// - `grantRoleToGroup`, `grant`, `setColumnMask`, `setRowFilter` need their
///   role (and, for masks and filters, the dataset and column) to exist —
///   the statement selects the referenced row, and a missing one becomes a
///   NULL that a NOT NULL column refuses. Grants on datasets or columns need
///   not exist yet (Sentry allows granting on an object before it exists).
///   Granting what is granted, or adding a member twice, changes nothing.
/// - `revoke`, `clearRowFilter`, `clearColumnMask`, `dropDataset` delete;
///   deleting what does not exist is not an error (it changes nothing but
///   the version).
/// - `dropDataset` also deletes the dataset's columns, masks, row filters and
///   its dataset- and column-level grants (Sentry's behaviour when the
///   metastore drops a table), so a later dataset of the same name starts
///   with no access.
///
/// Every transaction ends by bumping the singleton version and selecting it:
/// the rows of the last statement (what `RDSService.execute` returns) are
/// `[[version]]`, the catalog version this change produced.
public enum CatalogChange: Sendable, Hashable {
    /// `CREATE DATABASE name`.
    case createDatabase(String)
    /// `CREATE TABLE` for a dataset: its location and schema.
    case createDataset(DatasetDefinition)
    /// `DROP TABLE IF EXISTS name`, with its policies.
    case dropDataset(String)
    /// `CREATE ROLE name`.
    case createRole(String)
    /// `GRANT ROLE role TO GROUP group`.
    case grantRoleToGroup(role: String, group: String)
    /// Puts `user` in `group` (in Okera this comes from the identity
    /// provider; the simulation stores it with the catalog).
    case addUserToGroup(user: String, group: String)
    /// `GRANT privilege ON scope TO ROLE role`.
    case grant(Grant)
    /// `REVOKE privilege ON scope FROM ROLE role` (exactly that grant).
    case revoke(Grant)
    /// Masks `column` of `dataset` with `kind`, for holders of `role`, or for
    /// everyone who is not a database or server admin when `role` is nil.
    /// Replaces the kind of an existing mask for the same (dataset, column, role).
    case setColumnMask(dataset: String, column: String, role: String?, kind: MaskKind)
    /// Removes the mask for (dataset, column, role).
    case clearColumnMask(dataset: String, column: String, role: String?)
    /// Sets the row filter of `role` on `dataset` (replacing any). The
    /// predicate must parse (``RowPredicate``); it is checked against the
    /// schema when a snapshot loads it.
    case setRowFilter(dataset: String, role: String, predicate: String)
    /// Removes the row filter of `role` on `dataset`.
    case clearRowFilter(dataset: String, role: String)

    /// The statement every change ends with, before ``versionQuery``.
    public static let bumpVersion = "UPDATE odas_catalog_version SET version = version + 1 WHERE id = 1"
    /// The last statement of every change: its rows are `[[version]]`.
    public static let versionQuery = "SELECT version FROM odas_catalog_version WHERE id = 1"

    /// A short description for traces and reports (`grant SELECT on dataset
    /// sales.t to role analyst`).
    public var summary: String {
        switch self {
        case .createDatabase(let name): return "create database \(name)"
        case .createDataset(let dataset): return "create dataset \(dataset.name)"
        case .dropDataset(let name): return "drop dataset \(name)"
        case .createRole(let name): return "create role \(name)"
        case .grantRoleToGroup(let role, let group): return "grant role \(role) to group \(group)"
        case .addUserToGroup(let user, let group): return "add user \(user) to group \(group)"
        case .grant(let grant): return "grant \(grant)"
        case .revoke(let grant): return "revoke \(grant.privilege.rawValue) on \(grant.scope) from role \(grant.role)"
        case .setColumnMask(let dataset, let column, let role, let kind):
            return "mask \(dataset).\(column) with \(kind.rawValue) for \(role.map { "role \($0)" } ?? "everyone")"
        case .clearColumnMask(let dataset, let column, let role):
            return "unmask \(dataset).\(column) for \(role.map { "role \($0)" } ?? "everyone")"
        case .setRowFilter(let dataset, let role, let predicate):
            return "filter \(dataset) for role \(role) by \(predicate)"
        case .clearRowFilter(let dataset, let role): return "clear the row filter of role \(role) on \(dataset)"
        }
    }

    /// The SQL of this change, to run as one transaction. Deterministic: the
    /// same change always gives the same statements. Every value is a quoted
    /// literal (``CatalogNames/sqlLiteral(_:)``); invalid names and
    /// predicates throw before any SQL is produced.
    public func statements() throws(CatalogError) -> [String] {
        let q = CatalogNames.sqlLiteral
        func existingRole(_ role: String) -> String { "(SELECT name FROM odas_roles WHERE name = \(q(role)))" }
        var sql: [String]
        switch self {
        case .createDatabase(let name):
            try CatalogNames.validateDatabase(name)
            sql = ["INSERT INTO odas_databases (name) VALUES (\(q(name)))"]

        case .createDataset(let dataset):
            try dataset.validate()
            let database = "(SELECT name FROM odas_databases WHERE name = \(q(dataset.database)))"
            sql = ["""
                INSERT INTO odas_datasets (name, database_name, bucket, prefix, file_count, rows_per_file) \
                VALUES (\(q(dataset.name)), \(database), \(q(dataset.bucket)), \(q(dataset.prefix)), \
                \(dataset.files), \(dataset.rowsPerFile))
                """]
            for (position, column) in dataset.columns.enumerated() {
                sql.append("INSERT INTO odas_columns (dataset, position, name, type) VALUES " +
                           "(\(q(dataset.name)), \(position), \(q(column.name)), \(q(column.type.rawValue)))")
            }

        case .dropDataset(let name):
            try CatalogNames.validateDataset(name)
            sql = [
                "DELETE FROM odas_columns WHERE dataset = \(q(name))",
                "DELETE FROM odas_column_masks WHERE dataset = \(q(name))",
                "DELETE FROM odas_row_filters WHERE dataset = \(q(name))",
                "DELETE FROM odas_grants WHERE scope IN ('dataset', 'column') AND dataset = \(q(name))",
                "DELETE FROM odas_datasets WHERE name = \(q(name))",
            ]

        case .createRole(let name):
            try CatalogNames.validate(name, field: "role name")
            sql = ["INSERT INTO odas_roles (name) VALUES (\(q(name)))"]

        case .grantRoleToGroup(let role, let group):
            try CatalogNames.validate(role, field: "role name")
            try CatalogNames.validate(group, field: "group name")
            sql = ["INSERT INTO odas_role_groups (role, group_name) VALUES (\(existingRole(role)), \(q(group))) ON CONFLICT DO NOTHING"]

        case .addUserToGroup(let user, let group):
            try CatalogNames.validate(user, field: "user name")
            try CatalogNames.validate(group, field: "group name")
            sql = ["INSERT INTO odas_user_groups (user_name, group_name) VALUES (\(q(user)), \(q(group))) ON CONFLICT DO NOTHING"]

        case .grant(let grant):
            try grant.validate()
            let s = grant.storedScope
            sql = ["""
                INSERT INTO odas_grants (role, privilege, scope, database_name, dataset, column_name) \
                VALUES (\(existingRole(grant.role)), \(q(grant.privilege.rawValue)), \(q(s.scope)), \
                \(q(s.database)), \(q(s.dataset)), \(q(s.column))) ON CONFLICT DO NOTHING
                """]

        case .revoke(let grant):
            try grant.validate()
            let s = grant.storedScope
            sql = ["""
                DELETE FROM odas_grants WHERE role = \(q(grant.role)) AND privilege = \(q(grant.privilege.rawValue)) \
                AND scope = \(q(s.scope)) AND database_name = \(q(s.database)) AND dataset = \(q(s.dataset)) \
                AND column_name = \(q(s.column))
                """]

        case .setColumnMask(let dataset, let column, let role, let kind):
            try Self.validateMaskTarget(dataset: dataset, column: column, role: role)
            let existing = "FROM odas_columns WHERE dataset = \(q(dataset)) AND name = \(q(column))"
            sql = ["""
                INSERT INTO odas_column_masks (dataset, column_name, role, kind) \
                VALUES ((SELECT dataset \(existing)), (SELECT name \(existing)), \
                \(role.map(existingRole) ?? "''"), \(q(kind.rawValue))) \
                ON CONFLICT (dataset, column_name, role) DO UPDATE SET kind = excluded.kind
                """]

        case .clearColumnMask(let dataset, let column, let role):
            try Self.validateMaskTarget(dataset: dataset, column: column, role: role)
            sql = ["DELETE FROM odas_column_masks WHERE dataset = \(q(dataset)) AND column_name = \(q(column)) AND role = \(q(role ?? ""))"]

        case .setRowFilter(let dataset, let role, let predicate):
            try CatalogNames.validateDataset(dataset)
            try CatalogNames.validate(role, field: "role name")
            _ = try RowPredicate.parse(predicate)
            sql = ["""
                INSERT INTO odas_row_filters (dataset, role, predicate) \
                VALUES ((SELECT name FROM odas_datasets WHERE name = \(q(dataset))), \(existingRole(role)), \(q(predicate))) \
                ON CONFLICT (dataset, role) DO UPDATE SET predicate = excluded.predicate
                """]

        case .clearRowFilter(let dataset, let role):
            try CatalogNames.validateDataset(dataset)
            try CatalogNames.validate(role, field: "role name")
            sql = ["DELETE FROM odas_row_filters WHERE dataset = \(q(dataset)) AND role = \(q(role))"]
        }
        return sql + [Self.bumpVersion, Self.versionQuery]
    }

    static func validateMaskTarget(dataset: String, column: String, role: String?) throws(CatalogError) {
        try CatalogNames.validateDataset(dataset)
        try CatalogNames.validate(column, field: "column name")
        if let role { try CatalogNames.validate(role, field: "role name") }
    }

    /// The changes that make `user` a catalog administrator: role `role`
    /// with `ALL` on the server, granted to `group`, with `user` in it. A
    /// fresh catalog has no administrator, so these are written without
    /// ``CatalogSnapshot/authorizeChange(user:change:)`` (scenario setup).
    public static func bootstrapAdministrator(user: String, group: String, role: String) -> [CatalogChange] {
        [
            .createRole(role),
            .grant(Grant(role: role, privilege: .all, scope: .server)),
            .grantRoleToGroup(role: role, group: group),
            .addUserToGroup(user: user, group: group),
        ]
    }
}
