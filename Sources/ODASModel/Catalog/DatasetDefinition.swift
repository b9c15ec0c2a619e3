/// One column of a dataset's schema.
public struct ColumnDefinition: Sendable, Hashable, CustomStringConvertible {
    /// The column's name (any valid catalog name; see ``CatalogNames``).
    public var name: String
    /// The column's type.
    public var type: ColumnType

    /// A column named `name` of type `type`.
    public init(name: String, type: ColumnType) {
        self.name = name
        self.type = type
    }

    /// `name type`, e.g. `amount double`.
    public var description: String { "\(name) \(type.rawValue)" }
}

/// A dataset as the catalog stores it: where its files are and what their
/// rows look like.
///
/// The data is `files` objects in `bucket` under `prefix`
/// (``DatasetFile/key(dataset:file:)``), each with `rowsPerFile` generated rows
/// (``DatasetFile/generate(dataset:file:)``).
public struct DatasetDefinition: Sendable, Hashable {
    /// `database.table`.
    public var name: String
    /// The S3 bucket holding the files.
    public var bucket: String
    /// The key prefix of the files (`sales/`); may be empty.
    public var prefix: String
    /// The schema, in order.
    public var columns: [ColumnDefinition]
    /// How many files (S3 objects) the dataset has.
    public var files: Int
    /// How many rows each file holds.
    public var rowsPerFile: Int

    /// The most files a dataset may have.
    public static let maximumFiles = 100_000
    /// The most rows a file may have.
    public static let maximumRowsPerFile = 1_000_000
    /// The most columns a dataset may have.
    public static let maximumColumns = 1_000

    /// A dataset definition; check it with ``validate()``.
    public init(name: String, bucket: String, prefix: String, columns: [ColumnDefinition], files: Int, rowsPerFile: Int) {
        self.name = name
        self.bucket = bucket
        self.prefix = prefix
        self.columns = columns
        self.files = files
        self.rowsPerFile = rowsPerFile
    }

    /// The database part of ``name`` (before the dot).
    public var database: String { String(name.prefix { $0 != "." }) }

    /// The table part of ``name`` (after the dot).
    public var table: String {
        guard let dot = name.firstIndex(of: ".") else { return name }
        return String(name[name.index(after: dot)...])
    }

    /// The position of the column named `column`, if any.
    public func position(of column: String) -> Int? {
        columns.firstIndex { $0.name.utf8.elementsEqual(column.utf8) }
    }

    /// Checks every name and bound: a `database.table` name, a bucket, a
    /// prefix (empty allowed), 1...``maximumColumns`` uniquely named columns,
    /// 0...``maximumFiles`` files and 0...``maximumRowsPerFile`` rows per file.
    public func validate() throws(CatalogError) {
        try CatalogNames.validateDataset(name)
        try CatalogNames.validate(bucket, field: "bucket name")
        if !prefix.isEmpty { try CatalogNames.validate(prefix, field: "prefix") }
        guard !columns.isEmpty else {
            throw .invalidDefinition(field: "columns of \(name)", reason: "a dataset needs at least one column")
        }
        guard columns.count <= Self.maximumColumns else {
            throw .invalidDefinition(field: "columns of \(name)",
                                     reason: "\(columns.count) columns; at most \(Self.maximumColumns) are allowed")
        }
        var seen: Set<String> = []
        for column in columns {
            try CatalogNames.validate(column.name, field: "column name")
            guard seen.insert(column.name).inserted else {
                throw .invalidDefinition(field: "columns of \(name)", reason: "column \(column.name) appears twice")
            }
        }
        guard (0...Self.maximumFiles).contains(files) else {
            throw .invalidDefinition(field: "files of \(name)", reason: "\(files); must be in 0...\(Self.maximumFiles)")
        }
        guard (0...Self.maximumRowsPerFile).contains(rowsPerFile) else {
            throw .invalidDefinition(field: "rowsPerFile of \(name)",
                                     reason: "\(rowsPerFile); must be in 0...\(Self.maximumRowsPerFile)")
        }
    }
}
