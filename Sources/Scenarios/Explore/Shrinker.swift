import Foundation
import SimCore

/// Reduces a failing schedule to a smaller scenario that fails the same
/// expectation (the way Jepsen and property-based testing shrink): drop
/// faults, shorten them, move them earlier, drop workloads the failure does
/// not need, shorten the run — each step kept only if a whole run of the
/// smaller scenario still fails that expectation. Greedy, repeated until a
/// pass changes nothing or the run budget is spent.
public struct Shrinker {
    /// The smallest scenario found, as text ready to write, and what it is.
    public struct Result {
        /// The shrunk scenario, to be moved, named and written.
        public var document: ScenarioDocument
        public var faults: [FaultSpec]
        public var duration: SimDuration
        public var workloads: [String]
        public var runs: Int
        /// The target expectation's result in the shrunk run.
        public var failure: PropertyResult
    }

    /// One point of the search: the document is rebuilt from these.
    struct Candidate: Hashable {
        var faults: [FaultKey]
        var duration: SimDuration
        var dropped: [String]
    }

    /// FaultSpec's fields, hashable.
    struct FaultKey: Hashable {
        var name: String, action: FaultAction, target: FaultDomain, peers: [FaultDomain]?, latency: SimDuration?
        var at: SimDuration, duration: SimDuration?, operations: [String]?, percentage: Double?
        init(_ spec: FaultSpec) {
            (name, action, target, peers, latency, at, duration) = (spec.name, spec.action, spec.target, spec.peers, spec.latency, spec.at, spec.duration)
            (operations, percentage) = (spec.operations, spec.percentage)
        }
        var spec: FaultSpec {
            FaultSpec(name: name, action: action, target: target, peers: peers, latency: latency, at: at, duration: duration,
                      operations: operations, percentage: percentage)
        }
    }

    public var document: ScenarioDocument
    public var seed: UInt64
    /// The expectation that must keep failing (`rto/emr-scans`).
    public var expectation: String
    /// Whole runs the search may spend.
    public var maxRuns: Int
    public var limits: LoadLimits

    public init(document: ScenarioDocument, seed: UInt64, expectation: String, maxRuns: Int = 60, limits: LoadLimits = LoadLimits()) {
        self.document = document
        self.seed = seed
        self.expectation = expectation
        self.maxRuns = maxRuns
        self.limits = limits
    }

    /// Shrinks `faults` in a run of `duration` with every workload; nil when
    /// even the unshrunk schedule does not fail `expectation` (it cannot be reproduced).
    public func shrink(faults: [FaultSpec], duration: SimDuration) -> Result? {
        var search = Search(shrinker: self)
        var best = Candidate(faults: faults.map(FaultKey.init), duration: duration, dropped: [])
        guard var failure = search.fails(best) else { return nil }
        // A failure with a measured value (recovered, but too late) is kept one: a shorter run that merely
        // ends before the recovery would turn it into "not recovered" and hide the real RTO.
        search.requireMeasuredValue = failure.measuredValue != nil
        let protected = failureWorkload
        var changed = true
        while changed, search.runs < maxRuns {
            changed = false
            // Drop each fault.
            var index = 0
            while index < best.faults.count, search.runs < maxRuns {
                var next = best
                next.faults.remove(at: index)
                if let result = search.fails(next) { (best, failure, changed) = (next, result, true) } else { index += 1 }
            }
            // Shorten each fault, then move it earlier, halving while the failure stays.
            for index in best.faults.indices {
                while let length = best.faults[index].duration, length > .seconds(20), search.runs < maxRuns {
                    var next = best
                    next.faults[index].duration = Self.half(length)
                    guard let result = search.fails(next) else { break }
                    (best, failure, changed) = (next, result, true)
                }
                while best.faults[index].at > .seconds(20), search.runs < maxRuns {
                    var next = best
                    next.faults[index].at = Self.half(best.faults[index].at)
                    guard let result = search.fails(next) else { break }
                    (best, failure, changed) = (next, result, true)
                }
            }
            // Drop each workload the failing expectation does not name.
            for name in document.workloadNames where name != protected && !best.dropped.contains(name) && search.runs < maxRuns {
                var next = best
                next.dropped.append(name)
                if let result = search.fails(next) { (best, failure, changed) = (next, result, true) }
            }
            // Shorten the run: halve what follows the last fault.
            let lastFault = best.faults.map { fault in fault.duration.map { fault.at + $0 } ?? fault.at }.max() ?? .zero
            while best.duration - lastFault > .minutes(2), search.runs < maxRuns {
                var next = best
                next.duration = lastFault + Self.half(best.duration - lastFault)
                guard let result = search.fails(next) else { break }
                (best, failure, changed) = (next, result, true)
            }
        }
        return Result(document: search.document(for: best), faults: best.faults.map(\.spec), duration: best.duration,
                      workloads: document.workloadNames.filter { !best.dropped.contains($0) }, runs: search.runs, failure: failure)
    }

    /// The workload the expectation measures (`rto/emr-scans` → emr-scans), kept by every candidate.
    var failureWorkload: String? {
        let parts = expectation.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, ["rto", "rpo", "availability"].contains(String(parts[0])) else { return nil }
        return String(parts[1])
    }

    /// Half of `value`, in whole seconds.
    static func half(_ value: SimDuration) -> SimDuration { .seconds(value.nanoseconds / 2_000_000_000) }

    /// The runs of one shrink, each candidate run once.
    struct Search {
        let shrinker: Shrinker
        var runs = 0
        var requireMeasuredValue = false
        var seen: [Candidate: PropertyResult?] = [:]

        func document(for candidate: Candidate) -> ScenarioDocument {
            var document = shrinker.document
            for name in candidate.dropped { document.removeWorkload(name) }
            document.keepOnlyExpectation(shrinker.expectation)
            document.setFaults(candidate.faults.map(\.spec))
            document.setDuration(candidate.duration)
            document.setSeed(shrinker.seed)
            return document
        }

        /// The target expectation's result when `candidate` fails it; nil when
        /// it holds, is not there, or the candidate is not a valid scenario.
        mutating func fails(_ candidate: Candidate) -> PropertyResult? {
            if let known = seen[candidate] { return known }
            var result: PropertyResult?
            if let text = try? document(for: candidate).text(),
               let scenario = try? ScenarioLoader.load(data: Data(text.utf8), file: shrinker.document.file, limits: shrinker.limits) {
                runs += 1
                result = Shrinker.failure(of: shrinker.expectation, in: ScenarioRunner.run(scenario, seed: shrinker.seed, traceTo: .hashOnly).report)
                if requireMeasuredValue, result?.measuredValue == nil { result = nil }
            }
            seen[candidate] = result
            return result
        }
    }

    /// `expectation`'s result in `report` when it failed.
    public static func failure(of expectation: String, in report: RunReport) -> PropertyResult? {
        report.expectations.first { $0.id == expectation && $0.status == .fail }
    }
}
