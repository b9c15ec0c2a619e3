import Foundation
import Testing
@testable import Scenarios
import SimCore

@Suite struct RunnerTests {
    static let regionFailure = """
        name: rf
        seed: 3
        duration: 20m
        topology:
          regions:
            - {name: us-west-2, azs: [us-west-2a, us-west-2b]}
            - {name: us-east-1, azs: [us-east-1a]}
          hosts: [{name: client, az: us-east-1a}]
        buckets:
          - {name: okera-data, region: us-west-2, objects: 20, replicateTo: us-east-1, replicationTimeControl: true}
        workload:
          - {name: reads, kind: s3-get, bucket: okera-data, from: client, rate: 5/s, failover: true}
          - {name: writes, kind: s3-put, bucket: okera-data, from: client, rate: 2/s, failover: true}
        faults:
          - {name: lose-west, action: region-outage, target: us-west-2, at: 10m}
        expect:
          rto: {reads: 1m}
          rpo: {writes: 0s}
          invariants: [no-acknowledged-write-lost]
        """

    func scenario(_ text: String) throws -> Scenario {
        try ScenarioLoader.load(data: Data(text.utf8), file: "inline.yaml")
    }

    @Test func aRegionOutageLosesTheUnreplicatedTail() throws {
        let outcome = ScenarioRunner.run(try scenario(Self.regionFailure))
        let results = Dictionary(uniqueKeysWithValues: outcome.report.expectations.map { ($0.id, $0) })
        #expect(results["rto/reads"]?.status == .pass)
        #expect(results["rpo/writes"]?.status == .fail)
        #expect(results["invariant/no-acknowledged-write-lost"]?.status == .fail)
        #expect(outcome.report.exitCode == 1)
        #expect(outcome.report.timeline.contains { $0.kind == "client-failover" })
    }

    @Test func anAZOutageDoesNotTouchRegionalS3() throws {
        let text = Self.regionFailure
            .replacingOccurrences(of: "action: region-outage, target: us-west-2,", with: "action: az-outage, target: us-west-2a,")
            .replacingOccurrences(of: "rto: {reads: 1m}", with: "rto: {reads: 0s}")
        let outcome = ScenarioRunner.run(try scenario(text))
        let results = Dictionary(uniqueKeysWithValues: outcome.report.expectations.map { ($0.id, $0) })
        // S3 is regional: the zone's loss reaches neither the client nor the bucket, so nothing was exercised.
        #expect(results["rto/reads"]?.status == .vacuous)
        #expect(results["rto/reads"]?.detail.contains("touched nothing reads depends on") == true)
        #expect(results["rpo/writes"]?.status == .vacuous)
        #expect(results["invariant/no-acknowledged-write-lost"]?.status == .pass)
        #expect(outcome.report.verdict == "vacuous")
        #expect(outcome.report.exitCode == 1)
    }

    @Test func expectFailureTurnsADeclaredFailureIntoSuccess() throws {
        let outcome = ScenarioRunner.run(try scenario(Self.regionFailure + "\nexpectFailure: [rpo/writes, invariant/no-acknowledged-write-lost]\n"))
        #expect(outcome.report.exitCode == 0)
        #expect(outcome.report.verdict == "pass")
    }

    @Test func anExpectFailureThatHoldsFailsTheRun() throws {
        let outcome = ScenarioRunner.run(try scenario(Self.regionFailure + "\nexpectFailure: [rto]\n"))
        #expect(outcome.report.exitCode == 1)
        #expect(JUnitReport.render(outcome.report).contains("unexpected-pass"))
    }

    @Test func theSameSeedGivesTheSameTraceAndOtherSeedsDiffer() throws {
        let s = try scenario(Self.regionFailure)
        let a = ScenarioRunner.run(s), b = ScenarioRunner.run(s), c = ScenarioRunner.run(s, seed: 4)
        #expect(a.traceJSONLines == b.traceJSONLines)
        #expect(a.report.traceHash == b.report.traceHash)
        #expect(a.report.traceHash != c.report.traceHash)
        #expect(c.report.seed == 4)
    }

    @Test func aClientInALostAZStopsIssuingUntilItReturns() throws {
        let text = """
            name: c
            duration: 10m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
              hosts: [{name: box, az: us-west-2a}]
            buckets: [{name: okera-data, region: us-west-2, objects: 3}]
            workload: [{name: reads, kind: s3-get, bucket: okera-data, from: box, rate: 1/s}]
            faults: [{action: az-outage, target: us-west-2a, at: 2m, duration: 3m}]
            """
        let outcome = ScenarioRunner.run(try scenario(text))
        let during = outcome.history.operations.filter {
            $0.invoked > SimInstant.zero + .minutes(2) && $0.invoked < SimInstant.zero + .minutes(5)
        }
        #expect(during.isEmpty)
        #expect(outcome.report.timeline.map(\.kind).contains("client-down"))
        #expect(outcome.report.timeline.map(\.kind).contains("client-up"))
    }

