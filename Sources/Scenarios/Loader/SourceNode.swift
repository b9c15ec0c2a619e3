import Yams

/// A position in a scenario file.
public struct SourceLocation: Hashable, Sendable {
    public var line: Int
    public var column: Int
    public static let unknown = SourceLocation(line: 0, column: 0)
}

/// A YAML node with its position and its key path from the document root.
///
/// The loader works on these rather than on `Codable`: decoding from nodes is
/// what lets every error name the line, the column and the key path (a
/// `YAMLDecoder` type mismatch only knows the coding path).
struct SourceNode {
    enum Value {
        case scalar(String, isPlain: Bool, tag: String)
        case mapping([(key: SourceNode, value: SourceNode)])
        case sequence([SourceNode])
        case null
    }

    var value: Value
    var location: SourceLocation
    var path: String

    init(_ node: Node, path: String) {
        self.path = path
        location = node.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? .unknown
        switch node {
        case .scalar(let scalar):
            let tag = node.tag.rawValue
            if tag == Tag.Name.null.rawValue {
                value = .null
            } else {
                value = .scalar(scalar.string, isPlain: scalar.style == .plain, tag: tag)
            }
        case .mapping(let mapping):
            value = .mapping(mapping.map { pair in
                let keyText: String
                if case .scalar(let s) = pair.key { keyText = s.string } else { keyText = "?" }
                let childPath = path.isEmpty ? keyText : "\(path).\(keyText)"
                return (SourceNode(pair.key, path: childPath), SourceNode(pair.value, path: childPath))
            })
        case .sequence(let sequence):
            value = .sequence(sequence.enumerated().map { index, child in
                SourceNode(child, path: "\(path)[\(index)]")
            })
        case .alias:
            value = .scalar("*alias", isPlain: false, tag: "alias")
        }
    }

    /// A short description of the node's kind, for "expected X, found Y" messages.
    var kindDescription: String {
        switch value {
        case .scalar(let text, _, let tag):
            if tag == "alias" { return "a YAML alias" }
            let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
            switch tag {
            case "tag:yaml.org,2002:int": return "the number \(shown)"
            case "tag:yaml.org,2002:float": return "the number \(shown)"
            case "tag:yaml.org,2002:bool": return "the boolean \(shown)"
            default: return "the string \"\(shown)\""
            }
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .null: return "nothing (null)"
        }
    }
}
