import Yams

/// Reads a template body — JSON or YAML, with the YAML short-form tags
/// (`!Ref`, `!Sub`, `!GetAtt A.B`, …) — into ``CFNValue``s. JSON is read by the
/// same parser (YAML 1.1 accepts the JSON CloudFormation templates use).
///
/// CloudFormation does not support YAML aliases, anchors or hash merges
/// (AWSCloudFormation/latest/UserGuide/template-formats.html, "YAML"): a body that
/// composes to more nodes than it has bytes is refused as expanded aliases,
/// so a few kilobytes of nested aliases cannot exhaust memory.
public enum CFNTemplateParser {
    /// Template bodies up to 1 MB (the quota for a template in S3; an inline
    /// `TemplateBody` is limited to 51,200 bytes by the API itself; CloudFormation quotas page).
    public static let maximumTemplateBytes = 1_048_576

    /// The short-form tags and the function each stands for.
    static let shortForms: [String: String] = [
        "!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join",
        "!Select": "Fn::Select", "!Split": "Fn::Split", "!GetAZs": "Fn::GetAZs", "!FindInMap": "Fn::FindInMap",
        "!If": "Fn::If", "!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Not": "Fn::Not",
        "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!ImportValue": "Fn::ImportValue", "!Length": "Fn::Length",
        "!ToJsonString": "Fn::ToJsonString", "!Transform": "Fn::Transform",
    ]

    public static func parse(_ body: String) throws(CFNError) -> CFNValue {
        guard body.utf8.count <= maximumTemplateBytes else {
            throw CFNError("ValidationError", "Template may not exceed \(maximumTemplateBytes) bytes in size.")
        }
        guard !body.allSatisfy(\.isWhitespace) else { throw .format("At least one Resources member must be defined.") }
        let node: Node?
        do { node = try Yams.compose(yaml: body) } catch let error as YamlError {
            throw .format(notWellFormed(error, json: isJSON(body)))
        } catch {
            throw .format("YAML not well-formed.")
        }
        guard let node else { throw .format("At least one Resources member must be defined.") }
        var budget = max(body.utf8.count, 16)
        let value = try convert(node, &budget)
        guard case .map = value else {
            throw .format(isJSON(body) ? "JSON not well-formed. The template must be a JSON object." : "YAML not well-formed. The template must be a mapping.")
        }
        return value
    }

    static func isJSON(_ body: String) -> Bool { body.first { !$0.isWhitespace } == "{" }

    /// AWS's wording with the parser's line and column.
    static func notWellFormed(_ error: YamlError, json: Bool) -> String {
        let kind = json ? "JSON" : "YAML"
        var mark: Mark?
        switch error {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): mark = m
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "\(kind) not well-formed. Duplicate key \(duplicates.sorted().joined(separator: ", ")) (line \(context.mark.line), column \(context.mark.column))."
        default: mark = nil
        }
        guard let mark else { return "\(kind) not well-formed." }
        return "\(kind) not well-formed. (line \(mark.line), column \(mark.column))"
    }

    static func convert(_ node: Node, _ budget: inout Int) throws(CFNError) -> CFNValue {
        budget -= 1
        guard budget >= 0 else {
            throw .format("YAML not well-formed. The template expands to more values than it has bytes: YAML aliases and anchors are not supported.")
        }
        let tag = node.tag.rawValue
        if tag.hasPrefix("!"), tag != "!" {
            guard let function = shortForms[tag] else {
                let at = node.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
                throw .format("YAML not well-formed. Unknown tag \(tag)\(at); the short forms are \(shortForms.keys.sorted().joined(separator: ", ")).")
            }
            var content = try plain(node, &budget)
            if function == "Fn::GetAtt", case .string(let text) = content {
                // `!GetAtt Resource.Attribute` (the attribute may itself contain dots: Endpoint.Address).
                guard let dot = text.firstIndex(of: ".") else {
                    throw .template("Fn::GetAtt \(text) must be Resource.Attribute")
                }
                content = .list([.string(String(text[..<dot])), .string(String(text[text.index(after: dot)...]))])
            }
            return .map(CFNMap([(function, content)]))
        }
        return try plain(node, &budget)
    }

    /// A node's content, ignoring its own tag.
    static func plain(_ node: Node, _ budget: inout Int) throws(CFNError) -> CFNValue {
        switch node {
        case .scalar(let scalar):
            let tag = node.tag.rawValue
            if scalar.style != .plain { return .string(scalar.string) }
            switch tag {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue:
                let lowered = scalar.string.lowercased()
                // CloudFormation reads YAML 1.1 booleans; "yes"/"no" stay strings in templates people write.
                if lowered == "true" { return .bool(true) }
                if lowered == "false" { return .bool(false) }
                return .string(scalar.string)
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return .number(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var map = CFNMap()
            for pair in mapping {
                guard case .scalar(let key) = pair.key else { throw .format("YAML not well-formed. Mapping keys must be strings.") }
                if key.string == "<<" { throw .format("YAML not well-formed. Hash merges (<<) are not supported.") }
                if map[key.string] != nil {
                    let at = pair.key.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
                    throw .format("YAML not well-formed. Duplicate key \(key.string)\(at).")
                }
                map[key.string] = try convert(pair.value, &budget)
            }
            return .map(map)
        case .sequence(let sequence):
            var items: [CFNValue] = []
            for child in sequence { items.append(try convert(child, &budget)) }
            return .list(items)
        case .alias:
            throw .format("YAML not well-formed. YAML aliases are not supported.")
        }
    }
}
