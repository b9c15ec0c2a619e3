import Foundation

/// A parsed IAM policy document (identity policy, resource policy, trust
/// policy or permissions boundary), following the IAM JSON policy grammar
/// (IAM/latest/UserGuide/reference_policies_grammar.html).
public struct PolicyDocument: Equatable, Sendable {
    public enum Effect: String, Sendable { case allow = "Allow", deny = "Deny" }

    /// A list of patterns, or its negation (`NotAction`, `NotResource`).
    public struct PatternList: Equatable, Sendable {
        public var patterns: [String]
        public var negated: Bool
    }

    /// `Principal` / `NotPrincipal`: `*`, or patterns by kind (`AWS`, `Service`, `Federated`).
    public struct Principals: Equatable, Sendable {
        public var any: Bool
        public var byKind: [String: [String]]
        public var negated: Bool
    }

    /// One condition: operator (with its IfExists / set-qualifier parts), key, values.
    public struct Condition: Equatable, Sendable {
        public var qualifier: String?   // ForAllValues / ForAnyValue
        public var operatorName: String // e.g. StringLike
        public var ifExists: Bool
        public var key: String
        public var values: [String]
    }

    public struct Statement: Equatable, Sendable {
        public var sid: String?
        public var effect: Effect
        public var actions: PatternList
        public var resources: PatternList?
        public var principals: Principals?
        public var conditions: [Condition]
    }

    public var version: String
    public var statements: [Statement]

