import Foundation
import SimCore
import Synchronization

/// Runs a scenario under many seeded fault schedules (`odas-sim explore`).
///
/// Each seed is an independent run: the seed draws the schedule (its own
/// stream) and seeds the run, the scenario's own faults are replaced by the
/// schedule, its workloads and expectations stay. Runs share nothing, so
/// `jobs` threads give the same outcome per seed as one; only which seeds a
/// wall-clock budget lets finish depends on the machine.
public enum Exploration {
    /// How far an exploration is, for a progress line.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int?
        public var failing: Int
        public var vacuous: Int
        /// The seed that just finished and its verdict.
        public var last: SeedOutcome?
    }

    /// `scenario` with `faults` in place of its own and (when given) the run shortened.
    public static func variant(_ scenario: Scenario, faults: [FaultSpec]) -> Scenario {
        var variant = scenario
        variant.faults = faults
        return variant
    }

    /// One seed: its schedule, run, classified.
    public static func outcome(_ scenario: Scenario, generator: ScheduleGenerator, seed: UInt64) -> SeedOutcome {
        let faults = generator.schedule(runLength: scenario.duration, seed: seed)
        let run = ScenarioRunner.run(variant(scenario, faults: faults), seed: seed, traceTo: .hashOnly)
        return SeedOutcome(seed: seed, faults: faults, report: run.report)
    }

    /// Runs every seed of `seeds` (in order of the list, `jobs` at a time)
    /// until `budget` is spent: a seed started is finished; none is started
    /// after. Returns the outcomes in seed order. `progress` is called after
    /// each seed, from the thread that ran it, one call at a time.
    public static func explore(_ scenario: Scenario, generator: ScheduleGenerator, seeds: SeedSpace,
                               jobs: Int = 1, budget: WallBudget? = nil,
                               progress: (@Sendable (Progress) -> Void)? = nil) -> [SeedOutcome] {
        let queue = SeedQueue(space: seeds, budget: budget)
        let state = Mutex(Progress(done: 0, total: seeds.total, failing: 0, vacuous: 0, last: nil))
        let results = Mutex<[SeedOutcome]>([])
        let work: @Sendable (Int) -> Void = { _ in
            while let seed = queue.next() {
                let outcome = outcome(scenario, generator: generator, seed: seed)
                results.withLock { $0.append(outcome) }
                state.withLock { state in
                    state.done += 1
                    if outcome.verdict == "fail" { state.failing += 1 }
                    if outcome.verdict == "vacuous" { state.vacuous += 1 }
                    state.last = outcome
                    progress?(state)
                }
            }
        }
        if jobs <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: jobs, execute: work) }
        return results.withLock { $0 }.sorted { $0.seed < $1.seed }
    }
}

/// The seeds still to run, handed out one at a time; none once the budget is spent.
final class SeedQueue: Sendable {
    private let position = Mutex(0)
    private let space: SeedSpace
    private let budget: WallBudget?

    init(space: SeedSpace, budget: WallBudget?) {
        self.space = space
        self.budget = budget
    }

    func next() -> UInt64? {
        if let budget, budget.isSpent() { return nil }
        return position.withLock { position in
            defer { position += 1 }
            return space.seed(at: position)
        }
    }
}

/// The seeds an exploration runs: `count` seeds from `first` (unbounded when
/// nil: a wall-clock budget ends it), or shard `shardIndex` of `shardCount`
/// of them (0-based, as a Kubernetes Indexed Job's completion index): the
/// seeds whose offset from `first` modulo `shardCount` is `shardIndex`. The
/// shards of one space are disjoint and together are the whole space.
public struct SeedSpace: Sendable, Equatable {
    public var first: UInt64
    public var count: Int?
    public var shardIndex: Int
    public var shardCount: Int

    public init(first: UInt64 = 1, count: Int?, shardIndex: Int = 0, shardCount: Int = 1) {
        self.first = first
        self.count = count.map { max(0, $0) }
        self.shardCount = max(1, shardCount)
        self.shardIndex = min(max(0, shardIndex), self.shardCount - 1)
    }

    /// The `position`-th seed of this shard, nil past the end.
    public func seed(at position: Int) -> UInt64? {
        let offset = shardIndex + position * shardCount
        if let count, offset >= count { return nil }
        return first &+ UInt64(offset)
    }

    /// How many seeds this shard has; nil when unbounded.
    public var total: Int? {
        guard let count else { return nil }
        return count > shardIndex ? (count - shardIndex + shardCount - 1) / shardCount : 0
    }

    /// Every seed of a bounded space, in order.
    public var all: [UInt64] {
        guard let total else { return [] }
        return (0..<total).compactMap { seed(at: $0) }
    }

    /// `I/N` for a shard, nil for the whole space.
    public var shardLabel: String? { shardCount > 1 ? "\(shardIndex)/\(shardCount)" : nil }
}
