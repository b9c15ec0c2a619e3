extension DatasetFile {
    /// Decodes a data file into rows of `columns` (the dataset's schema).
    ///
    /// Checks, in order: the trailer line is present and well formed (else
    /// truncated), the FNV-1a 64 of the content matches it (else corrupted),
    /// the header names exactly `columns`, every line has one field per
    /// column, every field is valid UTF-8 and a value of its column's type,
    /// and the number of rows matches the trailer. Any failure throws
    /// ``CatalogError/corruptFile(offset:reason:)`` with the byte offset.
    public static func decode(_ bytes: [UInt8], columns: [ColumnDefinition]) throws(CatalogError) -> [Row] {
        let (contentEnd, expectedRows) = try readTrailer(bytes)
        var reader = CSVReader(bytes: bytes, end: contentEnd)
        guard let header = try reader.record() else {
            throw .corruptFile(offset: 0, reason: "no header line")
        }
        let names = header.map { String(decoding: $0.bytes, as: UTF8.self) }
        guard names.count == columns.count, zip(names, columns).allSatisfy({ $0.utf8.elementsEqual($1.name.utf8) }) else {
            throw .corruptFile(offset: 0, reason: "the header names columns \(names.joined(separator: ", ")); expected \(columns.map(\.name).joined(separator: ", "))")
        }
        var rows: [Row] = []
        while let record = try reader.record() {
            guard rows.count < expectedRows else {
                throw .corruptFile(offset: record.first?.offset ?? contentEnd, reason: "more rows than the \(expectedRows) the trailer announces")
            }
            guard record.count == columns.count else {
                throw .corruptFile(offset: record.first?.offset ?? contentEnd,
                                   reason: "row \(rows.count) has \(record.count) fields; the schema has \(columns.count) columns")
            }
            var values: [Value] = []
            values.reserveCapacity(columns.count)
            for (field, column) in zip(record, columns) {
                if field.bytes.isEmpty && !field.quoted { values.append(.null); continue }
                guard let text = String(validating: field.bytes, as: UTF8.self) else {
                    throw .corruptFile(offset: field.offset, reason: "column \(column.name) of row \(rows.count) is not valid UTF-8")
                }
                guard let value = Value(text: text, as: column.type) else {
                    throw .corruptFile(offset: field.offset,
                                       reason: "column \(column.name) of row \(rows.count) is \(text.debugDescription), not a \(column.type.rawValue)")
                }
                values.append(value)
            }
            rows.append(Row(values))
        }
        guard rows.count == expectedRows else {
            throw .corruptFile(offset: contentEnd, reason: "\(rows.count) rows where the trailer announces \(expectedRows)")
        }
        return rows
    }

    /// Finds and checks the trailer; returns where the content ends and the row count.
    static func readTrailer(_ bytes: [UInt8]) throws(CatalogError) -> (contentEnd: Int, rows: Int) {
        guard bytes.last == 0x0A else {
            throw .corruptFile(offset: bytes.count, reason: "truncated: the file does not end with its trailer line")
        }
        var start = bytes.count - 1
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        let line = bytes[start..<(bytes.count - 1)]
        guard line.starts(with: trailerMarker) else {
            throw .corruptFile(offset: start, reason: "truncated: the last line is not the #odas-rows= trailer")
        }
        let fields = String(decoding: line.dropFirst(trailerMarker.count), as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, let rows = Int(fields[0]), rows >= 0, fields[1].hasPrefix("fnv1a64="),
              fields[1].utf8.count == 24, let stated = UInt64(fields[1].dropFirst(8), radix: 16) else {
            throw .corruptFile(offset: start, reason: "malformed trailer line (expected #odas-rows=N fnv1a64=<16 hex digits>)")
        }
        let actual = fnv1a64(bytes[0..<start])
        guard actual == stated else {
            throw .corruptFile(offset: start, reason: "checksum mismatch: the trailer says fnv1a64=\(hex16(stated)), the content hashes to \(hex16(actual))")
        }
        return (start, rows)
    }
}

/// Reads CSV records (RFC 4180 quoting, LF line ends) from `bytes[..<end]`.
struct CSVReader {
    struct Field {
        var bytes: [UInt8]
        var quoted: Bool
        var offset: Int
    }

    let bytes: [UInt8]
    let end: Int
    var position = 0

    init(bytes: [UInt8], end: Int) {
        self.bytes = bytes
        self.end = end
    }

    /// The next record, nil at the end.
    mutating func record() throws(CatalogError) -> [Field]? {
        guard position < end else { return nil }
        var fields: [Field] = []
        while true {
            let start = position
            var content: [UInt8] = []
            var quoted = false
            if bytes[position] == 0x22 {
                quoted = true
                position += 1
                while true {
                    guard position < end else { throw .corruptFile(offset: start, reason: "unterminated quoted field") }
                    let byte = bytes[position]
                    if byte == 0x22 {
                        if position + 1 < end, bytes[position + 1] == 0x22 {
                            content.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    content.append(byte)
                    position += 1
                }
            } else {
                while position < end, bytes[position] != 0x2C, bytes[position] != 0x0A {
                    let byte = bytes[position]
                    guard byte != 0x22, byte != 0x0D else {
                        throw .corruptFile(offset: position, reason: byte == 0x22 ? "a quote inside an unquoted field" : "a carriage return (lines end with LF)")
                    }
                    content.append(byte)
                    position += 1
                }
            }
            fields.append(Field(bytes: content, quoted: quoted, offset: start))
            guard position < end else { throw .corruptFile(offset: position, reason: "truncated: the last line has no line end") }
            switch bytes[position] {
            case 0x2C:
                position += 1
            case 0x0A:
                position += 1
                return fields
            default:
                throw .corruptFile(offset: position, reason: "expected ',' or a line end after a quoted field")
            }
        }
    }
}
