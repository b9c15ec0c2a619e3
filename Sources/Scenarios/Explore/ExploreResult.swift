import SimCore

/// One fault of an explored schedule, as `explore.json` records it and a
/// scenario's `faults:` writes it.
public struct ExploredFault: Codable, Sendable, Equatable {
    public var name: String
    public var action: String
    /// The domain's kind (`az`, `region`, `host`, …) and name.
    public var targetKind: String
    public var target: String
    public var at: String
    public var duration: String?
    public var latency: String?
    /// API faults: the share of calls that fail (`25%`).
    public var percentage: String?

    public init(_ spec: FaultSpec) {
        name = spec.name
        action = spec.action.rawValue
        targetKind = spec.target.kind
        target = spec.target.name
        at = spec.at.description
        duration = spec.duration?.description
        latency = spec.latency?.description
        percentage = spec.percentage.map(Format.percent)
    }

    /// `f1-az-outage us-west-2a at 20m for 45m`.
    public var summary: String {
        var text = "\(action) \(target) at \(at)"
        if let duration { text += " for \(duration)" }
        if let latency { text += " (+\(latency))" }
        if let percentage { text += action == FaultAction.networkPacketLoss.rawValue ? " (\(percentage) packet loss)" : " (\(percentage) of calls)" }
        return text
    }
}

/// What one seed's schedule did to the scenario's expectations.
public struct SeedOutcome: Codable, Sendable, Equatable {
    /// One expectation that did not hold, as the run measured it.
    public struct Failure: Codable, Sendable, Equatable {
        public var id: String
        public var target: String
        public var measured: String
    }

    public var seed: UInt64
    public var faults: [ExploredFault]
    /// `fail` (an expectation that should hold did not), `vacuous` (none
    /// failed, but one could not be observed) or `pass`.
    public var verdict: String
    public var failed: [Failure]
    /// Expectations that came out VACUOUS without the scenario declaring it.
    public var vacuous: [String]
    /// Expectations the scenario declares failing (`expectFailure`) that failed again: known, not findings.
    public var knownFailures: [String]
    public var events: UInt64
    public var traceHash: String

    /// Classifies a run's report: see ``verdict``.
    public init(seed: UInt64, faults: [FaultSpec], report: RunReport) {
        self.seed = seed
        self.faults = faults.map(ExploredFault.init)
        let results = report.expectations
        failed = results.filter { $0.status == .fail && !$0.expectedToFail }
            .map { Failure(id: $0.id, target: $0.target, measured: $0.measured) }
        vacuous = results.filter { $0.status == .vacuous && !$0.expectedVacuous }.map(\.id)
        knownFailures = results.filter { $0.status == .fail && $0.expectedToFail }.map(\.id)
        verdict = !failed.isEmpty ? "fail" : !vacuous.isEmpty ? "vacuous" : "pass"
        events = report.eventsProcessed
        traceHash = report.traceHash
    }
}

/// A failing seed reduced to a smaller scenario that fails the same way.
public struct ShrinkRecord: Codable, Sendable, Equatable {
    public var seed: UInt64
    /// The expectation the shrunk scenario still fails.
    public var expectation: String
    /// The shrunk scenario, relative to the folder of `explore.json`.
    public var file: String
    public var original: ScheduleSize
    public var shrunk: ScheduleSize
    public var shrunkFaults: [ExploredFault]
    /// Runs the shrinking took (each candidate is a whole run).
    public var runs: Int
    /// What `odas-sim run` of the written file gave: the failure, checked before it was written.
    public var verified: String
}

/// How big a schedule is: what shrinking makes smaller.
public struct ScheduleSize: Codable, Sendable, Equatable, CustomStringConvertible {
    public var faults: Int
    public var workloads: Int
    public var duration: String
    /// Simulated time under faults, summed (instant faults count nothing).
    public var faultTime: String

    public var description: String { "\(faults) fault\(faults == 1 ? "" : "s"), \(workloads) workload\(workloads == 1 ? "" : "s"), \(duration) run, \(faultTime) under faults" }
}

/// `explore.json`: everything an exploration (or a shard of one) found.
/// Holds no wall-clock figure, so the same seeds give the same bytes in any
/// process, and merged shards equal one process's result.
public struct ExploreReport: Codable, Sendable, Equatable {
    public var scenario: String
    public var file: String
    /// FNV-1a of the scenario file, so that merge refuses shards of different files.
    public var sourceDigest: String
    public var actions: [String]
    public var maxFaults: Int
    /// `I/N` when this is one shard's part; nil for a whole (or merged) exploration.
    public var shard: String?
    /// Every seed run, in seed order.
    public var results: [SeedOutcome]
    public var shrunk: [ShrinkRecord]

    public init(scenario: Scenario, actions: [FaultAction], maxFaults: Int, shard: String?,
                results: [SeedOutcome], shrunk: [ShrinkRecord]) {
        self.scenario = scenario.name
        file = scenario.file
        sourceDigest = StableHash.hex(scenario.sourceDigest)
        self.actions = actions.map(\.rawValue)
        self.maxFaults = maxFaults
        self.shard = shard
        self.results = results.sorted { $0.seed < $1.seed }
        self.shrunk = shrunk.sorted { $0.seed < $1.seed }
    }

    public var failing: [SeedOutcome] { results.filter { $0.verdict == "fail" } }
    public var vacuous: [SeedOutcome] { results.filter { $0.verdict == "vacuous" } }
    /// 0 when no seed failed, 1 otherwise (a vacuous seed alone is not a failure of the design, but is reported).
    public var exitCode: Int32 { failing.isEmpty ? 0 : 1 }
}
