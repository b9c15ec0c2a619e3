@testable import ODASModel
import Testing

@Suite struct GrantTests {
    let dataset = "sales.transactions"

    func visible(_ snapshot: CatalogSnapshot, _ user: String, _ dataset: String = "sales.transactions") -> [String]? {
        snapshot.authorizeScan(user: user, dataset: dataset).allowed?.columns.map(\.column.name)
    }

    @Test func columnGrantsExposeOnlyThoseColumnsInSchemaOrder() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .column(dataset: dataset, column: "region")),
            Fixtures.select("analyst", .column(dataset: dataset, column: "id")),
            Fixtures.select("analyst", .column(dataset: dataset, column: "amount")),
        ])
        #expect(visible(snapshot, "bob") == ["id", "amount", "region"])
        #expect(visible(snapshot, "bob", "sales.customers") == nil)
    }

    @Test func aColumnGrantOnAnotherDatasetGivesNothingHere() throws {
        let snapshot = try Fixtures.snapshot([Fixtures.select("analyst", .column(dataset: "sales.customers", column: "id"))])
        #expect(visible(snapshot, "bob") == nil)
        #expect(visible(snapshot, "bob", "sales.customers") == ["id"])
    }

    @Test func aDatasetGrantExposesAllColumns() throws {
        let snapshot = try Fixtures.snapshot([Fixtures.select("analyst", .dataset(dataset))])
        #expect(visible(snapshot, "bob") == ["id", "amount", "region", "card", "day", "refunded"])
    }

    @Test func aDatabaseGrantCoversItsDatasetsOnly() throws {
        let snapshot = try Fixtures.snapshot([Fixtures.select("analyst", .database("sales"))])
        #expect(visible(snapshot, "bob")?.count == 6)
        #expect(visible(snapshot, "bob", "sales.customers") == ["id", "name"])
        #expect(visible(snapshot, "bob", "finance.ledger") == nil)
        #expect(snapshot.datasets(visibleTo: "bob").map(\.name) == ["sales.customers", "sales.transactions"])
    }

    @Test func serverAllIsAnAdministratorWhoSeesEverythingAndMayChangeTheCatalog() throws {
        let snapshot = try Fixtures.snapshot()
        #expect(snapshot.datasets(visibleTo: "alice").count == 3)
        #expect(visible(snapshot, "alice", "finance.ledger") == ["entry", "total"])
        #expect(snapshot.authorizeChange(user: "alice", change: .createRole("x")))
        #expect(!snapshot.authorizeChange(user: "bob", change: .createRole("x")))
    }

    @Test func onlyAllOnTheServerMayChangeTheCatalog() throws {
        let snapshot = try Fixtures.snapshot([
            .grant(Grant(role: "analyst", privilege: .all, scope: .database("sales"))),
            .grant(Grant(role: "auditor", privilege: .select, scope: .server)),
        ])
        let change = CatalogChange.createDataset(Fixtures.customers)
        #expect(!snapshot.authorizeChange(user: "bob", change: change))
        #expect(!snapshot.authorizeChange(user: "carol", change: change))
        #expect(snapshot.authorizeChange(user: "alice", change: change))
        #expect(!CatalogSnapshot.empty.authorizeChange(user: "alice", change: change))
    }

    @Test func aUserWithoutGrantsIsDeniedWithAReasonNamingUserGroupsAndDataset() throws {
        let snapshot = try Fixtures.snapshot()
        #expect(snapshot.authorizeScan(user: "bob", dataset: dataset)
            == .denied(reason: "user bob (groups: analysts) has no SELECT on sales.transactions or any of its columns"))
        #expect(snapshot.authorizeScan(user: "dave", dataset: dataset)
            == .denied(reason: "user dave (groups: none) has no SELECT on sales.transactions or any of its columns"))
        #expect(snapshot.authorizeScan(user: "bob", dataset: "sales.nope")
            == .denied(reason: "user bob (groups: analysts) cannot scan sales.nope: no such dataset"))
    }

    @Test func revokeRemovesAccess() throws {
        let grant = Grant(role: "analyst", privilege: .select, scope: .dataset(dataset))
        let catalog = try Fixtures.catalog([.grant(grant)])
        #expect(visible(try catalog.snapshot(), "bob")?.count == 6)
        try catalog.apply([.revoke(grant)])
        let snapshot = try catalog.snapshot()
        #expect(snapshot.authorizeScan(user: "bob", dataset: dataset).deniedReason
            == "user bob (groups: analysts) has no SELECT on sales.transactions or any of its columns")
    }

    @Test func revokingOneGrantKeepsAccessFromAnother() throws {
        let columnGrant = Grant(role: "analyst", privilege: .select, scope: .column(dataset: dataset, column: "id"))
        let catalog = try Fixtures.catalog([.grant(columnGrant), Fixtures.select("analyst", .database("sales"))])
        try catalog.apply([.revoke(columnGrant)])
        #expect(visible(try catalog.snapshot(), "bob")?.count == 6)
        try catalog.apply([.revoke(Grant(role: "analyst", privilege: .select, scope: .database("sales")))])
        #expect(visible(try catalog.snapshot(), "bob") == nil)
    }

    @Test func grantsOfSeveralRolesAdd() throws {
        let snapshot = try Fixtures.snapshot([
            .addUserToGroup(user: "bob", group: "auditors"),
            Fixtures.select("analyst", .column(dataset: dataset, column: "amount")),
            Fixtures.select("auditor", .column(dataset: dataset, column: "card")),
        ])
        #expect(visible(snapshot, "bob") == ["amount", "card"])
        #expect(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed?.roles == ["analyst", "auditor"])
    }

    @Test func theDecisionCarriesTheCatalogVersion() throws {
        let snapshot = try Fixtures.snapshot([Fixtures.select("analyst", .dataset(dataset))])
        #expect(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed?.catalogVersion == snapshot.version)
    }
}

