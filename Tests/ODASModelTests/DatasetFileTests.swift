import SimCore
@testable import ODASModel
import Testing

@Suite struct DatasetFileTests {
    let dataset = Fixtures.transactions

    @Test func keysLiveUnderThePrefixWithFiveDigitIndexes() {
        #expect(DatasetFile.key(dataset: dataset, file: 3) == "sales/part-00003.csv")
        #expect(DatasetFile.key(dataset: Fixtures.customers, file: 0) == "customers/part-00000.csv")
        #expect(DatasetFile.key(dataset: Fixtures.ledger, file: 123_456) == "part-123456.csv")
        #expect(DatasetFile.keys(dataset: dataset) == ["sales/part-00000.csv", "sales/part-00001.csv", "sales/part-00002.csv"])
    }

    @Test func generatedFilesDecodeBackToTheirRows() throws {
        for file in 0..<dataset.files {
            let bytes = DatasetFile.generate(dataset: dataset, file: file)
            let rows = try DatasetFile.decode(bytes, columns: dataset.columns)
            #expect(rows == DatasetFile.rows(dataset: dataset, file: file))
            #expect(rows.count == dataset.rowsPerFile)
            #expect(rows.allSatisfy { $0.values.map(\.type) == dataset.columns.map(\.type) })
        }
    }

    @Test func theSameInputGivesTheSameBytesAndOtherFilesDiffer() {
        let first = DatasetFile.generate(dataset: dataset, file: 1)
        #expect(first == DatasetFile.generate(dataset: dataset, file: 1))
        #expect(first != DatasetFile.generate(dataset: dataset, file: 2))
        var renamed = dataset
        renamed.name = "sales.other"
        #expect(first != DatasetFile.generate(dataset: renamed, file: 1))
    }

