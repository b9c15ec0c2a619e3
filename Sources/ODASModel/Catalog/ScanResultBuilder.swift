/// One column of a scan's result.
public struct ResultColumn: Sendable, Hashable, Codable {
    /// The column's name.
    public var name: String
    /// Its type in the result (a hashed column is a string).
    public var type: ColumnType
    /// The mask applied, nil when values are returned as stored.
    public var mask: MaskKind?

    /// A result column.
    public init(name: String, type: ColumnType, mask: MaskKind?) {
        self.name = name
        self.type = type
        self.mask = mask
    }
}

/// What a scan (or one task of it) returned, in the terms a checker needs
/// for `no-unauthorized-read`: how many rows, which columns, and for each
/// column whether any value left unmasked.
public struct ScanRowSummary: Sendable, Hashable, Codable {
    /// Rows decoded from the files (before row filters).
    public var rowsRead: Int
    /// Rows returned (after row filters).
    public var rowsReturned: Int
    /// The returned columns, in result order.
    public var columns: [ColumnSummary]
    /// A digest of the returned rows' contents (column names and values
    /// after masks), independent of row order and of how the rows were split
    /// into tasks: two scans returned the same rows exactly when their
    /// digests match (up to 64-bit collisions). Zero for no rows.
    public var contentDigest: UInt64

    /// One returned column.
    public struct ColumnSummary: Sendable, Hashable, Codable {
        /// The column's name.
        public var name: String
        /// The mask applied, nil when none.
        public var mask: MaskKind?
        /// Whether any value of this column was returned as stored: the
        /// column has no mask and at least one row was returned.
        public var returnedUnmasked: Bool

        /// A column's summary.
        public init(name: String, mask: MaskKind?, returnedUnmasked: Bool) {
            self.name = name
            self.mask = mask
            self.returnedUnmasked = returnedUnmasked
        }
    }

    /// A summary with these counts and columns.
    public init(rowsRead: Int, rowsReturned: Int, columns: [ColumnSummary], contentDigest: UInt64 = 0) {
        self.rowsRead = rowsRead
        self.rowsReturned = rowsReturned
        self.columns = columns
        self.contentDigest = contentDigest
    }

    /// The names of the columns returned unmasked, in result order.
    public var unmaskedColumns: [String] { columns.filter(\.returnedUnmasked).map(\.name) }

    /// The summary of two parts of one scan (tasks over different files of
    /// the same authorization): counts add, a column is unmasked if it was
    /// in either. Columns are matched by name; a column only in `other` is
    /// appended.
    public func merged(with other: ScanRowSummary) -> ScanRowSummary {
        var columns = self.columns
        for column in other.columns {
            if let index = columns.firstIndex(where: { $0.name.utf8.elementsEqual(column.name.utf8) }) {
                columns[index].returnedUnmasked = columns[index].returnedUnmasked || column.returnedUnmasked
            } else {
                columns.append(column)
            }
        }
        return ScanRowSummary(rowsRead: rowsRead + other.rowsRead, rowsReturned: rowsReturned + other.rowsReturned, columns: columns,
                              contentDigest: contentDigest &+ other.contentDigest)
    }

    /// One row's share of ``contentDigest``: FNV-1a over its cells (column
    /// name and value), finalized with SplitMix64's mixer so that the sum over
    /// rows does not cancel.
    public static func rowDigest(columns: [String], row: Row) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for (index, name) in columns.enumerated() {
            for byte in name.utf8 { mix(byte) }
            mix(0x1f)
            if case .null = row[index] { mix(0xff) } else { for byte in row[index].description.utf8 { mix(byte) } }
            mix(0x1e)
        }
        var z = hash &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The rows a worker returns for one task, with their columns and summary.
public struct ScanResult: Sendable, Hashable {
    /// The result's columns (visible columns only, in schema order).
    public var columns: [ResultColumn]
    /// The returned rows, values in ``columns`` order.
    public var rows: [Row]
    /// What was returned, for checkers.
    public var summary: ScanRowSummary

    /// A result with these columns, rows and summary.
    public init(columns: [ResultColumn], rows: [Row], summary: ScanRowSummary) {
        self.columns = columns
        self.rows = rows
        self.summary = summary
    }
}

/// What a worker does to decoded rows before returning them (Okera's
/// enforcement fleet): row filters on the stored values first, then
/// projection to the visible columns, then masks.
public enum ScanResultBuilder {
    /// Filters, projects and masks `rows` (decoded in the dataset's schema)
    /// as `scan` allows. Filters see the stored values of every column,
    /// visible or not; a row missing values counts them as NULL.
    public static func build(_ scan: AuthorizedScan, rows: [Row]) -> ScanResult {
        let columns = scan.columns.map { ResultColumn(name: $0.column.name, type: $0.resultType, mask: $0.mask) }
        var returned: [Row] = []
        for row in rows where scan.passesFilters(row) {
            returned.append(Row(scan.columns.map { column in
                let value = row[column.position]
                return column.mask.map { ColumnMask.apply($0, to: value) } ?? value
            }))
        }
        let names = scan.columns.map(\.column.name)
        let digest = returned.reduce(UInt64(0)) { $0 &+ ScanRowSummary.rowDigest(columns: names, row: $1) }
        let summary = ScanRowSummary(
            rowsRead: rows.count, rowsReturned: returned.count,
            columns: scan.columns.map {
                ScanRowSummary.ColumnSummary(name: $0.column.name, mask: $0.mask, returnedUnmasked: $0.mask == nil && !returned.isEmpty)
            }, contentDigest: digest)
        return ScanResult(columns: columns, rows: returned, summary: summary)
    }

    /// Decodes one data file of the scanned dataset and builds its result.
    public static func build(_ scan: AuthorizedScan, file bytes: [UInt8]) throws(CatalogError) -> ScanResult {
        build(scan, rows: try DatasetFile.decode(bytes, columns: scan.dataset.columns))
    }
}
