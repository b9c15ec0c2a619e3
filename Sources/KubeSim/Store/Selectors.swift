import Foundation

/// A compiled label selector: requirements ANDed together (labels.Selector).
///
/// Built from a ``LabelSelector`` (`matchLabels` + `matchExpressions`) or parsed
/// from the string form kubectl sends (`a=b,c!=d,e in (x,y),!f`). An empty
/// selector matches everything; ``nothing`` matches nothing (a nil selector
/// on a workload, as upstream's `labels.Nothing()`).
public struct Selector: Hashable, Sendable, CustomStringConvertible {
    public enum Op: String, Hashable, Sendable { case equals = "=", notEquals = "!=", `in` = "in", notIn = "notin", exists = "exists", doesNotExist = "!" }

    public struct Requirement: Hashable, Sendable {
        public var key: String
        public var op: Op
        public var values: [String]

        func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals: return value == values.first
            case .notEquals: return value != values.first
            case .in: return value.map { values.contains($0) } ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }

        var text: String {
            switch op {
            case .equals: return "\(key)=\(values.first ?? "")"
            case .notEquals: return "\(key)!=\(values.first ?? "")"
            case .in: return "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            }
        }
    }

    /// Requirements, sorted by key then text so that equal selectors compare equal.
    public private(set) var requirements: [Requirement]
    /// True for the selector that matches nothing.
    public private(set) var matchesNothing: Bool = false

    public init(requirements: [Requirement]) {
        self.requirements = requirements.sorted { ($0.key, $0.text) < ($1.key, $1.text) }
    }

    /// The selector that matches every object.
    public static let everything = Selector(requirements: [])
    /// The selector that matches no object.
    public static var nothing: Selector { var s = Selector(requirements: []); s.matchesNothing = true; return s }

    /// `metav1.LabelSelectorAsSelector`; nil selector → nothing. Unknown operators match nothing.
    public init(_ selector: LabelSelector?) {
        guard let selector else { self = .nothing; return }
        var reqs: [Requirement] = []
        for (k, v) in (selector.matchLabels ?? [:]) { reqs.append(Requirement(key: k, op: .equals, values: [v])) }
        var bad = false
        for e in selector.matchExpressions ?? [] {
            let values = (e.values ?? []).sorted()
            switch e.operator {
            case "In": reqs.append(Requirement(key: e.key, op: .in, values: values))
            case "NotIn": reqs.append(Requirement(key: e.key, op: .notIn, values: values))
            case "Exists": reqs.append(Requirement(key: e.key, op: .exists, values: []))
            case "DoesNotExist": reqs.append(Requirement(key: e.key, op: .doesNotExist, values: []))
            default: bad = true
            }
        }
        self.init(requirements: reqs)
        if bad { matchesNothing = true }
    }

    /// A selector from a `{key: value}` map (Service selectors); an empty map selects everything.
    public init(matchLabels: [String: String]) {
        self.init(requirements: matchLabels.map { Requirement(key: $0.key, op: .equals, values: [$0.value]) })
    }

    /// Parses the string form (`labelSelector=` query parameter).
    public static func parse(_ text: String) throws(KubeError) -> Selector {
        var reqs: [Requirement] = []
        for raw in splitTopLevel(text) {
            let part = raw.trimmingSpaces()
            if part.isEmpty { continue }
            func bad() -> KubeError {
                KubeError(reason: .badRequest, message: "unable to parse requirement: found '\(part)', expected: identifier")
            }
            if part.hasPrefix("!") {
                let key = String(part.dropFirst()).trimmingSpaces()
                guard Validation.isQualifiedName(key) else { throw bad() }
                reqs.append(Requirement(key: key, op: .doesNotExist, values: []))
                continue
            }
            if let r = part.range(of: "!=") {
                let key = String(part[..<r.lowerBound]).trimmingSpaces(), value = String(part[r.upperBound...]).trimmingSpaces()
                guard Validation.isQualifiedName(key), Validation.isLabelValue(value) else { throw bad() }
                reqs.append(Requirement(key: key, op: .notEquals, values: [value]))
                continue
            }
            if let r = part.range(of: "==") ?? part.range(of: "=") {
                let key = String(part[..<r.lowerBound]).trimmingSpaces(), value = String(part[r.upperBound...]).trimmingSpaces()
                guard Validation.isQualifiedName(key), Validation.isLabelValue(value) else { throw bad() }
                reqs.append(Requirement(key: key, op: .equals, values: [value]))
                continue
            }
            if let open = part.firstIndex(of: "("), part.hasSuffix(")") {
                let head = part[..<open].trimmingSpaces()
                let words = head.split(separator: " ", omittingEmptySubsequences: true)
                guard words.count == 2, Validation.isQualifiedName(String(words[0])) else { throw bad() }
                let op: Op
                switch words[1] {
                case "in": op = .in
                case "notin": op = .notIn
                default: throw bad()
                }
                let inner = part[part.index(after: open)..<part.index(before: part.endIndex)]
                let values = inner.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
                guard values.allSatisfy(Validation.isLabelValue) else { throw bad() }
                reqs.append(Requirement(key: String(words[0]), op: op, values: values.sorted()))
                continue
            }
            guard Validation.isQualifiedName(part) else { throw bad() }
            reqs.append(Requirement(key: part, op: .exists, values: []))
        }
        return Selector(requirements: reqs)
    }

