import Foundation
import Testing
@testable import Scenarios
import SimCore

/// `s3-replication-pause` (FIS `aws:s3:bucket-pause-replication`): new
/// objects stay PENDING while it lasts and replicate once it ends, so a
/// region lost during a pause loses everything written since it began.
@Suite struct S3ReplicationPauseTests {
    static func scenario(pause: String?) throws -> Scenario {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var text = try String(contentsOfFile: root.appendingPathComponent("scenarios/s3-region-failure.yaml").path, encoding: .utf8)
        if let pause {
            text = text.replacingOccurrences(of: "  - {name: lose-us-west-2, action: region-outage, target: us-west-2, at: 30m}",
                                             with: "  - {name: lose-us-west-2, action: region-outage, target: us-west-2, at: 30m}\n  - \(pause)")
        }
        return try ScenarioLoader.load(data: Data(text.utf8), file: root.appendingPathComponent("scenarios/pause.yaml").path)
    }

    static func lostWrites(_ report: RunReport) -> Double {
        report.expectations.first { $0.id == "invariant/no-acknowledged-write-lost" }?.measuredValue ?? -1
    }

    @Test func aRegionLostDuringAPauseLosesWhatWasWrittenSinceItBegan() throws {
        let baseline = ScenarioRunner.run(try Self.scenario(pause: nil))
        let paused = ScenarioRunner.run(try Self.scenario(pause: "{name: pause, action: s3-replication-pause, target: okera-data, at: 25m, duration: 5m}"))
        // ingest writes 2/s: five minutes of writes are PENDING when the region goes.
        #expect(Self.lostWrites(baseline.report) < 100)
        #expect(Self.lostWrites(paused.report) > 500)
        #expect(paused.traceJSONLines.contains("replication from okera-data is paused"))
        #expect(paused.report.timeline.contains { $0.kind == "fault-start" && $0.text == "fault pause starts: s3-replication-pause okera-data" })
        // The RPO covers the pause: the first lost write was acknowledged after it began.
        let rpo = try #require(paused.report.expectations.first { $0.id == "rpo/ingest" })
        #expect((rpo.measuredValue ?? 0) >= 290)
    }

    @Test func replicationResumesWhenThePauseEnds() throws {
        let early = ScenarioRunner.run(try Self.scenario(pause: "{name: pause, action: s3-replication-pause, target: okera-data, at: 10m, duration: 5m}"))
        // The backlog is copied after the pause (within the minute S3 retries in), long before the region is lost.
        #expect(Self.lostWrites(early.report) < 100)
        #expect(early.report.timeline.contains { $0.kind == "fault-end" && $0.text == "fault pause ends" })
    }

    @Test func theTargetMustBeAReplicatedBucket() {
        for (target, message) in [("okera-data-dr", "unknown replicated bucket \"okera-data-dr\""), ("nope", "unknown replicated bucket \"nope\"")] {
            do {
                _ = try Self.scenario(pause: "{name: pause, action: s3-replication-pause, target: \(target), at: 10m, duration: 5m}")
                Issue.record("accepted \(target)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        let scenario = try? Self.scenario(pause: nil)
        #expect(scenario.map { FaultVocabulary.targets(of: .s3ReplicationPause, in: $0) } == [.host("okera-data")])
    }
}
