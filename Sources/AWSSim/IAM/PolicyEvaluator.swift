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
    public var action: String
    public var resource: String
    /// The account that owns the resource.
    public var resourceAccount: String
    /// Context keys, matched case-insensitively; multi-valued keys have several values.
    public var context: [String: [String]]

    public init(principalArn: String, principalAccount: String, servicePrincipal: String? = nil, action: String,
                resource: String, resourceAccount: String, context: [String: [String]] = [:]) {
        self.principalArn = principalArn
        self.principalAccount = principalAccount
        self.servicePrincipal = servicePrincipal
        self.action = action
        self.resource = resource
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
    case implicitDeny(reason: String)

    public var isAllowed: Bool { if case .allow = self { return true }; return false }
}

/// IAM policy evaluation as AWS documents it
/// (IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an explicit
/// Deny in any policy wins; otherwise an Allow from an identity policy or the
/// resource policy (and, when set, the permissions boundary); across accounts
/// both the principal's identity policy and the resource policy must allow.
public enum PolicyEvaluator {
    public static func evaluate(_ request: AuthorizationRequest, identityPolicies: [PolicyDocument],
                                resourcePolicy: PolicyDocument? = nil, permissionsBoundary: PolicyDocument? = nil) -> AuthorizationDecision {
        let all = identityPolicies.map { ($0, false) } + (resourcePolicy.map { [($0, true)] } ?? [])
            + (permissionsBoundary.map { [($0, false)] } ?? [])
        for (policy, isResource) in all {
            for (index, statement) in policy.statements.enumerated() where statement.effect == .deny {
                if matches(statement, request, isResourcePolicy: isResource) {
                    return .explicitDeny(statement: statement.sid ?? "statement \(index + 1)")
                }
            }
        }
        let identityAllow = firstAllow(identityPolicies, request, isResourcePolicy: false)
        // A resource policy that names only the account (`123456789012` or its
        // `:root` ARN) delegates to that account's identity policies rather
        // than granting by itself (reference_policies_elements_principal.html,
        // "AWS account principals").
        let resourceAllow = resourcePolicy.flatMap { firstAllow([$0], request, isResourcePolicy: true, directOnly: true) }
        if let permissionsBoundary, identityAllow != nil, firstAllow([permissionsBoundary], request, isResourcePolicy: false) == nil {
            return .implicitDeny(reason: "the permissions boundary does not allow \(request.action)")
        }
        if request.principalAccount != request.resourceAccount {
            guard let identityAllow else { return .implicitDeny(reason: "no identity policy of account \(request.principalAccount) allows \(request.action)") }
            guard resourceAllow != nil else {
                return .implicitDeny(reason: "cross-account access needs the resource policy of account \(request.resourceAccount) to allow it")
            }
            return .allow(statement: identityAllow)
        }
        if let identityAllow { return .allow(statement: identityAllow) }
        if let resourceAllow { return .allow(statement: resourceAllow) }
        return .implicitDeny(reason: "no policy allows \(request.action) on \(request.resource)")
    }

    static func firstAllow(_ policies: [PolicyDocument], _ request: AuthorizationRequest, isResourcePolicy: Bool,
                           directOnly: Bool = false) -> String? {
        for policy in policies {
            for (index, statement) in policy.statements.enumerated() where statement.effect == .allow {
                if matches(statement, request, isResourcePolicy: isResourcePolicy, directOnly: directOnly) {
                    return statement.sid ?? "statement \(index + 1)"
                }
            }
        }
        return nil
    }

