/// A value attached to a trace event. Only types with one canonical text
/// form are allowed, so the encoded trace is the same in every process.
public enum TraceValue: Hashable, Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case duration(SimDuration)
}

extension TraceValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// One externally visible event of a run: a request, a response, a state
/// change or a fault. The vocabulary of `kind` follows AWS FIS's experiment
/// log (`action-start`, `action-end`, …) where one exists.
public struct TraceEvent: Hashable, Sendable {
    /// When it happened, in virtual time.
    public var instant: SimInstant
    /// Position in the trace; strictly increasing.
    public var sequence: Int
    /// The component that emitted it (`fault`, `s3`, `workload`, …).
    public var source: String
    /// What happened (`action-start`, `put-object`, `op-ok`, …).
    public var kind: String
    /// Details, sorted by key.
    public var attributes: [(key: String, value: TraceValue)]

    public init(instant: SimInstant, sequence: Int, source: String, kind: String,
                attributes: [(key: String, value: TraceValue)]) {
        self.instant = instant
        self.sequence = sequence
        self.source = source
        self.kind = kind
        self.attributes = attributes.sorted { $0.key < $1.key }
    }

    public static func == (lhs: TraceEvent, rhs: TraceEvent) -> Bool {
        lhs.instant == rhs.instant && lhs.sequence == rhs.sequence && lhs.source == rhs.source
            && lhs.kind == rhs.kind && lhs.attributes.elementsEqual(rhs.attributes, by: { $0 == $1 })
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sequence)
        hasher.combine(kind)
    }

    /// The value of one attribute, if present.
    public subscript(key: String) -> TraceValue? {
        attributes.first { $0.key == key }?.value
    }
}

extension TraceEvent {
    /// Canonical trace encoding, version 1: one JSON object per line with
    /// keys in this fixed order — `seq`, `ns` (nanoseconds since start), `t`
    /// (readable time), `source`, `kind`, `attrs` (keys sorted, values as JSON
    /// strings, integers or booleans; durations as their canonical string).
    /// The trace hash is computed over these bytes, so changing this format
    /// changes every hash: bump ``Trace/formatVersion`` when it does.
    public func canonicalJSON() -> String {
        var out = "{\"seq\":\(sequence),\"ns\":\(instant.nanosecondsSinceStart),\"t\":"
        JSONText.appendString(instant.description, to: &out)
        out += ",\"source\":"
        JSONText.appendString(source, to: &out)
        out += ",\"kind\":"
        JSONText.appendString(kind, to: &out)
        out += ",\"attrs\":{"
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { out += "," }
            JSONText.appendString(attribute.key, to: &out)
            out += ":"
            switch attribute.value {
            case .string(let s): JSONText.appendString(s, to: &out)
            case .int(let i): out += String(i)
            case .bool(let b): out += b ? "true" : "false"
            case .duration(let d): JSONText.appendString(d.description, to: &out)
            }
        }
        out += "}}"
        return out
    }
}

/// Minimal, canonical JSON string escaping (RFC 8259): the same bytes for the
/// same string on every platform.
public enum JSONText {
    public static func appendString(_ string: String, to out: inout String) {
        out += "\""
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += string
            out += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
