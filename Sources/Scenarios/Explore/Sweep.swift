import Foundation
import SimCore
import Synchronization

/// N-1 sweeps (`odas-sim sweep FILE --each az`): the scenario once per
/// target of a kind — lose each AZ in turn — with one result row per target.
public enum Sweep {
    /// What a sweep varies.
    public enum Kind: String, CaseIterable, Sendable {
        case az, region, host, node

        /// The fault action that loses one target of the kind.
        public var action: FaultAction {
            switch self {
            case .az: return .azOutage
            case .region: return .regionOutage
            case .host: return .hostCrash
            case .node: return .nodeCrash
            }
        }
    }

    /// One target's run.
    public struct Row: Codable, Sendable, Equatable {
        public var target: String
        public var outcome: SeedOutcome
    }

    /// The schedule that loses `target`: each of the scenario's own faults of
    /// the kind's action aimed at `target` instead; when it has none, one
    /// fault of the action from a sixth of the run for a third of it.
    public static func schedule(_ scenario: Scenario, kind: Kind, target: FaultDomain) -> [FaultSpec] {
        let own = scenario.faults.filter { $0.action == kind.action }
        if own.isEmpty {
            let sixth = SimDuration(nanoseconds: scenario.duration.nanoseconds / 6)
            return scenario.faults + [FaultSpec(name: "sweep-\(kind.rawValue)", action: kind.action, target: target, peers: nil,
                                                latency: nil, at: sixth, duration: sixth * 2)]
        }
        return scenario.faults.map { fault in
            guard fault.action == kind.action else { return fault }
            var aimed = fault
            aimed.target = target
            return aimed
        }
    }

    /// Runs the scenario once per target of `kind` (sorted by name), `jobs` at a time.
    /// The scenario's declared failures are judged as declared (as `run` would).
    public static func run(_ scenario: Scenario, kind: Kind, seed: UInt64? = nil, jobs: Int = 1) -> [Row] {
        let targets = FaultVocabulary.targets(of: kind.action, in: scenario)
        let seed = seed ?? scenario.seed
        let rows = Mutex<[Int: Row]>([:])
        let work: @Sendable (Int) -> Void = { index in
            let target = targets[index]
            let faults = schedule(scenario, kind: kind, target: target)
            let report = ScenarioRunner.run(Exploration.variant(scenario, faults: faults), seed: seed, traceTo: .hashOnly).report
            rows.withLock { $0[index] = Row(target: target.name, outcome: SeedOutcome(seed: seed, faults: faults, report: report)) }
        }
        if jobs <= 1 { targets.indices.forEach(work) } else { DispatchQueue.concurrentPerform(iterations: targets.count, execute: work) }
        return rows.withLock { rows in targets.indices.compactMap { rows[$0] } }
    }

    /// The table of a sweep.
    public static func render(_ scenario: String, kind: Kind, rows: [Row]) -> String {
        var table = [["target", "verdict", "expectations not holding"]]
        for row in rows {
            let failed = row.outcome.failed.map { "\($0.id) (\($0.measured); target \($0.target))" }
                + row.outcome.vacuous.map { "\($0) VACUOUS" }
            table.append([row.target, row.outcome.verdict.uppercased(), failed.isEmpty ? "—" : failed.joined(separator: ", ")])
        }
        let failing = rows.filter { $0.outcome.verdict == "fail" }.count
        return "sweep \(scenario): lose each \(kind.rawValue) in turn (\(kind.action.rawValue)), \(rows.count) runs\n"
            + ExploreText.table(table) + "\(failing) of \(rows.count) \(kind.rawValue)s fail\n"
    }
}
