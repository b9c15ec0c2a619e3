import Foundation

/// Why an operation failed or is unknown, as a category a report can count
/// and a person can act on (docs/properties.md, "Causes").
public struct OperationCause: Sendable, Equatable, Hashable, Codable {
    public enum Category: String, Sendable, Codable, CaseIterable {
        /// No answer in time: a hop was down, cut off by a partition, or slowed past the client's timeout.
        case timeout
        /// Refused by an access policy (AccessDenied, an expired or unknown credential): a
        /// security decision, not an outage.
        case refused
        /// The endpoint answered that it takes no connections now (a database failing over or
        /// restarting, a pod not running).
        case connectionRefused = "connection-refused"
        /// The Service had no ready endpoint to send the request to.
        case noReadyEndpoint = "no-ready-endpoint"
        /// The name, bucket or object does not exist (NXDOMAIN, NoSuchBucket).
        case notFound = "not-found"
        /// Any other error answer from a service.
        case serviceError = "service-error"
        /// The run ended before the client learned the outcome.
        case cutOff = "cut-off"

        /// The plural noun reports use (`timeouts`, `refusals`).
        public var plural: String {
            switch self {
            case .timeout: return "timeouts"
            case .refused: return "refusals by policy"
            case .connectionRefused: return "connections refused"
            case .noReadyEndpoint: return "no ready endpoint"
            case .notFound: return "not found"
            case .serviceError: return "service errors"
            case .cutOff: return "cut off by the end of the run"
            }
        }
    }

    /// For timeouts: what stopped the answer.
    public enum TimeoutKind: String, Sendable, Codable {
        /// A domain on the path was down (an outage, a crash).
        case outage
        /// A network partition cut the path.
        case partition
        /// A latency fault slowed the request or its answer past the client's timeout.
        case latency
        /// Nothing on the path was faulted: the service took too long.
        case noAnswer = "no-answer"
    }

    public var category: Category
    public var timeout: TimeoutKind?
    /// The innermost reason, generalized so that equal causes group:
    /// `az us-west-2a is down`, `added latency 3s on az us-west-2b > client timeout 2s`,
    /// `AccessDenied: … not authorized to perform: s3:GetObject …`.
    public var reason: String

    public init(category: Category, timeout: TimeoutKind? = nil, reason: String) {
        self.category = category
        self.timeout = timeout
        self.reason = reason
    }

    /// Classifies an operation's error text. The texts come from the
    /// simulated network and services: a chain of hops (`planner … →
    /// catalog → database …`) ending in the innermost reason.
    public static func classify(_ error: String, cutOff: Bool = false) -> OperationCause {
        if cutOff { return OperationCause(category: .cutOff, reason: "still in flight when the run ended") }
        let refusals = ["AccessDenied", "not authorized", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
                        "InvalidToken", "Unauthorized", "Forbidden"]
        if refusals.contains(where: error.contains) {
            // The error code of the innermost refusing hop, with its message.
            let code = refusals.filter { $0.first?.isUppercase == true && !$0.contains(" ") }
            return OperationCause(category: .refused,
                                  reason: innermost(error, from: code.contains(where: error.contains) ? code : refusals))
        }
        if error.contains("no ready endpoints") {
            return OperationCause(category: .noReadyEndpoint, reason: "Service \(serviceName(error)) has no ready endpoints")
        }
        if let timeout = timeoutCause(error) { return timeout }
        if error.contains("ConnectionRefused") || error.contains("is failing-over") || error.contains("is rebooting")
            || error.contains("is not running") {
            return OperationCause(category: .connectionRefused, reason: innermost(error, from: ["ConnectionRefused"]))
        }
        if ["NXDOMAIN", "NoSuchBucket", "NoSuchKey", "UnknownHost", "does not resolve"].contains(where: error.contains) {
            return OperationCause(category: .notFound, reason: lastClause(error))
        }
        return OperationCause(category: .serviceError, reason: lastClause(error))
    }

