/// A template value: what a CloudFormation template's JSON or YAML holds,
/// with intrinsic functions as the one-key maps AWS defines (`{"Ref": "X"}`,
/// `{"Fn::GetAtt": ["X", "Arn"]}`); YAML short forms are read into the same maps.
public indirect enum CFNValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    /// A number as written (CloudFormation passes numbers on as text).
    case number(String)
    case bool(Bool)
    case null
    case list([CFNValue])
    case map(CFNMap)
    /// `Ref: AWS::NoValue`: removes the property (or list item) it stands in.
    case noValue

    /// The text of a scalar as CloudFormation passes it to a resource.
    public var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    public var listValue: [CFNValue]? { if case .list(let items) = self { return items }; return nil }
    public var mapValue: CFNMap? { if case .map(let map) = self { return map }; return nil }

    /// The single key of an intrinsic function map (`Ref`, `Fn::Join`, `Condition`).
    public var functionName: String? {
        guard case .map(let map) = self, map.keys.count == 1, let key = map.keys.first,
              key == "Ref" || key == "Condition" || key.hasPrefix("Fn::") else { return nil }
        return key
    }

    public var description: String { CFNJSON.render(self) }
}

/// A map that keeps the template's key order (for output and errors; every
/// decision that could depend on order sorts explicitly).
public struct CFNMap: Equatable, Sendable {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: CFNValue] = [:]

    public init() {}

    public init(_ pairs: [(String, CFNValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public subscript(key: String) -> CFNValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var pairs: [(key: String, value: CFNValue)] { keys.compactMap { key in values[key].map { (key, $0) } } }
    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }
}

/// Canonical JSON text of a value (GetTemplate, ToJsonString, error messages).
public enum CFNJSON {
    public static func render(_ value: CFNValue) -> String {
        var out = ""
        write(value, &out)
        return out
    }

    static func write(_ value: CFNValue, _ out: inout String) {
        switch value {
        case .string(let text): quote(text, &out)
        case .number(let text): out += text
        case .bool(let flag): out += flag ? "true" : "false"
        case .null, .noValue: out += "null"
        case .list(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, &out)
            }
            out += "]"
        case .map(let map):
            out += "{"
            for (index, pair) in map.pairs.enumerated() {
                if index > 0 { out += "," }
                quote(pair.key, &out)
                out += ":"
                write(pair.value, &out)
            }
            out += "}"
        }
    }

    static func quote(_ text: String, _ out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
