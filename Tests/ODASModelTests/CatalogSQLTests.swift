import AWSSim
@testable import ODASModel
import Testing

@Suite struct CatalogSchemaTests {
    @Test func everySchemaTableHasAPrimaryKeySoReplicationAcceptsIt() throws {
        let database = try SQLiteDatabase()
        // transaction() refuses a CREATE TABLE without a primary key.
        let result = try database.transaction(CatalogSchema.statements)
        let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.first ?? nil }
        #expect(tables == CatalogSchema.tables.sorted())
        for table in tables {
            let keyed = try database.query("SELECT count(*) FROM pragma_table_info('\(table)') WHERE pk > 0")
            #expect(keyed != [["0"]], "table \(table) has no primary key")
        }
        #expect(result.log.contains(.schema(CatalogSchema.statements[0])))
    }

    @Test func theSchemaReplaysOnAReplicaThroughTheReplicationLog() throws {
        let primary = try SQLiteDatabase(), replica = try SQLiteDatabase()
        var log = try primary.transaction(CatalogSchema.statements).log
        for change in Fixtures.base() + [Fixtures.select("analyst", .dataset("sales.transactions"))] {
            log += try primary.transaction(try change.statements()).log
        }
        for entry in log { try replica.apply(entry) }
        let fromPrimary = try CatalogSnapshot(rows: CatalogSnapshot.loadQueries.map { try primary.query($0) })
        let fromReplica = try CatalogSnapshot(rows: CatalogSnapshot.loadQueries.map { try replica.query($0) })
        #expect(fromReplica.version == fromPrimary.version)
        #expect(fromReplica.grants == fromPrimary.grants)
        #expect(fromReplica.datasets == fromPrimary.datasets)
    }

    @Test func runningTheSchemaTwiceKeepsTheCatalog() throws {
        let catalog = try Fixtures.catalog()
        let before = try catalog.snapshot()
        _ = try catalog.database.transaction(CatalogSchema.statements)
        let after = try catalog.snapshot()
        #expect(after.version == before.version)
        #expect(after.datasets == before.datasets)
    }

    @Test func aFreshCatalogIsAtVersionZeroAndEmpty() throws {
        let snapshot = try TestCatalog().snapshot()
        #expect(snapshot.version == 0)
        #expect(snapshot.datasets.isEmpty && snapshot.roles.isEmpty && snapshot.grants.isEmpty)
    }
}

@Suite struct CatalogChangeTests {
    @Test func everyChangeBumpsTheVersionByOneAndReturnsIt() throws {
        let catalog = try TestCatalog()
        let versions = try catalog.apply(Fixtures.base())
        #expect(versions == Array(1...Fixtures.base().count))
        #expect(try catalog.snapshot().version == Fixtures.base().count)
    }

    @Test func aDatasetNamedWithQuotesRoundTripsThroughSQLite() throws {
        let dataset = DatasetDefinition(
            name: "o'brien.o'brien", bucket: "bucket'; DROP TABLE odas_grants; --", prefix: "it's/",
            columns: [ColumnDefinition(name: "o'clock", type: .string), ColumnDefinition(name: "'", type: .int)],
            files: 2, rowsPerFile: 3)
        let catalog = try TestCatalog()
        try catalog.apply([
            .createDatabase("o'brien"), .createDataset(dataset), .createRole("o'role"),
            .grantRoleToGroup(role: "o'role", group: "o'group"), .addUserToGroup(user: "o'user", group: "o'group"),
            .grant(Grant(role: "o'role", privilege: .select, scope: .column(dataset: "o'brien.o'brien", column: "o'clock"))),
            .setColumnMask(dataset: "o'brien.o'brien", column: "o'clock", role: "o'role", kind: .tokenize),
            .setRowFilter(dataset: "o'brien.o'brien", role: "o'role", predicate: "`o'clock` = 'it''s'"),
        ])
        let snapshot = try catalog.snapshot()
        #expect(snapshot.databases == ["o'brien"])
        #expect(snapshot.dataset(named: "o'brien.o'brien") == dataset)
        #expect(snapshot.roles(of: "o'user") == ["o'role"])
        #expect(snapshot.rowFilters.first?.predicate == "`o'clock` = 'it''s'")
        #expect(snapshot.rowFilters.first?.problem == nil)
        let scan = try #require(snapshot.authorizeScan(user: "o'user", dataset: "o'brien.o'brien").allowed)
        #expect(scan.columns.map(\.column.name) == ["o'clock"])
        #expect(scan.columns.map(\.mask) == [.tokenize])
        #expect(try catalog.database.query("SELECT count(*) FROM odas_grants") == [["1"]])
    }

