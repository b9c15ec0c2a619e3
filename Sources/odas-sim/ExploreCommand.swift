import ArgumentParser
import Foundation
import Scenarios
import SimCore

extension OdasSim {
    struct Explore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario under many random fault schedules and shrink each failure to a small scenario.",
            discussion: """
                Each seed draws a schedule of faults on the scenario's own targets (AZ and region outages, \
                partitions, latency, host and node crashes, a database primary crash, failing health checks) \
                with random starts, lengths and overlaps, and runs it with the scenario's workloads and \
                expectations. Every seed whose expectations do not hold is reported; for each distinct failing \
                expectation the first such seed is shrunk (faults dropped, shortened and moved earlier, workloads \
                and run time cut) to a plain scenario that `odas-sim run` fails the same way, checked before it \
                is written. The same seed gives the same schedule and result in any process and with any --jobs.
                Writes explore.json and found/*.yaml into the report directory (default reports/<name>/explore). \
                Exit code 1 when a seed failed.
                """
        )

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Argument(help: "The scenario file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @OptionGroup var limitOptions: LimitOptions

        @Option(help: "How many seeds to run (default: the scenario's explore.seeds, else 20; with --budget and no --seeds: until the budget is spent).")
        var seeds: Int?

        @Option(name: .customLong("first-seed"), help: "The first seed; seeds are first, first+1, …")
        var firstSeed: UInt64 = 1

        @Option(help: "A wall-clock budget (e.g. 90s, 10m): no seed starts after it is spent.")
        var budget: String?

        @Option(help: "Fault actions to draw from, comma-separated (default: the scenario's explore.faults, else its disruption class; see docs/explore.md).")
        var faults: String?

        @Option(name: .customLong("max-faults"), help: "At most this many faults per schedule (default: the scenario's explore.maxFaults, else 3).")
        var maxFaults: Int?

        @Option(help: "Seeds run at once (threads); results per seed do not depend on it.")
        var jobs: Int = 1

        @Option(help: "Run only shard I of N of the seeds (0-based, e.g. 0/4; a Kubernetes Indexed Job's completion index).")
        var shard: String?

        @Option(name: .customLong("report-dir"), help: "Where explore.json and the shrunk scenarios (found/) go.")
        var reportDirectory: String?

        @Option(help: "Shrink at most this many failures (the first seed of each distinct failing expectation); 0: none.")
        var shrink: Int = 3

        @Option(name: .customLong("shrink-runs"), help: "Whole runs one shrink may take.")
        var shrinkRuns: Int = 60

        @Option(help: "What to print on standard output: text or json (explore.json).")
        var format: OutputFormat = .text

        @Flag(help: "No progress lines.")
        var quiet = false

        func validate() throws {
            if let seeds, seeds < 1 { throw ValidationError("--seeds takes a positive count, not \(seeds)") }
            if let budget, Run.wallLimit(budget) == nil {
                throw ValidationError("--budget takes a positive duration such as 90s or 10m, not \(budget)")
            }
            guard (1...64).contains(jobs) else { throw ValidationError("--jobs takes 1 to 64, not \(jobs)") }
            if let maxFaults, !(1...20).contains(maxFaults) { throw ValidationError("--max-faults takes 1 to 20, not \(maxFaults)") }
            guard shrink >= 0, shrinkRuns >= 1 else { throw ValidationError("--shrink takes 0 or more and --shrink-runs 1 or more") }
            if let shard, Self.parseShard(shard) == nil {
                throw ValidationError("--shard takes I/N with 0 ≤ I < N ≤ 10000 (e.g. 0/4), not \(shard)")
            }
            if let faults { _ = try Self.parseActions(faults) }
        }

        static func parseShard(_ text: String) -> (index: Int, count: Int)? {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
                  count >= 1, count <= 10_000, index >= 0, index < count else { return nil }
            return (index, count)
        }

        static func parseActions(_ text: String) throws -> [FaultAction] {
            try text.split(separator: ",").map { name in
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let action = FaultAction(rawValue: trimmed) else {
                    throw ValidationError("--faults: unknown fault action \"\(trimmed)\"; one of \(FaultAction.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return action
            }
        }

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, limits: limitOptions.limits) } catch {
                printError(error.description)
                throw ExitCode(2)
            }
            var vocabulary = FaultVocabulary(scenario)
            if let declared = scenario.explore?.faults {
                for (action, why) in FaultVocabulary.unavailable(declared, in: scenario) {
                    printError("\(file): note: explore.faults \(action.rawValue) is not drawn: \(why)")
                }
            }
            if let faults {
                let requested = try Self.parseActions(faults)
                let missing = FaultVocabulary.unavailable(requested, in: scenario)
                if !missing.isEmpty {
                    for (action, why) in missing { printError("\(file): error: --faults \(action.rawValue): \(why)") }
                    throw ExitCode(2)
                }
                vocabulary = FaultVocabulary(scenario, actions: requested)
            }
            guard !vocabulary.actions.isEmpty else {
                printError("\(file): error: the scenario offers no fault target to explore (no AZ, host, node, database or health check)")
                throw ExitCode(2)
            }
            let maxFaults = self.maxFaults ?? scenario.explore?.maxFaults ?? 3
            let generator = ScheduleGenerator(vocabulary: vocabulary, maxFaults: maxFaults)
            let shardParts = shard.flatMap(Self.parseShard)
            let count = seeds ?? (budget == nil ? scenario.explore?.seeds ?? 20 : nil)
            let space = SeedSpace(first: firstSeed, count: count, shardIndex: shardParts?.index ?? 0, shardCount: shardParts?.count ?? 1)
            let wall = budget.flatMap { text in Run.wallLimit(text).map { Run.budget($0, description: text) } }
            let directory = reportDirectory ?? "reports/\(scenario.name)/explore"
            let printer = ExploreProgressPrinter(enabled: !quiet)
            let results = Exploration.explore(scenario, generator: generator, seeds: space, jobs: jobs, budget: wall) { progress in
                printer.update(progress)
            }
            printer.finish()
            var shrunk: [ShrinkRecord] = []
            let found = directory + "/found"
            for pick in FoundScenarios.picks(results, limit: shrink) {
                if !quiet { printError("explore: shrinking seed \(pick.seed.seed) (\(pick.expectation))…") }
                switch FoundScenarios.shrinkAndWrite(scenario, outcome: pick.seed, expectation: pick.expectation, generator: generator,
                                                     directory: found, maxRuns: shrinkRuns, limits: limitOptions.limits) {
                case .success(var record):
                    record.file = "found/" + record.file
                    shrunk.append(record)
                case .failure(let why):
                    printError("explore: seed \(pick.seed.seed) not shrunk: \(why)")
                }
            }
            let report = ExploreReport(scenario: scenario, actions: vocabulary.actions, maxFaults: maxFaults,
                                       shard: space.shardLabel, results: results, shrunk: shrunk)
            do {
                try ExploreFiles.write(report, to: directory)
            } catch {
                printError("\(directory): error: cannot write explore.json: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            switch format {
            case .text: print(ExploreText.render(report, directory: directory) + "Wrote \(directory)/explore.json")
            case .json: print(ExploreFiles.render(report), terminator: "")
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}

/// Progress of an exploration on standard error, at most once a second
/// (wall time is read here, in the command line, never in the simulation).
final class ExploreProgressPrinter: @unchecked Sendable {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastPrinted: ContinuousClock.Instant?
    private var lastLine: String?
    private let lock = NSLock()

    init(enabled: Bool) {
        self.enabled = enabled
        started = clock.now
    }

    func update(_ progress: Exploration.Progress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = clock.now
        let elapsed = now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let line = ExploreText.progressLine(progress, elapsedSeconds: seconds)
        lastLine = line
        if let last = lastPrinted, now - last < .seconds(1) { return }
        lastPrinted = now
        printError(line)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if enabled, let lastLine { printError(lastLine) }
    }
}
