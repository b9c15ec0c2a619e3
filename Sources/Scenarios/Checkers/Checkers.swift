import SimCore

/// A fault's window in the run, as checkers see it.
public struct FaultWindow: Sendable {
    public var name: String
    public var start: SimInstant
    /// nil: lasts until the end of the run (or, for an instant event, has no duration).
    public var end: SimInstant?
    /// An event rather than a state (a crash, a promotion).
    public var isInstant: Bool
    public init(name: String, start: SimInstant, end: SimInstant?, isInstant: Bool = false) {
        self.name = name
        self.start = start
        self.end = end
        self.isInstant = isInstant
    }
}

/// Faults that form one disruption: each starts while an earlier one of the
/// group is still active (an outage, then the operator's promotion during it).
/// RTO is measured per disruption, from its first fault to the start of the next.
public struct Disruption: Sendable {
    public var faults: [FaultWindow]
    public var start: SimInstant { faults.first?.start ?? .zero }
    public var name: String {
        guard let first = faults.first else { return "" }
        return faults.count == 1 ? first.name : "\(first.name) (+\(faults.count - 1) more)"
    }

    /// When the disruption's faults are over: the latest end, `distantFuture`
    /// while one lasts to the end of the run, or just after the start for instant events.
    public var activeUntil: SimInstant {
        if faults.contains(where: { $0.end == nil && !$0.isInstant }) { return .distantFuture }
        return max(faults.compactMap(\.end).max() ?? start, start + .nanoseconds(1))
    }

    /// Each disruption of `faults` with the end of its observation window:
    /// the next disruption's start, or `end` (the end of the run).
    public static func windows(_ faults: [FaultWindow], end: SimInstant) -> [(disruption: Disruption, end: SimInstant)] {
        let disruptions = group(faults)
        return disruptions.enumerated().map { index, disruption in
            (disruption, index + 1 < disruptions.count ? disruptions[index + 1].start : end)
        }
    }

    /// Groups faults, sorted by start, into disruptions.
    public static func group(_ faults: [FaultWindow]) -> [Disruption] {
        var groups: [Disruption] = []
        var activeUntil: SimInstant?
        for fault in faults.sorted(by: { $0.start < $1.start }) {
            if var last = groups.last, let until = activeUntil, fault.start < until {
                last.faults.append(fault)
                groups[groups.count - 1] = last
                activeUntil = max(until, fault.end ?? .distantFuture)
            } else {
                groups.append(Disruption(faults: [fault]))
                // An instant event (no end) disrupts until the next fault; a lasting one until it ends.
                activeUntil = fault.end ?? (fault.isInstant ? fault.start : .distantFuture)
            }
        }
        return groups
    }
}

/// Pure checkers over a history. Each takes only the history (and the fault
/// windows and targets it is judged against) and can fail: see
/// `Tests/ScenariosTests/CheckersTests.swift` for the histories that make each one fail.
public enum Checkers {
    /// Default width of the window RTO judges recovery by.
    public static let recoveryWindow = SimDuration.seconds(60)

    // MARK: Availability

    /// Fraction of the workload's operations that succeeded (final reads excluded),
    /// or nil when it issued none.
    public static func availability(_ operations: [Operation]) -> (fraction: Double, ok: Int, total: Int)? {
        let counted = operations.filter { $0.kind != .finalRead && $0.outcome != nil && !$0.cutOffByEnd }
        guard !counted.isEmpty else { return nil }
        let ok = counted.filter { $0.outcome == .ok }.count
        return (Double(ok) / Double(counted.count), ok, counted.count)
    }

    // MARK: RTO

    /// How long one workload took to recover from one fault.
    public enum Recovery: Equatable, Sendable {
        /// No window after the fault fell below the availability target.
        case unaffected
        /// Recovered: fault start to the first success after the last significant failure.
        case recovered(after: SimDuration, at: SimInstant, firstFailure: SimInstant)
        /// Still below target when the observation ended.
        case notRecovered(firstFailure: SimInstant)
        /// The workload completed no operation after the fault started.
        case noOperations
    }

    /// Recovery from the disruption at `index` of `windows`; when it has not
    /// recovered by the time the next disruption starts, the two are one
    /// compound disruption, observed until the one after (a database crash
    /// whose failover is still running when a second crash comes is not a
    /// failure to recover in the few seconds between them). Returns the
    /// recovery and the index of the last disruption it spans.
    public static func recovery(_ operations: [Operation], windows: [(disruption: Disruption, end: SimInstant)], from index: Int,
                                availabilityTarget: Double) -> (recovery: Recovery, through: Int) {
        let start = windows[index].disruption.start
        var last = index
        var result = recovery(operations, fault: start, observationEnd: windows[last].end, availabilityTarget: availabilityTarget)
        while case .notRecovered = result, last + 1 < windows.count {
            last += 1
            result = recovery(operations, fault: start, observationEnd: windows[last].end, availabilityTarget: availabilityTarget)
        }
        return (result, last)
    }

