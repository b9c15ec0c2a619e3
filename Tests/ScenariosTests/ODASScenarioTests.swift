import Foundation
import Testing
@testable import Scenarios
import SimCore

/// ODAS in a run: scans through planners and workers, masks and filters in
/// what a scan returns, a revoke that takes effect within the policy-cache
/// TTL, fail-closed against fail-open, and the shipped ODAS scenarios.
@Suite struct ODASScenarioTests {
    /// A small ODAS deployment: one zone, one planner, two workers, a catalog.
    static func scenario(onRefreshFailure: String = "fail-closed", faults: String = "", invariants: String = "[no-unauthorized-read, fail-closed]") -> String {
        """
        name: odas-small
        seed: 5
        duration: 12m
        topology:
          regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
          hosts: [{name: emr, az: us-west-2b}]
        buckets: [{name: okera-data, region: us-west-2}]
        iam:
          roles:
            - name: odas-node
              trust: ec2
              policies: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::okera-data/*"}]}]
        kubernetes:
          nodes: [{az: us-west-2a, count: 2, cpu: "16", memory: 64Gi}, {az: us-west-2b, count: 1, cpu: "16", memory: 64Gi}]
        database: {identifier: catalog-db, engine: mysql, region: us-west-2, primaryAZ: us-west-2a, multiAZ: true, standbyAZ: us-west-2b}
        odas:
          nodeRole: odas-node
          services: {planner: 1, worker: 2, catalog: 1}
          catalog: {policyCacheTTL: 20s, onRefreshFailure: \(onRefreshFailure)}
          users: [{name: alice, groups: [analysts]}, {name: admin, groups: [admins]}, {name: eve, groups: []}]
          roles: [{name: analyst, groups: [analysts]}, {name: root, groups: [admins]}]
          datasets:
            - name: sales.tx
              bucket: okera-data
              prefix: tx/
              files: 3
              rowsPerFile: 20
              columns: {id: bigint, region: string, ssn: string, card: string}
              masks: [{column: ssn, kind: hash}]
              rowFilters: [{role: analyst, where: "id < 500000"}]
          grants:
            - {role: root, on: server, privilege: ALL}
            - {role: analyst, on: sales.tx, columns: [id, region, ssn, card]}
        workload:
          - {name: scans, kind: scan, as: alice, dataset: sales.tx, from: emr, rate: 1/s, start: 1m}
          - {name: eve-scans, kind: scan, as: eve, dataset: sales.tx, from: emr, rate: 0.2/s, start: 1m}
          - name: admin
            kind: catalog-write
            as: admin
            from: emr
            rate: 2/m
            start: 1m
            changes: [{at: 5m, revoke: {role: analyst, on: sales.tx, columns: [card]}}]
        \(faults)
        expect:
          invariants: \(invariants)
        """
    }

    static func run(_ text: String) throws -> ScenarioRunner.Outcome {
        let scenario = try ScenarioLoader.load(data: Data(text.utf8), file: "odas-small.yaml")
        return ScenarioRunner.run(scenario)
    }

