extension CatalogSnapshot {
    /// Decides whether `user` may scan `dataset`, and what they see.
    ///
    /// - Access: the user's roles are the roles of their groups. A grant of
    ///   `SELECT` or `ALL` on the server, on the dataset's database or on the
    ///   dataset makes every column visible; otherwise only the columns named
    ///   by column grants are (in schema order). Grants are additive (the
    ///   union over roles, as in Sentry). No visible column → denied.
    /// - Masks are restrictions layered on the access, never a grant: a mask
    ///   without a role applies to every user who is not an administrator
    ///   of the dataset (`ALL` on the server or on its database); a mask with
    ///   a role applies to every holder of that role, administrators included.
    ///   When several apply to one column, the strictest wins
    ///   (null > redact > hash > tokenize).
    /// - Row filters are restrictions too: every filter of every role the
    ///   user holds on this dataset must pass (conjunction). A filter whose
    ///   predicate is unusable denies the scan (fail closed).
    ///
    /// docs/catalog.md gives the reasoning and examples.
    public func authorizeScan(user: String, dataset name: String) -> ScanAuthorization {
        let groups = groups(of: user)
        let who = "user \(user) (groups: \(groups.isEmpty ? "none" : groups.joined(separator: ", ")))"
        guard let dataset = dataset(named: name) else {
            return .denied(reason: "\(who) cannot scan \(name): no such dataset")
        }
        let roles = roles(of: user)
        let heldRoles = Set(roles)
        let database = dataset.database
        var wholeDataset = false
        var administrator = false
        var grantedColumns: Set<String> = []
        for role in roles {
            for grant in grants(of: role) {
                if grant.scope.coversWholeDataset(name, database: database) { wholeDataset = true }
                if grant.privilege == .all {
                    switch grant.scope {
                    case .server: administrator = true
                    case .database(let db) where db.utf8.elementsEqual(database.utf8): administrator = true
                    default: break
                    }
                }
                if case .column(let grantDataset, let column) = grant.scope, grantDataset.utf8.elementsEqual(name.utf8) {
                    grantedColumns.insert(column)
                }
            }
        }
        let visible = dataset.columns.enumerated().filter { wholeDataset || grantedColumns.contains($0.element.name) }
        guard !visible.isEmpty else {
            return .denied(reason: "\(who) has no SELECT on \(name) or any of its columns")
        }

        let masks = masks(on: name)
        let columns = visible.map { position, column -> VisibleColumn in
            let applicable = masks.filter { mask in
                guard mask.column.utf8.elementsEqual(column.name.utf8) else { return false }
                if let role = mask.role { return heldRoles.contains(role) }
                return !administrator
            }
            return VisibleColumn(position: position, column: column, mask: MaskKind.strictest(applicable.map(\.kind)))
        }

        var filters: [BoundRowPredicate] = []
        for rule in rowFilters(on: name) where heldRoles.contains(rule.role) {
            guard let bound = rule.bound else {
                let problem = rule.problem.map { "\($0)" } ?? "unusable"
                return .denied(reason: "\(who) cannot scan \(name): the row filter of role \(rule.role) is unusable (\(problem)); denying rather than returning unfiltered rows")
            }
            filters.append(bound)
        }
        return .allowed(AuthorizedScan(user: user, groups: groups, roles: roles, dataset: dataset, columns: columns,
                                       rowFilters: filters, catalogVersion: version))
    }

    /// Whether `user` may make `change`: only holders of `ALL` on the server
    /// (catalog administrators) may change the catalog, whatever the change.
    /// (Okera also lets database owners create objects in their database;
    /// the simulation keeps one administrator level.)
    public func authorizeChange(user: String, change: CatalogChange) -> Bool {
        isAdministrator(user)
    }

    /// Whether `user` holds `ALL` on the server through one of their roles.
    public func isAdministrator(_ user: String) -> Bool {
        grants(ofUser: user).contains { $0.privilege == .all && $0.scope == .server }
    }

    /// The datasets `user` may scan (some column visible), sorted by name:
    /// what the REST server's dataset list shows.
    public func datasets(visibleTo user: String) -> [DatasetDefinition] {
        datasets.filter { authorizeScan(user: user, dataset: $0.name).allowed != nil }
    }
}
