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

        @Argument(help: "The scenario files (YAML); several are run one after the other with one summary.",
                  completion: .file(extensions: ["yaml", "yml"]))
        var files: [String]

        @OptionGroup var limitOptions: LimitOptions

        @Option(help: "Seed for every random choice (default: each scenario's seed).")
        var seed: UInt64?

        @Option(name: .customLong("report-dir"), help: "Directory for report.json, junit.xml and trace.jsonl (with several files: one subdirectory per scenario).")
        var reportDirectory: String?

        @Option(help: "What to print on standard output: text, json or junit.")
        var format: OutputFormat = .text

        @Flag(help: "Print only the result line (and errors).")
        var quiet = false

        @Flag(name: .customLong("no-trace"), help: "Do not write trace.jsonl (its hash is still computed and reported).")
        var noTrace = false

        @Option(name: .customLong("max-wall"), help: "Stop a run that takes longer than this wall-clock time (e.g. 90s, 10m): its report is partial (verdict partial, exit code 3).")
        var maxWall: String?

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one scenario file") }
            if let maxWall, Self.wallLimit(maxWall) == nil {
                throw ValidationError("--max-wall takes a positive duration such as 90s or 10m, not \(maxWall)")
            }
        }

        /// `--max-wall` as a duration, if it is one.
        static func wallLimit(_ text: String) -> SimDuration? {
            guard case .success(let duration) = DurationSyntax.parse(text), duration > .zero else { return nil }
            return duration
        }

        /// A budget that is spent when `limit` of wall-clock time has passed since it was made.
        static func budget(_ limit: SimDuration, description: String) -> WallBudget {
            let clock = ContinuousClock()
            let deadline = clock.now + .nanoseconds(limit.nanoseconds)
            return WallBudget(description: description) { clock.now >= deadline }
        }

        /// Whether `path`, resolved, lies inside `base`, resolved.
        static func isInside(_ path: String, _ base: String) -> Bool {
            let resolved = URL(fileURLWithPath: path).standardizedFileURL.path
            let root = URL(fileURLWithPath: base).standardizedFileURL.path
            return resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        }

        func run() throws {
            // Load every file first: one bad file stops the batch before anything runs.
            var scenarios: [Scenario] = []
            var bad = false
            for file in files {
                do { scenarios.append(try ScenarioLoader.load(path: file, limits: limitOptions.limits)) } catch {
                    printError(error.description)
                    bad = true
                }
            }
            if bad { throw ExitCode(2) }
            var reports: [RunReport] = []
            for scenario in scenarios {
                let progress = ProgressPrinter(enabled: !quiet && scenarios.count == 1)
                let budget = maxWall.flatMap { text in Self.wallLimit(text).map { Self.budget($0, description: text) } }
                let base = scenarios.count == 1 ? (reportDirectory == nil ? "reports" : nil) : (reportDirectory ?? "reports")
                let directory = base.map { $0 + "/\(scenario.name)" } ?? reportDirectory ?? "reports"
                // A scenario's name is a label (no '/', no '..'), so its folder stays inside the chosen one; checked again here.
                if let base, !Self.isInside(directory, base) {
                    printError("\(directory): error: the report folder of scenario \(scenario.name) would leave \(base); not written")
                    throw ExitCode(2)
                }
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    printError("\(directory): error: cannot write the reports: \(error.localizedDescription)")
                    throw ExitCode(2)
                }
                // The trace streams to disk as the run goes (memory stays flat); moved into place with the reports.
                let partialTrace = URL(fileURLWithPath: directory).appendingPathComponent("trace.jsonl.partial").path
                let outcome = ScenarioRunner.run(scenario, seed: seed, progress: { reached, total in
                    progress.update(reached: reached, total: total)
                }, budget: budget, traceTo: noTrace ? .hashOnly : .file(partialTrace))
                if let partial = outcome.report.partial { printError("\(scenario.name): \(partial)") }
                progress.finish()
                if let failure = outcome.traceFailure {
                    try? FileManager.default.removeItem(atPath: partialTrace)
                    printError("\(directory): error: \(failure)")
                    throw ExitCode(2)
                }
                do {
                    try ScenarioRunner.writeArtifacts(outcome, to: directory, trace: !noTrace, scenario: scenario)
                } catch {
                    printError("\(directory): error: cannot write the reports: \(error.localizedDescription)")
                    throw ExitCode(2)
                }
                let report = outcome.report
                reports.append(report)
                guard format == .text else { continue }
                if quiet || scenarios.count > 1 {
                    print("\(report.verdict.uppercased()) \(report.scenario.name) seed \(report.seed) trace sha256:\(report.traceHash)")
                } else {
                    let traceBytes = noTrace ? nil : outcome.traceBytes
                    print(TextReport.render(report, reportDirectory: directory, traceBytes: traceBytes), terminator: "")
                }
            }
            switch format {
            case .text where reports.count > 1: print(TextReport.summary(reports), terminator: "")
            case .text: break
            case .json:
                print(reports.count == 1 ? JSONReport.render(reports[0]) : JSONReport.render(reports), terminator: "")
            case .junit: print(JUnitReport.render(reports), terminator: "")
            }
            let code = reports.map(\.exitCode).max() ?? 0
            if code != 0 { throw ExitCode(code) }
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
