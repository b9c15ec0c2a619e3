import SimCore

extension RunReport {
    /// Failed and unknown operations of one cause, counted.
    public struct CauseCount: Codable, Sendable, Equatable {
        /// ``OperationCause/Category`` raw value: `timeout`, `refused`, …
        public var category: String
        /// For timeouts: `outage`, `partition`, `latency` or `no-answer`.
        public var timeout: String?
        public var reason: String
        public var count: Int
        public var failed: Int
        public var unknown: Int
        /// The first and last operation of this cause (history indices) and when they completed.
        public var firstOperation: Int
        public var firstAt: String
        public var lastOperation: Int
        public var lastAt: String
    }

    /// What one disruption did to the workloads: from its first fault's start
    /// to the next disruption's (or the end of the run).
    public struct DisruptionReport: Codable, Sendable {
        public struct Impact: Codable, Sendable {
            public var workload: String
            public var failed: Int
            public var unknown: Int
            /// `emr-scans: 903 unknown, all timeouts: added latency 3s on az us-west-2b > client timeout 2s`.
            public var summary: String
            public var causes: [CauseCount]
        }
        public var name: String
        public var start: String
        public var end: String
        /// Workloads with failed or unknown operations in the window.
        public var impacts: [Impact]
    }
}

/// Aggregates operations' causes for the reports and the checkers' texts.
enum CauseReport {
    /// Causes of the failed and unknown operations among `operations`, most
    /// frequent first (ties by first occurrence). Cut-off operations are left out.
    static func counts(_ operations: [Operation]) -> [RunReport.CauseCount] {
        let failing = operations.filter { $0.outcome != .ok && $0.kind != .finalRead && !$0.cutOffByEnd }
        return FailureCauses.ranked(failing) { $0.cause }.compactMap { cause, group in
            guard let first = group.first, let last = group.last else { return nil }
            let failed = group.filter { $0.outcome == .failed }.count
            return RunReport.CauseCount(category: cause.category.rawValue, timeout: cause.timeout?.rawValue, reason: cause.reason,
                                        count: group.count, failed: failed, unknown: group.count - failed,
                                        firstOperation: first.index, firstAt: (first.completed ?? first.invoked).readable,
                                        lastOperation: last.index, lastAt: (last.completed ?? last.invoked).readable)
        }
    }

    /// `903 unknown, all timeouts: added latency 3s on az us-west-2b > client timeout 2s`;
    /// nil when every operation succeeded.
    static func sentence(_ causes: [RunReport.CauseCount]) -> String? {
        guard let top = causes.first else { return nil }
        let failed = causes.reduce(0) { $0 + $1.failed }, unknown = causes.reduce(0) { $0 + $1.unknown }
        let tally = [failed > 0 ? "\(failed) failed" : nil, unknown > 0 ? "\(unknown) unknown" : nil].compactMap { $0 }
            .joined(separator: ", ")
        let sameCategory = causes.allSatisfy { $0.category == top.category && $0.timeout == top.timeout }
        if causes.count == 1 {
            return "\(tally), all \(plural(top)): \(top.reason)"
        }
        let shown = causes.prefix(3).map { sameCategory ? "\($0.count) × \($0.reason)" : "\($0.count) \(plural($0)): \($0.reason)" }
            .joined(separator: "; ")
        let more = causes.count > 3 ? "; and \(causes.count - 3) more causes" : ""
        return "\(tally)\(sameCategory ? ", all \(plural(top))" : ""): \(shown)\(more)"
    }

    /// The first and last failed or unknown operation, for a checker's text.
    static func span(_ operations: [Operation]) -> String? {
        let bad = operations.filter { $0.outcome != .ok && $0.kind != .finalRead && !$0.cutOffByEnd }
        guard let first = bad.min(by: { ($0.completed ?? $0.invoked, $0.index) < ($1.completed ?? $1.invoked, $1.index) }),
              let last = bad.max(by: { ($0.completed ?? $0.invoked, $0.index) < ($1.completed ?? $1.invoked, $1.index) }) else { return nil }
        return "first failing operation op \(first.index) at \((first.completed ?? first.invoked).readable), last op \(last.index) at \((last.completed ?? last.invoked).readable)"
    }

    static func plural(_ count: RunReport.CauseCount) -> String {
        let category = OperationCause.Category(rawValue: count.category) ?? .serviceError
        switch (category, count.timeout) {
        case (.timeout, "outage"): return "timeouts (outage)"
        case (.timeout, "partition"): return "timeouts (partition)"
        case (.timeout, "latency"): return "timeouts (latency)"
        default: return category.plural
        }
    }

    /// Per disruption window, the workloads it hurt and why.
    static func disruptions(_ scenario: Scenario, _ history: History) -> [RunReport.DisruptionReport] {
        Disruption.windows(Evaluation.faultWindows(scenario), end: .zero + scenario.duration).map { disruption, windowEnd in
            let impacts = scenario.workloads.compactMap { workload -> RunReport.DisruptionReport.Impact? in
                let inWindow = history.operations(of: workload.name).filter {
                    let done = $0.completed ?? $0.invoked
                    return done >= disruption.start && done < windowEnd
                }
                let causes = counts(inWindow)
                guard let summary = sentence(causes) else { return nil }
                return .init(workload: workload.name, failed: causes.reduce(0) { $0 + $1.failed },
                             unknown: causes.reduce(0) { $0 + $1.unknown }, summary: "\(workload.name): \(summary)",
                             causes: causes)
            }
            return .init(name: disruption.name, start: disruption.start.readable, end: windowEnd.readable, impacts: impacts)
        }
    }
}
