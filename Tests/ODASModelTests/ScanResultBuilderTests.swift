@testable import ODASModel
import Testing

@Suite struct ScanResultBuilderTests {
    let dataset = "sales.transactions"

    /// id, amount, region, card, day, refunded
    let rows: [Row] = [
        Row([.bigint(1), .double(120), .string("west"), .string("4111"), .null, .boolean(false)]),
        Row([.bigint(2), .double(80), .string("west"), .string("5500"), .null, .boolean(false)]),
        Row([.bigint(3), .double(300), .string("east"), .string("3400"), .null, .boolean(true)]),
        Row([.bigint(4), .double(500), .string("west"), .string("6011"), .null, .boolean(false)]),
    ]

    @Test func rowsAreFilteredProjectedAndMasked() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .column(dataset: dataset, column: "id")),
            Fixtures.select("analyst", .column(dataset: dataset, column: "card")),
            Fixtures.select("analyst", .column(dataset: dataset, column: "amount")),
            .setColumnMask(dataset: dataset, column: "card", role: nil, kind: .redact),
            // The filter reads region, which bob cannot see.
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "region = 'west' AND amount > 100"),
        ])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        let result = ScanResultBuilder.build(scan, rows: rows)
        #expect(result.columns == [ResultColumn(name: "id", type: .bigint, mask: nil),
                                   ResultColumn(name: "amount", type: .double, mask: nil),
                                   ResultColumn(name: "card", type: .string, mask: .redact)])
        #expect(result.rows == [Row([.bigint(1), .double(120), .string("XXXX")]),
                                Row([.bigint(4), .double(500), .string("XXXX")])])
        #expect(result.summary == ScanRowSummary(rowsRead: 4, rowsReturned: 2, columns: [
            .init(name: "id", mask: nil, returnedUnmasked: true),
            .init(name: "amount", mask: nil, returnedUnmasked: true),
            .init(name: "card", mask: .redact, returnedUnmasked: false),
        ], contentDigest: Self.digest([Row([.bigint(1), .double(120), .string("XXXX")]), Row([.bigint(4), .double(500), .string("XXXX")])], ["id", "amount", "card"])))
        #expect(result.summary.unmaskedColumns == ["id", "amount"])
    }

    static func digest(_ rows: [Row], _ columns: [String]) -> UInt64 {
        rows.reduce(0) { $0 &+ ScanRowSummary.rowDigest(columns: columns, row: $1) }
    }

    @Test func theContentDigestIgnoresRowOrderAndTaskSplitsButNotValues() throws {
        let snapshot = try Fixtures.snapshot([Fixtures.select("analyst", .dataset(dataset))])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        let whole = ScanResultBuilder.build(scan, rows: rows).summary
        let split = ScanResultBuilder.build(scan, rows: Array(rows[2...])).summary
            .merged(with: ScanResultBuilder.build(scan, rows: Array(rows[..<2]).reversed()).summary)
        #expect(whole.contentDigest == split.contentDigest)
        #expect(whole.contentDigest != 0)
        var changed = rows
        changed[1] = Row([.bigint(2), .double(81), .string("west"), .string("5500"), .null, .boolean(false)])
        #expect(ScanResultBuilder.build(scan, rows: changed).summary.contentDigest != whole.contentDigest)
        // The same values under other column names are other content.
        #expect(ScanRowSummary.rowDigest(columns: ["a"], row: Row([.bigint(1)])) != ScanRowSummary.rowDigest(columns: ["b"], row: Row([.bigint(1)])))
        #expect(ScanResultBuilder.build(scan, rows: []).summary.contentDigest == 0)
    }

    @Test func anAdministratorGetsRawValues() throws {
        let snapshot = try Fixtures.snapshot([.setColumnMask(dataset: dataset, column: "card", role: nil, kind: .hash)])
        let scan = try #require(snapshot.authorizeScan(user: "alice", dataset: dataset).allowed)
        let result = ScanResultBuilder.build(scan, rows: rows)
        #expect(result.rows == rows)
        #expect(result.summary.unmaskedColumns.count == 6)
    }

    @Test func aHashedColumnIsAStringInTheResult() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .column(dataset: dataset, column: "id")),
            .setColumnMask(dataset: dataset, column: "id", role: "analyst", kind: .hash),
        ])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        let result = ScanResultBuilder.build(scan, rows: Array(rows.prefix(1)))
        #expect(result.columns == [ResultColumn(name: "id", type: .string, mask: .hash)])
        #expect(result.rows == [Row([.string("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b")])])
    }

    @Test func noRowReturnedMeansNoValueLeftUnmasked() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .dataset(dataset)),
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "amount > 1000"),
        ])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        let result = ScanResultBuilder.build(scan, rows: rows)
        #expect(result.rows.isEmpty)
        #expect(result.summary.unmaskedColumns.isEmpty)
        #expect(result.summary.rowsRead == 4)
    }

    @Test func aGeneratedFileGoesThroughTheWholePath() throws {
        let snapshot = try Fixtures.snapshot([
            Fixtures.select("analyst", .dataset(dataset)),
            .setColumnMask(dataset: dataset, column: "card", role: nil, kind: .tokenize),
            .setRowFilter(dataset: dataset, role: "analyst", predicate: "refunded = true"),
        ])
        let scan = try #require(snapshot.authorizeScan(user: "bob", dataset: dataset).allowed)
        let bytes = DatasetFile.generate(dataset: Fixtures.transactions, file: 1)
        let result = try ScanResultBuilder.build(scan, file: bytes)
        let stored = DatasetFile.rows(dataset: Fixtures.transactions, file: 1)
        let expected = stored.filter { $0[5] == .boolean(true) }.map { row in
            Row(row.values.enumerated().map { $0.offset == 3 ? ColumnMask.apply(.tokenize, to: $0.element) : $0.element })
        }
        #expect(result.rows == expected)
        #expect(result.summary.rowsRead == 10)
        #expect(!result.summary.unmaskedColumns.contains("card"))
    }

    @Test func summariesOfTasksMerge() {
        let a = ScanRowSummary(rowsRead: 10, rowsReturned: 0, columns: [.init(name: "id", mask: nil, returnedUnmasked: false)])
        let b = ScanRowSummary(rowsRead: 5, rowsReturned: 2, columns: [.init(name: "id", mask: nil, returnedUnmasked: true)])
        #expect(a.merged(with: b) == ScanRowSummary(rowsRead: 15, rowsReturned: 2, columns: [.init(name: "id", mask: nil, returnedUnmasked: true)]))
    }
}
