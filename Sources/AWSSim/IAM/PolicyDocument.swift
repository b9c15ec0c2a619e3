import Foundation

/// A parsed IAM policy document (identity policy, resource policy, trust
/// policy or permissions boundary), following the IAM JSON policy grammar
/// (IAM/latest/UserGuide/reference_policies_grammar.html).
public struct PolicyDocument: Equatable, Sendable {
    public enum Effect: String, Sendable { case allow = "Allow", deny = "Deny" }

    /// A list of patterns, or its negation (`NotAction`, `NotResource`),
    /// compiled once for matching: UTF-8 bytes, lowercased bytes (actions
    /// match case-insensitively) and which patterns hold policy variables.
    ///
    /// A final class: evaluation reads it without copying its arrays (and their reference counts).
    public final class PatternList: Equatable, Sendable {
        public let patterns: [String]
        public let negated: Bool
        let bytes: [[UInt8]]
        let lowered: [[UInt8]]
        let hasVariables: [Bool]

        public init(patterns: [String], negated: Bool) {
            self.patterns = patterns
            self.negated = negated
            bytes = patterns.map { Array($0.utf8) }
            lowered = patterns.map { Array($0.lowercased().utf8) }
            hasVariables = patterns.map { $0.contains("${") }
        }

        public static func == (lhs: PatternList, rhs: PatternList) -> Bool {
            lhs.patterns == rhs.patterns && lhs.negated == rhs.negated
        }
    }

    /// `Principal` / `NotPrincipal`: `*`, or patterns by kind (`AWS`, `Service`, `Federated`).
    public struct Principals: Equatable, Sendable {
        public let any: Bool
        public let byKind: [String: [String]]
        public let negated: Bool
    }

    /// How a condition operator compares (its family), after IfExists and `Not` are taken off.
    enum Comparison: Equatable, Sendable {
        case stringEquals, stringEqualsIgnoreCase, stringLike, bool, binaryEquals, ipAddress, arnLike, null
        case numeric(Order), date(Order)
    }

    enum Order: Equatable, Sendable { case equal, less, lessOrEqual, greater, greaterOrEqual }

    /// One condition: operator (with its IfExists / set-qualifier parts), key, values.
    public final class Condition: Equatable, Sendable {
        public let qualifier: String?   // ForAllValues / ForAnyValue
        public let operatorName: String // e.g. StringLike
        public let ifExists: Bool
        public let key: String
        public let values: [String]
        let keyLowered: String
        let comparison: Comparison
        /// StringNotEquals, NotIpAddress, ArnNotLike, …: the negation of their family.
        let negated: Bool
        let hasVariables: Bool
        /// IpAddress values, parsed once.
        let blocks: [IPv4Block?]

        init(qualifier: String?, operatorName: String, ifExists: Bool, key: String, values: [String]) {
            self.qualifier = qualifier
            self.operatorName = operatorName
            self.ifExists = ifExists
            self.key = key
            self.values = values
            keyLowered = key.lowercased()
            negated = ["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals",
                       "NotIpAddress", "ArnNotEquals", "ArnNotLike"].contains(operatorName)
            let family = negated ? operatorName.replacingOccurrences(of: "Not", with: "") : operatorName
            func order(_ suffix: String) -> Order {
                switch suffix {
                case "LessThan": return .less
                case "LessThanEquals": return .lessOrEqual
                case "GreaterThan": return .greater
                case "GreaterThanEquals": return .greaterOrEqual
                default: return .equal
                }
            }
            switch family {
            case "StringEquals": comparison = .stringEquals
            case "StringEqualsIgnoreCase": comparison = .stringEqualsIgnoreCase
            case "StringLike": comparison = .stringLike
            case "Bool": comparison = .bool
            case "BinaryEquals": comparison = .binaryEquals
            case "IpAddress": comparison = .ipAddress
            case "ArnEquals", "ArnLike": comparison = .arnLike
            case "Null": comparison = .null
            case let name where name.hasPrefix("Numeric"): comparison = .numeric(order(String(name.dropFirst("Numeric".count))))
            case let name where name.hasPrefix("Date"): comparison = .date(order(String(name.dropFirst("Date".count))))
            default: comparison = .stringEquals // unreachable: parse admits only known operators
            }
            hasVariables = values.contains { $0.contains("${") }
            blocks = comparison == .ipAddress ? values.map { IPv4Block($0) ?? IPv4Block($0 + "/32") } : []
        }

        public static func == (lhs: Condition, rhs: Condition) -> Bool {
            lhs.qualifier == rhs.qualifier && lhs.operatorName == rhs.operatorName && lhs.ifExists == rhs.ifExists
                && lhs.key == rhs.key && lhs.values == rhs.values
        }
    }

    /// One statement; a final class, so evaluation loops do not copy it.
    public final class Statement: Equatable, Sendable {
        public let sid: String?
        public let effect: Effect
        public let actions: PatternList
        public let resources: PatternList?
        public let principals: Principals?
        public let conditions: [Condition]
        /// The Sid, or `statement N`: how decisions name the statement.
        public let label: String

        init(sid: String?, effect: Effect, actions: PatternList, resources: PatternList?, principals: Principals?,
             conditions: [Condition], label: String) {
            self.sid = sid
            self.effect = effect
            self.actions = actions
            self.resources = resources
            self.principals = principals
            self.conditions = conditions
            self.label = label
        }

        public static func == (lhs: Statement, rhs: Statement) -> Bool {
            lhs.sid == rhs.sid && lhs.effect == rhs.effect && lhs.actions == rhs.actions && lhs.resources == rhs.resources
                && lhs.principals == rhs.principals && lhs.conditions == rhs.conditions
        }
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
        for (index, raw) in rawStatements.enumerated() { statements.append(try statement(raw, index: index)) }
        return PolicyDocument(version: version, statements: statements)
    }

    static func strings(_ value: Any?, field: String) throws(Malformed) -> [String]? {
        guard let value else { return nil }
        if let single = value as? String { return [single] }
        if let list = value as? [String], !list.isEmpty { return list }
        throw Malformed(message: "\(field) must be a string or a non-empty list of strings.")
    }

    static func statement(_ raw: [String: Any], index: Int) throws(Malformed) -> Statement {
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
        let sid = raw["Sid"] as? String
        return Statement(sid: sid, effect: effect,
                         actions: PatternList(patterns: action ?? notAction ?? [], negated: notAction != nil),
                         resources: (resource ?? notResource).map { PatternList(patterns: $0, negated: notResource != nil) },
                         principals: principals, conditions: conditions, label: sid ?? "statement \(index + 1)")
    }
}
