import Foundation

/// A request to authorize: who, what action on which resource, and the
/// request context keys (`aws:SourceIp`, `s3:prefix`, …).
public struct AuthorizationRequest: Sendable {
    /// The principal's ARN (`arn:aws:iam::111122223333:user/alice`, an assumed-role session ARN, …).
    public var principalArn: String
    /// The principal's account.
    public var principalAccount: String
    /// For service principals (`ec2.amazonaws.com`), the service name.
    public var servicePrincipal: String?
    public let action: String
    public let resource: String
    /// The action lowercased and the resource, as UTF-8, for matching.
    let actionLowered: [UInt8]
    let resourceBytes: [UInt8]
    /// The account that owns the resource.
    public var resourceAccount: String
    /// Context keys, matched case-insensitively; multi-valued keys have several values.
    public let context: [String: [String]]

    public init(principalArn: String, principalAccount: String, servicePrincipal: String? = nil, action: String,
                resource: String, resourceAccount: String, context: [String: [String]] = [:]) {
        self.principalArn = principalArn
        self.principalAccount = principalAccount
        self.servicePrincipal = servicePrincipal
        self.action = action
        self.resource = resource
        actionLowered = Array(action.lowercased().utf8)
        resourceBytes = Array(resource.utf8)
        self.resourceAccount = resourceAccount
        self.context = Dictionary(context.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $0 + $1 })
    }

    func values(_ key: String) -> [String]? { context[key.lowercased()] }
}

/// The decision, with the statement that decided it.
public enum AuthorizationDecision: Equatable, Sendable {
    case allow(statement: String)
    case explicitDeny(statement: String)
    /// No statement allowed it (or a boundary or the other account did not).
    case implicitDeny(reason: DenyReason)

    public var isAllowed: Bool { if case .allow = self { return true }; return false }
}

/// Why nothing allowed a request; its text is built only when read.
public struct DenyReason: Equatable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    enum Kind: Equatable, Sendable { case noPolicy, boundary, crossAccountIdentity, crossAccountResource, text(String) }
    let kind: Kind
    let action: String
    let resource: String
    let account: String

    init(_ kind: Kind, _ request: AuthorizationRequest) {
        self.kind = kind
        action = request.action
        resource = request.resource
        account = kind == .crossAccountResource ? request.resourceAccount : request.principalAccount
    }

    public init(_ text: String) {
        kind = .text(text)
        action = ""
        resource = ""
        account = ""
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String {
        switch kind {
        case .noPolicy: return "no policy allows \(action) on \(resource)"
        case .boundary: return "the permissions boundary does not allow \(action)"
        case .crossAccountIdentity: return "no identity policy of account \(account) allows \(action)"
        case .crossAccountResource: return "cross-account access needs the resource policy of account \(account) to allow it"
        case .text(let text): return text
        }
    }
}

/// IAM policy evaluation as AWS documents it
/// (IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an explicit
/// Deny in any policy wins; otherwise an Allow from an identity policy or the
/// resource policy (and, when set, the permissions boundary); across accounts
/// both the principal's identity policy and the resource policy must allow.
public enum PolicyEvaluator {
    public static func evaluate(_ request: AuthorizationRequest, identityPolicies: [PolicyDocument],
                                resourcePolicy: PolicyDocument? = nil, permissionsBoundary: PolicyDocument? = nil) -> AuthorizationDecision {
        // An explicit Deny in any policy wins.
        for policy in identityPolicies {
            if let label = firstDeny(policy, request, isResourcePolicy: false) { return .explicitDeny(statement: label) }
        }
        if let resourcePolicy, let label = firstDeny(resourcePolicy, request, isResourcePolicy: true) {
            return .explicitDeny(statement: label)
        }
        if let permissionsBoundary, let label = firstDeny(permissionsBoundary, request, isResourcePolicy: false) {
            return .explicitDeny(statement: label)
        }
        let identityAllow = firstAllow(identityPolicies, request, isResourcePolicy: false)
        // A resource policy that names only the account (`123456789012` or its
        // `:root` ARN) delegates to that account's identity policies rather
        // than granting by itself (reference_policies_elements_principal.html,
        // "AWS account principals").
        let resourceAllow = resourcePolicy.flatMap { firstAllow([$0], request, isResourcePolicy: true, directOnly: true) }
        if let permissionsBoundary, identityAllow != nil, firstAllow([permissionsBoundary], request, isResourcePolicy: false) == nil {
            return .implicitDeny(reason: DenyReason(.boundary, request))
        }
        if request.principalAccount != request.resourceAccount {
            guard let identityAllow else { return .implicitDeny(reason: DenyReason(.crossAccountIdentity, request)) }
            guard resourceAllow != nil else { return .implicitDeny(reason: DenyReason(.crossAccountResource, request)) }
            return .allow(statement: identityAllow)
        }
        if let identityAllow { return .allow(statement: identityAllow) }
        if let resourceAllow { return .allow(statement: resourceAllow) }
        return .implicitDeny(reason: DenyReason(.noPolicy, request))
    }

