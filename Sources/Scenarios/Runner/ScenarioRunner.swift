import Crypto
import Foundation
import ODASModel
import SimCore

/// A wall-clock budget for a run (`--max-wall`), kept by the caller: the
/// simulation never reads a clock; it only asks, now and then, whether to stop.
public struct WallBudget: Sendable {
    public var description: String
    public var isSpent: @Sendable () -> Bool

    public init(description: String, isSpent: @escaping @Sendable () -> Bool) {
        self.description = description
        self.isSpent = isSpent
    }
}

/// Runs scenarios: builds the world, plays the workload and the faults on
/// virtual time, checks the expectations and produces the report.
public enum ScenarioRunner {
    /// What a run produced.
    public struct Outcome: Sendable {
        public var report: RunReport
        /// The canonical trace (`trace.jsonl`) when it was kept in memory
        /// (``TraceDestination/memory``); empty when it was streamed.
        public var traceJSONLines: String
        public var history: History
        /// Bytes of the canonical trace, wherever it went.
        public var traceBytes = 0
        /// The file the trace was streamed to (``TraceDestination/file(_:)``).
        public var traceFile: String?
        /// Why the trace file could not be written in full, if it could not.
        public var traceFailure: String?
    }

    /// Runs `scenario` with `seed` (the scenario's own when nil). `progress`
    /// is called twenty times over the run with the simulated time reached.
    /// `budget`: a wall-clock budget the caller checks (`--max-wall`); when it
    /// is spent the run stops where it is, and its report is partial: the
    /// expectations are judged on the part that ran (a fault that had not
    /// started is not exercised), the verdict is `partial`, the exit code 3.
    /// `traceTo`: where the trace goes; streamed to a file or only hashed, it
    /// costs no memory however long the run.
    public static func run(_ fullScenario: Scenario, seed: UInt64? = nil,
                           progress: ((SimInstant, SimDuration) -> Void)? = nil,
                           budget: WallBudget? = nil, traceTo destination: TraceDestination = .memory) -> Outcome {
        let seed = seed ?? fullScenario.seed
        var world = World(scenario: fullScenario, seed: seed)
        var sink: TraceFileSink?
        var traceFailure: String?
        switch destination {
        case .memory:
            break
        case .file(let path):
            do { sink = try TraceFileSink(path: path) } catch {
                traceFailure = error.description
                sink = try? TraceFileSink(path: nil)
            }
        case .hashOnly:
            sink = try? TraceFileSink(path: nil)
        }
        if let sink { world.trace = Trace(streamingTo: sink) }
        world.build()
        // With an installer, its preflight is the first phase: a gap stops the run before anything is installed.
        let preflight = world.runPreflight()
        let stopped = preflight.map { !$0.passed } ?? false
        var reached = SimInstant.zero + fullScenario.duration
        if !stopped {
            world.startInstallation()
            reached = world.run(progress: progress, shouldStop: budget.map { budget in { budget.isSpent() } })
        }
        let cutShort = reached < SimInstant.zero + fullScenario.duration
        var scenario = fullScenario
        if cutShort { scenario.duration = reached - .zero }
        let end = SimInstant.zero + scenario.duration
        // Stopped at the preflight there was no installation; a declared installed-within is then marked not run.
        var installResults: [PropertyResult] = []
        if let state = world.installation {
            installResults.append(Evaluation.installation(state, end: end))
        }
        if let target = scenario.expectations.installedWithin, let kind = scenario.installer?.kind {
            installResults.append(Evaluation.installedWithin(target, world.installation ?? Installation(kind: kind, startedAt: .zero), end: end))
        }
        let capacityResults = scenario.expectations.capacity.map { expectation in
            Evaluation.capacity(expectation.group, target: expectation.target,
                                desired: world.autoScaling.groups[expectation.group]?.desiredCapacity ?? 0,
                                samples: world.capacityTimeline[expectation.group] ?? [],
                                faults: Evaluation.faultWindows(scenario), end: .zero + scenario.duration)
        }
        var security = SecurityChecks.results(scenario, history: world.history, iam: world.iam)
        for odas in ODASChecks.results(scenario, history: world.history, timeline: world.catalogTimeline) {
            if let index = security.firstIndex(where: { $0.id == odas.id }) {
                security[index] = ODASChecks.merge(s3: security[index], odas: odas)
            } else {
                security.append(odas)
            }
        }
        let faultModel = world.faults
        let observability = Observability.analyze(scenario) { faultModel.isWithin($0, $1) }
        var results = Evaluation.evaluate(scenario, history: world.history,
                                          decided: world.reachabilityResults + capacityResults + security
                                              + (preflight.map { [Evaluation.preflight($0)] } ?? []) + installResults,
                                          observability: observability)
        if stopped, let preflight { results = Evaluation.stoppedAtPreflight(results, preflight) }
        world.trace.flush()
        let traceText = world.trace.canonicalJSONLines()
        let hash: String
        var traceBytes = traceText.utf8.count
        if let sink {
            let finished = sink.finish()
            hash = finished.hash
            traceBytes = finished.bytes
            traceFailure = traceFailure ?? finished.failure
        } else {
            hash = SHA256.hash(data: Data(traceText.utf8)).map { byte in
                (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        }
        let summaries = scenario.workloads.map { spec in
            let ops = world.history.operations(of: spec.name).filter { $0.kind != .finalRead }
            let causes = CauseReport.counts(ops)
            return RunReport.WorkloadSummary(name: spec.name, kind: spec.kind.rawValue, operations: ops.count,
                                             ok: ops.filter { $0.outcome == .ok }.count,
                                             failed: ops.filter { $0.outcome == .failed }.count,
                                             unknown: ops.filter { $0.outcome == .unknown }.count,
                                             causes: FailureCauses.summarize(ops),
                                             causeCategories: causes, causeSummary: CauseReport.sentence(causes))
        }
        let allAsDeclared = results.allSatisfy(\.isAsDeclared)
        let onlyVacuous = results.filter { !$0.isAsDeclared }.allSatisfy { $0.status == .vacuous }
        var report = RunReport(
            scenario: .init(name: scenario.name, file: scenario.file, description: scenario.description),
            seed: seed, duration: scenario.duration.description, traceHash: hash,
            traceEvents: world.trace.count, traceFormatVersion: Trace.formatVersion,
            traceTruncated: world.trace.isTruncated, eventsProcessed: world.loop.deliveredCount,
            timeline: sortedTimeline(world.timeline + recoveryMarks(scenario, world.history) + RefusalMarks.marks(scenario, world.history)),
            workloads: summaries, disruptions: CauseReport.disruptions(scenario, world.history),
            suggestions: Suggestions.derive(scenario, world.history, results, rebalances: world.rebalanceTerminations), expectations: results, preflight: preflight, installation: world.installation?.report,
            verdict: allAsDeclared ? "pass" : onlyVacuous ? "vacuous" : "fail", exitCode: allAsDeclared ? 0 : 1)
        report.series = WorkloadSeries.build(scenario, world.history)
        report.resilience = ResilienceAssessment.assess(scenario, world.history, results: results, observability: observability)
        var outcome = Outcome(report: report, traceJSONLines: traceText, history: world.history)
        outcome.traceBytes = traceBytes
        outcome.traceFailure = traceFailure
        if case .file(let path) = destination, traceFailure == nil { outcome.traceFile = path }
        if cutShort, let budget {
            outcome.report.partial = "stopped by --max-wall \(budget.description) at \(reached.readable) of \(fullScenario.duration): the expectations are judged on the part that ran"
            outcome.report.duration = fullScenario.duration.description
            outcome.report.verdict = "partial"
            outcome.report.exitCode = 3
        }
        return outcome
    }

    /// The installer's preflight alone (`odas-sim preflight`): the world as
    /// built before installation, checked; nil when the scenario has no installer.
    public static func preflight(_ scenario: Scenario, seed: UInt64? = nil) -> PreflightReport? {
        var world = World(scenario: scenario, seed: seed ?? scenario.seed)
        world.build()
        return world.runPreflight()
    }

    /// Stable order: by time, then by the order entries were produced.
    static func sortedTimeline(_ entries: [TimelineEntry]) -> [TimelineEntry] {
        entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    /// Writes `report.json`, `junit.xml` and `trace.jsonl` into `directory`,
    /// creating it if needed. A trace streamed to a file is moved into place.
    /// Without `trace`, trace.jsonl is not written (and an old one is removed,
    /// so the directory never holds another run's trace).
    /// With the run's `scenario`, `report.html` too (``HTMLReport``).
    public static func writeArtifacts(_ outcome: Outcome, to directory: String, trace: Bool = true, scenario: Scenario? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let url = URL(fileURLWithPath: directory)
        try Data(JSONReport.render(outcome.report).utf8).write(to: url.appendingPathComponent("report.json"))
        if let scenario {
            try Data(HTMLReport.render(outcome.report, scenario: scenario).utf8).write(to: url.appendingPathComponent("report.html"))
        }
        try Data(JUnitReport.render(outcome.report).utf8).write(to: url.appendingPathComponent("junit.xml"))
        let traceFile = url.appendingPathComponent("trace.jsonl")
        if trace, let streamed = outcome.traceFile {
            if streamed != traceFile.path {
                if FileManager.default.fileExists(atPath: traceFile.path) { try FileManager.default.removeItem(at: traceFile) }
                try FileManager.default.moveItem(atPath: streamed, toPath: traceFile.path)
            }
        } else if trace {
            try Data(outcome.traceJSONLines.utf8).write(to: traceFile)
        } else if FileManager.default.fileExists(atPath: traceFile.path) {
            try FileManager.default.removeItem(at: traceFile)
        }
    }

    /// For each fault and workload: when the workload first failed and when
    /// it recovered (the same measurement RTO uses), as timeline entries.
    static func recoveryMarks(_ scenario: Scenario, _ history: History) -> [TimelineEntry] {
        var marks: [TimelineEntry] = []
        let windows = Disruption.windows(Evaluation.faultWindows(scenario), end: .zero + scenario.duration)
        var spannedUntil: [String: Int] = [:]
        for (index, (fault, _)) in windows.enumerated() {
            let start = fault.start
            for workload in scenario.workloads {
                // A workload that never succeeded before the fault (a client
                // refused from the start) has no recovery to mark.
                let before = history.operations(of: workload.name).filter { ($0.completed ?? $0.invoked) < start && $0.kind != .finalRead }
                if !before.isEmpty, !before.contains(where: { $0.outcome == .ok }) { continue }
                let target = scenario.expectations.availability.first { $0.workload == workload.name }?.target
                    ?? Evaluation.defaultAvailabilityTarget
                let operations = history.operations(of: workload.name)
                // As RTO measures it: a disruption not recovered when the next starts spans both (marked once, from its start).
                if let spanEnd = spannedUntil[workload.name], index <= spanEnd { continue }
                let (recovery, through) = Checkers.recovery(operations, windows: windows, from: index, availabilityTarget: target)
                if through > index { spannedUntil[workload.name] = through }
                let observationEnd = windows[through].end
                switch recovery {
                case let .recovered(_, at, firstFailure) where RefusalMarks.onlyRefusals(operations, from: firstFailure, to: at):
                    continue // refused by policy, not unavailable: RefusalMarks says so
                case .notRecovered(let firstFailure) where RefusalMarks.onlyRefusals(operations, from: firstFailure, to: observationEnd):
                    continue
                case let .recovered(after, at, firstFailure):
                    marks.append(TimelineEntry(at: firstFailure, kind: "workload-failing",
                                               text: "\(workload.name) starts failing"))
                    marks.append(TimelineEntry(at: at, kind: "workload-recovered",
                                               text: "\(workload.name) recovered (\(after.readable) after \(fault.name) started)"))
                case .notRecovered(let firstFailure):
                    marks.append(TimelineEntry(at: firstFailure, kind: "workload-failing",
                                               text: "\(workload.name) starts failing and does not recover"))
                case .unaffected, .noOperations:
                    break
                }
            }
        }
        return marks
    }
}

/// `report.json`: the report with sorted keys, pretty-printed, stable bytes.
public enum JSONReport {
    public static func render(_ report: RunReport) -> String { encode(report) }

    /// A preflight on its own (`odas-sim preflight --json`).
    public static func render(preflight: PreflightReport) -> String { encode(preflight) }

    /// Several runs' reports, as one JSON array.
    public static func render(_ reports: [RunReport]) -> String { encode(reports) }

    public static func encode<Value: Encodable>(_ report: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report), let text = String(data: data, encoding: .utf8) else {
            return "{}"
        }
        return text + "\n"
    }
}
