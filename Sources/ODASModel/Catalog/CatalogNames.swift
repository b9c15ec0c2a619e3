/// The catalog's rules for names and its SQL quoting.
///
/// A name is any non-empty string of at most ``maximumLength`` UTF-8 bytes
/// without control characters (Unicode general category Cc, which includes
/// NUL, tab and newline). Quotes, spaces and non-ASCII letters are allowed:
/// every value reaches SQL through ``sqlLiteral(_:)``, never by plain
/// interpolation. Dataset names have the form `database.table` with exactly
/// one dot; database names contain no dot.
public enum CatalogNames {
    /// The longest name, in UTF-8 bytes (Hive's identifier limit is 128
    /// characters; 256 bytes leaves room for non-ASCII names).
    public static let maximumLength = 256

    /// Checks one name. `field` names it in the error (`"dataset name"`).
    public static func validate(_ value: String, field: String) throws(CatalogError) {
        if value.isEmpty {
            throw .invalidName(field: field, value: value, reason: "must not be empty")
        }
        if value.utf8.count > maximumLength {
            throw .invalidName(field: field, value: value,
                               reason: "is \(value.utf8.count) bytes long; at most \(maximumLength) are allowed")
        }
        // Printable ASCII has no control character (Cc is U+0000–U+001F and U+007F–U+009F): most names stop here.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return }
        for (index, scalar) in value.unicodeScalars.enumerated() where scalar.properties.generalCategory == .control {
            throw .invalidName(field: field, value: value,
                               reason: "contains the control character \(hex(scalar)) at position \(index); names are printable text")
        }
    }

    /// Checks a database name: a name without a dot.
    public static func validateDatabase(_ value: String) throws(CatalogError) {
        try validate(value, field: "database name")
        if value.contains(".") {
            throw .invalidName(field: "database name", value: value, reason: "must not contain '.' (datasets are named database.table)")
        }
    }

    /// Checks a dataset name `database.table` and returns its two parts.
    @discardableResult
    public static func validateDataset(_ value: String) throws(CatalogError) -> (database: String, table: String) {
        try validate(value, field: "dataset name")
        let utf8 = value.utf8
        guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")), dot == utf8.lastIndex(of: UInt8(ascii: ".")),
              dot != utf8.startIndex, utf8.index(after: dot) != utf8.endIndex else {
            throw .invalidName(field: "dataset name", value: value,
                               reason: "must be database.table with exactly one '.', e.g. sales.transactions")
        }
        return (String(value[..<dot]), String(value[value.index(after: dot)...]))
    }

    /// A SQL string literal: the value in single quotes with every quote
    /// doubled. The value must have passed validation (no NUL).
    public static func sqlLiteral(_ value: String) -> String {
        "'" + value.replacing("'", with: "''") + "'"
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