    static func firstDeny(_ policy: PolicyDocument, _ request: AuthorizationRequest, isResourcePolicy: Bool) -> String? {
        for statement in policy.statements where statement.effect == .deny {
            if matches(statement, request, isResourcePolicy: isResourcePolicy) { return statement.label }
        }
        return nil
    }

    static func firstAllow(_ policies: [PolicyDocument], _ request: AuthorizationRequest, isResourcePolicy: Bool,
                           directOnly: Bool = false) -> String? {
        for policy in policies {
            for statement in policy.statements where statement.effect == .allow {
                if matches(statement, request, isResourcePolicy: isResourcePolicy, directOnly: directOnly) { return statement.label }
            }
        }
        return nil
    }

    static func matches(_ statement: PolicyDocument.Statement, _ request: AuthorizationRequest, isResourcePolicy: Bool,
                        directOnly: Bool = false) -> Bool {
        let actions = statement.actions
        var actionHit = false
        for pattern in actions.lowered where wildcard(pattern, request.actionLowered) {
            actionHit = true
            break
        }
        guard actionHit != actions.negated else { return false }
        if let resources = statement.resources {
            var hit = false
            for (index, pattern) in resources.bytes.enumerated() {
                let matched = resources.hasVariables[index]
                    ? wildcard(Array(substitute(resources.patterns[index], request).utf8), request.resourceBytes)
                    : wildcard(pattern, request.resourceBytes)
                if matched { hit = true; break }
            }
            guard hit != resources.negated else { return false }
        } else if !isResourcePolicy {
            return false // identity statements need Resource or NotResource
        }
        if let principals = statement.principals {
            let sameAccountDelegation = directOnly && !principals.negated && request.principalAccount == request.resourceAccount
            guard principalMatches(principals, request, accountGrants: !sameAccountDelegation) != principals.negated else { return false }
        } else if isResourcePolicy {
            return false
        }
        for condition in statement.conditions where !self.condition(condition, request) { return false }
        return true
    }

    /// Whether a statement's principal names the requester: `*`, the service,
    /// the principal's ARN (a role's ARN also names its sessions, through
    /// `aws:PrincipalArn`), or, when `accountGrants`, the principal's account.
    static func principalMatches(_ principals: PolicyDocument.Principals, _ request: AuthorizationRequest,
                                 accountGrants: Bool = true) -> Bool {
        if principals.any { return true }
        if let service = request.servicePrincipal {
            return principals.byKind["Service"]?.contains(service) ?? false
        }
        let roleArn = request.values("aws:PrincipalArn")?.first
        for pattern in principals.byKind["AWS"] ?? [] {
            if pattern == "*" { return true }
            if accountGrants, pattern.allSatisfy(\.isNumber), pattern == request.principalAccount { return true }
            if accountGrants, pattern == "arn:aws:iam::\(request.principalAccount):root" { return true }
            if pattern == request.principalArn || pattern == roleArn { return true }
        }
        return false
    }

    /// `*` and `?` wildcards over text (IAM matches actions case-insensitively, ARNs case-sensitively).
    public static func wildcard(_ pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
        caseInsensitive ? wildcard(Array(pattern.lowercased().utf8), Array(text.lowercased().utf8))
                        : wildcard(Array(pattern.utf8), Array(text.utf8))
    }