    @Test func namesWithControlCharactersOrEmptyAreRejectedNamingTheFieldAndValue() throws {
        let error = #expect(throws: CatalogError.self) { try CatalogChange.createRole("ad\u{7}min").statements() }
        #expect(error == .invalidName(field: "role name", value: "ad\u{7}min",
                                      reason: "contains the control character U+0007 at position 2; names are printable text"))
        #expect(error?.description == #"invalid role name "ad\u{07}min": contains the control character U+0007 at position 2; names are printable text"#)
        let empty = #expect(throws: CatalogError.self) { try CatalogChange.addUserToGroup(user: "", group: "g").statements() }
        #expect(empty == .invalidName(field: "user name", value: "", reason: "must not be empty"))
        let newline = #expect(throws: CatalogError.self) { try CatalogChange.createDatabase("sa\nles").statements() }
        #expect(newline?.description.contains("database name") == true)
    }

    @Test func datasetNamesMustBeDatabaseDotTable() throws {
        for name in ["sales", "sales.", ".t", "a.b.c"] {
            let error = #expect(throws: CatalogError.self) { try CatalogChange.dropDataset(name).statements() }
            #expect(error == .invalidName(field: "dataset name", value: name,
                                          reason: "must be database.table with exactly one '.', e.g. sales.transactions"))
        }
    }

    @Test func datasetDefinitionsAreBounded() throws {
        var dataset = Fixtures.customers
        dataset.columns.append(ColumnDefinition(name: "id", type: .int))
        #expect(throws: CatalogError.invalidDefinition(field: "columns of sales.customers", reason: "column id appears twice")) {
            try CatalogChange.createDataset(dataset).statements()
        }
        dataset = Fixtures.customers
        dataset.files = -1
        #expect(throws: CatalogError.invalidDefinition(field: "files of sales.customers", reason: "-1; must be in 0...100000")) {
            try CatalogChange.createDataset(dataset).statements()
        }
    }

    @Test func statementsAreDeterministic() throws {
        let change = CatalogChange.createDataset(Fixtures.transactions)
        #expect(try change.statements() == change.statements())
        #expect(try change.statements().suffix(2) == [CatalogChange.bumpVersion, CatalogChange.versionQuery])
    }

    @Test func creatingADatasetInAMissingDatabaseFailsTheWholeTransaction() throws {
        let catalog = try TestCatalog()
        let error = #expect(throws: SQLiteError.self) { try catalog.apply([.createDataset(Fixtures.ledger)]) }
        #expect(error?.message.contains("odas_datasets.database_name") == true)
        let snapshot = try catalog.snapshot()
        #expect(snapshot.version == 0)
        #expect(snapshot.datasets.isEmpty)
        #expect(try catalog.database.query("SELECT count(*) FROM odas_columns") == [["0"]])
    }

    @Test func creatingWhatExistsFailsButGrantingTwiceDoesNot() throws {
        let catalog = try Fixtures.catalog()
        #expect(throws: SQLiteError.self) { try catalog.apply([.createRole("analyst")]) }
        #expect(throws: SQLiteError.self) { try catalog.apply([.createDataset(Fixtures.customers)]) }
        let grant = Fixtures.select("analyst", .dataset("sales.customers"))
        try catalog.apply([grant, grant])
        #expect(try catalog.snapshot().grants(of: "analyst").count == 1)
    }

    @Test func grantingToAMissingRoleFails() throws {
        let catalog = try Fixtures.catalog()
        let error = #expect(throws: SQLiteError.self) { try catalog.apply([Fixtures.select("ghost", .server)]) }
        #expect(error?.message.contains("odas_grants.role") == true)
    }

    @Test func revokingAGrantThatDoesNotExistChangesOnlyTheVersion() throws {
        let catalog = try Fixtures.catalog()
        let before = try catalog.snapshot()
        let revoke = CatalogChange.revoke(Grant(role: "analyst", privilege: .select, scope: .database("sales")))
        #expect(try revoke.statements() == revoke.statements())
        try catalog.apply([revoke])
        let after = try catalog.snapshot()
        #expect(after.version == before.version + 1)
        #expect(after.grants == before.grants)
    }

    @Test func aRowFilterThatDoesNotParseIsRejectedBeforeSQL() throws {
        let error = #expect(throws: CatalogError.self) {
            try CatalogChange.setRowFilter(dataset: "sales.transactions", role: "analyst", predicate: "region = ").statements()
        }
        #expect(error == .invalidPredicate(offset: 9, message: "expected a literal (a number, 'text', true or false), found end of predicate"))
    }

    @Test func maskingAMissingColumnFails() throws {
        let catalog = try Fixtures.catalog()
        #expect(throws: SQLiteError.self) {
            try catalog.apply([.setColumnMask(dataset: "sales.transactions", column: "nope", role: nil, kind: .null)])
        }
    }

    @Test func droppingADatasetDropsItsColumnsPoliciesAndGrants() throws {
        let catalog = try Fixtures.catalog([
            Fixtures.select("analyst", .dataset("sales.transactions")),
            Fixtures.select("analyst", .column(dataset: "sales.transactions", column: "id")),
            Fixtures.select("analyst", .database("sales")),
            .setColumnMask(dataset: "sales.transactions", column: "card", role: nil, kind: .redact),
            .setRowFilter(dataset: "sales.transactions", role: "analyst", predicate: "region = 'x'"),
            .dropDataset("sales.transactions"),
        ])
        let snapshot = try catalog.snapshot()
        #expect(snapshot.dataset(named: "sales.transactions") == nil)
        #expect(snapshot.grants(of: "analyst") == [Grant(role: "analyst", privilege: .select, scope: .database("sales"))])
        #expect(snapshot.masks.isEmpty && snapshot.rowFilters.isEmpty)
        #expect(try catalog.database.query("SELECT count(*) FROM odas_columns WHERE dataset = 'sales.transactions'") == [["0"]])
    }

    @Test func aMaskCanBeReplacedAndCleared() throws {
        let catalog = try Fixtures.catalog([
            .setColumnMask(dataset: "sales.transactions", column: "card", role: nil, kind: .redact),
            .setColumnMask(dataset: "sales.transactions", column: "card", role: nil, kind: .hash),
        ])
        #expect(try catalog.snapshot().masks == [ColumnMaskRule(dataset: "sales.transactions", column: "card", role: nil, kind: .hash)])
        try catalog.apply([.clearColumnMask(dataset: "sales.transactions", column: "card", role: nil)])
        #expect(try catalog.snapshot().masks.isEmpty)
    }
}