    /// Splits on commas that are not inside parentheses.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts
    }

    /// True when every requirement holds for `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        for r in requirements where !r.matches(labels) { return false }
        return true
    }

    public var isEmpty: Bool { requirements.isEmpty && !matchesNothing }

    /// The canonical string form (sorted), usable as a cache key.
    public var description: String { matchesNothing ? "<nothing>" : requirements.map(\.text).joined(separator: ",") }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Node selector matching (`v1helper.MatchNodeSelectorTerms`): terms ORed,
/// expressions ANDed; `Gt`/`Lt` compare integers; `matchFields` supports `metadata.name`.
public enum NodeMatching {
    public static func matches(_ requirement: NodeSelectorRequirement, labels: [String: String]) -> Bool {
        let value = labels[requirement.key]
        let values = requirement.values ?? []
        switch requirement.operator {
        case "In": return value.map { values.contains($0) } ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let value, let lhs = Int64(value), values.count == 1, let rhs = Int64(values[0]) else { return false }
            return requirement.operator == "Gt" ? lhs > rhs : lhs < rhs
        default: return false
        }
    }

    /// One term: all expressions and fields match (an empty term matches nothing, as upstream).
    public static func matches(_ term: NodeSelectorTerm, nodeName: String, labels: [String: String]) -> Bool {
        let expressions = term.matchExpressions ?? [], fields = term.matchFields ?? []
        if expressions.isEmpty && fields.isEmpty { return false }
        for e in expressions where !matches(e, labels: labels) { return false }
        for f in fields {
            guard f.key == "metadata.name", matches(NodeSelectorRequirement(key: "n", operator: f.operator, values: f.values), labels: ["n": nodeName]) else { return false }
        }
        return true
    }

    public static func matches(_ selector: NodeSelector, nodeName: String, labels: [String: String]) -> Bool {
        selector.nodeSelectorTerms.contains { matches($0, nodeName: nodeName, labels: labels) }
    }

    /// `nodeSelector` plus required node affinity (what the NodeAffinity filter checks).
    public static func podMatchesNode(_ spec: PodSpec, nodeName: String, labels: [String: String]) -> Bool {
        if let ns = spec.nodeSelector { for (k, v) in ns where labels[k] != v { return false } }
        if let required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution {
            return matches(required, nodeName: nodeName, labels: labels)
        }
        return true
    }
}

/// A field selector (`fieldSelector=` query parameter): `key=value`, `key==value`, `key!=value`, comma-separated.
/// Supported keys: `metadata.name`, `metadata.namespace`, `spec.nodeName`, `status.phase` (pods),
/// `involvedObject.{kind,name,namespace,uid}`, `reason`, `type` (events).
public struct FieldSelector: Hashable, Sendable {
    public struct Term: Hashable, Sendable { public var field: String; public var value: String; public var negated: Bool }
    public var terms: [Term]

    public static let supportedFields: Set<String> = [
        "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase",
        "involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid", "reason", "type",
    ]

    public static func parse(_ text: String) throws(KubeError) -> FieldSelector {
        var terms: [Term] = []
        for raw in text.split(separator: ",") {
            let part = String(raw).trimmingSpaces()
            var term: Term
            if let r = part.range(of: "!=") {
                term = Term(field: String(part[..<r.lowerBound]), value: String(part[r.upperBound...]), negated: true)
            } else if let r = part.range(of: "==") ?? part.range(of: "=") {
                term = Term(field: String(part[..<r.lowerBound]), value: String(part[r.upperBound...]), negated: false)
            } else {
                throw KubeError(reason: .badRequest, message: "invalid selector: '\(text)'; can't understand '\(part)'")
            }
            term.field = term.field.trimmingSpaces()
            guard supportedFields.contains(term.field) else {
                throw KubeError(reason: .badRequest, message: "field label not supported: \(term.field)")
            }
            terms.append(term)
        }
        return FieldSelector(terms: terms)
    }

    /// The value of `field` on `object`, or nil when the kind has no such field.
    static func value(of field: String, in object: AnyKubeObject) -> String? {
        switch field {
        case "metadata.name": return object.metadata.nameOrEmpty
        case "metadata.namespace": return object.metadata.namespaceOrEmpty
        default: break
        }
        switch object {
        case .pod(let p):
            if field == "spec.nodeName" { return p.spec.nodeName ?? "" }
            if field == "status.phase" { return p.status?.phase?.rawValue ?? "" }
        case .event(let e):
            switch field {
            case "involvedObject.kind": return e.involvedObject.kind ?? ""
            case "involvedObject.name": return e.involvedObject.name ?? ""
            case "involvedObject.namespace": return e.involvedObject.namespace ?? ""
            case "involvedObject.uid": return e.involvedObject.uid ?? ""
            case "reason": return e.reason ?? ""
            case "type": return e.type ?? ""
            default: break
            }
        default: break
        }
        return nil
    }

    public func matches(_ object: AnyKubeObject) -> Bool {
        for t in terms {
            let v = FieldSelector.value(of: t.field, in: object) ?? ""
            if t.negated ? v == t.value : v != t.value { return false }
        }
        return true
    }
}
