import ArgumentParser
import Foundation
import Scenarios
import SimCore

extension OdasSim {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario and check its expectations.",
            discussion: """
                Writes report.json, junit.xml and trace.jsonl into the report directory \
                (default: reports/<scenario name>). The same scenario and seed always give \
                the same trace, byte for byte.
                """
        )

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json, junit
        }

        @Argument(help: "The scenario file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @Option(help: "Seed for every random choice (default: the scenario's seed).")
        var seed: UInt64?

        @Option(name: .customLong("report-dir"), help: "Directory for report.json, junit.xml and trace.jsonl.")
        var reportDirectory: String?

        @Option(help: "What to print on standard output: text, json or junit.")
        var format: OutputFormat = .text

        @Flag(help: "Print only the result line (and errors).")
        var quiet = false

        func run() throws {
            let scenario = try loadScenarioOrExit(file)
            let progress = ProgressPrinter(enabled: !quiet)
            let outcome = ScenarioRunner.run(scenario, seed: seed) { reached, total in
                progress.update(reached: reached, total: total)
            }
            progress.finish()
            let directory = reportDirectory ?? "reports/\(scenario.name)"
            do {
                try ScenarioRunner.writeArtifacts(outcome, to: directory)
            } catch {
                printError("\(directory): error: cannot write the reports: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            let report = outcome.report
            switch format {
            case .text:
                if quiet {
                    print("\(report.verdict.uppercased()) \(report.scenario.name) seed \(report.seed) trace sha256:\(report.traceHash)")
                } else {
                    print(TextReport.render(report, reportDirectory: directory), terminator: "")
                }
            case .json: print(JSONReport.render(report), terminator: "")
            case .junit: print(JUnitReport.render(report), terminator: "")
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}

/// Prints the simulated time reached on long runs: only once a run has taken
/// more than a second of wall time, at most once a second, on standard error.
/// Wall time is read here, in the command line, never inside the simulation.
final class ProgressPrinter {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastPrinted: ContinuousClock.Instant?

    init(enabled: Bool) {
        self.enabled = enabled
        started = clock.now
    }

    func update(reached: SimInstant, total: SimDuration) {
        guard enabled else { return }
        let now = clock.now
        guard now - started > .seconds(1) else { return }
        if let last = lastPrinted, now - last < .seconds(1) { return }
        lastPrinted = now
        let percent = total.nanoseconds > 0 ? Int(100 * reached.sinceStart.seconds / total.seconds) : 100
        printError("  simulated \(reached.sinceStart) of \(total) (\(percent)%)")
    }

    func finish() {}
}