    static func matches(_ statement: PolicyDocument.Statement, _ request: AuthorizationRequest, isResourcePolicy: Bool,
                        directOnly: Bool = false) -> Bool {
        let actionHit = statement.actions.patterns.contains { wildcard($0, request.action, caseInsensitive: true) }
        guard actionHit != statement.actions.negated else { return false }
        if let resources = statement.resources {
            let hit = resources.patterns.contains { wildcard(substitute($0, request), request.resource, caseInsensitive: false) }
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
        return statement.conditions.allSatisfy { condition($0, request) }
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

    /// `*` and `?` wildcards (IAM matches actions case-insensitively, ARNs case-sensitively).
    public static func wildcard(_ pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
        let p = Array(caseInsensitive ? pattern.lowercased() : pattern), t = Array(caseInsensitive ? text.lowercased() : text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] { pi += 1; ti += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Policy variables: `${aws:username}`, `${aws:PrincipalArn}` and any context key; `${*}`, `${?}`, `${$}` escapes.
    static func substitute(_ pattern: String, _ request: AuthorizationRequest) -> String {
        guard pattern.contains("${") else { return pattern }
        var out = ""
        var rest = Substring(pattern)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { out += rest[start.lowerBound...]; return out }
            let name = String(rest[start.upperBound..<end])
            switch name {
            case "*", "?", "$": out += name
            case let key where key.lowercased() == "aws:principalarn": out += request.principalArn
            default: out += request.values(name)?.first ?? "\u{0}" // an absent variable matches nothing
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    static func condition(_ condition: PolicyDocument.Condition, _ request: AuthorizationRequest) -> Bool {
        var name = condition.operatorName
        let negated = ["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals",
                       "NotIpAddress", "ArnNotEquals", "ArnNotLike"].contains(name)
        if name == "Null" {
            let absent = request.values(condition.key) == nil
            return condition.values.contains { ($0.lowercased() == "true") == absent }
        }
        guard let actual = request.values(condition.key), !actual.isEmpty else {
            // Absent key: IfExists conditions hold, negated operators hold, the rest fail; ForAllValues holds vacuously.
            return condition.ifExists || negated || condition.qualifier == "ForAllValues"
        }
        if negated { name = name.replacingOccurrences(of: "Not", with: "") } // StringNotLike → StringLike, NotIpAddress → IpAddress
        let policyValues = condition.values.map { substitute($0, request) }
        func single(_ value: String) -> Bool { policyValues.contains { compare(name, policy: $0, actual: value) } }
        let result: Bool
        switch condition.qualifier {
        case "ForAllValues": result = actual.allSatisfy(single)
        case "ForAnyValue": result = actual.contains(where: single)
        default: result = actual.contains(where: single)
        }
        return negated ? !result : result
    }

    static func compare(_ name: String, policy: String, actual: String) -> Bool {
        switch name {
        case "StringEquals", "BinaryEquals": return policy == actual
        case "StringEqualsIgnoreCase": return policy.lowercased() == actual.lowercased()
        case "StringLike": return wildcard(policy, actual, caseInsensitive: false)
        case "Bool": return policy.lowercased() == actual.lowercased()
        case "ArnEquals", "ArnLike": return wildcard(policy, actual, caseInsensitive: false)
        case "IpAddress":
            guard let block = IPv4Block(policy) ?? IPv4Block(policy + "/32"), let ip = IPv4Block(actual) else { return false }
            return block.contains(ip.address)
        case let numeric where numeric.hasPrefix("Numeric"):
            guard let p = Double(policy), let a = Double(actual) else { return false }
            switch numeric {
            case "NumericEquals": return a == p
            case "NumericLessThan": return a < p
            case "NumericLessThanEquals": return a <= p
            case "NumericGreaterThan": return a > p
            case "NumericGreaterThanEquals": return a >= p
            default: return false
            }
        case let date where date.hasPrefix("Date"):
            guard let p = epoch(policy), let a = epoch(actual) else { return false }
            switch date {
            case "DateEquals": return a == p
            case "DateLessThan": return a < p
            case "DateLessThanEquals": return a <= p
            case "DateGreaterThan": return a > p
            case "DateGreaterThanEquals": return a >= p
            default: return false
            }
        default:
            return false
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
