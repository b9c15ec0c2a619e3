@testable import ODASModel
import Testing

@Suite struct ColumnMaskTests {
    @Test func nullMakesEveryValueNull() {
        for value: Value in [.bigint(5), .string("x"), .boolean(true), .date(CalendarDate(daysSince1970: 3))] {
            #expect(ColumnMask.apply(.null, to: value) == .null)
        }
    }

    @Test func redactKeepsTheLengthOfStringsAndZeroesNumbers() {
        #expect(ColumnMask.apply(.redact, to: .string("4111-1111")) == .string("XXXXXXXXX"))
        #expect(ColumnMask.apply(.redact, to: .string("")) == .string(""))
        #expect(ColumnMask.apply(.redact, to: .bigint(42)) == .bigint(0))
        #expect(ColumnMask.apply(.redact, to: .int(-3)) == .int(0))
        #expect(ColumnMask.apply(.redact, to: .double(9.5)) == .double(0))
        #expect(ColumnMask.apply(.redact, to: .date(CalendarDate(daysSince1970: 100))) == .date(CalendarDate(daysSince1970: 0)))
        #expect(ColumnMask.apply(.redact, to: .boolean(true)) == .boolean(false))
    }

    @Test func hashIsTheHexSHA256OfTheCanonicalText() {
        #expect(ColumnMask.apply(.hash, to: .string("abc"))
            == .string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(ColumnMask.apply(.hash, to: .bigint(42)) == ColumnMask.apply(.hash, to: .string("42")))
        #expect(MaskKind.hash.resultType(of: .bigint) == .string)
    }

    @Test func tokenizeIsDeterministicAndKeepsLengthAndCharacterClasses() throws {
        let token = ColumnMask.apply(.tokenize, to: .string("Card-4111 x"))
        #expect(token == ColumnMask.apply(.tokenize, to: .string("Card-4111 x")))
        guard case .string(let text) = token else { Issue.record("not a string"); return }
        #expect(text != "Card-4111 x")
        #expect(text.count == 11)
        let pattern = text.map { c -> Character in
            c.isUppercase ? "A" : c.isLowercase ? "a" : c.isNumber ? "9" : c
        }
        #expect(String(pattern) == "Aaaa-9999 a")
        #expect(ColumnMask.apply(.tokenize, to: .string("abc")) != ColumnMask.apply(.tokenize, to: .string("abd")))
        #expect(token == .string("Ekuo-7077 a")) // pinned: the same in every process
    }

    @Test func tokenizeKeepsTheDigitCountAndSignOfIntegers() {
        for value: Int64 in [0, 7, 42, -314, 999_999, Int64.max, Int64.min + 1] {
            guard case .bigint(let token) = ColumnMask.apply(.tokenize, to: .bigint(value)) else { Issue.record("type"); continue }
            #expect(String(token.magnitude).count == String(value.magnitude).count, "\(value) → \(token)")
            #expect((token < 0) == (value < 0) || token == 0)
        }
        for value: Int32 in [Int32.max, Int32.min, -5, 12] {
            guard case .int(let token) = ColumnMask.apply(.tokenize, to: .int(value)) else { Issue.record("type"); continue }
            #expect(String(token.magnitude).count == String(value.magnitude).count, "\(value) → \(token)")
        }
    }

    @Test func tokenizeKeepsTheYearOfDatesAndTheFormOfDoubles() throws {
        let date = try #require(CalendarDate(year: 2023, month: 7, day: 4))
        guard case .date(let token) = ColumnMask.apply(.tokenize, to: .date(date)) else { Issue.record("type"); return }
        #expect(token.components.year == 2023)
        guard case .double(let number) = ColumnMask.apply(.tokenize, to: .double(1234.56)) else { Issue.record("type"); return }
        #expect(number >= 1000 && number < 10_000)
    }

    @Test func nullStaysNullUnderEveryMask() {
        for kind in MaskKind.allCases { #expect(ColumnMask.apply(kind, to: .null) == .null) }
    }
}