    @Test func aPartitionTimesOutRequestsAndLatencyFaultsSlowThem() throws {
        let text = """
            name: p
            duration: 10m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a]}, {name: us-east-1, azs: [us-east-1a]}]
              hosts: [{name: box, az: us-east-1a}]
            buckets: [{name: okera-data, region: us-west-2, objects: 3}]
            workload: [{name: reads, kind: s3-get, bucket: okera-data, from: box, rate: 2/s, timeout: 1s}]
            faults:
              - {action: network-partition, target: us-east-1, peers: [us-west-2], at: 2m, duration: 1m}
              - {action: network-latency, target: box, latency: 300ms, at: 5m, duration: 1m}
            """
        let outcome = ScenarioRunner.run(try scenario(text))
        let ops = outcome.history.operations
        let partitioned = ops.filter { $0.invoked > SimInstant.zero + .minutes(2) && $0.invoked < SimInstant.zero + .minutes(3) }
        #expect(!partitioned.isEmpty && partitioned.allSatisfy { $0.outcome == .failed })
        #expect(partitioned.first?.error?.contains("network partition") == true)
        let slowed = ops.filter { $0.invoked > SimInstant.zero + .minutes(5) && $0.invoked < SimInstant.zero + .minutes(6) }
        #expect(slowed.allSatisfy { $0.outcome == .ok && ($0.completed ?? .zero) - $0.invoked > .milliseconds(600) })
    }

    /// Jepsen-style: under seeded schedules of primary crashes and AZ outages,
    /// a Multi-AZ instance never loses an acknowledged transaction, and a
    /// failover is exercised (the history shows failures and recovery).
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func multiAZNeverLosesAnAcknowledgedTransaction(seed: UInt64) throws {
        var random = SimRandom(seed: seed)
        var faults = ""
        var at = Int64(2 + random.next(upperBound: UInt64(5)))
        for index in 0..<4 {
            if random.next(upperBound: UInt64(2)) == 0 {
                let az = ["us-west-2a", "us-west-2b", "us-west-2c"][Int(random.next(upperBound: UInt64(3)))]
                let minutes = 1 + random.next(upperBound: UInt64(8))
                faults += "  - {name: f\(index), action: az-outage, target: \(az), at: \(at)m, duration: \(minutes)m}\n"
                at += Int64(minutes) + 3
            } else {
                faults += "  - {name: f\(index), action: db-primary-crash, target: odas-catalog, at: \(at)m}\n"
                at += 4
            }
        }
        let text = """
            name: jepsen-rds
            seed: \(seed)
            duration: \(at + 5)m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b, us-west-2c]}]
              hosts: [{name: client, az: us-west-2c}]
            database: {identifier: odas-catalog, region: us-west-2, primaryAZ: us-west-2a, multiAZ: true, standbyAZ: us-west-2b}
            workload:
              - {name: writes, kind: db-write, from: client, rate: 5/s}
            faults:
            \(faults)
            expect:
              rpo: {writes: 0s}
              invariants: [no-acknowledged-write-lost]
            """
        let outcome = ScenarioRunner.run(try scenario(text))
        #expect(outcome.report.exitCode == 0, "seed \(seed):\n\(faults)\n\(outcome.report.expectations.map(\.detail))")
        let ops = outcome.history.operations.filter { $0.kind == .write }
        #expect(ops.contains { $0.outcome == .failed }, "seed \(seed): no fault reached the database")
    }

    @Test func aSingleAZDatabaseLosesNoDataButStaysDown() throws {
        let text = """
            name: single
            duration: 30m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
              hosts: [{name: client, az: us-west-2b}]
            database: {identifier: odas-catalog, region: us-west-2, primaryAZ: us-west-2a}
            workload: [{name: writes, kind: db-write, from: client, rate: 1/s}]
            faults: [{action: az-outage, target: us-west-2a, at: 5m, duration: 10m}]
            expect:
              rto: {writes: 5m}
              rpo: {writes: 0s}
            """
        let outcome = ScenarioRunner.run(try scenario(text))
        let results = Dictionary(uniqueKeysWithValues: outcome.report.expectations.map { ($0.id, $0) })
        #expect(results["rto/writes"]?.status == .fail)
        #expect(results["rpo/writes"]?.status == .pass)
    }

    @Test func reportsRenderInEveryFormat() throws {
        let outcome = ScenarioRunner.run(try scenario(Self.regionFailure))
        let text = TextReport.render(outcome.report, reportDirectory: "out")
        #expect(text.contains("FAIL   rpo/writes"))
        #expect(text.contains("Replay: odas-sim run inline.yaml --seed 3"))
        let json = JSONReport.render(outcome.report)
        let decoded = try JSONDecoder().decode(RunReport.self, from: Data(json.utf8))
        #expect(decoded.traceHash == outcome.report.traceHash)
        let junit = JUnitReport.render(outcome.report)
        #expect(junit.contains("<testcase classname=\"rf\" name=\"rpo/writes\""))
        #expect(junit.contains("<failure"))
    }
}
