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
///
/// Each workload's operations are stored in their own array (a lane), so
/// ``operations(of:)`` hands a checker the lane itself — shared, not copied —
/// and a run's history exists once in memory however many checkers read it.
public struct History: Sendable {
    /// Each workload's operations, in invocation order; `lanes[l]` belongs to `workloads[l]`.
    var lanes: [[Operation]] = []
    var workloads: [String] = []
    var laneOfWorkload: [String: Int] = [:]
    /// Where operation `index` is: its lane and its offset there.
    var locations: [(lane: Int32, offset: Int32)] = []

    public init() {}

    /// Every operation, in invocation order (a new array: checkers read ``operations(of:)``).
    public var operations: [Operation] {
        locations.map { lanes[Int($0.lane)][Int($0.offset)] }
    }

    /// The number of operations recorded.
    public var count: Int { locations.count }

    /// Operation `index`, as recorded so far.
    public func operation(_ index: Int) -> Operation {
        let location = locations[index]
        return lanes[Int(location.lane)][Int(location.offset)]
    }

    /// The operations, of every workload, for which `isIncluded` holds, in invocation order.
    public func operations(where isIncluded: (Operation) -> Bool) -> [Operation] {
        var found: [Operation] = []
        for location in locations {
            let operation = lanes[Int(location.lane)][Int(location.offset)]
            if isIncluded(operation) { found.append(operation) }
        }
        return found
    }

    /// Changes operation `index` in place; false when there is none.
    @discardableResult
    mutating func update(_ index: Int, _ change: (inout Operation) -> Void) -> Bool {
        guard locations.indices.contains(index) else { return false }
        let location = locations[index]
        change(&lanes[Int(location.lane)][Int(location.offset)])
        return true
    }

    mutating func store(_ operation: Operation) {
        let lane: Int
        if let known = laneOfWorkload[operation.workload] {
            lane = known
        } else {
            lane = lanes.count
            lanes.append([])
            workloads.append(operation.workload)
            laneOfWorkload[operation.workload] = lane
        }
        locations.append((Int32(lane), Int32(lanes[lane].count)))
        lanes[lane].append(operation)
    }

    /// Records an invocation and returns its index.
    public mutating func invoke(workload: String, kind: OperationKind, at instant: SimInstant, target: String,
                                key: String, value: String? = nil) -> Int {
        let index = count
        store(Operation(index: index, workload: workload, kind: kind, invoked: instant, completed: nil,
                        outcome: nil, target: target, key: key, value: value, observed: nil, error: nil))
        return index
    }

    /// Records the completion of operation `index`. Completing twice keeps the first.
    public mutating func complete(_ index: Int, at instant: SimInstant, outcome: OperationOutcome,
                                  value: String? = nil, observed: [String]? = nil, error: String? = nil) {
        update(index) { operation in
            guard operation.outcome == nil else { return }
            operation.completed = instant
            operation.outcome = outcome
            if let value { operation.value = value }
            if let observed { operation.observed = observed }
            operation.error = error
            if outcome != .ok { operation.cause = OperationCause.classify(error ?? "no error given") }
        }
    }

    /// Records who signed an S3 operation, and whether with a long-lived key.
    public mutating func setPrincipal(_ index: Int, arn: String, longLivedKey: Bool) {
        update(index) { operation in
            operation.principal = arn
            operation.longLivedKey = longLivedKey
        }
    }

    /// Attaches what a scan returned.
    public mutating func setScan(_ index: Int, _ observation: ScanObservation) {
        update(index) { $0.scan = observation }
    }

    /// Attaches the catalog change an operation made.
    public mutating func setChange(_ index: Int, _ record: CatalogChangeRecord) {
        update(index) { $0.change = record }
    }

    /// Attaches what a DNS lookup observed.
    public mutating func setDNS(_ index: Int, _ observation: DNSObservation) {
        update(index) { $0.dns = observation }
    }

    /// Completes every operation still in flight as `unknown` (end of run).
    public mutating func completePending(at instant: SimInstant) {
        for lane in lanes.indices {
            for offset in lanes[lane].indices where lanes[lane][offset].outcome == nil {
                lanes[lane][offset].completed = instant
                lanes[lane][offset].outcome = .unknown
                lanes[lane][offset].error = "still in flight when the run ended"
                lanes[lane][offset].cutOffByEnd = true
                lanes[lane][offset].cause = OperationCause.classify("", cutOff: true)
            }
        }
    }

    /// Operations of one workload, in invocation order: the stored lane, not a copy.
    public func operations(of workload: String) -> [Operation] {
        laneOfWorkload[workload].map { lanes[$0] } ?? []
    }

    /// Appends a complete operation (for tests and for histories read back from files).
    public mutating func append(_ operation: Operation) {
        var op = operation
        op.index = count
        if op.cause == nil, let outcome = op.outcome, outcome != .ok {
            op.cause = OperationCause.classify(op.error ?? "no error given", cutOff: op.cutOffByEnd)
        }
        store(op)
    }
}