@Suite struct MaskSemanticsTests {
    let dataset = "sales.transactions"

    func masks(_ snapshot: CatalogSnapshot, _ user: String) -> [String: MaskKind] {
        var result: [String: MaskKind] = [:]
        for column in snapshot.authorizeScan(user: user, dataset: dataset).allowed?.columns ?? [] {
            if let mask = column.mask { result[column.column.name] = mask }
        }
        return result
    }

    @Test func aMaskWithoutRoleAppliesToEveryoneButDatabaseAndServerAdministrators() throws {
        let snapshot = try Fixtures.snapshot([
            .createRole("owner"), .grantRoleToGroup(role: "owner", group: "owners"),
            .createRole("dba"), .grantRoleToGroup(role: "dba", group: "dbas"),
            .addUserToGroup(user: "olga", group: "owners"), .addUserToGroup(user: "dan", group: "dbas"),
            Fixtures.select("analyst", .dataset(dataset)),
            .grant(Grant(role: "owner", privilege: .all, scope: .dataset(dataset))),
            .grant(Grant(role: "dba", privilege: .all, scope: .database("sales"))),
            .setColumnMask(dataset: dataset, column: "card", role: nil, kind: .redact),
        ])
        #expect(masks(snapshot, "bob") == ["card": .redact])
        #expect(masks(snapshot, "olga") == ["card": .redact]) // ALL on the dataset is not an administrator
        #expect(masks(snapshot, "dan") == [:])                 // ALL on the database is
        #expect(masks(snapshot, "alice") == [:])               // ALL on the server is
    }

