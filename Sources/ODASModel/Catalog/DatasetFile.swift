import SimCore

/// A dataset's data files: their S3 keys, their generated rows, and their
/// encoding.
///
/// Format (docs/catalog.md): CSV (RFC 4180 quoting, LF line ends) with a
/// header line of column names, one line per row, and a trailer line
/// `#odas-rows=<count> fnv1a64=<16 lowercase hex digits>` whose hash is
/// FNV-1a 64 over every byte before the trailer. A NULL is an empty unquoted
/// field; an empty string is `""`. Values are in canonical text
/// (``Value/text``). Decoding checks the trailer first, so a flipped byte
/// anywhere or a truncated file is an error, never wrong rows.
public enum DatasetFile {
    /// The file name extension.
    public static let fileExtension = "csv"
    /// The trailer line's start.
    static let trailerMarker = Array("#odas-rows=".utf8)

    /// The S3 key of file `file` (0-based): the dataset's prefix (a `/` is
    /// added when it is not empty and does not end in one), then
    /// `part-NNNNN.csv` with the index in five or more digits —
    /// `sales/part-00003.csv`.
    public static func key(dataset: DatasetDefinition, file: Int) -> String {
        var prefix = dataset.prefix
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        let digits = String(file)
        return prefix + "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + fileExtension
    }

    /// The keys of all the dataset's files, in file order (which is also
    /// their S3 listing order).
    public static func keys(dataset: DatasetDefinition) -> [String] {
        (0..<max(0, dataset.files)).map { key(dataset: dataset, file: $0) }
    }

    /// The generated rows of file `file`: ``DatasetDefinition/rowsPerFile``
    /// rows whose values depend only on the dataset's name, the file index,
    /// the row index and the column types (``generatedRow(dataset:file:row:)``).
    public static func rows(dataset: DatasetDefinition, file: Int) -> [Row] {
        let seed = fileSeed(dataset: dataset, file: file)
        return (0..<max(0, dataset.rowsPerFile)).map { generatedRow(columns: dataset.columns, fileSeed: seed, row: $0) }
    }

    /// Row `row` of file `file`. Seeded by `StableHash.fnv1a64(name + "/" +
    /// file)` mixed with the row index through SplitMix64; one `SimRandom`
    /// draw per column, in schema order:
    /// - `bigint`: 0 ..< 1,000,000; `int`: 0 ..< 1,000;
    /// - `double`: 0.00 ..< 10,000.00 in cents;
    /// - `string`: a word of ``words`` and a two-digit number, `delta-07`;
    /// - `date`: 2020-01-01 ..< 2024-01-01; `boolean`: either.
    public static func generatedRow(dataset: DatasetDefinition, file: Int, row: Int) -> Row {
        generatedRow(columns: dataset.columns, fileSeed: fileSeed(dataset: dataset, file: file), row: row)
    }

    static func fileSeed(dataset: DatasetDefinition, file: Int) -> UInt64 {
        StableHash.fnv1a64(dataset.name + "/" + String(file))
    }

    static func generatedRow(columns: [ColumnDefinition], fileSeed: UInt64, row: Int) -> Row {
        var random = SimRandom(seed: SplitMix64.mix(fileSeed &+ UInt64(truncatingIfNeeded: row)))
        return Row(columns.map { generatedValue($0.type, random: &random) })
    }

    /// The words generated strings are made of.
    public static let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]

    static func generatedValue(_ type: ColumnType, random: inout SimRandom) -> Value {
        let draw = random.next()
        switch type {
        case .bigint: return .bigint(Int64(draw % 1_000_000))
        case .int: return .int(Int32(draw % 1_000))
        case .double: return .double(Double(draw % 1_000_000) / 100)
        case .string:
            let word = words[Int(draw % UInt64(words.count))]
            let number = (draw >> 32) % 100
            return .string(word + "-" + (number < 10 ? "0" : "") + String(number))
        case .date:
            // 2020-01-01 is day 18262; four years are 1461 days.
            return .date(CalendarDate(daysSince1970: 18_262 + Int32(draw % 1_461)))
        case .boolean: return .boolean(draw & 1 == 1)
        }
    }

    /// The bytes of file `file` of `dataset`: its generated rows, encoded.
    /// The same dataset and index always give the same bytes.
    public static func generate(dataset: DatasetDefinition, file: Int) -> [UInt8] {
        encode(columns: dataset.columns, rows: rows(dataset: dataset, file: file))
    }

    /// Encodes rows (values in `columns` order) in the file format.
    public static func encode(columns: [ColumnDefinition], rows: [Row]) -> [UInt8] {
        var out: [UInt8] = []
        func field(_ text: String) {
            let bytes = Array(text.utf8)
            let needsQuotes = bytes.isEmpty || bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || bytes.first == 0x23
            guard needsQuotes else { out += bytes; return }
            out.append(0x22)
            for byte in bytes {
                if byte == 0x22 { out.append(0x22) }
                out.append(byte)
            }
            out.append(0x22)
        }
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(0x2C) }
            field(column.name)
        }
        out.append(0x0A)
        for row in rows {
            for index in columns.indices {
                if index > 0 { out.append(0x2C) }
                if let text = row[index].text { field(text) }
            }
            out.append(0x0A)
        }
        let hash = fnv1a64(out[...])
        out += trailerMarker + Array(String(rows.count).utf8) + Array(" fnv1a64=".utf8) + Array(hex16(hash).utf8) + [0x0A]
        return out
    }

    /// FNV-1a 64 over bytes (`StableHash.fnv1a64` hashes strings).
    static func fnv1a64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
