import SimCore
import Testing
@testable import AWSSim

/// What `serve --state-dir` relies on when S3 state is restored.
@Suite struct S3RestoreTests {
    func versioned(epoch: UInt64) throws -> S3Service {
        var s3 = S3Service(random: SimRandom(seed: 1))
        s3.versionIdEpoch = epoch
        try s3.createBucket("v-bucket", region: "us-west-2")
        try s3.putBucketVersioning("v-bucket", status: .enabled)
        return s3
    }

    @Test func versionIdsDifferBetweenLivesThatShareASeed() throws {
        var first = try versioned(epoch: 1), second = try versioned(epoch: 2)
        var ids: Set<String> = []
        for i in 0..<50 {
            ids.insert(try first.putObject(bucket: "v-bucket", key: "k", body: [UInt8(i)], now: .zero).versionId)
            ids.insert(try second.putObject(bucket: "v-bucket", key: "k", body: [UInt8(i)], now: .zero).versionId)
        }
        #expect(ids.count == 100)
        #expect(ids.allSatisfy { $0.count == 32 })
    }

    @Test func tagsAndStatusChangesReachTheVersionHistory() throws {
        var s3 = try versioned(epoch: 1)
        try s3.putObject(bucket: "v-bucket", key: "k", body: [1], now: .zero)
        try s3.putObjectTagging(bucket: "v-bucket", key: "k", tags: [("team", "odas")])
        #expect(s3.buckets["v-bucket"]?.versions["k"]?.last == s3.buckets["v-bucket"]?.objects["k"])
        #expect(s3.buckets["v-bucket"]?.versions["k"]?.last?.tags == ["team": "odas"])
    }

    @Test func restoringSchedulesPendingReplicationAtItsRecordedDueTime() throws {
        var s3 = try versioned(epoch: 1)
        try s3.createBucket("v-replica", region: "us-east-1")
        try s3.putBucketVersioning("v-replica", status: .enabled)
        try s3.putBucketReplication("v-bucket", rules: [S3ReplicationRule(id: "r", destinationBucket: "v-replica",
                                                                          replicationTimeControl: true)])
        let written = try s3.putObject(bucket: "v-bucket", key: "late", body: [1], now: .zero + .seconds(100))
        let overdue = try s3.putObject(bucket: "v-bucket", key: "overdue", body: [2], now: .zero)
        let due = try #require(written.replicationDue)
        #expect(s3.outbox.map(\.at) == [due, try #require(overdue.replicationDue)])

        var restarted = S3Service(random: SimRandom(seed: 1))
        restarted.restore(Array(s3.buckets.values), now: .zero + .seconds(90))
        let scheduled = Dictionary(uniqueKeysWithValues: restarted.outbox.map { item -> (String, SimInstant) in
            guard case let .replicate(_, key, _, _, _) = item.event else { return ("", item.at) }
            return (key, item.at)
        })
        #expect(scheduled == ["late": due, "overdue": .zero + .seconds(90)])
    }
}
