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

    /// How much a document may expand to: Yams shares an anchored node with
    /// its aliases, so a few kilobytes of nested aliases ("billion laughs")
    /// stand for billions of nodes; reading them into source nodes stops at
    /// these limits, and the loader refuses the document with the limit's name.
    struct Budget {
        /// `yaml-nodes`: nodes a document may expand to, aliases counted each time they are used.
        var maximumNodes: Int
        /// `yaml-aliases`: uses of anchored nodes (aliases) in a document.
        var maximumAliases: Int
        var nodes = 0
        var aliases = 0
        /// Anchors seen (Yams's anchors are objects, alive while their parser is).
        var anchors: Set<ObjectIdentifier> = []
        /// The first limit passed, and where.
        var exceeded: (limit: String, location: SourceLocation)?

        init(_ limits: LoadLimits = LoadLimits()) {
            maximumNodes = limits.yamlNodes
            maximumAliases = limits.yamlAliases
        }

        /// The loader's message for a document over its budget.
        var message: String? {
            guard let exceeded else { return nil }
            return exceeded.limit == "yaml-aliases"
                ? "the document uses YAML aliases more than \(maximumAliases) times (limit yaml-aliases); anchors and aliases are for sharing a few values, not for expanding data"
                : "the document expands to more than \(maximumNodes) YAML nodes with its aliases (limit yaml-nodes)"
        }
    }

    init(_ node: Node, path: String) {
        var budget = Budget()
        self.init(node, path: path, budget: &budget)
    }

    init(_ node: Node, path: String, budget: inout Budget) {
        self.path = path
        location = node.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? .unknown
        budget.nodes += 1
        if let anchor = node.anchor {
            // Yams hands out the anchored node itself for each alias: a second sighting is an alias's use.
            if !budget.anchors.insert(ObjectIdentifier(anchor)).inserted { budget.aliases += 1 }
        }
        if budget.exceeded == nil {
            if budget.aliases > budget.maximumAliases { budget.exceeded = ("yaml-aliases", location) }
            else if budget.nodes > budget.maximumNodes { budget.exceeded = ("yaml-nodes", location) }
        }
        guard budget.exceeded == nil else {
            value = .null
            return
        }
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
                return (SourceNode(pair.key, path: childPath, budget: &budget), SourceNode(pair.value, path: childPath, budget: &budget))
            })
        case .sequence(let sequence):
            value = .sequence(sequence.enumerated().map { index, child in
                SourceNode(child, path: "\(path)[\(index)]", budget: &budget)
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