    @Test func scansReturnFilteredMaskedRowsAndTheRevokedColumnDisappearsWithinTheTTL() throws {
        let outcome = try Self.run(Self.scenario())
        let scans = outcome.history.operations(of: "scans").filter { $0.outcome == .ok }
        #expect(scans.count > 500)
        let revoke = try #require(outcome.history.operations(of: "admin").first { $0.kind == .change })
        #expect(revoke.outcome == .ok)
        let acknowledged = try #require(revoke.completed)
        for op in scans {
            let scan = try #require(op.scan)
            #expect(scan.rowsReturned < scan.rowsRead, "the filter id < 500000 drops rows")
            #expect(scan.rowsReturned > 0)
            #expect(scan.maskedColumns == ["ssn"])
            #expect(!scan.unmaskedColumns.contains("ssn"))
            if op.invoked < revoke.invoked { #expect(scan.unmaskedColumns == ["id", "region", "card"]) }
            if op.invoked > acknowledged + .seconds(20) { #expect(scan.unmaskedColumns == ["id", "region"], "op \(op.index)") }
        }
        #expect(outcome.report.expectations.allSatisfy { $0.status == .pass }, "\(outcome.report.expectations.map(\.detail))")
    }

    @Test func aUserWithoutGrantsIsRefusedByThePlanner() throws {
        let outcome = try Self.run(Self.scenario())
        let eve = outcome.history.operations(of: "eve-scans")
        #expect(!eve.isEmpty)
        #expect(eve.allSatisfy { $0.outcome == .failed && ($0.error ?? "").contains("AccessDenied: user eve") })
    }

    /// The catalog database crashes 5 s after the revoke: the failover takes
    /// one to two minutes, during which planners cannot refresh.
    static let crashAfterRevoke = """
        faults:
          - {name: crash, action: db-primary-crash, target: catalog-db, at: 5m5s}
        """

    @Test func aPlannerThatFailsClosedRefusesScansWhileItCannotRefresh() throws {
        let outcome = try Self.run(Self.scenario(faults: Self.crashAfterRevoke))
        let refused = outcome.history.operations(of: "scans").filter { ($0.error ?? "").contains("refusing (fail closed)") }
        #expect(!refused.isEmpty)
        #expect(outcome.report.expectations.allSatisfy { $0.status == .pass }, "\(outcome.report.expectations.map(\.detail))")
    }

    /// With three planners, those whose cache expires after the crash keep
    /// the pre-revoke grants (the one that wrote the revoke dropped its cache).
    @Test func aPlannerThatServesStalePoliciesFailsFailClosedAndNoUnauthorizedRead() throws {
        let outcome = try Self.run(Self.scenario(onRefreshFailure: "serve-stale", faults: Self.crashAfterRevoke)
            .replacingOccurrences(of: "planner: 1,", with: "planner: 3,"))
        let results = Dictionary(uniqueKeysWithValues: outcome.report.expectations.map { ($0.id, $0) })
        #expect(results["invariant/fail-closed"]?.status == .fail, "\(results["invariant/fail-closed"]?.detail ?? "")")
        #expect(results["invariant/no-unauthorized-read"]?.status == .fail)
        #expect(results["invariant/fail-closed"]?.detail.contains("card") == true)
    }

    @Test func odasServicesWithoutANodeRoleBreakNoStaticCredentials() throws {
        let text = Self.scenario(invariants: "[no-static-credentials]").replacingOccurrences(of: "  nodeRole: odas-node\n", with: "")
        let outcome = try Self.run(text)
        let result = outcome.report.expectations.first { $0.id == "invariant/no-static-credentials" }
        #expect(result?.status == .fail)
        #expect(result?.detail.contains("odas.nodeRole") == true)
        let scans = outcome.history.operations(of: "scans")
        #expect(scans.allSatisfy { $0.outcome != .ok }, "workers without credentials cannot read S3")
        #expect(scans.contains { ($0.error ?? "").contains("NoCredentialProviders") })
        let sound = try Self.run(Self.scenario(invariants: "[no-static-credentials]"))
        let held = sound.report.expectations.first { $0.id == "invariant/no-static-credentials" }
        #expect(held?.status == .pass)
        #expect(held?.detail.contains("role odas-node") == true)
    }

    @Test func aScenarioWithoutARevokeCannotPassFailClosed() throws {
        let text = Self.scenario().replacingOccurrences(of: "changes: [{at: 5m, revoke: {role: analyst, on: sales.tx, columns: [card]}}]", with: "")
        let outcome = try Self.run(text)
        let result = outcome.report.expectations.first { $0.id == "invariant/fail-closed" }
        #expect(result?.status == .vacuous)
        #expect(result?.measured == "no revoke")
        #expect(outcome.report.verdict == "vacuous")
        #expect(outcome.report.exitCode == 1)
    }

    @Test func theSameSeedGivesTheSameTrace() throws {
        let a = try Self.run(Self.scenario(faults: Self.crashAfterRevoke))
        let b = try Self.run(Self.scenario(faults: Self.crashAfterRevoke))
        #expect(a.traceJSONLines == b.traceJSONLines)
        #expect(a.report.traceHash == b.report.traceHash)
    }

    @Test func odasSectionErrorsNameTheLine() throws {
        let text = Self.scenario().replacingOccurrences(of: "columns: [id, region, ssn, card]}", with: "columns: [id, nope]}")
            .replacingOccurrences(of: "where: \"id < 500000\"", with: "where: \"colour = 'red'\"")
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(data: Data(text.utf8), file: "bad.yaml") }
        do {
            _ = try ScenarioLoader.load(data: Data(text.utf8), file: "bad.yaml")
        } catch {
            let messages = error.errors.map(\.description).joined(separator: "\n")
            #expect(messages.contains("colour"), "\(messages)")
            #expect(messages.contains("nope"), "\(messages)")
            #expect(messages.contains("bad.yaml:"), "\(messages)")
        }
    }
}


/// `no-unauthorized-read` judges a scan's rows, not only its columns: the
/// checker recomputes what each catalog version returns from the dataset's
/// files and compares counts and a digest of the values after masks.
@Suite struct ODASContentCheckTests {
    static func runWorld() throws -> World {
        let text = ODASScenarioTests.scenario(invariants: "[no-unauthorized-read]")
        var world = World(scenario: try ScenarioLoader.load(data: Data(text.utf8), file: "odas-small.yaml"), seed: 5)
        world.build()
        world.run(progress: nil)
        return world
    }

    /// The first successful scan of `scans` with rows, after `tamper` changed what it says it returned.
    static func verdict(_ tamper: (inout ScanObservation) -> Void) throws -> PropertyResult {
        var world = try runWorld()
        let op = try #require(world.history.operations(of: "scans").first { $0.outcome == .ok && ($0.scan?.rowsReturned ?? 0) > 0 })
        var scan = try #require(op.scan)
        tamper(&scan)
        world.history.setScan(op.index, scan)
        return ODASChecks.noUnauthorizedScan(world.scenario, history: world.history, timeline: world.catalogTimeline)
    }

    @Test func theRowsAScanReturnedMatchWhatItsCatalogVersionReturns() throws {
        let result = try Self.verdict { _ in }
        #expect(result.status == .pass, "\(result.detail)")
        #expect(result.detail.contains("exactly the rows"))
    }

    @Test func aScanWhoseValuesDifferFailsEvenWithTheRightColumns() throws {
        // Same count, same columns, same filters: only the values differ (a wrong mask, a value from another row).
        let result = try Self.verdict { $0.contentDigest &+= 1 }
        #expect(result.status == .fail)
        #expect(result.detail.contains("values (after masks) differ"), "\(result.detail)")
    }

    @Test func aScanThatSkippedARowFilterFails() throws {
        // The worker claims the filter but returned every row it read.
        let result = try Self.verdict { $0.rowsReturned = $0.rowsRead + 1 }
        #expect(result.status == .fail)
        #expect(result.detail.contains("rows where catalog version"), "\(result.detail)")
    }
}
