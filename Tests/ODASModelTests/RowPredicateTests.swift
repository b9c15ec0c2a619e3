@testable import ODASModel
import Testing

@Suite struct RowPredicateTests {
    static let columns = [
        ColumnDefinition(name: "id", type: .bigint),
        ColumnDefinition(name: "amount", type: .double),
        ColumnDefinition(name: "region", type: .string),
        ColumnDefinition(name: "day", type: .date),
        ColumnDefinition(name: "ok", type: .boolean),
        ColumnDefinition(name: "n", type: .int),
    ]

    /// Hand-written rows: id, amount, region, day, ok, n.
    static let rows: [Row] = [
        Row([.bigint(1), .double(10.5), .string("west"), .date(CalendarDate(year: 2023, month: 1, day: 15)!), .boolean(true), .int(3)]),
        Row([.bigint(2), .double(99), .string("east"), .date(CalendarDate(year: 2023, month: 6, day: 1)!), .boolean(false), .int(-4)]),
        Row([.bigint(3), .double(250.25), .string("o'brien"), .date(CalendarDate(year: 2024, month: 2, day: 29)!), .boolean(true), .int(0)]),
        Row([.bigint(4), .null, .null, .null, .null, .null]),
    ]

    /// The ids of the rows that pass `text`.
    func ids(_ text: String) throws -> [Int64] {
        let predicate = try RowPredicate.parse(text).bind(to: Self.columns, dataset: "t.t")
        return Self.rows.filter(predicate.matches).compactMap { row in
            if case .bigint(let id) = row[0] { return id }
            return nil
        }
    }

    func parseError(_ text: String) -> CatalogError? {
        do {
            _ = try RowPredicate.parse(text).bind(to: Self.columns, dataset: "t.t")
            return nil
        } catch {
            return error
        }
    }

    @Test func comparisonsOnEveryType() throws {
        #expect(try ids("id = 2") == [2])
        #expect(try ids("id != 2") == [1, 3, 4])
        #expect(try ids("id <> 2") == [1, 3, 4])
        #expect(try ids("amount >= 99") == [2, 3])
        #expect(try ids("amount < 99.0") == [1])
        #expect(try ids("amount <= 1e2") == [1, 2])
        #expect(try ids("region > 'f'") == [3, 1].sorted())
        #expect(try ids("day >= '2023-06-01'") == [2, 3])
        #expect(try ids("ok = true") == [1, 3])
        #expect(try ids("ok = FALSE") == [2])
        #expect(try ids("n < 0") == [2])
        #expect(try ids("n > -5") == [1, 2, 3])
    }

    @Test func notBindsTighterThanAndWhichBindsTighterThanOr() throws {
        // NOT a OR b AND c  ==  (NOT a) OR (b AND c)
        #expect(try ids("NOT id = 1 OR id = 1 AND ok = false") == [2, 3, 4])
        #expect(try ids("(NOT id = 1 OR id = 1) AND ok = false") == [2])
        #expect(try ids("NOT (id = 1 OR id = 2)") == [3, 4])
        #expect(try ids("id = 1 OR id = 2 AND region = 'west'") == [1])
        #expect(try ids("(id = 1 OR id = 2) AND region = 'east'") == [2])
        #expect(try ids("not not id = 3") == [3])
    }

    @Test func inListsAndNotIn() throws {
        #expect(try ids("region IN ('west', 'east')") == [1, 2])
        #expect(try ids("region NOT IN ('west', 'east')") == [3])
        #expect(try ids("id in (3, 1, 99)") == [1, 3])
        #expect(try ids("NOT id IN (1)") == [2, 3, 4])
    }

    @Test func stringsWithDoubledQuotesAndBackquotedColumns() throws {
        #expect(try ids("region = 'o''brien'") == [3])
        #expect(try ids("`region` = 'o''brien'") == [3])
        let columns = [ColumnDefinition(name: "it's `odd`", type: .int)]
        let predicate = try RowPredicate.parse("`it's ``odd``` = 1").bind(to: columns, dataset: "t.t")
        #expect(predicate.matches(Row([.int(1)])))
        #expect(try RowPredicate.parse("`it's ``odd``` = 1").columns == ["it's `odd`"])
    }

    @Test func nullIsUnknownSoNeitherAComparisonNorItsNegationPasses() throws {
        #expect(try !ids("amount > 0").contains(4))
        #expect(try !ids("NOT amount > 0").contains(4))
        #expect(try !ids("region NOT IN ('x')").contains(4))
        #expect(try ids("amount > 0 OR id = 4").contains(4)) // unknown OR true is true
        #expect(try !ids("amount > 0 AND id = 4").contains(4))
    }

