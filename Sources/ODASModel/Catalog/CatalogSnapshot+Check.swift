extension CatalogSnapshot {
    /// Checks `change` against this snapshot before it is written, for an
    /// error that says what is wrong (the SQL would fail with a constraint
    /// name, or — for a row filter naming an unknown column — succeed and
    /// then deny scans). Checks names (``CatalogChange/statements()``),
    /// that what a change creates does not exist, that what it references
    /// does, and that a row filter's predicate fits its dataset's schema.
    ///
    /// The database is the authority: a snapshot may be stale, so a change
    /// that passes here can still fail in SQL (and one that fails here might
    /// have succeeded on a newer catalog).
    public func check(_ change: CatalogChange) throws(CatalogError) {
        _ = try change.statements()
        func requireRole(_ role: String) throws(CatalogError) {
            guard roles.contains(where: { $0.utf8.elementsEqual(role.utf8) }) else {
                throw .invalidDefinition(field: "role", reason: "role \(role) does not exist (roles: \(list(roles)))")
            }
        }
        func requireDataset(_ name: String) throws(CatalogError) -> DatasetDefinition {
            guard let dataset = dataset(named: name) else {
                throw .invalidDefinition(field: "dataset", reason: "dataset \(name) does not exist")
            }
            return dataset
        }
        switch change {
        case .createDatabase(let name):
            if databases.contains(where: { $0.utf8.elementsEqual(name.utf8) }) {
                throw .invalidDefinition(field: "database", reason: "database \(name) already exists")
            }
        case .createDataset(let dataset):
            guard databases.contains(where: { $0.utf8.elementsEqual(dataset.database.utf8) }) else {
                throw .invalidDefinition(field: "database", reason: "database \(dataset.database) does not exist (databases: \(list(databases)))")
            }
            if self.dataset(named: dataset.name) != nil {
                throw .invalidDefinition(field: "dataset", reason: "dataset \(dataset.name) already exists")
            }
        case .createRole(let name):
            if roles.contains(where: { $0.utf8.elementsEqual(name.utf8) }) {
                throw .invalidDefinition(field: "role", reason: "role \(name) already exists")
            }
        case .grantRoleToGroup(let role, _):
            try requireRole(role)
        case .grant(let grant):
            try requireRole(grant.role)
        case .setColumnMask(let dataset, let column, let role, _), .clearColumnMask(let dataset, let column, let role):
            let definition = try requireDataset(dataset)
            guard definition.position(of: column) != nil else {
                throw .invalidDefinition(field: "column", reason: "dataset \(dataset) has no column \(column) (columns: \(list(definition.columns.map(\.name))))")
            }
            if let role { try requireRole(role) }
        case .setRowFilter(let dataset, let role, let predicate):
            let definition = try requireDataset(dataset)
            try requireRole(role)
            _ = try RowPredicate.parse(predicate).bind(to: definition.columns, dataset: dataset)
        case .dropDataset, .addUserToGroup, .revoke, .clearRowFilter:
            break
        }
    }

    func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
}
