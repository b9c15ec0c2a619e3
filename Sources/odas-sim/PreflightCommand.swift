import ArgumentParser
import Foundation
import Scenarios

extension OdasSim {
    struct PreflightCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preflight",
            abstract: "Check an installation's prerequisites without installing.",
            discussion: """
                Builds the scenario's AWS resources and checks everything its installer: section needs — subnets in \
                two or more zones, the ODAS port map on the security groups, the log bucket, the node role's access to \
                the data lake, the log bucket and the KMS keys, the catalog database, and no static AWS keys in the \
                configuration — and lists every gap with how to fix it. Exit code 0 when there is no gap (warnings \
                allowed), 1 when there are gaps, 2 when the scenario is invalid or has no installer.
                """
        )

        @Argument(help: "The scenario file.", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @OptionGroup var limitOptions: LimitOptions

        @Flag(help: "Print the preflight as JSON.")
        var json = false

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, limits: limitOptions.limits) } catch {
                printError(error.description)
                throw ExitCode(2)
            }
            guard let report = ScenarioRunner.preflight(scenario) else {
                printError("\(file): the scenario has no installer: section, so there is nothing to preflight (docs/scenario-format.md, installer)")
                throw ExitCode(2)
            }
            print(json ? JSONReport.render(preflight: report) : PreflightText.render(report), terminator: "")
            if !report.passed { throw ExitCode(1) }
        }
    }
}