    @Test func badInputIsRejectedWithItsOffset() {
        #expect(parseError("") == .invalidPredicate(offset: 0, message: "the predicate is empty"))
        #expect(parseError("   ") == .invalidPredicate(offset: 0, message: "the predicate is empty"))
        #expect(parseError("id = ") == .invalidPredicate(offset: 5, message: "expected a literal (a number, 'text', true or false), found end of predicate"))
        #expect(parseError("id = 1 AND") == .invalidPredicate(offset: 10, message: "expected a column, NOT or '(', found end of predicate"))
        #expect(parseError("id = 1 id = 2") == .invalidPredicate(offset: 7, message: "expected AND, OR or the end of the predicate, found id"))
        #expect(parseError("(id = 1") == .invalidPredicate(offset: 7, message: "expected ')' to close the '(' at offset 0, found end of predicate"))
        #expect(parseError("region = 'abc") == .invalidPredicate(offset: 9, message: "unterminated string (close it with ')"))
        #expect(parseError("id ! 1") == .invalidPredicate(offset: 3, message: "'!' must be followed by '=' (write != or <>)"))
        #expect(parseError("id = 1; DROP TABLE x") == .invalidPredicate(offset: 6, message: "unexpected ';'; expected a column, a literal, an operator or a parenthesis"))
        #expect(parseError("id = 1.") == .invalidPredicate(offset: 7, message: "a digit must follow the decimal point"))
        #expect(parseError("id = 12ab") == .invalidPredicate(offset: 7, message: "unexpected character after the number"))
        #expect(parseError("id IN ()") == .invalidPredicate(offset: 7, message: "expected a literal (a number, 'text', true or false), found ')'"))
        #expect(parseError("id IN (1,") == .invalidPredicate(offset: 9, message: "expected a literal (a number, 'text', true or false), found end of predicate"))
        #expect(parseError("id\u{1}= 1") == .invalidPredicate(offset: 2, message: "control character 0x1"))
        #expect(parseError("id NOT = 1") == .invalidPredicate(offset: 7, message: "expected IN after id NOT, found ="))
        #expect(parseError("and = 1") == .invalidPredicate(offset: 0, message: "expected a column, NOT or '(', found the keyword and (quote a column named so with backquotes)"))
    }

    @Test func unknownColumnsAndWrongLiteralTypesAreRejectedAgainstTheSchema() {
        #expect(parseError("ok = true AND colour = 'red'") == .invalidPredicate(
            offset: 14, message: "unknown column colour in t.t (columns: id, amount, region, day, ok, n)"))
        #expect(parseError("region = 5") == .invalidPredicate(offset: 9, message: "column region is string: 5 is not a 'quoted string'"))
        #expect(parseError("id = 1.5") == .invalidPredicate(offset: 5, message: "column id is bigint: 1.5 is not an integer in the 64-bit range"))
        #expect(parseError("n = 3000000000") == .invalidPredicate(offset: 4, message: "column n is int: 3000000000 is not an integer in the 32-bit range"))
        #expect(parseError("day = '2023-02-29'") == .invalidPredicate(offset: 6, message: "column day is date: '2023-02-29' is not a date 'YYYY-MM-DD'"))
        #expect(parseError("ok IN (true, 'yes')") == .invalidPredicate(offset: 13, message: "column ok is boolean: 'yes' is not true or false"))
    }

    @Test func deepNestingIsBoundedWithoutCrashing() throws {
        let deep = String(repeating: "(", count: 100_000) + "id = 1" + String(repeating: ")", count: 100_000)
        #expect(parseError(deep) == .invalidPredicate(offset: RowPredicate.maximumLength,
                                                      message: "the predicate is 200006 bytes long; at most 4096 are allowed"))
        let depth = RowPredicate.maximumDepth
        let tooDeep = String(repeating: "(", count: depth + 1) + "id = 1" + String(repeating: ")", count: depth + 1)
        #expect(parseError(tooDeep) == .invalidPredicate(offset: depth, message: "parentheses nested deeper than 32 levels"))
        let deepest = String(repeating: "(", count: depth) + "id = 1" + String(repeating: ")", count: depth)
        #expect(parseError(deepest) == nil)
        let nots = String(repeating: "NOT ", count: 1000) + "id = 1"
        #expect(throws: Never.self) { try RowPredicate.parse(nots) }
        #expect(try ids(nots) == [1])
    }

    @Test func longFlatChainsStayFlat() throws {
        let chain = (0..<300).map { "id = \($0)" }.joined(separator: " OR ")
        #expect(try ids(chain) == [1, 2, 3, 4])
    }

    @Test func theColumnsAPredicateMentionsAreListedOnce() throws {
        #expect(try RowPredicate.parse("region = 'a' OR (id = 1 AND region IN ('b'))").columns == ["id", "region"])
    }
}
