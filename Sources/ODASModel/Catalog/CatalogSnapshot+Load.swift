extension CatalogSnapshot {
    /// The SELECTs that read the whole catalog, in the order
    /// ``init(rows:)`` expects their results. Each orders its rows by the
    /// table's primary key (BINARY collation), so the same catalog always
    /// gives the same rows.
    public static let loadQueries: [String] = [
        "SELECT version FROM odas_catalog_version ORDER BY id",
        "SELECT name FROM odas_databases ORDER BY name",
        "SELECT name, database_name, bucket, prefix, file_count, rows_per_file FROM odas_datasets ORDER BY name",
        "SELECT dataset, position, name, type FROM odas_columns ORDER BY dataset, position",
        "SELECT name FROM odas_roles ORDER BY name",
        "SELECT role, group_name FROM odas_role_groups ORDER BY role, group_name",
        "SELECT user_name, group_name FROM odas_user_groups ORDER BY user_name, group_name",
        """
        SELECT role, privilege, scope, database_name, dataset, column_name FROM odas_grants \
        ORDER BY role, privilege, scope, database_name, dataset, column_name
        """,
        "SELECT dataset, column_name, role, kind FROM odas_column_masks ORDER BY dataset, column_name, role",
        "SELECT dataset, role, predicate FROM odas_row_filters ORDER BY dataset, role",
    ]

    /// The table each of ``loadQueries`` reads.
    public static let loadTables = [
        "odas_catalog_version", "odas_databases", "odas_datasets", "odas_columns", "odas_roles",
        "odas_role_groups", "odas_user_groups", "odas_grants", "odas_column_masks", "odas_row_filters",
    ]

    /// How many columns each of ``loadQueries`` returns.
    public static let loadArity = [1, 1, 6, 4, 1, 2, 2, 6, 4, 3]

    /// All of ``loadQueries`` as one SELECT (UNION ALL), for a caller that
    /// can run only one statement per round trip (an Aurora reader, or one
    /// consistent read). Each row starts with the index of the query it
    /// belongs to, followed by that query's columns padded with NULLs to 6.
    /// Feed the result to ``init(combinedRows:)``.
    public static let combinedLoadQuery: String = {
        let width = loadArity.max() ?? 1
        let parts = loadQueries.enumerated().map { index, query -> String in
            // "SELECT a, b FROM t ORDER BY …" → "SELECT index, a, b, NULL… FROM t"
            let body = query.split(separator: " ORDER BY ", maxSplits: 1).first.map(String.init) ?? query
            let select = body.dropFirst("SELECT ".count)
            let padding = String(repeating: ", NULL", count: width - loadArity[index])
            let fromRange = select.firstRange(of: " FROM ")
            let columns = fromRange.map { String(select[..<$0.lowerBound]) } ?? String(select)
            let from = fromRange.map { String(select[$0.lowerBound...]) } ?? ""
            return "SELECT \(index), \(columns)\(padding)\(from)"
        }
        return parts.joined(separator: " UNION ALL ") + " ORDER BY " + (1...(width + 1)).map(String.init).joined(separator: ", ")
    }()

    /// A snapshot from the rows of ``combinedLoadQuery``.
    public init(combinedRows: [[String?]]) throws(CatalogError) {
        var split = [[[String?]]](repeating: [], count: Self.loadQueries.count)
        for (number, row) in combinedRows.enumerated() {
            guard let tag = row.first ?? nil, let index = Int(tag), split.indices.contains(index) else {
                throw .malformedSnapshot(query: -1, table: "combined load query", row: number,
                                         reason: "the first column must be a query index in 0..<\(Self.loadQueries.count), found \(String(describing: row.first ?? nil))")
            }
            let arity = Self.loadArity[index]
            guard row.count >= arity + 1 else {
                throw .malformedSnapshot(query: index, table: Self.loadTables[index], row: number,
                                         reason: "expected \(arity + 1) columns, found \(row.count)")
            }
            split[index].append(Array(row[1...arity]))
        }
        try self.init(rows: split)
    }

    /// A snapshot from the results of ``loadQueries``, in order. Rows that do
    /// not make a consistent catalog throw
    /// ``CatalogError/malformedSnapshot(query:table:row:reason:)``: a wrong
    /// number of results or columns, a NULL, a number that is not one, an
    /// unknown type/privilege/scope/kind, a reference to a missing dataset,
    /// database, role or column, column positions with gaps, a dataset
    /// without columns. A row filter whose predicate does not parse or fit
    /// its dataset does not fail the load: it is kept with its `problem` and
    /// makes scans by its role fail closed.
    public init(rows: [[[String?]]]) throws(CatalogError) {
        guard rows.count == Self.loadQueries.count else {
            throw .malformedSnapshot(query: rows.count, table: "all", row: nil,
                                     reason: "expected the results of \(Self.loadQueries.count) load queries, got \(rows.count)")
        }
        func reader(_ query: Int) throws(CatalogError) -> LoadReader {
            let reader = LoadReader(query: query, table: Self.loadTables[query], rows: rows[query])
            for (number, row) in rows[query].enumerated() where row.count != Self.loadArity[query] {
                throw reader.error(number, "expected \(Self.loadArity[query]) columns, found \(row.count)")
            }
            return reader
        }

        // Version.
        let versionRows = try reader(0)
        guard versionRows.rows.count == 1 else {
            throw .malformedSnapshot(query: 0, table: versionRows.table, row: nil,
                                     reason: "expected exactly one version row, found \(versionRows.rows.count) (was CatalogSchema.statements run?)")
        }
        let version = try versionRows.integer(0, 0, "version", in: 0...Int(Int64.max))

        // Databases.
        let databaseRows = try reader(1)
        var databases: [String] = []
        for number in databaseRows.rows.indices { databases.append(try databaseRows.text(number, 0, "name")) }
        let databaseSet = Set(databases)

        // Datasets and their columns.
        let datasetRows = try reader(2)
        var datasets: [DatasetDefinition] = []
        var datasetNumber: [String: Int] = [:]
        for number in datasetRows.rows.indices {
            let name = try datasetRows.text(number, 0, "name")
            let database = try datasetRows.text(number, 1, "database_name")
            guard databaseSet.contains(database) else { throw datasetRows.error(number, "dataset \(name) is in database \(database), which does not exist") }
            let dataset = DatasetDefinition(
                name: name, bucket: try datasetRows.text(number, 2, "bucket"), prefix: try datasetRows.text(number, 3, "prefix", allowEmpty: true),
                columns: [], files: try datasetRows.integer(number, 4, "file_count", in: 0...DatasetDefinition.maximumFiles),
                rowsPerFile: try datasetRows.integer(number, 5, "rows_per_file", in: 0...DatasetDefinition.maximumRowsPerFile))
            guard (try? CatalogNames.validateDataset(name)) != nil, dataset.database.utf8.elementsEqual(database.utf8) else {
                throw datasetRows.error(number, "dataset name \(name.debugDescription) is not \(database).<table>")
            }
            guard datasetNumber.updateValue(datasets.count, forKey: name) == nil else { throw datasetRows.error(number, "dataset \(name) appears twice") }
            datasets.append(dataset)
        }
        let columnRows = try reader(3)
        var positioned: [String: [(position: Int, column: ColumnDefinition, row: Int)]] = [:]
        for number in columnRows.rows.indices {
            let dataset = try columnRows.text(number, 0, "dataset")
            let position = try columnRows.integer(number, 1, "position", in: 0...(DatasetDefinition.maximumColumns - 1))
            let name = try columnRows.text(number, 2, "name")
            let typeText = try columnRows.text(number, 3, "type")
            guard let type = ColumnType(rawValue: typeText) else {
                throw columnRows.error(number, "type \(typeText.debugDescription) is not one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard datasetNumber[dataset] != nil else { throw columnRows.error(number, "column \(name) belongs to dataset \(dataset), which does not exist") }
            positioned[dataset, default: []].append((position, ColumnDefinition(name: name, type: type), number))
        }
        for index in datasets.indices {
            let entries = (positioned[datasets[index].name] ?? []).sorted { $0.position < $1.position }
            guard !entries.isEmpty else {
                throw .malformedSnapshot(query: 3, table: columnRows.table, row: nil, reason: "dataset \(datasets[index].name) has no columns")
            }
            var names: Set<String> = []
            for (expected, entry) in entries.enumerated() {
                guard entry.position == expected else {
                    throw columnRows.error(entry.row, "dataset \(datasets[index].name) has column position \(entry.position) where \(expected) was expected (positions are 0, 1, 2, … without gaps)")
                }
                guard names.insert(entry.column.name).inserted else {
                    throw columnRows.error(entry.row, "dataset \(datasets[index].name) has two columns named \(entry.column.name)")
                }
            }
            datasets[index].columns = entries.map(\.column)
        }

        // Roles and memberships.
        let roleRows = try reader(4)
        var roles: [String] = []
        for number in roleRows.rows.indices { roles.append(try roleRows.text(number, 0, "name")) }
        let roleSet = Set(roles)
        let roleGroupRows = try reader(5)
        var roleGroups: [RoleGroup] = []
        for number in roleGroupRows.rows.indices {
            let role = try roleGroupRows.text(number, 0, "role")
            guard roleSet.contains(role) else { throw roleGroupRows.error(number, "role \(role) does not exist") }
            roleGroups.append(RoleGroup(role: role, group: try roleGroupRows.text(number, 1, "group_name")))
        }
        let userGroupRows = try reader(6)
        var userGroups: [UserGroup] = []
        for number in userGroupRows.rows.indices {
            userGroups.append(UserGroup(user: try userGroupRows.text(number, 0, "user_name"),
                                        group: try userGroupRows.text(number, 1, "group_name")))
        }

        // Grants.
        let grantRows = try reader(7)
        var grants: [Grant] = []
        for number in grantRows.rows.indices {
            let role = try grantRows.text(number, 0, "role")
            guard roleSet.contains(role) else { throw grantRows.error(number, "role \(role) does not exist") }
            let privilegeText = try grantRows.text(number, 1, "privilege")
            guard let privilege = Privilege(rawValue: privilegeText) else {
                throw grantRows.error(number, "privilege \(privilegeText.debugDescription) is not SELECT or ALL")
            }
            let scopeText = try grantRows.text(number, 2, "scope")
            let database = try grantRows.text(number, 3, "database_name", allowEmpty: true)
            let dataset = try grantRows.text(number, 4, "dataset", allowEmpty: true)
            let column = try grantRows.text(number, 5, "column_name", allowEmpty: true)
            let scope: GrantScope
            switch (scopeText, database.isEmpty, dataset.isEmpty, column.isEmpty) {
            case ("server", true, true, true): scope = .server
            case ("database", false, true, true): scope = .database(database)
            case ("dataset", true, false, true): scope = .dataset(dataset)
            case ("column", true, false, false): scope = .column(dataset: dataset, column: column)
            default:
                throw grantRows.error(number, "scope \(scopeText.debugDescription) with database \(database.debugDescription), dataset \(dataset.debugDescription), column \(column.debugDescription) is not a valid grant scope")
            }
            grants.append(Grant(role: role, privilege: privilege, scope: scope))
        }

        // Masks.
        let maskRows = try reader(8)
        var masks: [ColumnMaskRule] = []
        for number in maskRows.rows.indices {
            let dataset = try maskRows.text(number, 0, "dataset")
            let column = try maskRows.text(number, 1, "column_name")
            let role = try maskRows.text(number, 2, "role", allowEmpty: true)
            let kindText = try maskRows.text(number, 3, "kind")
            guard let kind = MaskKind(rawValue: kindText) else {
                throw maskRows.error(number, "mask kind \(kindText.debugDescription) is not one of \(MaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let index = datasetNumber[dataset], datasets[index].position(of: column) != nil else {
                throw maskRows.error(number, "mask on \(dataset).\(column): no such dataset column")
            }
            guard role.isEmpty || roleSet.contains(role) else { throw maskRows.error(number, "role \(role) does not exist") }
            masks.append(ColumnMaskRule(dataset: dataset, column: column, role: role.isEmpty ? nil : role, kind: kind))
        }

        // Row filters.
        let filterRows = try reader(9)
        var filters: [RowFilterRule] = []
        for number in filterRows.rows.indices {
            let dataset = try filterRows.text(number, 0, "dataset")
            let role = try filterRows.text(number, 1, "role")
            let predicate = try filterRows.text(number, 2, "predicate", allowEmpty: true)
            guard let index = datasetNumber[dataset] else { throw filterRows.error(number, "row filter on \(dataset): no such dataset") }
            guard roleSet.contains(role) else { throw filterRows.error(number, "role \(role) does not exist") }
            var rule = RowFilterRule(dataset: dataset, role: role, predicate: predicate, bound: nil, problem: nil)
            do {
                rule.bound = try RowPredicate.parse(predicate).bind(to: datasets[index].columns, dataset: dataset)
            } catch {
                rule.problem = error
            }
            filters.append(rule)
        }

        self.init(version: version, databases: databases, datasets: datasets, roles: roles, roleGroups: roleGroups,
                  userGroups: userGroups, grants: grants, masks: masks, rowFilters: filters)
    }
}

/// Reads one load query's rows with errors that name the query, table, row and column.
struct LoadReader {
    let query: Int
    let table: String
    let rows: [[String?]]

    func error(_ row: Int, _ reason: String) -> CatalogError {
        .malformedSnapshot(query: query, table: table, row: row, reason: reason)
    }

    func text(_ row: Int, _ column: Int, _ name: String, allowEmpty: Bool = false) throws(CatalogError) -> String {
        guard let value = rows[row][column] else { throw error(row, "\(name) is NULL") }
        if value.isEmpty && !allowEmpty { throw error(row, "\(name) is empty") }
        return value
    }

    func integer(_ row: Int, _ column: Int, _ name: String, in range: ClosedRange<Int>) throws(CatalogError) -> Int {
        let value = try text(row, column, name)
        guard let number = Int(value), range.contains(number) else {
            throw error(row, "\(name) \(value.debugDescription) is not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
