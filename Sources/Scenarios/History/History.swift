import SimCore

/// The outcome of one client operation, as the client saw it (Jepsen's
/// `:ok`, `:fail`, `:info`).
public enum OperationOutcome: String, Codable, Sendable {
    /// The operation took effect and the client was told so.
    case ok
    /// The operation certainly did not take effect.
    case failed
    /// The client cannot know: the request or its answer was lost or timed out.
    case unknown
}

/// What an operation did.
public enum OperationKind: String, Codable, Sendable {
    /// Wrote `value` under `key`.
    case write
    /// Read `key`; `value` is what was read.
    case read
    /// The final read at the end of the run: `observed` holds every key of
    /// the workload that was visible.
    case finalRead = "final-read"
    /// A change of access (a grant or a revoke in the ODAS catalog): not a
    /// data write, so not counted by RPO or lost-write checks.
    case change
}

/// One client operation in the history: invoked, then completed with an outcome.
public struct Operation: Sendable {
    /// Position in the history (invocation order).
    public var index: Int
    public var workload: String
    public var kind: OperationKind
    public var invoked: SimInstant
    /// When the client learned the outcome; nil while in flight.
    public var completed: SimInstant?
    public var outcome: OperationOutcome?
    /// Bucket the operation went to (the replica after client failover).
    public var target: String
    public var key: String
    /// The value written, or the value read (an ETag).
    public var value: String?
    /// For final reads: the keys observed.
    public var observed: [String]?
    /// Why it failed or is unknown, e.g. `timeout: availability zone us-west-2a is down`.
    public var error: String?
    /// The category of ``error`` (timeout and why, refused by policy, …), set
    /// when a failed or unknown outcome is recorded.
    public var cause: OperationCause?
    /// True when the run ended before the client learned the outcome. Such
    /// operations are `unknown` and are left out of availability and RTO.
    public var cutOffByEnd = false
    /// For DNS lookups: what the resolver answered, and how long the answer's
    /// endpoint had been down at that moment.
    public var dns: DNSObservation? {
        get { dnsBox?.value }
        set { dnsBox = newValue.map(Boxed.init) }
    }
    /// For S3 operations: the principal that signed (a user or role ARN), and
    /// whether it signed with a long-lived access key.
    public var principal: String?
    public var longLivedKey = false
    /// For ODAS scans: what the scan returned.
    public var scan: ScanObservation? {
        get { scanBox?.value }
        set { scanBox = newValue.map(Boxed.init) }
    }
    /// For ODAS catalog changes: the change.
    public var change: CatalogChangeRecord? {
        get { changeBox?.value }
        set { changeBox = newValue.map(Boxed.init) }
    }

    // The observations only some kinds of operation have live out of line:
    // every operation of a long run pays a pointer for each, not its size
    // (208 bytes an operation inline, measured by OperationStorageTests).
    private var dnsBox: Boxed<DNSObservation>?
    private var scanBox: Boxed<ScanObservation>?
    private var changeBox: Boxed<CatalogChangeRecord>?

    public init(index: Int, workload: String, kind: OperationKind, invoked: SimInstant, completed: SimInstant? = nil,
                outcome: OperationOutcome? = nil, target: String, key: String, value: String? = nil, observed: [String]? = nil,
                error: String? = nil, cause: OperationCause? = nil, cutOffByEnd: Bool = false, dns: DNSObservation? = nil,
                principal: String? = nil, longLivedKey: Bool = false, scan: ScanObservation? = nil, change: CatalogChangeRecord? = nil) {
        self.index = index
        self.workload = workload
        self.kind = kind
        self.invoked = invoked
        self.completed = completed
        self.outcome = outcome
        self.target = target
        self.key = key
        self.value = value
        self.observed = observed
        self.error = error
        self.cause = cause
        self.cutOffByEnd = cutOffByEnd
        self.principal = principal
        self.longLivedKey = longLivedKey
        self.dns = dns
        self.scan = scan
        self.change = change
    }
}

