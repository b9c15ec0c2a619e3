import Foundation
import SimCore

/// Shrinks an exploration's failing seeds and writes each result as a plain
/// scenario, verified first: the written file is loaded and run like
/// `odas-sim run` would, and kept only if it fails the same expectation.
public enum FoundScenarios {
    /// The seeds worth shrinking: the first failing seed of each distinct
    /// failing expectation, at most `limit` of them, in seed order.
    public static func picks(_ results: [SeedOutcome], limit: Int) -> [(seed: SeedOutcome, expectation: String)] {
        guard limit > 0 else { return [] }
        var seen: Set<String> = []
        var picks: [(SeedOutcome, String)] = []
        for outcome in results.sorted(by: { $0.seed < $1.seed }) where outcome.verdict == "fail" {
            let ids = outcome.failed.map(\.id).sorted { (rank($0), $0) < (rank($1), $1) }
            guard let id = ids.first(where: { !seen.contains($0) }) else { continue }
            seen.insert(id)
            picks.append((outcome, id))
            if picks.count >= limit { break }
        }
        return picks
    }

    /// Which failure of a seed to shrink first: lost data and leaks before slow recovery, availability last
    /// (a shrunk run that is merely short has a low availability more easily).
    static func rank(_ id: String) -> Int {
        let order = ["invariant", "rpo", "rto", "capacity", "installation", "reachability", "availability"]
        let kind = String(id.prefix { $0 != "/" })
        return order.firstIndex(of: kind) ?? order.count
    }

    /// Shrinks `outcome`'s schedule for `expectation` and writes
    /// `<scenario>-seed-<seed>.yaml` into `directory`; the record says what
    /// was written, or nil with the reason when it could not be reproduced.
    public static func shrinkAndWrite(_ scenario: Scenario, outcome: SeedOutcome, expectation: String, generator: ScheduleGenerator,
                                      directory: String, maxRuns: Int, limits: LoadLimits) -> Swift.Result<ShrinkRecord, ScenarioDocument.Failure> {
        let document: ScenarioDocument
        do { document = try ScenarioDocument(file: scenario.file) } catch { return .failure(error) }
        let faults = generator.schedule(runLength: scenario.duration, seed: outcome.seed)
        let shrinker = Shrinker(document: document, seed: outcome.seed, expectation: expectation, maxRuns: maxRuns, limits: limits)
        guard let shrunk = shrinker.shrink(faults: faults, duration: scenario.duration) else {
            return .failure(.unreadable("seed \(outcome.seed): \(expectation) did not fail again when rerun with only that expectation"))
        }
        let name = foundName(scenario.name, seed: outcome.seed)
        let original = size(faults: faults, workloads: scenario.workloads.count, duration: scenario.duration)
        let reduced = size(faults: shrunk.faults, workloads: shrunk.workloads.count, duration: shrunk.duration)
        var written = shrunk.document
        written.movePaths(to: directory)
        written.setName(name)
        written.removeSection("explore")
        written.setDescription("\(scenario.name) under seed \(outcome.seed)'s schedule, shrunk: fails \(expectation)")
        let header = [
            "Found by `odas-sim explore \(scenario.file)` (seed \(outcome.seed)) and shrunk",
            "from \(original) to \(reduced) in \(shrunk.runs) runs.",
            "`odas-sim run` of this file fails \(expectation): measured \(shrunk.failure.measured), target \(shrunk.failure.target).",
        ]
        let text: String
        do { text = try written.text(header: header) } catch { return .failure(error) }
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name + ".yaml").path
        switch verify(text, at: path, seed: outcome.seed, expectation: expectation, limits: limits) {
        case .failure(let why): return .failure(why)
        case .success(let verified):
            return .success(ShrinkRecord(seed: outcome.seed, expectation: expectation, file: name + ".yaml", original: original,
                                         shrunk: reduced, shrunkFaults: shrunk.faults.map(ExploredFault.init), runs: shrunk.runs,
                                         verified: verified))
        }
    }

    /// Writes `text` beside `path`, runs it from there and moves it into
    /// place only when the run fails `expectation`.
    static func verify(_ text: String, at path: String, seed: UInt64, expectation: String,
                       limits: LoadLimits) -> Swift.Result<String, ScenarioDocument.Failure> {
        let partial = path + ".partial"
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: partial))
        } catch { return .failure(.unreadable("\(path): cannot write: \(error.localizedDescription)")) }
        defer { try? FileManager.default.removeItem(atPath: partial) }
        let scenario: Scenario
        do { scenario = try ScenarioLoader.load(path: partial, limits: limits) } catch {
            return .failure(.unreadable("the shrunk scenario does not load: \(error.description)"))
        }
        let report = ScenarioRunner.run(scenario, seed: seed, traceTo: .hashOnly).report
        guard let failure = Shrinker.failure(of: expectation, in: report) else {
            return .failure(.unreadable("the shrunk scenario, run from \(path), does not fail \(expectation)"))
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch { return .failure(.unreadable("\(path): cannot write: \(error.localizedDescription)")) }
        return .success("FAIL \(expectation): measured \(failure.measured), target \(failure.target) (trace sha256:\(report.traceHash))")
    }

    /// `<scenario>-seed-<seed>`, kept a label (at most 63 characters).
    static func foundName(_ scenario: String, seed: UInt64) -> String {
        let suffix = "-seed-\(seed)"
        return String(scenario.prefix(63 - suffix.count)) + suffix
    }

    static func size(faults: [FaultSpec], workloads: Int, duration: SimDuration) -> ScheduleSize {
        let under = faults.reduce(SimDuration.zero) { $0 + ($1.duration ?? .zero) }
        return ScheduleSize(faults: faults.count, workloads: workloads, duration: duration.description, faultTime: under.description)
    }
}