    @Test func aMaskWithARoleAppliesToHoldersOfThatRoleOnly() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .dataset(dataset)),
            Fixtures.select("auditor", .dataset(dataset)),
            .setColumnMask(dataset: dataset, column: "card", role: "auditor", kind: .hash),
        ])
        #expect(masks(snapshot, "carol") == ["card": .hash])
        #expect(masks(snapshot, "bob") == [:])
    }

    @Test func aRoleMaskAppliesToAnAdministratorWhoHoldsTheRole() throws {
        let snapshot = try Fixtures.snapshot([
            .addUserToGroup(user: "alice", group: "auditors"),
            .setColumnMask(dataset: dataset, column: "card", role: "auditor", kind: .tokenize),
        ])
        #expect(masks(snapshot, "alice") == ["card": .tokenize])
    }

    @Test func theStrictestOfSeveralMasksWins() throws {
        let snapshot = try Fixtures.snapshot([
            .addUserToGroup(user: "bob", group: "auditors"),
            Fixtures.select("analyst", .dataset(dataset)),
            .setColumnMask(dataset: dataset, column: "card", role: nil, kind: .redact),
            .setColumnMask(dataset: dataset, column: "card", role: "auditor", kind: .hash),
            .setColumnMask(dataset: dataset, column: "region", role: "analyst", kind: .tokenize),
            .setColumnMask(dataset: dataset, column: "region", role: "auditor", kind: .null),
            .setColumnMask(dataset: dataset, column: "amount", role: "auditor", kind: .hash),
        ])
        #expect(masks(snapshot, "bob") == ["card": .redact, "region": .null, "amount": .hash])
        #expect(MaskKind.strictest([.tokenize, .hash, .redact]) == .redact)
        #expect(MaskKind.allCases.sorted() == [.null, .redact, .hash, .tokenize])
    }

    @Test func aMaskNeverGrantsAccess() throws {
        let snapshot = try Fixtures.snapshot([
            .setColumnMask(dataset: dataset, column: "card", role: "auditor", kind: .hash),
        ])
        #expect(snapshot.authorizeScan(user: "carol", dataset: dataset).allowed == nil)
    }

    @Test func aMaskOnAnInvisibleColumnChangesNothing() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .column(dataset: dataset, column: "id")),
            .setColumnMask(dataset: dataset, column: "card", role: nil, kind: .null),
        ])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        #expect(scan.columns == [VisibleColumn(position: 0, column: ColumnDefinition(name: "id", type: .bigint), mask: nil)])
    }
}

@Suite struct RowFilterSemanticsTests {
    let dataset = "sales.transactions"

    @Test func theFiltersOfAllTheUsersRolesApplyTogether() throws {
        let snapshot = try Fixtures.snapshot([
            .addUserToGroup(user: "bob", group: "auditors"),
            Fixtures.select("analyst", .dataset(dataset)),
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "amount > 100"),
            .setRowFilter(dataset: dataset, role: "auditor", predicate: "refunded = false"),
            .setRowFilter(dataset: dataset, role: "admin", predicate: "id = 1"),
        ])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        #expect(scan.rowFilters.map(\.description) == ["amount > 100", "refunded = false"])
        func row(_ amount: Double, _ refunded: Bool) -> Row {
            Row([.bigint(1), .double(amount), .string("w"), .string("c"), .null, .boolean(refunded)])
        }
        #expect(scan.passesFilters(row(150, false)))
        #expect(!scan.passesFilters(row(150, true)))
        #expect(!scan.passesFilters(row(50, false)))
    }

    @Test func aUserWithoutFilteredRolesSeesEveryRow() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .dataset(dataset)),
            .setRowFilter(dataset: dataset, role: "auditor", predicate: "amount > 100"),
        ])
        #expect(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed?.rowFilters == [])
    }

    @Test func aStoredFilterNamingAnUnknownColumnDeniesTheScan() throws {
        // statements() checks syntax only; the schema check happens when a snapshot loads the filter.
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .dataset(dataset)),
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "colour = 'red'"),
        ])
        let rule = try #require(snapshot.rowFilters(on: dataset).first)
        #expect(rule.bound == nil)
        #expect(rule.problem == .invalidPredicate(
            offset: 0, message: "unknown column colour in sales.transactions (columns: id, amount, region, card, day, refunded)"))
        let reason = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).deniedReason)
        #expect(reason.hasPrefix("user bob (groups: analysts) cannot scan sales.transactions: the row filter of role analyst is unusable"))
    }

    @Test func clearingAFilterRemovesIt() throws {
        let catalog = try Fixtures.catalog([
            Fixtures.select("analyst", .dataset(dataset)),
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "amount > 100"),
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "amount > 200"),
        ])
        #expect(try catalog.snapshot().rowFilters.map(\.predicate) == ["amount > 200"])
        try catalog.apply([.clearRowFilter(dataset: dataset, role: "analyst")])
        #expect(try catalog.snapshot().rowFilters.isEmpty)
    }
}
