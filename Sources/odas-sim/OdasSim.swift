import ArgumentParser
import Foundation
import Scenarios

/// The `odas-sim` command line. Thin by design: it parses arguments, calls
/// the Scenarios library and chooses the exit code.
@main
struct OdasSim: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "odas-sim",
        abstract: "Deterministic simulation of an Okera Data Access Service (ODAS) deployment on AWS.",
        discussion: """
            Runs scenario files (topology, workload, faults, expectations) on virtual time and reports \
            whether the deployment meets its RTO, RPO, availability and invariants.

            Exit codes: 0 every expectation is as declared, 1 an expectation failed, 2 invalid input.
            """,
        version: version,
        subcommands: [Run.self, Validate.self, PreflightCheck.self, Explore.self, SweepCommand.self, Merge.self, Serve.self, Fault.self, Clock.self, Version.self]
    )

    /// Entry point: argument errors are invalid input (exit code 2), like a
    /// malformed scenario, rather than argument-parser's default 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            // 3: a run stopped by --max-wall (its report is partial).
            if code == .success || (1...3).contains(code.rawValue) {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Loads a scenario, or prints every problem and exits with code 2 (invalid input).
func loadScenarioOrExit(_ file: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(path: file)
    } catch {
        printError(error.description)
        throw ExitCode(2)
    }
}
