import Foundation
import Testing
@testable import Scenarios
import SimCore

/// `retry:` on a workload: what the client does before the application
/// sees a failure changes the history as documented.
@Suite struct RetryPolicyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func database(retry: String?) throws -> Scenario {
        var text = try String(contentsOfFile: root.appendingPathComponent("Tests/ScenariosTests/Fixtures/explore-db.yaml").path, encoding: .utf8)
        text = text.replacingOccurrences(of: "  - {name: lose-2a, action: az-outage, target: us-west-2a, at: 3m, duration: 4m}",
                                         with: "  - {name: crash, action: db-primary-crash, target: odas-catalog, at: 3m}")
        if let retry {
            text = text.replacingOccurrences(of: "{name: writes, kind: db-write, from: app, rate: 1/s}",
                                             with: "{name: writes, kind: db-write, from: app, rate: 1/s, retry: \(retry)}")
        }
        return try ScenarioLoader.load(data: Data(text.utf8), file: "retry-db.yaml")
    }

    static func s3(retry: String?, latencyFor duration: String) throws -> Scenario {
        let text = """
            name: retry-s3
            seed: 3
            duration: 20m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
              hosts: [{name: app, az: us-west-2a}]
            buckets:
              - {name: data, region: us-west-2, objects: 50}
            workload:
              - {name: reads, kind: s3-get, bucket: data, from: app, rate: 5/s\(retry.map { ", retry: \($0)" } ?? "")}
            faults:
              - {name: slow, action: network-latency, target: us-west-2a, latency: 3s, at: 5m, duration: \(duration)}
            expect:
              rto: {reads: 1m}
            """
        return try ScenarioLoader.load(data: Data(text.utf8), file: "retry-s3.yaml")
    }

    static func failed(_ run: ScenarioRunner.Outcome, _ workload: String) -> Int {
        run.report.workloads.first { $0.name == workload }.map { $0.failed + $0.unknown } ?? -1
    }

    /// Retry records of the trace, before `before` (nanoseconds since the start) when given.
    static func retries(_ run: ScenarioRunner.Outcome, before: Int64 = .max) -> Int {
        run.traceJSONLines.split(separator: "\n").filter { line in
            guard line.contains("\"kind\":\"retry\""), let ns = line.split(separator: ",").first(where: { $0.hasPrefix("\"ns\":") }) else { return false }
            return (Int64(ns.dropFirst(5)) ?? 0) < before
        }.count
    }

    @Test func aReconnectingDatabaseClientRidesThroughAFailover() throws {
        let plain = ScenarioRunner.run(try Self.database(retry: nil))
        let reconnecting = ScenarioRunner.run(try Self.database(retry: "{mode: reconnect, maxAttempts: 90, interval: 2s}"))
        // Without reconnects every write during the one-to-two-minute failover fails; with them, they wait and land.
        #expect(Self.failed(plain, "writes") > 40)
        #expect(Self.failed(reconnecting, "writes") == 0)
        #expect(Self.retries(reconnecting) > 40)
        let slowest = reconnecting.history.operations(of: "writes").compactMap { op in op.completed.map { $0 - op.invoked } }.max() ?? .zero
        #expect(slowest > .seconds(40), "a write issued at the crash waits out the failover: \(slowest)")
        #expect(reconnecting.report.expectations.first { $0.id == "invariant/no-acknowledged-write-lost" }?.status == .pass)
        // The application sees no failure, so there is nothing to recover from: RTO 0.
        #expect(reconnecting.report.expectations.first { $0.id == "rto/writes" }?.measured == "0s")
    }

    @Test func theSDKsStandardModeRetriesTimeoutsWithBackoffAndStops() throws {
        let plain = ScenarioRunner.run(try Self.s3(retry: nil, latencyFor: "8s"))
        let standard = ScenarioRunner.run(try Self.s3(retry: "standard", latencyFor: "8s"))
        #expect(Self.failed(plain, "reads") > 20)
        // A short fault: the second or third attempt lands after it.
        #expect(Self.failed(standard, "reads") < Self.failed(plain, "reads") / 2)
        #expect(Self.retries(standard) > 0)
        // At most 3 attempts: the errors that remain say which attempt they were.
        let errors = standard.history.operations(of: "reads").compactMap(\.error)
        #expect(errors.allSatisfy { !$0.contains("attempt") || $0.contains("of 3, standard retries") })
    }

    @Test func theRetryQuotaRunsOutInALongFault() throws {
        // Ten minutes of timeouts: 500 tokens at 10 a timeout retry allow exactly 50 retries, then none until
        // successes after the fault (T+15m) refill the quota a token each.
        let standard = ScenarioRunner.run(try Self.s3(retry: "standard", latencyFor: "10m"))
        #expect(Self.retries(standard, before: 900_000_000_000) == 50)
        #expect(Self.retries(standard) > 50)
        let again = ScenarioRunner.run(try Self.s3(retry: "standard", latencyFor: "10m"))
        #expect(again.report.traceHash == standard.report.traceHash)
    }

    @Test func theLoaderTakesEachModeWhereItApplies() {
        let cases: [(String, String)] = [
            ("standard", "is the AWS SDKs' mode, for S3 workloads"),
            ("{mode: standard, interval: 2s}", "interval applies to reconnect"),
            ("{mode: reconnect, maxAttempts: 0}", "a number of attempts"),
            ("{mode: sometimes}", "unknown retry mode \"sometimes\""),
        ]
        for (retry, message) in cases {
            do {
                _ = try Self.database(retry: retry)
                Issue.record("accepted retry: \(retry)")
            } catch {
                #expect("\(error)".contains(message), "\(retry): \(error)")
            }
        }
        do {
            _ = try Self.s3(retry: "reconnect", latencyFor: "8s")
            Issue.record("accepted reconnect on s3-get")
        } catch {
            #expect("\(error)".contains("is a database client's, for db-write and db-read"))
        }
        #expect((try? Self.database(retry: "{mode: reconnect, maxAttempts: 5, interval: 3s}"))?.workloads.first?.retry
                == RetryPolicy(mode: .reconnect, maxAttempts: 5, interval: .seconds(3)))
        #expect((try? Self.s3(retry: "standard", latencyFor: "8s"))?.workloads.first?.retry?.maxAttempts == 3)
    }
}
