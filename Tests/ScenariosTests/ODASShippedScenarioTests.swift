import Foundation
import Testing
@testable import Scenarios
import SimCore

/// The shipped ODAS scenarios, run in-process: az-failure holds, and each
/// flawed design fails exactly where it declares it must.
@Suite struct ODASShippedScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ name: String) throws -> ScenarioRunner.Outcome {
        ScenarioRunner.run(try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/\(name).yaml").path))
    }

    @Test func azFailureShowsODASLosingAZoneAndHolds() throws {
        let outcome = try Self.run("az-failure")
        let report = outcome.report
        #expect(report.exitCode == 0, "\(report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        let timeline = report.timeline.map(\.text)
        #expect(timeline.contains { $0.hasPrefix("ODAS services ready: 3 planner, 3 worker, 2 catalog") })
        #expect(timeline.contains { $0.contains("odas-planner: endpoint odas-planner-") && $0.contains("removed (2 of 3 ready)") })
        #expect(timeline.contains { $0.contains("odas-worker: odas-worker-") && $0.contains("Running and ready") })
        // A failed scan names its hop and why.
        let scans = try #require(report.workloads.first { $0.name == "emr-scans" })
        #expect(scans.causes.contains { $0.cause.hasPrefix("planner odas-planner-… on node-us-west-2a") && $0.cause.contains("az us-west-2a is down") }
                || scans.causes.contains { $0.cause.hasPrefix("worker odas-worker-… on node-us-west-2a") })
        let ids = Set(report.expectations.map(\.id))
        #expect(ids.isSuperset(of: ["rto/emr-scans", "rpo/catalog-writes", "invariant/fail-closed", "invariant/no-unauthorized-read"]))
    }

    @Test(arguments: [
        ("odas-single-planner", ["rto/emr-scans", "availability/emr-scans", "rto/catalog-writes"]),
        ("odas-workers-one-az", ["rto/emr-scans", "availability/emr-scans"]),
        ("odas-fail-open", ["invariant/fail-closed", "invariant/no-unauthorized-read"]),
        ("odas-admin-ports-open", ["reachability/emr-master->odas-node-2b:22", "reachability/emr-master->odas-node-2b:12051"]),
    ])
    func aFlawedODASDesignFailsWhereItDeclares(name: String, failing: [String]) throws {
        let report = try Self.run(name).report
        #expect(report.exitCode == 0, "\(name): \(report.expectations.filter { !$0.isAsDeclared }.map { "\($0.id): \($0.detail)" })")
        for id in failing {
            let result = report.expectations.first { $0.id == id }
            #expect(result?.status == .fail, "\(name): \(id) should fail")
        }
        #expect(report.expectations.filter { $0.status == .fail }.map(\.id).sorted() == failing.sorted(), "\(name)")
    }
}