/// An immutable value kept behind a reference: copying the holder copies a
/// pointer, and a change replaces the box, so the holder keeps value semantics.
final class Boxed<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// What one ODAS scan returned, as the history keeps it for checkers.
public struct ScanObservation: Sendable, Equatable {
    public var user: String
    public var dataset: String
    /// Rows the workers read and returned (after row filters).
    public var rowsRead: Int
    public var rowsReturned: Int
    /// Columns returned with at least one value unmasked, and masked columns.
    public var unmaskedColumns: [String]
    public var maskedColumns: [String]
    /// The catalog version the planner authorized with.
    public var catalogVersion: Int
    /// Row filters the workers applied.
    public var rowFilters: [String]
    /// ``ScanRowSummary/contentDigest`` of every row returned: what the
    /// checkers compare with what the catalog's versions would return.
    public var contentDigest: UInt64 = 0
}

/// A catalog change as the history keeps it.
public struct CatalogChangeRecord: Sendable, Equatable {
    /// Revokes, for `fail-closed`: the role and what it lost.
    public var revokedRole: String?
    public var revokedDataset: String?
    public var revokedColumns: [String]?
    public var summary: String
}

/// A DNS answer as the history keeps it.
public struct DNSObservation: Sendable, Equatable {
    public var target: String
    public var authoritative: Bool
    /// How long the target had been down when answered; nil when up.
    public var targetDownFor: SimDuration?
    /// How long the record's health check may take to notice (nil: no health check).
    public var detectionBound: SimDuration?
}

/// The Jepsen-style history of a run: every operation every workload
/// invoked, with its completion. Checkers are pure functions of it.
public struct History: Sendable {
    public private(set) var operations: [Operation] = []
    /// Positions of each workload's operations, so that reading one workload does not scan them all.
    var positions: [String: [Int]] = [:]

    public init() {}

    /// Records an invocation and returns its index.
    public mutating func invoke(workload: String, kind: OperationKind, at instant: SimInstant, target: String,
                                key: String, value: String? = nil) -> Int {
        let index = operations.count
        operations.append(Operation(index: index, workload: workload, kind: kind, invoked: instant, completed: nil,
                                    outcome: nil, target: target, key: key, value: value, observed: nil, error: nil))
        positions[workload, default: []].append(index)
        return index
    }

    /// Records the completion of operation `index`. Completing twice keeps the first.
    public mutating func complete(_ index: Int, at instant: SimInstant, outcome: OperationOutcome,
                                  value: String? = nil, observed: [String]? = nil, error: String? = nil) {
        guard operations.indices.contains(index), operations[index].outcome == nil else { return }
        operations[index].completed = instant
        operations[index].outcome = outcome
        if let value { operations[index].value = value }
        if let observed { operations[index].observed = observed }
        operations[index].error = error
        if outcome != .ok { operations[index].cause = OperationCause.classify(error ?? "no error given") }
    }

    /// Records who signed an S3 operation, and whether with a long-lived key.
    public mutating func setPrincipal(_ index: Int, arn: String, longLivedKey: Bool) {
        guard operations.indices.contains(index) else { return }
        operations[index].principal = arn
        operations[index].longLivedKey = longLivedKey
    }

    /// Attaches what a scan returned.
    public mutating func setScan(_ index: Int, _ observation: ScanObservation) {
        guard operations.indices.contains(index) else { return }
        operations[index].scan = observation
    }

    /// Attaches the catalog change an operation made.
    public mutating func setChange(_ index: Int, _ record: CatalogChangeRecord) {
        guard operations.indices.contains(index) else { return }
        operations[index].change = record
    }

    /// Attaches what a DNS lookup observed.
    public mutating func setDNS(_ index: Int, _ observation: DNSObservation) {
        guard operations.indices.contains(index) else { return }
        operations[index].dns = observation
    }

    /// Completes every operation still in flight as `unknown` (end of run).
    public mutating func completePending(at instant: SimInstant) {
        for index in operations.indices where operations[index].outcome == nil {
            operations[index].completed = instant
            operations[index].outcome = .unknown
            operations[index].error = "still in flight when the run ended"
            operations[index].cutOffByEnd = true
            operations[index].cause = OperationCause.classify("", cutOff: true)
        }
    }

    /// Operations of one workload, in invocation order.
    public func operations(of workload: String) -> [Operation] {
        (positions[workload] ?? []).map { operations[$0] }
    }

    /// Appends a complete operation (for tests and for histories read back from files).
    public mutating func append(_ operation: Operation) {
        var op = operation
        op.index = operations.count
        if op.cause == nil, let outcome = op.outcome, outcome != .ok {
            op.cause = OperationCause.classify(op.error ?? "no error given", cutOff: op.cutOffByEnd)
        }
        positions[op.workload, default: []].append(op.index)
        operations.append(op)
    }
}
