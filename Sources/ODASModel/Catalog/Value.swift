/// A column's type in the catalog (Hive's names).
public enum ColumnType: String, Sendable, Hashable, CaseIterable, Codable {
    case bigint, int, double, string, date, boolean
}

/// One typed value in a row. `.null` is SQL NULL (a masked or absent value).
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case bigint(Int64)
    case int(Int32)
    case double(Double)
    case string(String)
    case date(CalendarDate)
    case boolean(Bool)

    /// The value's type, nil for NULL.
    public var type: ColumnType? {
        switch self {
        case .null: return nil
        case .bigint: return .bigint
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .date: return .date
        case .boolean: return .boolean
        }
    }

    /// The canonical text of the value (what the data files hold): decimal
    /// integers, Swift's shortest round-trip form of a double, the string
    /// itself, `YYYY-MM-DD`, `true`/`false`; nil for NULL.
    public var text: String? {
        switch self {
        case .null: return nil
        case .bigint(let v): return String(v)
        case .int(let v): return String(v)
        case .double(let v): return v.description
        case .string(let v): return v
        case .date(let v): return v.description
        case .boolean(let v): return v ? "true" : "false"
        }
    }

    /// The value parsed from its canonical text as `type`, or nil when the
    /// text is not a value of that type (a double must be finite).
    public init?(text: some StringProtocol, as type: ColumnType) {
        switch type {
        case .bigint:
            guard let v = Int64(text) else { return nil }
            self = .bigint(v)
        case .int:
            guard let v = Int32(text) else { return nil }
            self = .int(v)
        case .double:
            guard let v = Double(text), v.isFinite else { return nil }
            self = .double(v)
        case .string:
            self = .string(String(text))
        case .date:
            guard let v = CalendarDate(parsing: text) else { return nil }
            self = .date(v)
        case .boolean:
            switch text {
            case "true": self = .boolean(true)
            case "false": self = .boolean(false)
            default: return nil
            }
        }
    }

    /// `NULL` or the canonical text.
    public var description: String { text ?? "NULL" }

    /// Orders two non-NULL values of the same type; nil when either is NULL
    /// or their types differ (SQL's "unknown").
    public static func compare(_ lhs: Value, _ rhs: Value) -> Int? {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (lhs, rhs) {
        case let (.bigint(a), .bigint(b)): return order(a, b)
        case let (.int(a), .int(b)): return order(a, b)
        case let (.double(a), .double(b)): return order(a, b)
        case let (.string(a), .string(b)):
            // Byte order (SQLite's BINARY collation), not Unicode canonical equivalence.
            if a.utf8.elementsEqual(b.utf8) { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case let (.date(a), .date(b)): return order(a, b)
        case let (.boolean(a), .boolean(b)): return order(a ? 1 : 0, b ? 1 : 0)
        default: return nil
        }
    }
}

/// One row of a dataset: values in the dataset's column order.
public struct Row: Sendable, Hashable, CustomStringConvertible {
    /// The values, one per column.
    public var values: [Value]

    /// A row with these values.
    public init(_ values: [Value]) { self.values = values }

    /// The value at `index`, or NULL when the row is shorter.
    public subscript(index: Int) -> Value { values.indices.contains(index) ? values[index] : .null }

    /// `[v1, v2, …]` with NULL for nulls.
    public var description: String { "[" + values.map(\.description).joined(separator: ", ") + "]" }
}