    /// The Service of `Service X has no ready endpoints` or `no ready endpoints for Service X`.
    static func serviceName(_ error: String) -> String {
        if let range = error.range(of: "for Service ", options: .backwards) {
            return String(error[range.upperBound...].prefix { $0 != " " && $0 != ":" })
        }
        if let range = error.range(of: " has no ready endpoints", options: .backwards) {
            return error[..<range.lowerBound].split(separator: " ").last.map(String.init) ?? "?"
        }
        return "?"
    }

    /// A timeout's kind and reason (`database odas-catalog…: az us-west-2a is
    /// down`), or nil when `error` is not a timeout.
    static func timeoutCause(_ error: String) -> OperationCause? {
        let markers = ["timeout after ", "answer within "]
        guard let marker = markers.compactMap({ error.range(of: $0, options: .backwards) }).max(by: { $0.lowerBound < $1.lowerBound }) else {
            return nil
        }
        let rest = error[marker.upperBound...]
        let limit = rest.prefix { $0 != ":" }
        var reason = rest.dropFirst(limit.count).drop { $0 == ":" || $0 == " " }
        if reason.hasPrefix("answer lost: ") { reason = reason.dropFirst("answer lost: ".count) }
        if reason.hasPrefix("no answer in time: ") { reason = reason.dropFirst("no answer in time: ".count) }
        var text = String(reason)
        if text.hasSuffix("; refusing (fail closed)") {
            text = text.dropLast("; refusing (fail closed)".count) + " (the planner fails closed)"
        }
        let kind: TimeoutKind
        if text.contains("network partition") { kind = .partition }
        else if text.contains("added latency") { kind = .latency }
        else if text.contains(" is down") { kind = .outage }
        else { kind = .noAnswer }
        let shown = kind == .latency ? "\(text) > client timeout \(limit)" : (kind == .noAnswer ? "no answer within \(limit)" : text)
        let hop = timeoutHop(error[..<marker.lowerBound])
        return OperationCause(category: .timeout, timeout: kind, reason: FailureCauses.generalize(hop.map { "\($0): \(shown)" } ?? shown))
    }

    /// The hop that did not answer: the last clause before the timeout
    /// (`planner odas-planner-… on node-us-west-2a-1`), or after its last
    /// arrow (`database odas-catalog…`); nil for a direct call.
    static func timeoutHop(_ prefix: Substring) -> String? {
        var clause = prefix.trimmingCharacters(in: CharacterSet(charactersIn: ": "))
        for tail in [" did not", " no"] where clause.hasSuffix(tail) { clause = String(clause.dropLast(tail.count)) }
        if clause == "no" { return nil }
        clause = clause.trimmingCharacters(in: CharacterSet(charactersIn: ": "))
        if let colon = clause.range(of: ": ", options: .backwards) { clause = String(clause[colon.upperBound...]) }
        if let arrow = clause.range(of: "→ ", options: .backwards) { clause = String(clause[arrow.upperBound...]) }
        clause = clause.trimmingCharacters(in: CharacterSet(charactersIn: ": "))
        return clause.isEmpty ? nil : clause
    }

    /// The text from the last of `markers` on (`AccessDenied: user mallory …`).
    static func innermost(_ error: String, from markers: [String]) -> String {
        guard let range = markers.compactMap({ error.range(of: $0, options: .backwards) }).max(by: { $0.lowerBound < $1.lowerBound }) else {
            return lastClause(error)
        }
        let text = String(error[range.lowerBound...])
        return FailureCauses.generalize(text.hasPrefix("ConnectionRefused: ") ? lastClause(text) : text)
    }

    /// The text after the last `: ` (the innermost reason of a hop chain).
    static func lastClause(_ error: String) -> String {
        guard let range = error.range(of: ": ", options: .backwards) else { return FailureCauses.generalize(error) }
        let tail = error[range.upperBound...]
        // Keep an error code with its message (`NoSuchBucket: bucket x does not exist`).
        if let code = error[..<range.lowerBound].split(separator: " ").last,
           code.first?.isUppercase == true, code.allSatisfy({ $0.isLetter }) {
            return FailureCauses.generalize("\(code): \(tail)")
        }
        return FailureCauses.generalize(String(tail))
    }
}
