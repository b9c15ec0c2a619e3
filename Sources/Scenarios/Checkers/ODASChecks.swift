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
/// read the dataset at all), and the rows themselves — values after masks
/// and row filters — are exactly the rows that version returns from the
/// dataset's files (``ExpectedScans``), so a skipped filter or a wrong mask
/// on a column the user may see is caught too.
enum ODASChecks {
    typealias Timeline = [(at: SimInstant, snapshot: CatalogSnapshot)]

    /// The indices of the versions in effect at some instant of `[from, to]`.
    static func versions(_ timeline: Timeline, from: SimInstant, to: SimInstant) -> [Int] {
        var out: [Int] = []
        for (index, entry) in timeline.enumerated() {
            let isLast = index + 1 == timeline.count
            if entry.at <= to, isLast || timeline[index + 1].at > from { out.append(index) }
        }
        return out
    }

    /// What each catalog version of the timeline returns to a user scanning
    /// a dataset, computed once from the dataset's generated files (the bytes
    /// the run wrote to S3) through the workers' own filter and mask code.
    struct ExpectedScans {
        var cache: [String: ScanRowSummary?] = [:]

        mutating func summary(version index: Int, _ snapshot: CatalogSnapshot, user: String, dataset: String) -> ScanRowSummary? {
            let key = "\(index)\u{1}\(user)\u{1}\(dataset)"
            if let cached = cache[key] { return cached }
            var result: ScanRowSummary?
            if let scan = snapshot.authorizeScan(user: user, dataset: dataset).allowed {
                var total = ScanRowSummary(rowsRead: 0, rowsReturned: 0, columns: [])
                for file in 0..<scan.dataset.files {
                    guard let part = try? ScanResultBuilder.build(scan, file: DatasetFile.generate(dataset: scan.dataset, file: file)) else {
                        total = ScanRowSummary(rowsRead: -1, rowsReturned: -1, columns: [])
                        break
                    }
                    total = total.merged(with: part.summary)
                }
                result = total.rowsRead < 0 ? nil : total
            }
            cache[key] = result
            return result
        }
    }

    /// Why `scan` is not allowed by `snapshot`, or nil when it is.
    static func violation(_ scan: ScanObservation, in snapshot: CatalogSnapshot, expected: ScanRowSummary?) -> String? {
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
        if let expected, expected.rowsReturned != scan.rowsReturned || expected.contentDigest != scan.contentDigest {
            return expected.rowsReturned != scan.rowsReturned
                ? "returned \(scan.rowsReturned) rows where catalog version \(snapshot.version) returns \(expected.rowsReturned) to \(scan.user)"
                : "returned \(scan.rowsReturned) rows whose values (after masks) differ from what catalog version \(snapshot.version) returns to \(scan.user)"
        }
        return nil
    }

    /// Why no catalog version of the scan's window `[invoke − ttl, completion]`
    /// allows what it returned, or nil when one does.
    static func unallowed(_ op: Operation, _ scan: ScanObservation, timeline: Timeline, ttl: SimDuration,
                          expected: inout ExpectedScans) -> String? {
        let window = versions(timeline, from: op.invoked - ttl, to: op.completed ?? op.invoked)
        var reasons: [String] = []
        for index in window {
            let snapshot = timeline[index].snapshot
            let content = expected.summary(version: index, snapshot, user: scan.user, dataset: scan.dataset)
            guard let reason = violation(scan, in: snapshot, expected: content) else { return nil }
            reasons.append(reason)
        }
        return reasons.first
    }

    /// `no-unauthorized-read` for scans through ODAS.
    static func noUnauthorizedScan(_ scenario: Scenario, history: History, timeline: Timeline) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.noUnauthorizedRead.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 unauthorized", measured: "", status: .pass, detail: "")
        let ttl = scenario.odas?.policyCacheTTL ?? .zero
        var checked = 0
        var violations: [(Operation, String)] = []
        var expected = ExpectedScans()
        for workload in scenario.workloads where workload.kind == .scan {
            for op in history.operations(of: workload.name) where op.outcome == .ok {
                guard let scan = op.scan else { continue }
                checked += 1
                if let reason = unallowed(op, scan, timeline: timeline, ttl: ttl, expected: &expected) {
                    violations.append((op, "\(workload.name) op \(op.index): \(reason)"))
                }
            }
        }
        if checked == 0 {
            result.makeVacuous(measured: "no scans", detail: "No scan through ODAS succeeded, so there was no scan to check.")
            return result
        }
        result.measured = "\(violations.count) unauthorized"
        result.measuredCount(violations.count)
        if let first = violations.first {
            result.status = .fail
            result.firstOffendingOperation = first.0.index
            result.detail = "\(violations.count) of \(checked) successful scans returned data no catalog version of their window allows; first: \(first.1) at \(first.0.invoked.readable)."
        } else {
            result.detail = "\(checked) successful scans, each returning exactly the rows, columns and masked values of a catalog version at most the policy-cache TTL (\(ttl)) older than the scan."
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
            result.makeVacuous(measured: "no revoke", detail: "No revoke was acknowledged, so there was nothing to fail closed on.")
            return result
        }
        var exercised = 0
        var violations: [(Operation, String)] = []
        var expected = ExpectedScans()
        for revoke in revokes {
            guard let acknowledged = revoke.completed, let change = revoke.change else { continue }
            for workload in scenario.workloads where workload.kind == .scan {
                for op in history.operations(of: workload.name) where op.invoked > acknowledged + ttl {
                    guard let scan = op.scan, op.outcome == .ok, change.revokedDataset.map({ scan.dataset.hasPrefix($0) }) ?? true else { continue }
                    exercised += 1
                    if let reason = unallowed(op, scan, timeline: timeline, ttl: ttl, expected: &expected) {
                        violations.append((op, "\(workload.name) op \(op.index) at \(op.invoked.readable), \((op.invoked - acknowledged).readable) after “\(change.summary)” was acknowledged: \(reason)"))
                    }
                }
            }
        }
        result.measured = "\(violations.count) stale reads"
        result.measuredCount(violations.count)
        if let first = violations.first {
            result.status = .fail
            result.firstOffendingOperation = first.0.index
            result.detail = "\(violations.count) scans returned revoked data more than the policy-cache TTL (\(ttl)) after the revoke; first: \(first.1)."
        } else if exercised == 0 {
            result.makeVacuous(measured: "no scan after revoke", detail: "No scan succeeded more than the TTL after a revoke, so fail-closed was not exercised.")
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
        merged.status = s3.status == .fail || odas.status == .fail ? .fail
            : s3.status == .pass || odas.status == .pass ? .pass : .vacuous
        merged.measured = "\(s3.measured) (S3), \(odas.measured) (ODAS)"
        merged.detail = "S3: \(s3.detail) ODAS: \(odas.detail)"
        merged.firstOffendingOperation = s3.firstOffendingOperation ?? odas.firstOffendingOperation
        return merged
    }
}
