import ODASModel
import SimCore

/// Everything a run concluded, as a value: the renderers turn it into text,
/// JSON and JUnit XML. Contains no wall-clock data, so the same scenario and
/// seed give the same report.
public struct RunReport: Codable, Sendable {
    public struct ScenarioInfo: Codable, Sendable {
        public var name: String
        public var file: String
        public var description: String
    }

    public struct WorkloadSummary: Codable, Sendable {
        public var name: String
        public var kind: String
        public var operations: Int
        public var ok: Int
        public var failed: Int
        public var unknown: Int
        /// The most common reasons of failed and unknown operations, most frequent first.
        public var causes: [FailureCause] = []
        /// The same operations by cause category (timeout and why, refused by policy, …).
        public var causeCategories: [CauseCount] = []
        /// One sentence over ``causeCategories`` (`903 unknown, all timeouts (latency): …`).
        public var causeSummary: String?
    }

    /// A reason operations failed: which hop, what happened, how often.
    public struct FailureCause: Codable, Sendable {
        /// The error with pod and instance names generalized.
        public var cause: String
        public var count: Int
        /// One operation's error as it was, and its time.
        public var example: String
        public var firstAt: String
    }

    /// Version of this report's JSON shape.
    public var reportFormatVersion = 1
    public var scenario: ScenarioInfo
    public var seed: UInt64
    /// Simulated duration, canonical form (`2h`).
    public var duration: String
    /// SHA-256 of `trace.jsonl`, hex.
    public var traceHash: String
    public var traceEvents: Int
    public var traceFormatVersion: Int
    public var traceTruncated: Bool
    public var eventsProcessed: UInt64
    public var timeline: [TimelineEntry]
    public var workloads: [WorkloadSummary]
    /// Per disruption window, what it did to each workload and why.
    public var disruptions: [DisruptionReport] = []
    /// Fixes the run's failures point at (a replica without the primary's
    /// bucket policy, a single-AZ database, a spread that blocks rescheduling).
    public var suggestions: [String] = []
    public var expectations: [PropertyResult]
    /// Each workload's operations over time (the HTML report's timeline).
    public var series: [WorkloadSeries] = []
    /// Per disruption type (AZ, Region, Hardware, Software), RTO and RPO against their targets, as Resilience Hub shows them.
    public var resilience: [ResilienceAssessment] = []
    /// The installer's preflight, when the scenario has an installer: every
    /// check, what it verified and each gap with its fix.
    public var preflight: PreflightReport?
    /// The installation after the preflight: its phases, attempts and outcome.
    public var installation: InstallationReport?
    /// `pass` when every expectation is as declared (holds, or fails where
    /// `expectFailure` says it must, or is vacuous where `expectVacuous`
    /// says so); `vacuous` when the only undeclared outcomes are vacuous
    /// expectations; `partial` when a wall-clock budget stopped the run; else `fail`.
    public var verdict: String
    /// 0 or 1; see ``verdict`` (3 for a partial run).
    public var exitCode: Int32
    /// Why the run stopped before its end (`--max-wall`), when it did: the report covers the part that ran.
    public var partial: String? = nil
}

extension TimelineEntry {
    /// Readable time, `T+20m`.
    var time: String { at.readable }
}