    /// `*` and `?` over UTF-8 bytes, without allocating: greedy with one
    /// backtrack point, linear in practice. `?` matches one byte (patterns in
    /// IAM policies are ASCII in practice; a multi-byte character needs `*`).
    static func wildcard(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in
                let star = UInt8(ascii: "*"), question = UInt8(ascii: "?")
                var pi = 0, ti = 0, starAt = -1, mark = 0
                while ti < t.count {
                    if pi < p.count, p[pi] == question || p[pi] == t[ti] {
                        pi += 1
                        ti += 1
                    } else if pi < p.count, p[pi] == star {
                        starAt = pi
                        mark = ti
                        pi += 1
                    } else if starAt >= 0 {
                        pi = starAt + 1
                        mark += 1
                        ti = mark
                    } else {
                        return false
                    }
                }
                while pi < p.count, p[pi] == star { pi += 1 }
                return pi == p.count
            }
        }
    }

    /// Policy variables: `${aws:username}`, `${aws:PrincipalArn}` and any context key; `${*}`, `${?}`, `${$}` escapes.
    static func substitute(_ pattern: String, _ request: AuthorizationRequest) -> String {
        // A byte scan (not Foundation's string search): this runs per request.
        let bytes = Array(pattern.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 32)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
                  let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                out.append(bytes[index])
                index += 1
                continue
            }
            let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self)
            switch name {
            case "*", "?", "$": out += name.utf8
            case let key where key.lowercased() == "aws:principalarn": out += request.principalArn.utf8
            default: out += (request.values(name)?.first ?? "\u{0}").utf8 // an absent variable matches nothing
            }
            index = close + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func condition(_ condition: PolicyDocument.Condition, _ request: AuthorizationRequest) -> Bool {
        let actual = request.context[condition.keyLowered]
        if condition.comparison == .null {
            let absent = actual == nil
            return condition.values.contains { ($0.lowercased() == "true") == absent }
        }
        guard let actual, !actual.isEmpty else {
            // Absent key: IfExists conditions hold, negated operators hold, the rest fail; ForAllValues holds vacuously.
            return condition.ifExists || condition.negated || condition.qualifier == "ForAllValues"
        }
        let policyValues = condition.hasVariables ? condition.values.map { substitute($0, request) } : condition.values
        func single(_ value: String) -> Bool {
            if condition.comparison == .ipAddress {
                guard let ip = IPv4Block(value) else { return false }
                return condition.blocks.contains { $0?.contains(ip.address) ?? false }
            }
            return policyValues.contains { compare(condition.comparison, policy: $0, actual: value) }
        }
        let result: Bool
        if condition.qualifier == "ForAllValues" { result = actual.allSatisfy(single) } else { result = actual.contains(where: single) }
        return condition.negated ? !result : result
    }

    static func compare(_ comparison: PolicyDocument.Comparison, policy: String, actual: String) -> Bool {
        switch comparison {
        case .stringEquals, .binaryEquals: return policy == actual
        case .stringEqualsIgnoreCase: return policy.lowercased() == actual.lowercased()
        case .stringLike, .arnLike: return wildcard(Array(policy.utf8), Array(actual.utf8))
        case .bool: return asciiCaseInsensitiveEqual(policy, actual)
        case .ipAddress, .null: return false // decided by the caller
        case .numeric(let order):
            guard let p = Double(policy), let a = Double(actual) else { return false }
            return holds(order, a, p)
        case .date(let order):
            guard let p = epoch(policy), let a = epoch(actual) else { return false }
            return holds(order, a, p)
        }
    }

    static func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { x, y in
            (x >= 65 && x <= 90 ? x | 0x20 : x) == (y >= 65 && y <= 90 ? y | 0x20 : y)
        }
    }

    static func holds<T: Comparable>(_ order: PolicyDocument.Order, _ a: T, _ p: T) -> Bool {
        switch order {
        case .equal: return a == p
        case .less: return a < p
        case .lessOrEqual: return a <= p
        case .greater: return a > p
        case .greaterOrEqual: return a >= p
        }
    }

    /// Epoch seconds, or ISO 8601 `2026-11-27T04:12:28Z` (date-only allowed).
    static func epoch(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        let digits = text.filter(\.isNumber)
        guard digits.count == 8 || digits.count >= 14, let year = Int64(digits.prefix(4)),
              let month = Int64(digits.dropFirst(4).prefix(2)), let day = Int64(digits.dropFirst(6).prefix(2)) else { return nil }
        var seconds = UnixTime.seconds(year: year, month: month, day: day)
        if digits.count >= 14, let h = Int64(digits.dropFirst(8).prefix(2)), let m = Int64(digits.dropFirst(10).prefix(2)),
           let s = Int64(digits.dropFirst(12).prefix(2)) {
            seconds += h * 3600 + m * 60 + s
        }
        return seconds
    }
}
