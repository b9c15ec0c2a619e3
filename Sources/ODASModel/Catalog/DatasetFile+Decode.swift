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
        var fields: [CSVReader.Field] = []
        guard try reader.next(into: &fields) else {
            throw .corruptFile(offset: 0, reason: "no header line")
        }
        let names = fields.map { String(decoding: reader.content(of: $0), as: UTF8.self) }
        guard names.count == columns.count, zip(names, columns).allSatisfy({ $0.utf8.elementsEqual($1.name.utf8) }) else {
            throw .corruptFile(offset: 0, reason: "the header names columns \(names.joined(separator: ", ")); expected \(columns.map(\.name).joined(separator: ", "))")
        }
        let types = columns.map(\.type)
        var rows: [Row] = []
        rows.reserveCapacity(min(expectedRows, DatasetDefinition.maximumRowsPerFile))
        while try reader.next(into: &fields) {
            let offset = fields.first?.start ?? contentEnd
            guard rows.count < expectedRows else {
                throw .corruptFile(offset: offset, reason: "more rows than the \(expectedRows) the trailer announces")
            }
            guard fields.count == columns.count else {
                throw .corruptFile(offset: offset, reason: "row \(rows.count) has \(fields.count) fields; the schema has \(columns.count) columns")
            }
            var values: [Value] = []
            values.reserveCapacity(columns.count)
            for index in fields.indices {
                let field = fields[index]
                if field.start == field.end && !field.quoted { values.append(.null); continue }
                guard let value = reader.value(of: field, as: types[index]) else {
                    let text = String(decoding: reader.content(of: field), as: UTF8.self)
                    throw .corruptFile(offset: field.start,
                                       reason: "column \(columns[index].name) of row \(rows.count) is \(text.debugDescription), not a valid \(types[index].rawValue)")
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

/// Reads CSV records (RFC 4180 quoting, LF line ends) from `bytes[..<end]`
/// without copying: a field is a range of the buffer, unescaped only when it
/// holds a doubled quote.
struct CSVReader {
    /// One field: its content is `bytes[start..<end]` (inside the quotes
    /// when quoted); `escaped` when it contains doubled quotes.
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        var escaped: Bool
    }

    let bytes: [UInt8]
    let end: Int
    var position = 0

    init(bytes: [UInt8], end: Int) {
        self.bytes = bytes
        self.end = end
    }

    /// Reads the next record into `fields` (cleared first); false at the end.
    mutating func next(into fields: inout [Field]) throws(CatalogError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        guard position < end else { return false }
        while true {
            var field: Field
            if bytes[position] == 0x22 {
                let open = position
                position += 1
                field = Field(start: position, end: position, quoted: true, escaped: false)
                while true {
                    guard position < end else { throw .corruptFile(offset: open, reason: "unterminated quoted field") }
                    if bytes[position] == 0x22 {
                        if position + 1 < end, bytes[position + 1] == 0x22 {
                            field.escaped = true
                            position += 2
                            continue
                        }
                        field.end = position
                        position += 1
                        break
                    }
                    position += 1
                }
            } else {
                field = Field(start: position, end: position, quoted: false, escaped: false)
                while position < end {
                    let byte = bytes[position]
                    if byte == 0x2C || byte == 0x0A { break }
                    guard byte != 0x22, byte != 0x0D else {
                        throw .corruptFile(offset: position, reason: byte == 0x22 ? "a quote inside an unquoted field" : "a carriage return (lines end with LF)")
                    }
                    position += 1
                }
                field.end = position
            }
            fields.append(field)
            guard position < end else { throw .corruptFile(offset: position, reason: "truncated: the last line has no line end") }
            switch bytes[position] {
            case 0x2C:
                position += 1
            case 0x0A:
                position += 1
                return true
            default:
                throw .corruptFile(offset: position, reason: "expected ',' or a line end after a quoted field")
            }
        }
    }

    /// The field's bytes, with doubled quotes undoubled.
    func content(of field: Field) -> ArraySlice<UInt8> {
        let raw = bytes[field.start..<field.end]
        guard field.escaped else { return raw }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var skip = false
        for byte in raw {
            if skip { skip = false; continue }
            out.append(byte)
            if byte == 0x22 { skip = true }
        }
        return out[...]
    }

    /// The field as a value of `type`, nil when it is not one. Integers,
    /// booleans and dates are parsed from the bytes; a double through
    /// `Double(String)` (it must be finite); a string must be valid UTF-8.
    func value(of field: Field, as type: ColumnType) -> Value? {
        let content = content(of: field)
        switch type {
        case .bigint:
            return Self.integer(content, limit: UInt64(Int64.max)).map { .bigint(Int64($0)) }
        case .int:
            return Self.integer(content, limit: UInt64(Int32.max)).map { .int(Int32($0)) }
        case .double:
            guard content.allSatisfy({ $0 < 0x80 }), let number = Double(String(decoding: content, as: UTF8.self)),
                  number.isFinite else { return nil }
            return .double(number)
        case .string:
            return String(validating: content, as: UTF8.self).map { .string($0) }
        case .date:
            guard content.count == 10, content.allSatisfy({ $0 < 0x80 }) else { return nil }
            return CalendarDate(parsing: String(decoding: content, as: UTF8.self)).map { .date($0) }
        case .boolean:
            if content.elementsEqual("true".utf8) { return .boolean(true) }
            if content.elementsEqual("false".utf8) { return .boolean(false) }
            return nil
        }
    }

    /// `-?[0-9]+` within `-(limit + 1)...limit`, as Int64; nil otherwise.
    static func integer(_ bytes: ArraySlice<UInt8>, limit: UInt64) -> Int64? {
        var index = bytes.startIndex
        let negative = index < bytes.endIndex && bytes[index] == 0x2D
        if negative { index += 1 }
        guard index < bytes.endIndex else { return nil }
        var magnitude: UInt64 = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1, !overflow2, sum <= limit + (negative ? 1 : 0) else { return nil }
            magnitude = sum
            index += 1
        }
        if negative { return magnitude == limit + 1 ? -Int64(limit) - 1 : -Int64(magnitude) }
        return Int64(magnitude)
    }
}
