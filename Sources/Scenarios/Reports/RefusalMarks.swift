import SimCore

/// Timeline entries for clients refused by an access policy. A refusal is a
/// security decision, not an outage: a client that was refused and then is
/// served by another bucket (a replica after failover) did not recover — it
/// got access the policy denied it, and the timeline says so.
enum RefusalMarks {
    static func marks(_ scenario: Scenario, _ history: History) -> [TimelineEntry] {
        var marks: [TimelineEntry] = []
        for workload in scenario.workloads {
            let ops = history.operations(of: workload.name).filter { $0.kind != .finalRead && $0.completed != nil }
                .sorted { ($0.completed ?? .zero, $0.index) < ($1.completed ?? .zero, $1.index) }
            guard let firstRefused = ops.first(where: { $0.cause?.category == .refused }),
                  let refusedAt = firstRefused.completed else { continue }
            let refusals = ops.filter { $0.cause?.category == .refused }
            let refusedTargets = Set(refusals.map(\.target))
            marks.append(TimelineEntry(at: refusedAt, kind: "workload-refused",
                                       text: "\(workload.name) is refused by policy on \(firstRefused.target) (\(firstRefused.cause?.reason ?? "AccessDenied")): a security decision, not an outage"))
            // Served afterwards by a target it was never refused on: access the policy denied.
            if let served = ops.first(where: { ($0.completed ?? .zero) > refusedAt && $0.outcome == .ok && !refusedTargets.contains($0.target) }),
               let at = served.completed {
                let before = refusals.filter { ($0.completed ?? .zero) < at }.count
                marks.append(TimelineEntry(at: at, kind: "workload-served-after-refusal",
                                           text: "\(workload.name) is served by \(served.target) after \(before) refusals by policy on \(firstRefused.target): access the policy refused is granted there — a security finding, not a recovery"))
            }
        }
        return marks
    }

    /// True when every failed or unknown operation of `operations` completing
    /// in `[from, to)` was refused by policy: no outage to mark.
    static func onlyRefusals(_ operations: [Operation], from: SimInstant, to: SimInstant) -> Bool {
        let bad = operations.filter { op in
            guard let done = op.completed, op.outcome != .ok, op.kind != .finalRead else { return false }
            return done >= from && done < to
        }
        return !bad.isEmpty && bad.allSatisfy { $0.cause?.category == .refused }
    }
}