    /// MalformedPolicyDocument, as IAM reports it.
    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "MalformedPolicyDocument: \(message)" }
    }

    static let operators: Set<String> = [
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
        "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals",
        "ArnNotLike", "Null",
    ]

    /// Parses a policy document. Errors carry IAM's MalformedPolicyDocument messages.
    public static func parse(_ text: String) throws(Malformed) -> PolicyDocument {
        // Far above every IAM quota (the largest, a role's inline policies, is
        // 10,240 characters): callers report LimitExceeded for their own quota;
        // this bound only keeps hostile input from costing time and memory.
        guard text.utf8.count <= 1 << 20 else { throw Malformed(message: "Syntax errors in policy.") }
        guard let data = text.data(using: .utf8),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Malformed(message: "Syntax errors in policy.")
        }
        let allowedTop: Set<String> = ["Version", "Id", "Statement"]
        if let unknown = root.keys.sorted().first(where: { !allowedTop.contains($0) }) {
            throw Malformed(message: "Policy document should not specify a field \(unknown).")
        }
        let version = root["Version"] as? String ?? "2008-10-17"
        guard version == "2012-10-17" || version == "2008-10-17" else {
            throw Malformed(message: "The policy must contain a valid version string")
        }
        let rawStatements: [[String: Any]]
        if let list = root["Statement"] as? [[String: Any]] { rawStatements = list }
        else if let single = root["Statement"] as? [String: Any] { rawStatements = [single] }
        else { throw Malformed(message: "Missing required field Statement") }
        guard !rawStatements.isEmpty else { throw Malformed(message: "Missing required field Statement") }
        var statements: [Statement] = []
        for raw in rawStatements { statements.append(try statement(raw)) }
        return PolicyDocument(version: version, statements: statements)
    }

    static func strings(_ value: Any?, field: String) throws(Malformed) -> [String]? {
        guard let value else { return nil }
        if let single = value as? String { return [single] }
        if let list = value as? [String], !list.isEmpty { return list }
        throw Malformed(message: "\(field) must be a string or a non-empty list of strings.")
    }

    static func statement(_ raw: [String: Any]) throws(Malformed) -> Statement {
        let allowed: Set<String> = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]
        if let unknown = raw.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Malformed(message: "Statement contains an unknown field \(unknown).")
        }
        guard let effectText = raw["Effect"] as? String, let effect = Effect(rawValue: effectText) else {
            throw Malformed(message: "Missing or invalid Effect; it must be Allow or Deny.")
        }
        let action = try strings(raw["Action"], field: "Action"), notAction = try strings(raw["NotAction"], field: "NotAction")
        guard (action == nil) != (notAction == nil) else {
            throw Malformed(message: action == nil ? "Policy statement must contain actions." : "Statement cannot contain both Action and NotAction.")
        }
        for pattern in action ?? notAction ?? [] where pattern != "*" && !pattern.contains(":") {
            throw Malformed(message: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        }
        let resource = try strings(raw["Resource"], field: "Resource"), notResource = try strings(raw["NotResource"], field: "NotResource")
        if resource != nil, notResource != nil { throw Malformed(message: "Statement cannot contain both Resource and NotResource.") }
        var principals: Principals?
        for (field, negated) in [("Principal", false), ("NotPrincipal", true)] {
            guard let value = raw[field] else { continue }
            if principals != nil { throw Malformed(message: "Statement cannot contain both Principal and NotPrincipal.") }
            if let star = value as? String, star == "*" {
                principals = Principals(any: true, byKind: [:], negated: negated)
            } else if let map = value as? [String: Any] {
                var byKind: [String: [String]] = [:]
                for (kind, entry) in map.sorted(by: { $0.key < $1.key }) {
                    guard ["AWS", "Service", "Federated", "CanonicalUser"].contains(kind),
                          let list = try strings(entry, field: field) else {
                        throw Malformed(message: "Invalid principal in policy: \(kind)")
                    }
                    byKind[kind] = list
                }
                principals = Principals(any: false, byKind: byKind, negated: negated)
            } else {
                throw Malformed(message: "Invalid principal in policy.")
            }
        }
        var conditions: [Condition] = []
        if let block = raw["Condition"] {
            guard let map = block as? [String: Any] else { throw Malformed(message: "Syntax errors in policy: Condition must be an object.") }
            for (fullOperator, keys) in map.sorted(by: { $0.key < $1.key }) {
                var name = fullOperator
                var qualifier: String?
                if let colon = name.firstIndex(of: ":") {
                    qualifier = String(name[..<colon])
                    name = String(name[name.index(after: colon)...])
                    guard qualifier == "ForAllValues" || qualifier == "ForAnyValue" else {
                        throw Malformed(message: "Invalid Condition type : \(fullOperator).")
                    }
                }
                let ifExists = name.hasSuffix("IfExists")
                if ifExists { name = String(name.dropLast("IfExists".count)) }
                guard operators.contains(name) else { throw Malformed(message: "Invalid Condition type : \(fullOperator).") }
                guard let pairs = keys as? [String: Any] else { throw Malformed(message: "Syntax errors in policy: condition \(fullOperator).") }
                for (key, value) in pairs.sorted(by: { $0.key < $1.key }) {
                    let values: [String]
                    if let text = value as? String { values = [text] }
                    else if let bool = value as? Bool { values = [bool ? "true" : "false"] }
                    else if let number = value as? NSNumber { values = [number.stringValue] }
                    else if let list = value as? [Any], !list.isEmpty {
                        var items: [String] = []
                        for item in list {
                            if let text = item as? String { items.append(text) }
                            else if let number = item as? NSNumber { items.append(number.stringValue) }
                            else { throw Malformed(message: "Syntax errors in policy: condition value for \(key).") }
                        }
                        values = items
                    }
                    else { throw Malformed(message: "Syntax errors in policy: condition value for \(key).") }
                    conditions.append(Condition(qualifier: qualifier, operatorName: name, ifExists: ifExists, key: key, values: values))
                }
            }
        }
        return Statement(sid: raw["Sid"] as? String, effect: effect,
                         actions: PatternList(patterns: action ?? notAction ?? [], negated: notAction != nil),
                         resources: (resource ?? notResource).map { PatternList(patterns: $0, negated: notResource != nil) },
                         principals: principals, conditions: conditions)
    }
}
