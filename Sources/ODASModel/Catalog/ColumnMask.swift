import AWSSim
import SimCore

/// How a masked column's values are transformed before they leave a worker.
///
/// Ordered from the strictest (reveals least) to the most lenient: when
/// several masks apply to one user and column, the strictest wins
/// (``strictest(_:)``).
public enum MaskKind: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// Every value becomes NULL.
    case null
    /// Every value becomes a fixed placeholder of the same length (strings)
    /// or zero (numbers).
    case redact
    /// Every value becomes the hex SHA-256 of its canonical text (a string):
    /// equal values stay equal, nothing else is kept.
    case hash
    /// Every value becomes a deterministic token of the same shape: same
    /// length and character classes (strings), same digit count and sign
    /// (integers), same year (dates).
    case tokenize

    /// Strictness rank: 0 is the strictest.
    public var strictness: Int {
        switch self {
        case .null: return 0
        case .redact: return 1
        case .hash: return 2
        case .tokenize: return 3
        }
    }

    /// Orders by strictness (strictest first).
    public static func < (lhs: MaskKind, rhs: MaskKind) -> Bool { lhs.strictness < rhs.strictness }

    /// The strictest of `kinds`, nil when there is none.
    public static func strictest(_ kinds: some Sequence<MaskKind>) -> MaskKind? { kinds.min() }

    /// The type a column of `type` has after this mask: `hash` makes every
    /// column a `string`; the others keep the type.
    public func resultType(of type: ColumnType) -> ColumnType { self == .hash ? .string : type }
}

/// Applies masks to values. Pure and deterministic: the same value and kind
/// always give the same result, in every process.
public enum ColumnMask {
    /// `value` with mask `kind` applied. NULL stays NULL under every mask.
    ///
    /// - `null`: NULL.
    /// - `redact`: a string becomes as many `X` as it has characters; a
    ///   number becomes 0; a date 1970-01-01; a boolean false.
    /// - `hash`: the lowercase hex SHA-256 of the value's canonical text
    ///   (``Value/text``), as a string (64 characters).
    /// - `tokenize`: seeded by the FNV-1a hash of the type and canonical
    ///   text. Strings: ASCII lower/upper letters and digits are replaced by
    ///   letters/digits of the same class, everything else is kept. Integers:
    ///   the same sign and number of digits (no leading zero added). Doubles:
    ///   the digits of the mantissa in the canonical text are replaced (the
    ///   exponent is kept). Dates: a day in the same year. Booleans: a
    ///   boolean. Not a cryptographic tokenization: the simulation needs it
    ///   to be visibly not the original and the same for equal inputs.
    public static func apply(_ kind: MaskKind, to value: Value) -> Value {
        if value == .null { return .null }
        switch kind {
        case .null: return .null
        case .redact: return redact(value)
        case .hash: return .string(SigV4.sha256Hex(Array((value.text ?? "").utf8)))
        case .tokenize: return tokenize(value)
        }
    }

    static func redact(_ value: Value) -> Value {
        switch value {
        case .null: return .null
        case .bigint: return .bigint(0)
        case .int: return .int(0)
        case .double: return .double(0)
        case .string(let s): return .string(String(repeating: "X", count: s.count))
        case .date: return .date(CalendarDate(daysSince1970: 0))
        case .boolean: return .boolean(false)
        }
    }

    static func tokenize(_ value: Value) -> Value {
        let typeName = value.type?.rawValue ?? "null"
        var random = SimRandom(seed: StableHash.fnv1a64("tokenize:" + typeName + ":" + (value.text ?? "")))
        switch value {
        case .null:
            return .null
        case .string(let s):
            return .string(tokenizeCharacters(s, random: &random))
        case .bigint(let v):
            let digits = tokenizeDigits(v.magnitude, maximumLeadingDigit: 8, maximumDigits: 19, random: &random)
            let magnitude = Int64(digits)
            return .bigint(v < 0 ? -magnitude : magnitude)
        case .int(let v):
            let digits = tokenizeDigits(UInt64(v.magnitude), maximumLeadingDigit: 1, maximumDigits: 10, random: &random)
            let magnitude = Int32(truncatingIfNeeded: digits)
            return .int(v < 0 ? -magnitude : magnitude)
        case .double(let v):
            let text = v.description
            var out = ""
            var inExponent = false
            var first = true
            for character in text {
                if character == "e" || character == "E" { inExponent = true }
                if !inExponent, let digit = character.wholeNumberValue, character.isASCII {
                    let low = (first && digit != 0) ? 1 : 0
                    out.append(String(low + Int(random.next(upperBound: UInt64(10 - low)))))
                    first = false
                } else {
                    out.append(character)
                }
            }
            guard let token = Double(out), token.isFinite else { return .double(0) }
            return .double(token)
        case .date(let date):
            let year = date.components.year
            let days = CalendarDate.isLeap(year) ? 366 : 365
            let start = CalendarDate(year: year, month: 1, day: 1)?.daysSince1970 ?? 0
            return .date(CalendarDate(daysSince1970: start + Int32(random.next(upperBound: UInt64(days)))))
        case .boolean:
            return .boolean(random.next() & 1 == 1)
        }
    }

    static func tokenizeCharacters(_ text: String, random: inout SimRandom) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A: scalars.append(ascii(0x61, random.next(upperBound: 26)))
            case 0x41...0x5A: scalars.append(ascii(0x41, random.next(upperBound: 26)))
            case 0x30...0x39: scalars.append(ascii(0x30, random.next(upperBound: 10)))
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    static func ascii(_ base: UInt8, _ offset: UInt64) -> Unicode.Scalar {
        Unicode.Scalar(base &+ UInt8(truncatingIfNeeded: offset))
    }

    /// A number with as many decimal digits as `magnitude`; its leading digit
    /// is nonzero when the original's is, and at most `maximumLeadingDigit`
    /// when it has `maximumDigits` digits (so it fits the type).
    static func tokenizeDigits(_ magnitude: UInt64, maximumLeadingDigit: UInt64, maximumDigits: Int,
                               random: inout SimRandom) -> UInt64 {
        let count = String(magnitude).count
        if count == 1 { return random.next(upperBound: 10) }
        let highest: UInt64 = count >= maximumDigits ? maximumLeadingDigit : 9
        var result = 1 + random.next(upperBound: highest)
        for _ in 1..<count { result = result &* 10 &+ random.next(upperBound: 10) }
        return result
    }
}