    /// The name of a disruption that spans `windows[index...through]`.
    public static func spanName(_ windows: [(disruption: Disruption, end: SimInstant)], from index: Int, through: Int) -> String {
        let first = windows[index].disruption.name
        return through > index ? "\(first) (not recovered when \(windows[index + 1].disruption.name) started; measured across both\(through > index + 1 ? " and \(through - index - 1) more" : ""))" : first
    }

    /// Measures recovery after `fault` from the workload's history.
    ///
    /// Only operations completing between the fault's start and the next
    /// fault's start (or `observationEnd`) are considered. A failure is
    /// *significant* when the success rate of the operations completed in
    /// the `window` ending at it (but not before the fault) is below
    /// `availabilityTarget`. RTO is the time from the fault's start to the
    /// first success after the last significant failure: after that point
    /// the success rate never again drops below the target.
    public static func recovery(_ operations: [Operation], fault: SimInstant, observationEnd: SimInstant,
                                availabilityTarget: Double, window: SimDuration = recoveryWindow) -> Recovery {
        let ops = operations
            .filter { op in
                guard op.kind != .finalRead, !op.cutOffByEnd, let done = op.completed else { return false }
                return done >= fault && done < observationEnd
            }
            .sorted { ($0.completed ?? .zero, $0.index) < ($1.completed ?? .zero, $1.index) }
        guard !ops.isEmpty else { return .noOperations }
        var lastSignificant: Int?
        var firstFailure: SimInstant?
        var windowStart = 0
        var okInWindow = 0
        for (j, op) in ops.enumerated() {
            let done = op.completed ?? .zero
            if op.outcome == .ok { okInWindow += 1 }
            while let start = ops[windowStart].completed, start < done - window {
                if ops[windowStart].outcome == .ok { okInWindow -= 1 }
                windowStart += 1
            }
            guard op.outcome != .ok else { continue }
            let rate = Double(okInWindow) / Double(j - windowStart + 1)
            if rate < availabilityTarget {
                lastSignificant = j
                if firstFailure == nil { firstFailure = done }
            }
        }
        guard let last = lastSignificant, let firstFailure else { return .unaffected }
        guard let recoveredOp = ops[(last + 1)...].first(where: { $0.outcome == .ok }),
              let at = recoveredOp.completed else {
            return .notRecovered(firstFailure: firstFailure)
        }
        return .recovered(after: at - fault, at: at, firstFailure: firstFailure)
    }

    // MARK: RPO and lost writes

    /// Acknowledged writes that the final read does not show.
    public struct LostWrites: Sendable {
        /// The lost writes, in order of acknowledgement.
        public var lost: [Operation]
        /// The time span of data lost: from the last surviving write
        /// acknowledged before the first lost one (or the first lost write's
        /// invocation, if none survived before it) to the acknowledgement of
        /// the last lost write. Zero when nothing was lost.
        public var span: SimDuration
        public var acknowledged: Int
        public var finalRead: Operation
    }

    public enum LostWritesResult: Sendable {
        case measured(LostWrites)
        /// No successful final read: what survived cannot be known.
        case noFinalRead(reason: String)
    }

    /// Compares acknowledged writes with the last successful final read.
    public static func lostWrites(_ operations: [Operation]) -> LostWritesResult {
        let finalReads = operations.filter { $0.kind == .finalRead }
        guard let finalRead = finalReads.last(where: { $0.outcome == .ok }), let observed = finalRead.observed else {
            return .noFinalRead(reason: finalReads.last?.error ?? "the workload has no final read")
        }
        let seen = Set(observed)
        let acknowledged = operations
            .filter { $0.kind == .write && $0.outcome == .ok && ($0.completed ?? .zero) <= finalRead.invoked }
            .sorted { ($0.completed ?? .zero, $0.index) < ($1.completed ?? .zero, $1.index) }
        let lost = acknowledged.filter { !seen.contains($0.key) }
        guard let firstLost = lost.first, let lastLost = lost.last,
              let firstLostDone = firstLost.completed, let lastLostDone = lastLost.completed else {
            return .measured(LostWrites(lost: [], span: .zero, acknowledged: acknowledged.count, finalRead: finalRead))
        }
        let survivorBefore = acknowledged.last { seen.contains($0.key) && ($0.completed ?? .zero) <= firstLostDone }
        let from = survivorBefore?.completed ?? firstLost.invoked
        return .measured(LostWrites(lost: lost, span: lastLostDone - from, acknowledged: acknowledged.count,
                                    finalRead: finalRead))
    }
}
