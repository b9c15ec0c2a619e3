import SimCore

/// How a workload's client retries a failed operation before the
/// application sees the failure (`retry:` on a workload), so that measured
/// RTOs include what real clients do.
public struct RetryPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// The AWS SDKs' `standard` retry mode (docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html):
        /// at most 3 attempts by default; transient errors (timeouts, connection errors, 5xx) and throttling
        /// retried after a jittered exponential backoff `random[0,1) × 2^(retry−1)` seconds, at most 20 s; a
        /// retry quota of 500 tokens (5 a retry, 10 a retry after a timeout, 1 back for each success) that,
        /// once spent, stops retries until successes refill it.
        case standard
        /// A database driver's reconnect loop (JDBC `autoReconnect`-style, as an application retries a
        /// statement on a fresh connection): the endpoint name is resolved again for every attempt (RDS
        /// moves it on failover), at most `maxAttempts` attempts `interval` apart.
        case reconnect
    }

    public var mode: Mode
    public var maxAttempts: Int
    /// reconnect: the pause between attempts.
    public var interval: SimDuration

    public init(mode: Mode, maxAttempts: Int? = nil, interval: SimDuration? = nil) {
        self.mode = mode
        self.maxAttempts = maxAttempts ?? (mode == .standard ? 3 : 10)
        self.interval = interval ?? .seconds(1)
    }

    /// The SDK's retry quota (standard mode): its size and costs.
    static let quotaSize = 500, retryCost = 5, timeoutRetryCost = 10
    /// The SDK's longest backoff.
    static let maximumBackoff = SimDuration.seconds(20)

    /// Error codes worth another attempt: connection failures, S3's and RDS's transient 5xx answers, throttling.
    static let retryableCodes: Set<String> = [
        "ConnectionRefused", "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "Throttling",
        "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "BadGateway", "GatewayTimeout",
    ]

    /// The pause before retry number `retry` (1 for the first retry).
    func backoff(retry: Int, random: inout SimRandom) -> SimDuration {
        switch mode {
        case .reconnect: return interval
        case .standard:
            let ceiling = min(Double(1 << min(retry - 1, 20)), Self.maximumBackoff.seconds)
            return SimDuration.fromSeconds(random.unitInterval() * ceiling)
        }
    }
}

/// A client's retries in flight: attempts per operation, the request to
/// send again, whether a write may already have been applied.
struct RetryState: Sendable {
    var attempts: [Int: Int] = [:]
    var requests: [Int: any WorldMessage] = [:]
    /// Writes with an attempt that timed out: if they end failing they are indeterminate, not failed.
    var indeterminate: Set<Int> = []
    var quota = RetryPolicy.quotaSize

    mutating func forget(_ op: Int) {
        attempts[op] = nil
        requests[op] = nil
        indeterminate.remove(op)
    }
}

/// Retry timers' tokens: this base plus the operation's index.
let retryTokenBase = 1 << 40

extension ClientProcess {
    /// Called for a failed attempt (`code` nil: a timeout). True when the
    /// operation will be tried again (a timer is set); false when the
    /// failure is the operation's.
    mutating func scheduleRetry(op: Int, code: String?, world: inout World) -> Bool {
        guard let policy = client.spec.retry else { return false }
        if let code, !RetryPolicy.retryableCodes.contains(code) { return false }
        let attempts = client.retries.attempts[op] ?? 1
        guard attempts < policy.maxAttempts, client.retries.requests[op] != nil else { return false }
        if code == nil, client.spec.kind.writes { client.retries.indeterminate.insert(op) }
        if policy.mode == .standard {
            let cost = code == nil ? RetryPolicy.timeoutRetryCost : RetryPolicy.retryCost
            guard client.retries.quota >= cost else { return false }
            client.retries.quota -= cost
        }
        client.retries.attempts[op] = attempts + 1
        let delay = policy.backoff(retry: attempts, random: &client.random)
        world.trace.record("workload", "retry", at: world.loop.now, [
            "workload": .string(client.spec.name), "op": .int(Int64(op)), "attempt": .int(Int64(attempts + 1)),
            "after": .duration(delay), "cause": .string(code ?? "timeout"),
        ])
        world.setTimer(client.id, token: retryTokenBase + op, at: world.loop.now + delay)
        return true
    }

    /// A retry timer fired: send the operation again (unless the client's host went down meanwhile).
    mutating func retryFires(op: Int, world: inout World) {
        guard let request = client.retries.requests[op] else { return }
        if client.isDown {
            let outcome: OperationOutcome = client.retries.indeterminate.contains(op) ? .unknown : .failed
            world.history.complete(op, at: world.loop.now, outcome: outcome,
                                   error: "ClientDown: the client's host went down before attempt \((client.retries.attempts[op] ?? 1))")
            world.recordCompletion(op)
            client.retries.forget(op)
            return
        }
        resend(op: op, request, world: &world)
    }

    /// " (attempt 3 of 3)" for an operation that was retried; empty otherwise.
    func attemptsSuffix(_ op: Int) -> String {
        guard let attempts = client.retries.attempts[op], attempts > 1, let policy = client.spec.retry else { return "" }
        return " (attempt \(attempts) of \(policy.maxAttempts), \(policy.mode.rawValue) retries)"
    }
}
