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
        // The port map from the seed: admin ports from the admin subnet only, service ports from EMR's own
        // subnet and group and from a partner's peered VPC.
        let reach = Dictionary(uniqueKeysWithValues: report.expectations.filter { $0.kind == "reachability" }.map { ($0.id, $0) })
        #expect(reach["reachability/bastion->odas-node-2b:22"]?.status == .pass)
        #expect(reach["reachability/partner-etl->odas-node-2b:12050"]?.detail.contains("10.30.0.0/16") == true)
        #expect(reach["reachability/partner-etl->odas-node-2b:22"]?.status == .pass)
        #expect(reach["reachability/emr-master->odas-node-2b:22"]?.detail.contains("10.20.128.") == true, "EMR in its own subnet")
    }

    @Test func theCatalogDatabaseIsInTheODASSubnets() throws {
        var world = World(scenario: try ScenarioLoader.load(path: Self.root.appendingPathComponent("scenarios/az-failure.yaml").path), seed: 42)
        world.build()
        for az in ["us-west-2a", "us-west-2b"] {
            #expect(world.faults.ancestry(of: .host("rds-odas-catalog-\(az)")).contains(.subnet("subnet-\(az)")))
        }
    }

    @Test func regionFailureFailsOverToTheStandbyClusterAndMeasuresRTOAndRPO() throws {
        let outcome = try Self.run("region-failure")
        let report = outcome.report
        #expect(report.exitCode == 0, "\(report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        let timeline = report.timeline.map(\.text)
        #expect(timeline.contains { $0.hasPrefix("ODAS cluster odas-west (us-west-2) ready") })
        #expect(timeline.contains { $0.hasPrefix("ODAS cluster odas-east (us-east-1) ready") })
        #expect(timeline.contains { $0.contains("health check west-planner unhealthy") })
        #expect(timeline.contains { $0.hasPrefix("odas-west: Node node-us-west-2a-1 is NotReady") })
        // Before the loss the west cluster serves; after it, the east one.
        let lost = SimInstant.zero + .minutes(30)
        let scans = outcome.history.operations(of: "emr-scans").filter { $0.outcome == .ok }
        #expect(scans.filter { $0.invoked < lost }.allSatisfy { ($0.value ?? "").contains("from odas-west/") })
        #expect(scans.filter { $0.invoked > lost + .minutes(5) }.allSatisfy { ($0.value ?? "").contains("from odas-east/") })
        // Scans recover before the promotion (the standby reads the catalog's
        // secondary); catalog writes only after it.
        let results = Dictionary(uniqueKeysWithValues: report.expectations.map { ($0.id, $0) })
        #expect(scans.contains { $0.invoked > lost + .minutes(2) && $0.invoked < lost + .minutes(5) })
        let writes = outcome.history.operations(of: "catalog-writes").filter { $0.outcome == .ok && $0.invoked > lost }
        #expect(writes.allSatisfy { $0.invoked > lost + .minutes(5) })
        #expect(results["rto/catalog-writes"]?.status == .pass)
        #expect(results["rpo/catalog-writes"]?.status == .pass)
        #expect(results["invariant/fail-closed"]?.status == .pass)
        let causes = try #require(report.workloads.first { $0.name == "emr-scans" }).causes
        #expect(causes.contains { $0.cause.contains("planner.odas.example.com → odas-west/odas-planner") })
    }

    @Test func aStandbyWhoseRoleCannotReadTheReplicaNeverRecovers() throws {
        let report = try Self.run("odas-standby-no-replica-access").report
        let causes = try #require(report.workloads.first { $0.name == "emr-scans" }).causes
        #expect(causes.first.map { $0.cause.hasPrefix("worker odas-east/odas-worker-…") && $0.cause.contains("AccessDenied")
            && $0.cause.contains("s3://okera-data-east/sales/transactions/…") } == true, "\(causes.map(\.cause))")
    }

    @Test(arguments: [
        ("odas-standby-no-replica-access", ["rto/emr-scans", "availability/emr-scans"]),
        ("odas-catalog-rpo-zero", ["rpo/catalog-writes", "invariant/no-acknowledged-write-lost"]),
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