    @Test func generatedBytesArePinnedSoEveryProcessAgrees() {
        // Pinned: a change to the generator, the format, SimRandom or StableHash shows up here.
        let text = String(decoding: DatasetFile.generate(dataset: Fixtures.customers, file: 0), as: UTF8.self)
        #expect(text == """
            id,name
            508296,alpha-60
            551765,golf-64
            328628,bravo-55
            625610,foxtrot-32
            966330,bravo-94
            #odas-rows=5 fnv1a64=a9af313b13dd474b

            """)
        let seed = SplitMix64.mix(StableHash.fnv1a64("sales.customers/0"))
        var random = SimRandom(seed: seed)
        #expect(DatasetFile.generatedRow(dataset: Fixtures.customers, file: 0, row: 0)[0] == .bigint(Int64(random.next() % 1_000_000)))
    }

    @Test func theFileIsCSVWithAHeaderAndAChecksumTrailer() throws {
        let columns = [ColumnDefinition(name: "name", type: .string), ColumnDefinition(name: "n", type: .int),
                       ColumnDefinition(name: "d", type: .date), ColumnDefinition(name: "x", type: .double),
                       ColumnDefinition(name: "b", type: .boolean)]
        let rows = [
            Row([.string("plain"), .int(-7), .date(CalendarDate(year: 2024, month: 2, day: 29)!), .double(0.1), .boolean(true)]),
            Row([.string("with, comma \"and\" quote\nnewline"), .null, .null, .null, .boolean(false)]),
            Row([.string(""), .int(0), .date(CalendarDate(daysSince1970: 0)), .double(-1234.5), .null]),
            Row([.string("#odas-rows=1 fnv1a64=0000000000000000"), .int(1), .null, .double(1e-7), .null]),
        ]
        let bytes = DatasetFile.encode(columns: columns, rows: rows)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("""
            name,n,d,x,b
            plain,-7,2024-02-29,0.1,true
            "with, comma ""and"" quote
            newline",,,,false
            "",0,1970-01-01,-1234.5,

            """))
        #expect(try DatasetFile.decode(bytes, columns: columns) == rows)
    }

    @Test func extremeValuesRoundTripAndOutOfRangeIntegersAreRejected() throws {
        let columns = [ColumnDefinition(name: "big", type: .bigint), ColumnDefinition(name: "small", type: .int),
                       ColumnDefinition(name: "x", type: .double)]
        let rows = [Row([.bigint(.min), .int(.min), .double(-.greatestFiniteMagnitude)]),
                    Row([.bigint(.max), .int(.max), .double(.leastNonzeroMagnitude)])]
        #expect(try DatasetFile.decode(DatasetFile.encode(columns: columns, rows: rows), columns: columns) == rows)
        func decodeOne(_ text: String, _ type: ColumnType) throws -> [Row] {
            var body = Array("v\n\(text)\n".utf8)
            body += Array("#odas-rows=1 fnv1a64=\(DatasetFile.hex16(DatasetFile.fnv1a64(body[...])))\n".utf8)
            return try DatasetFile.decode(body, columns: [ColumnDefinition(name: "v", type: type)])
        }
        #expect(try decodeOne("-2147483648", .int) == [Row([.int(.min)])])
        for (text, type) in [("2147483648", ColumnType.int), ("-2147483649", .int), ("9223372036854775808", .bigint),
                             ("+5", .bigint), ("-", .bigint), ("1.0", .int), ("nan", .double), ("inf", .double),
                             ("2023-02-30", .date), ("TRUE", .boolean)] {
            #expect(throws: CatalogError.self, "\(text) as \(type)") { try decodeOne(text, type) }
        }
    }

    @Test func everyCorruptedByteIsDetected() throws {
        let bytes = DatasetFile.generate(dataset: Fixtures.customers, file: 0)
        for index in bytes.indices {
            var corrupted = bytes
            corrupted[index] ^= 0x01
            #expect(throws: CatalogError.self, "byte \(index)") { try DatasetFile.decode(corrupted, columns: Fixtures.customers.columns) }
        }
    }

    @Test func aCorruptedValueIsReportedAsAChecksumMismatch() throws {
        var bytes = DatasetFile.generate(dataset: dataset, file: 0)
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "\n"))) + 1
        bytes[index] = bytes[index] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let error = #expect(throws: CatalogError.self) { try DatasetFile.decode(bytes, columns: dataset.columns) }
        #expect(error?.description.contains("checksum mismatch") == true)
    }

    @Test func everyTruncationIsDetected() throws {
        let bytes = DatasetFile.generate(dataset: Fixtures.customers, file: 0)
        for length in 0..<bytes.count {
            #expect(throws: CatalogError.self, "length \(length)") {
                try DatasetFile.decode(Array(bytes[..<length]), columns: Fixtures.customers.columns)
            }
        }
    }

    @Test func decodingAgainstTheWrongSchemaFails() throws {
        let bytes = DatasetFile.generate(dataset: Fixtures.customers, file: 0)
        let error = #expect(throws: CatalogError.self) {
            try DatasetFile.decode(bytes, columns: [ColumnDefinition(name: "id", type: .bigint)])
        }
        #expect(error == .corruptFile(offset: 0, reason: "the header names columns id, name; expected id"))
        let typed = #expect(throws: CatalogError.self) {
            try DatasetFile.decode(bytes, columns: [ColumnDefinition(name: "id", type: .bigint), ColumnDefinition(name: "name", type: .int)])
        }
        #expect(typed?.description.contains("not a valid int") == true)
    }

    @Test func aWellFormedFileWithTheWrongRowCountFails() {
        let columns = [ColumnDefinition(name: "a", type: .int)]
        var body = Array("a\n1\n2\n".utf8)
        let hash = DatasetFile.fnv1a64(body[...])
        body += Array("#odas-rows=3 fnv1a64=\(DatasetFile.hex16(hash))\n".utf8)
        #expect(throws: CatalogError.corruptFile(offset: 6, reason: "2 rows where the trailer announces 3")) {
            try DatasetFile.decode(body, columns: columns)
        }
    }

    @Test func generatedValuesStayInTheirDocumentedRanges() {
        let wide = DatasetDefinition(name: "t.t", bucket: "b", prefix: "", columns: ColumnType.allCases.map {
            ColumnDefinition(name: $0.rawValue, type: $0)
        }, files: 1, rowsPerFile: 200)
        for row in DatasetFile.rows(dataset: wide, file: 0) {
            if case .bigint(let v) = row[0] { #expect((0..<1_000_000).contains(v)) } else { Issue.record("bigint") }
            if case .int(let v) = row[1] { #expect((0..<1_000).contains(v)) } else { Issue.record("int") }
            if case .double(let v) = row[2] { #expect(v >= 0 && v < 10_000) } else { Issue.record("double") }
            if case .string(let v) = row[3] { #expect(DatasetFile.words.contains { v.hasPrefix($0 + "-") }) } else { Issue.record("string") }
            if case .date(let v) = row[4] { #expect(v.description >= "2020-01-01" && v.description < "2024-01-01") } else { Issue.record("date") }
            if case .boolean = row[5] {} else { Issue.record("boolean") }
        }
    }
}

@Suite struct CalendarDateTests {
    @Test func datesConvertBothWays() {
        #expect(CalendarDate(daysSince1970: 0).description == "1970-01-01")
        #expect(CalendarDate(year: 2020, month: 1, day: 1)?.daysSince1970 == 18_262)
        #expect(CalendarDate(daysSince1970: -1).description == "1969-12-31")
        #expect(CalendarDate(parsing: "2000-02-29")?.description == "2000-02-29")
        #expect(CalendarDate(parsing: "1900-02-29") == nil)
        #expect(CalendarDate(parsing: "2024-13-01") == nil)
        #expect(CalendarDate(parsing: "2024-1-01") == nil)
        for days in stride(from: Int32(-800_000), through: 2_900_000, by: 997) {
            let date = CalendarDate(daysSince1970: days)
            #expect(CalendarDate(parsing: date.description)?.daysSince1970 == days || date.components.year > 9999 || date.components.year < 1)
        }
    }
}
