/// The catalog's tables in the catalog database (a real SQLite database in
/// the RDS fake), all prefixed `odas_`.
///
/// Every table has a PRIMARY KEY (replication through SQLite sessions needs
/// one) and no key column is ever NULL: parts of a key that do not apply are
/// stored as `''` (SQLite sessions skip rows with a NULL key, so they would
/// silently not replicate). CHECK constraints keep enumerations to their
/// values. References between tables are checked when a change is written
/// (see ``CatalogChange/statements()``), not by foreign keys, which replicas
/// applying changesets would have to re-check in the primary's order.
///
/// The statements are idempotent (`IF NOT EXISTS`, `INSERT OR IGNORE` of the
/// version row): a restarted catalog service may run them again.
public enum CatalogSchema {
    /// Table names, in the order ``statements`` creates them.
    public static let tables = [
        "odas_catalog_version", "odas_databases", "odas_datasets", "odas_columns", "odas_roles",
        "odas_role_groups", "odas_user_groups", "odas_grants", "odas_column_masks", "odas_row_filters",
    ]

    /// The schema, to run as one transaction on an empty (or already
    /// initialised) catalog database. The last statement creates the
    /// singleton version row at version 0.
    public static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS odas_catalog_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL CHECK (version >= 0))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_databases (
            name TEXT NOT NULL PRIMARY KEY)
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_datasets (
            name TEXT NOT NULL PRIMARY KEY,
            database_name TEXT NOT NULL,
            bucket TEXT NOT NULL,
            prefix TEXT NOT NULL,
            file_count INTEGER NOT NULL CHECK (file_count >= 0),
            rows_per_file INTEGER NOT NULL CHECK (rows_per_file >= 0))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_columns (
            dataset TEXT NOT NULL,
            position INTEGER NOT NULL CHECK (position >= 0),
            name TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('bigint', 'int', 'double', 'string', 'date', 'boolean')),
            PRIMARY KEY (dataset, position),
            UNIQUE (dataset, name))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_roles (
            name TEXT NOT NULL PRIMARY KEY)
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_role_groups (
            role TEXT NOT NULL,
            group_name TEXT NOT NULL,
            PRIMARY KEY (role, group_name))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_user_groups (
            user_name TEXT NOT NULL,
            group_name TEXT NOT NULL,
            PRIMARY KEY (user_name, group_name))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_grants (
            role TEXT NOT NULL,
            privilege TEXT NOT NULL CHECK (privilege IN ('SELECT', 'ALL')),
            scope TEXT NOT NULL CHECK (scope IN ('server', 'database', 'dataset', 'column')),
            database_name TEXT NOT NULL,
            dataset TEXT NOT NULL,
            column_name TEXT NOT NULL,
            PRIMARY KEY (role, privilege, scope, database_name, dataset, column_name),
            CHECK ((scope = 'server' AND database_name = '' AND dataset = '' AND column_name = '')
                OR (scope = 'database' AND database_name <> '' AND dataset = '' AND column_name = '')
                OR (scope = 'dataset' AND database_name = '' AND dataset <> '' AND column_name = '')
                OR (scope = 'column' AND database_name = '' AND dataset <> '' AND column_name <> '')))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_column_masks (
            dataset TEXT NOT NULL,
            column_name TEXT NOT NULL,
            role TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('null', 'hash', 'tokenize', 'redact')),
            PRIMARY KEY (dataset, column_name, role))
        """,
        """
        CREATE TABLE IF NOT EXISTS odas_row_filters (
            dataset TEXT NOT NULL,
            role TEXT NOT NULL,
            predicate TEXT NOT NULL,
            PRIMARY KEY (dataset, role))
        """,
        "INSERT OR IGNORE INTO odas_catalog_version (id, version) VALUES (1, 0)",
    ]
}
