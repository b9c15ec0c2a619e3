import Foundation
import Testing
@testable import Scenarios
import SimCore

/// The FIS-style API faults on S3: a share of the calls answer S3's
/// InternalError, SlowDown or ServiceUnavailable while the fault lasts.
@Suite struct APIFaultTests {
    static func scenario(fault: String, retry: Bool = false) throws -> Scenario {
        let text = """
            name: api-faults
            seed: 5
            duration: 10m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
              hosts: [{name: app, az: us-west-2a}]
            buckets:
              - {name: data, region: us-west-2, objects: 50}
            workload:
              - {name: reads, kind: s3-get, bucket: data, from: app, rate: 10/s\(retry ? ", retry: standard" : "")}
              - {name: writes, kind: s3-put, bucket: data, from: app, rate: 2/s}
            faults:
              - \(fault)
            expect:
              availability: {reads: 99%}
            """
        return try ScenarioLoader.load(data: Data(text.utf8), file: "api-faults.yaml")
    }

    /// Failed operations of `workload` completed in [2m, 4m) and their errors.
    static func failures(_ run: ScenarioRunner.Outcome, _ workload: String) -> (failed: Int, total: Int, errors: [String]) {
        let window = run.history.operations(of: workload).filter { op in
            guard let done = op.completed, op.kind != .finalRead else { return false }
            return done >= .zero + .minutes(2) && done < .zero + .minutes(4)
        }
        let failed = window.filter { $0.outcome != .ok }
        return (failed.count, window.count, failed.compactMap(\.error))
    }

    @Test func halfTheCallsFailWithS3sInternalErrorAndRetriesHideMostOfThem() throws {
        let fault = "{name: flaky, action: api-internal-error, target: s3, operations: [GetObject], percentage: 50%, at: 2m, duration: 2m}"
        let plain = ScenarioRunner.run(try Self.scenario(fault: fault))
        let reads = Self.failures(plain, "reads")
        #expect(reads.total > 1000)
        #expect(Double(reads.failed) / Double(reads.total) > 0.4 && Double(reads.failed) / Double(reads.total) < 0.6)
        #expect(reads.errors.allSatisfy { $0.hasPrefix("InternalError: We encountered an internal error. Please try again.") })
        // PutObject is not in the fault's operations: writes are untouched.
        #expect(Self.failures(plain, "writes").failed == 0)
        #expect(plain.report.timeline.contains { $0.text == "fault flaky starts: api-internal-error on s3 GetObject, 50% of calls" })
        // The SDK's standard mode retries InternalError: for a short fault three attempts leave about an eighth failing.
        let short = "{name: flaky, action: api-internal-error, target: s3, operations: [GetObject], percentage: 50%, at: 2m, duration: 10s}"
        let plainShort = Self.failures(ScenarioRunner.run(try Self.scenario(fault: short)), "reads")
        let retriedShort = Self.failures(ScenarioRunner.run(try Self.scenario(fault: short, retry: true)), "reads")
        #expect(plainShort.failed > 30)
        #expect(retriedShort.failed < plainShort.failed / 2)
        #expect(retriedShort.errors.allSatisfy { $0.contains("(attempt 3 of 3, standard retries)") })
        // For two minutes the retry quota runs out (5 tokens a retry, 1 back a success: 25 s at 10 reads/s), and then
        // every failure reaches the application, as with the real SDK.
        let retried = Self.failures(ScenarioRunner.run(try Self.scenario(fault: fault, retry: true)), "reads")
        #expect(retried.failed > reads.failed / 2)
        #expect(retried.failed < reads.failed)
    }

    @Test func throttlingAndUnavailableAnswerTheirOwnCodes() throws {
        let throttled = ScenarioRunner.run(try Self.scenario(fault: "{name: t, action: api-throttle-error, target: s3, percentage: 100%, at: 2m, duration: 2m}"))
        #expect(Self.failures(throttled, "reads").errors.first?.hasPrefix("SlowDown: Please reduce your request rate.") == true)
        #expect(Self.failures(throttled, "writes").failed == Self.failures(throttled, "writes").total)
        let unavailable = ScenarioRunner.run(try Self.scenario(fault: "{name: u, action: api-unavailable-error, target: s3, percentage: 100%, at: 2m, duration: 2m}"))
        #expect(Self.failures(unavailable, "reads").errors.first?.hasPrefix("ServiceUnavailable:") == true)
        // A fault on S3 touches the S3 workloads: their expectations are measured, not vacuous.
        #expect(unavailable.report.expectations.first { $0.id == "availability/reads" }?.status == .fail)
    }

    @Test func theLoaderChecksTargetOperationsAndPercentage() {
        let cases: [(String, String)] = [
            ("{action: api-internal-error, target: dynamodb, percentage: 10%, at: 1m}", "API faults target a service"),
            ("{action: api-internal-error, target: s3, at: 1m}", "percentage"),
            ("{action: api-internal-error, target: s3, operations: [DeleteBucket], percentage: 10%, at: 1m}", "unknown S3 operation \"DeleteBucket\""),
            ("{action: api-internal-error, target: s3, percentage: 0%, at: 1m}", "fails nothing"),
            ("{action: az-outage, target: us-west-2a, percentage: 10%, at: 1m}", "applies only to the API faults"),
        ]
        for (fault, message) in cases {
            do {
                _ = try Self.scenario(fault: fault)
                Issue.record("accepted \(fault)")
            } catch {
                #expect("\(error)".contains(message), "\(fault): \(error)")
            }
        }
    }
}
