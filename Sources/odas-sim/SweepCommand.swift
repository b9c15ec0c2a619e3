import ArgumentParser
import Foundation
import Scenarios

extension OdasSim {
    struct SweepCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sweep",
            abstract: "Run a scenario once per AZ, region, host or node, losing each in turn (an N-1 sweep).",
            discussion: """
                The scenario's own faults of the kind (az-outage for az, …) are aimed at each target in turn; \
                a scenario without one gets one fault from a sixth of the run for a third of it. Expectations \
                the scenario declares failing are reported as known, not counted. Exit code 1 when a target's run fails.
                """
        )

        @Argument(help: "The scenario file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @OptionGroup var limitOptions: LimitOptions

        @Option(help: "What to lose in turn: \(Sweep.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var each: String

        @Option(help: "Seed (default: the scenario's).")
        var seed: UInt64?

        @Option(help: "Runs at once (threads).")
        var jobs: Int = 1

        @Flag(help: "Print the rows as JSON.")
        var json = false

        func validate() throws {
            guard Sweep.Kind(rawValue: each) != nil else {
                throw ValidationError("--each takes one of \(Sweep.Kind.allCases.map(\.rawValue).joined(separator: ", ")), not \(each)")
            }
            guard (1...64).contains(jobs) else { throw ValidationError("--jobs takes 1 to 64, not \(jobs)") }
        }

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, limits: limitOptions.limits) } catch {
                printError(error.description)
                throw ExitCode(2)
            }
            guard let kind = Sweep.Kind(rawValue: each) else { throw ExitCode(2) }
            if let (_, why) = FaultVocabulary.unavailable([kind.action], in: scenario).first {
                printError("\(file): error: --each \(each): \(why)")
                throw ExitCode(2)
            }
            let rows = Sweep.run(scenario, kind: kind, seed: seed, jobs: jobs)
            if json { print(JSONReport.encode(rows), terminator: "") } else { print(Sweep.render(scenario.name, kind: kind, rows: rows), terminator: "") }
            if rows.contains(where: { $0.outcome.verdict == "fail" }) { throw ExitCode(1) }
        }
    }
}
