/// Everything that can go wrong in the catalog: a name or definition that
/// cannot be stored, a row filter that does not parse or does not fit its
/// dataset, catalog rows that do not make a snapshot, a data file that does
/// not decode.
///
/// Every message names the thing, the value, and what would be valid. Values
/// are shown through `debugDescription`, so control characters appear
/// escaped (`"sa\u{07}les"`) rather than raw.
public enum CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A name (database, dataset, column, role, group, user, bucket, prefix)
    /// that the catalog refuses. `field` says which one, `value` is the name
    /// as given.
    case invalidName(field: String, value: String, reason: String)
    /// A definition that is not a name problem: a negative file count, a
    /// duplicate column, a grant whose scope does not fit.
    case invalidDefinition(field: String, reason: String)
    /// A row-filter predicate that does not parse, is too long or too deep,
    /// or does not fit the dataset's schema. `offset` is the UTF-8 byte
    /// offset in the predicate text (0-based) where the problem starts.
    case invalidPredicate(offset: Int, message: String)
    /// Rows from the catalog database that do not make a snapshot. `query` is
    /// the index into ``CatalogSnapshot/loadQueries``, `table` its table,
    /// `row` the 0-based row (nil when the whole result is wrong).
    case malformedSnapshot(query: Int, table: String, row: Int?, reason: String)
    /// A data file whose bytes do not decode: truncated, corrupted (checksum),
    /// or not matching the expected columns. `offset` is the byte offset.
    case corruptFile(offset: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let field, let value, let reason):
            return "invalid \(field) \(value.debugDescription): \(reason)"
        case .invalidDefinition(let field, let reason):
            return "invalid \(field): \(reason)"
        case .invalidPredicate(let offset, let message):
            return "invalid row filter at offset \(offset): \(message)"
        case .malformedSnapshot(let query, let table, let row, let reason):
            let place = row.map { " row \($0)" } ?? ""
            return "malformed catalog rows (load query \(query), \(table)\(place)): \(reason)"
        case .corruptFile(let offset, let reason):
            return "corrupt data file at byte \(offset): \(reason)"
        }
    }
}
