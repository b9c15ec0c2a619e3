@testable import ODASModel
import Testing

@Suite struct CatalogSnapshotLoadTests {
    @Test func aSnapshotLoadsDatasetsColumnsAndMembershipsInOrder() throws {
        let snapshot = try Fixtures.snapshot()
        #expect(snapshot.databases == ["finance", "sales"])
        #expect(snapshot.datasets.map(\.name) == ["finance.ledger", "sales.customers", "sales.transactions"])
        #expect(snapshot.columns(of: "sales.transactions") == Fixtures.transactions.columns)
        #expect(snapshot.dataset(named: "sales.customers") == Fixtures.customers)
        #expect(snapshot.roles == ["admin", "analyst", "auditor"])
        #expect(snapshot.groups(of: "bob") == ["analysts"])
        #expect(snapshot.roles(of: "bob") == ["analyst"])
        #expect(snapshot.roles(of: "dave") == [])
        #expect(snapshot.datasets(in: "sales").map(\.name) == ["sales.customers", "sales.transactions"])
    }

    @Test func aUserHoldsTheRolesOfAllTheirGroups() throws {
        let snapshot = try Fixtures.snapshot([
            .addUserToGroup(user: "bob", group: "auditors"),
            .grantRoleToGroup(role: "auditor", group: "analysts"),
        ])
        #expect(snapshot.groups(of: "bob") == ["analysts", "auditors"])
        #expect(snapshot.roles(of: "bob") == ["analyst", "auditor"])
    }

    @Test func theCombinedLoadQueryGivesTheSameSnapshot() throws {
        let catalog = try Fixtures.catalog([
            Fixtures.select("analyst", .column(dataset: "sales.transactions", column: "id")),
            .setColumnMask(dataset: "sales.transactions", column: "card", role: "analyst", kind: .hash),
            .setRowFilter(dataset: "sales.transactions", role: "analyst", predicate: "amount > 10"),
        ])
        let separate = try catalog.snapshot()
        let combined = try CatalogSnapshot(combinedRows: catalog.database.query(CatalogSnapshot.combinedLoadQuery))
        #expect(combined.version == separate.version)
        #expect(combined.datasets == separate.datasets)
        #expect(combined.grants == separate.grants)
        #expect(combined.masks == separate.masks)
        #expect(combined.rowFilters == separate.rowFilters)
        #expect(combined.userGroups == separate.userGroups && combined.roleGroups == separate.roleGroups)
    }

    @Test func theWrongNumberOfResultsThrows() {
        #expect(throws: CatalogError.malformedSnapshot(query: 2, table: "all", row: nil,
                                                       reason: "expected the results of 10 load queries, got 2")) {
            try CatalogSnapshot(rows: [[["0"]], []])
        }
    }

    @Test func aMissingVersionRowThrows() throws {
        var rows = try TestCatalog().rawRows()
        rows[0] = []
        let error = #expect(throws: CatalogError.self) { try CatalogSnapshot(rows: rows) }
        #expect(error?.description.contains("expected exactly one version row") == true)
    }

    @Test func malformedRowsThrowNamingTheQueryTableAndRow() throws {
        let good = try Fixtures.catalog().rawRows()
        func failure(_ edit: (inout [[[String?]]]) -> Void) -> CatalogError? {
            var rows = good
            edit(&rows)
            do {
                _ = try CatalogSnapshot(rows: rows)
                return nil
            } catch {
                return error
            }
        }
        // A version that is not a number.
        #expect(failure { $0[0][0][0] = "seven" } == .malformedSnapshot(
            query: 0, table: "odas_catalog_version", row: 0, reason: #"version "seven" is not an integer in 0...9223372036854775807"#))
        // A NULL where a name belongs.
        #expect(failure { $0[1][0][0] = nil } == .malformedSnapshot(query: 1, table: "odas_databases", row: 0, reason: "name is NULL"))
        // A row with too few columns.
        #expect(failure { $0[2][0].removeLast() } == .malformedSnapshot(query: 2, table: "odas_datasets", row: 0, reason: "expected 6 columns, found 5"))
        // An unknown column type.
        #expect(failure { $0[3][0][3] = "varchar" }?.description.contains(#"type "varchar" is not one of bigint"#) == true)
        // A gap in column positions.
        #expect(failure { $0[3][1][1] = "5" }?.description.contains("has column position 5 where 1 was expected") == true)
        // A column of a dataset that does not exist.
        #expect(failure { $0[3][0][0] = "sales.ghost" }?.description.contains("which does not exist") == true)
        // A dataset without columns.
        #expect(failure { $0[3] = $0[3].filter { $0[0] != "finance.ledger" } } == .malformedSnapshot(
            query: 3, table: "odas_columns", row: nil, reason: "dataset finance.ledger has no columns"))
        // A dataset in a database that does not exist.
        #expect(failure { $0[1] = [["sales"]] }?.description.contains("finance.ledger is in database finance, which does not exist") == true)
        // A grant to a role that does not exist, and a malformed scope.
        #expect(failure { $0[7][0][0] = "ghost" }?.description.contains("role ghost does not exist") == true)
        #expect(failure { $0[7][0][2] = "database" }?.description.contains("is not a valid grant scope") == true)
        #expect(failure { $0[7][0][1] = "WRITE" }?.description.contains(#"privilege "WRITE" is not SELECT or ALL"#) == true)
        // A dataset name that does not match its database, or has no table part.
        #expect(failure { $0[2][0][0] = "sales.ledger" }?.description.contains(#"dataset name "sales.ledger" is not finance.<table>"#) == true)
        #expect(failure { $0[2][0][0] = "finance." }?.description.contains("is not finance.<table>") == true)
        // A file count out of range.
        #expect(failure { $0[2][0][4] = "-3" }?.description.contains(#"file_count "-3" is not an integer"#) == true)
    }

    @Test func malformedMaskAndFilterRowsThrow() throws {
        let good = try Fixtures.catalog([
            .setColumnMask(dataset: "sales.transactions", column: "card", role: nil, kind: .redact),
            .setRowFilter(dataset: "sales.transactions", role: "analyst", predicate: "amount > 1"),
        ]).rawRows()
        var rows = good
        rows[8][0][3] = "scramble"
        #expect(throws: CatalogError.self) { try CatalogSnapshot(rows: rows) }
        rows = good
        rows[8][0][1] = "nope"
        #expect(throws: CatalogError.malformedSnapshot(query: 8, table: "odas_column_masks", row: 0,
                                                       reason: "mask on sales.transactions.nope: no such dataset column")) {
            try CatalogSnapshot(rows: rows)
        }
        rows = good
        rows[9][0][1] = "ghost"
        #expect(throws: CatalogError.self) { try CatalogSnapshot(rows: rows) }
    }

    @Test func malformedCombinedRowsThrow() {
        #expect(throws: CatalogError.self) { try CatalogSnapshot(combinedRows: [["x", "1"]]) }
        #expect(throws: CatalogError.self) { try CatalogSnapshot(combinedRows: [["2", "sales.t"]]) }
    }
}
