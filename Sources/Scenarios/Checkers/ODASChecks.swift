import ODASModel
import SimCore

/// The ODAS-level invariants, decided over the scans' observations and the
/// timeline of committed catalog versions (the oracle: what the catalog
/// database held, read from its primary at each commit).
///
/// A planner may serve from a cache up to the policy-cache TTL old, so a
/// scan invoked at `t` may rightly reflect any version in effect during
/// `[t − TTL, completion]`. A scan is authorized when *some* version of that
/// window allows everything it returned: each column it returned unmasked
/// is visible and unmasked for the user in that version (and the user may
/// read the dataset at all).
enum ODASChecks {
    typealias Timeline = [(at: SimInstant, snapshot: CatalogSnapshot)]

    /// The versions in effect at some instant of `[from, to]`.
    static func versions(_ timeline: Timeline, from: SimInstant, to: SimInstant) -> [CatalogSnapshot] {
        var out: [CatalogSnapshot] = []
        for (index, entry) in timeline.enumerated() {
            let isLast = index + 1 == timeline.count
            if entry.at <= to, isLast || timeline[index + 1].at > from { out.append(entry.snapshot) }
        }
        return out
    }

    /// Why `scan` is not allowed by `snapshot`, or nil when it is.
    static func violation(_ scan: ScanObservation, in snapshot: CatalogSnapshot) -> String? {
        let authorization = snapshot.authorizeScan(user: scan.user, dataset: scan.dataset)
        guard let allowed = authorization.allowed else {
            return scan.rowsReturned > 0 || !scan.unmaskedColumns.isEmpty
                ? "\(scan.user) may not read \(scan.dataset) at all (catalog version \(snapshot.version))" : nil
        }
        let clear = Set(allowed.columns.filter { $0.mask == nil }.map(\.column.name))
        let leaked = scan.unmaskedColumns.filter { !clear.contains($0) }
        if !leaked.isEmpty {
            return "returned \(leaked.joined(separator: ", ")) unmasked, which catalog version \(snapshot.version) does not let \(scan.user) see"
        }
        if !allowed.rowFilters.isEmpty, scan.rowFilters.count < allowed.rowFilters.count {
            return "applied \(scan.rowFilters.count) row filters where catalog version \(snapshot.version) requires \(allowed.rowFilters.count)"
        }
        return nil
    }

    /// Why no catalog version of the scan's window `[invoke − ttl, completion]`
    /// allows what it returned, or nil when one does.
    static func unallowed(_ op: Operation, _ scan: ScanObservation, timeline: Timeline, ttl: SimDuration) -> String? {
        let window = versions(timeline, from: op.invoked - ttl, to: op.completed ?? op.invoked)
        let reasons = window.compactMap { violation(scan, in: $0) }
        return !window.isEmpty && reasons.count == window.count ? reasons.first : nil
    }

