import Foundation
import Testing
@testable import Scenarios
import SimCore

/// The installers as a run phase: each shipped install scenario behaves as it
/// declares, an installation that takes too long fails installed-within, and
/// the loader refuses installer settings that would not run.
@Suite struct InstallationScenarioTests {
    static let scenarios = ODASShippedScenarioTests.root.appendingPathComponent("scenarios")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: scenarios.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    }

    /// Loads edited scenario text as if it were a file beside the shipped ones (templates resolve).
    static func load(edited text: String) -> Result<Scenario, ScenarioErrors> {
        do {
            return .success(try ScenarioLoader.load(data: Data(text.utf8), file: scenarios.appendingPathComponent("edited.yaml").path))
        } catch { return .failure(error) }
    }

    static func errors(_ result: Result<Scenario, ScenarioErrors>) -> String {
        if case .failure(let errors) = result { return "\(errors)" }
        return ""
    }

    @Test(arguments: ["install-ec2", "install-ec2-single-control-plane", "install-eks", "install-cloudformation",
                      "install-az-outage-during-create"])
    func aShippedInstallScenarioBehavesAsDeclared(_ name: String) throws {
        let report = try ODASShippedScenarioTests.run(name).report
        #expect(report.exitCode == 0, "\(report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        let installation = try #require(report.installation)
        #expect(!installation.phases.isEmpty)
        #expect(report.expectations.contains { $0.id == "installation" })
    }

    @Test func cloudFormationInstallsFromTheStackAndTheClusterSurvivesTheZone() throws {
        let report = try ODASShippedScenarioTests.run("install-cloudformation").report
        let installation = try #require(report.installation)
        #expect(installation.installer == "cloudformation" && installation.outcome == "installed" && installation.attempts == 1)
        #expect(installation.phases.contains { $0.text.hasPrefix("CreateStack odas from ../templates/odas-nodes.yaml") })
        #expect(report.expectations.first { $0.id == "availability/emr-scans" }?.status == .pass)
        // The finding the scenario declares: AZRebalance terminates a node after the zone is back.
        #expect(report.timeline.contains { $0.text.contains("AZ rebalancing") })
    }

    @Test func aRollbackLeavesNothingBehindAndTheSecondAttemptInstalls() throws {
        let first = try ODASShippedScenarioTests.run("install-az-outage-during-create")
        let installation = try #require(first.report.installation)
        #expect(installation.outcome == "installed" && installation.attempts == 2)
        #expect(installation.leftBehind.isEmpty)
        #expect(installation.phases.contains { $0.text.contains("ROLLBACK_COMPLETE") && $0.text.contains("the rollback left nothing behind") })
        #expect(installation.phases.contains { $0.text.hasPrefix("DeleteStack odas") })
        #expect(first.report.expectations.first { $0.id == "installed-within" }?.status == .fail)
        // Same scenario and seed, same trace.
        let second = try ODASShippedScenarioTests.run("install-az-outage-during-create")
        #expect(first.report.traceHash == second.report.traceHash)
    }

    @Test func installedWithinFailsWhenTheInstallationIsSlowerThanTheTarget() throws {
        let text = try Self.text("install-ec2").replacingOccurrences(of: "installed-within: 30m", with: "installed-within: 1m")
        let scenario = try Self.load(edited: text).get()
        let report = ScenarioRunner.run(scenario).report
        let result = try #require(report.expectations.first { $0.id == "installed-within" })
        #expect(result.status == .fail && result.detail.contains("after the run started"))
        #expect(report.exitCode == 1)
    }

    @Test func theLoaderRefusesInstallerSettingsThatWouldNotRun() throws {
        let cfn = try Self.text("install-cloudformation")
        let foreign = Self.errors(Self.load(edited: cfn.replacingOccurrences(of: "  stackName: odas\n", with: "  stackName: odas\n  controlPlane: 3\n")))
        #expect(foreign.contains("controlPlane is not a setting of the cloudformation installer"))
        let missing = Self.errors(Self.load(edited: cfn.replacingOccurrences(of: "../templates/odas-nodes.yaml", with: "../templates/nope.yaml")))
        #expect(missing.contains("template ../templates/nope.yaml not found"))
        let undeclared = Self.errors(Self.load(edited: cfn.replacingOccurrences(of: "{NodeCount: \"4\", ", with: "{NodeCount: \"4\", Colour: blue, ")))
        #expect(undeclared.contains("parameter Colour is not declared by ../templates/odas-nodes.yaml"))
        let ec2 = try Self.text("install-ec2")
        let templateOnEC2 = Self.errors(Self.load(edited: ec2.replacingOccurrences(of: "  controlPlane: 3\n", with: "  controlPlane: 3\n  stackName: odas\n")))
        #expect(templateOnEC2.contains("stackName is not a setting of the ec2 installer"))
    }
}