    /// `no-unauthorized-read` for scans through ODAS.
    static func noUnauthorizedScan(_ scenario: Scenario, history: History, timeline: Timeline) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.noUnauthorizedRead.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 unauthorized", measured: "", status: .pass, detail: "")
        let ttl = scenario.odas?.policyCacheTTL ?? .zero
        var checked = 0
        var violations: [(Operation, String)] = []
        for workload in scenario.workloads where workload.kind == .scan {
            for op in history.operations(of: workload.name) where op.outcome == .ok {
                guard let scan = op.scan else { continue }
                checked += 1
                if let reason = unallowed(op, scan, timeline: timeline, ttl: ttl) {
                    violations.append((op, "\(workload.name) op \(op.index): \(reason)"))
                }
            }
        }
        if checked == 0 {
            result.status = .fail
            result.measured = "no scans"
            result.detail = "No scan through ODAS succeeded, so the invariant would hold vacuously."
            return result
        }
        result.measured = "\(violations.count) unauthorized"
        if let first = violations.first {
            result.status = .fail
            result.firstOffendingOperation = first.0.index
            result.detail = "\(violations.count) of \(checked) successful scans returned data no catalog version of their window allows; first: \(first.1) at \(first.0.invoked.readable)."
        } else {
            result.detail = "\(checked) successful scans, each allowed by a catalog version at most the policy-cache TTL (\(ttl)) older than the scan."
        }
        return result
    }

    /// `fail-closed`: after each acknowledged revoke, no scan by a user who
    /// lost that access, invoked more than the TTL after the acknowledgement,
    /// returns the revoked data.
    static func failClosed(_ scenario: Scenario, history: History, timeline: Timeline) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.failClosed.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 stale reads", measured: "", status: .pass, detail: "")
        let ttl = scenario.odas?.policyCacheTTL ?? .zero
        let revokes = scenario.workloads.filter { $0.kind == .catalogWrite }.flatMap { history.operations(of: $0.name) }
            .filter { $0.outcome == .ok && $0.change?.revokedRole != nil }
        guard !revokes.isEmpty else {
            result.status = .fail
            result.measured = "no revoke"
            result.detail = "No revoke was acknowledged, so there was nothing to fail closed on (vacuous)."
            return result
        }
        var exercised = 0
        var violations: [(Operation, String)] = []
        for revoke in revokes {
            guard let acknowledged = revoke.completed, let change = revoke.change else { continue }
            for workload in scenario.workloads where workload.kind == .scan {
                for op in history.operations(of: workload.name) where op.invoked > acknowledged + ttl {
                    guard let scan = op.scan, op.outcome == .ok, change.revokedDataset.map({ scan.dataset.hasPrefix($0) }) ?? true else { continue }
                    exercised += 1
                    if let reason = unallowed(op, scan, timeline: timeline, ttl: ttl) {
                        violations.append((op, "\(workload.name) op \(op.index) at \(op.invoked.readable), \((op.invoked - acknowledged).readable) after “\(change.summary)” was acknowledged: \(reason)"))
                    }
                }
            }
        }
        result.measured = "\(violations.count) stale reads"
        if let first = violations.first {
            result.status = .fail
            result.firstOffendingOperation = first.0.index
            result.detail = "\(violations.count) scans returned revoked data more than the policy-cache TTL (\(ttl)) after the revoke; first: \(first.1)."
        } else if exercised == 0 {
            result.status = .fail
            result.measured = "no scan after revoke"
            result.detail = "No scan succeeded more than the TTL after a revoke, so fail-closed was not exercised (vacuous)."
        } else {
            result.detail = "\(revokes.count) revokes; \(exercised) later scans of the datasets, none returned revoked data."
        }
        return result
    }

    /// The ODAS results a scenario asks for; `s3Unauthorized` is the S3-level
    /// `no-unauthorized-read` result, merged with the ODAS one when both apply.
    static func results(_ scenario: Scenario, history: History, timeline: Timeline) -> [PropertyResult] {
        var out: [PropertyResult] = []
        let hasScans = scenario.workloads.contains { $0.kind == .scan }
        if scenario.expectations.invariants.contains(.noUnauthorizedRead), hasScans {
            out.append(noUnauthorizedScan(scenario, history: history, timeline: timeline))
        }
        if scenario.expectations.invariants.contains(.failClosed) {
            out.append(failClosed(scenario, history: history, timeline: timeline))
        }
        return out
    }

    /// One `no-unauthorized-read` from the S3 and ODAS results: fails if either
    /// fails; an S3 result that found no s3-get reads defers to ODAS's.
    static func merge(s3: PropertyResult, odas: PropertyResult) -> PropertyResult {
        if s3.measured == "no reads" { return odas }
        var merged = s3
        merged.status = s3.status == .fail || odas.status == .fail ? .fail : .pass
        merged.measured = "\(s3.measured) (S3), \(odas.measured) (ODAS)"
        merged.detail = "S3: \(s3.detail) ODAS: \(odas.detail)"
        merged.firstOffendingOperation = s3.firstOffendingOperation ?? odas.firstOffendingOperation
        return merged
    }
}
