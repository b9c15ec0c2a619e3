import Testing
@testable import AWSSim
import SimCore

@Suite struct S3ServiceTests {
    func service() -> S3Service { S3Service(random: SimRandom(seed: 1)) }

    @Test func putThenGetReturnsTheBytesAndTheMD5ETag() throws {
        var s3 = service()
        try s3.createBucket("okera-data", region: "us-west-2")
        let put = try s3.putObject(bucket: "okera-data", key: "a.txt", body: Array("hello".utf8), now: .zero)
        #expect(put.eTag == "\"5d41402abc4b2a76b9719d911017c592\"")
        let got = try s3.getObject(bucket: "okera-data", key: "a.txt")
        #expect(got.body == Array("hello".utf8))
    }

    @Test func missingBucketsAndKeysGiveS3ErrorCodes() throws {
        var s3 = service()
        #expect(throws: S3Error.noSuchBucket("nope")) { try s3.getObject(bucket: "nope", key: "k") }
        try s3.createBucket("okera-data", region: "us-west-2")
        let error = #expect(throws: S3Error.self) { try s3.getObject(bucket: "okera-data", key: "k") }
        #expect(error?.code == "NoSuchKey")
        #expect(error?.httpStatus == 404)
        #expect(throws: S3Error.bucketAlreadyOwnedByYou("okera-data")) { try s3.createBucket("okera-data", region: "us-west-2") }
    }

    @Test func deleteBucketRefusesANonEmptyBucket() throws {
        var s3 = service()
        try s3.createBucket("okera-data", region: "us-west-2")
        try s3.putObject(bucket: "okera-data", key: "k", body: [1], now: .zero)
        #expect(throws: S3Error.bucketNotEmpty("okera-data")) { try s3.deleteBucket("okera-data") }
        try s3.deleteObject(bucket: "okera-data", key: "k")
        try s3.deleteBucket("okera-data")
        #expect(s3.listBuckets().isEmpty)
    }

    @Test(arguments: ["ab", "Upper", "-start", "end-", "a..b", "192.168.1.1", String(repeating: "a", count: 64)])
    func invalidBucketNamesAreRejected(name: String) {
        #expect(!S3Bucket.isValidName(name))
    }

    @Test func listingIsInUTF8ByteOrderAndPaginates() throws {
        var s3 = service()
        try s3.createBucket("okera-data", region: "us-west-2")
        for key in ["b", "a/2", "a/1", "c", "a/10"] {
            try s3.putObject(bucket: "okera-data", key: key, body: [], now: .zero)
        }
        let page = try s3.listObjects(bucket: "okera-data", prefix: "a/", maxKeys: 2)
        #expect(page.objects.map(\.key) == ["a/1", "a/10"])
        #expect(page.isTruncated)
        let rest = try s3.listObjects(bucket: "okera-data", prefix: "a/", startAfter: "a/10")
        #expect(rest.objects.map(\.key) == ["a/2"])
        #expect(!rest.isTruncated)
    }

    func replicatedPair() throws -> S3Service {
        var s3 = service()
        try s3.createBucket("src-bucket", region: "us-west-2")
        try s3.createBucket("dst-bucket", region: "us-east-1")
        try s3.putBucketVersioning("src-bucket", status: .enabled)
        try s3.putBucketVersioning("dst-bucket", status: .enabled)
        try s3.putBucketReplication("src-bucket", rules: [
            S3ReplicationRule(id: "r1", destinationBucket: "dst-bucket", replicationTimeControl: true),
        ])
        return s3
    }

    @Test func replicationCopiesNewObjectsAfterALag() throws {
        var s3 = try replicatedPair()
        var trace = Trace()
        let faults = Self.faults()
        try s3.putObject(bucket: "src-bucket", key: "k", body: [7], now: .zero)
        #expect(try s3.getObject(bucket: "src-bucket", key: "k").replicationStatus == .pending)
        #expect(s3.outbox.count == 1)
        let (at, event) = (s3.outbox[0].at, s3.outbox[0].event)
        #expect(at > .zero)
        s3.outbox.removeAll()
        s3.handle(event, now: at, faults: faults, trace: &trace)
        #expect(try s3.getObject(bucket: "dst-bucket", key: "k").replicationStatus == .replica)
        #expect(try s3.getObject(bucket: "src-bucket", key: "k").replicationStatus == .completed)
    }

    @Test func replicationWaitsWhileTheSourceRegionIsDown() throws {
        var s3 = try replicatedPair()
        var trace = Trace()
        var faults = Self.faults()
        let outage = faults.apply(.outage(.region("us-west-2")))
        try s3.putObject(bucket: "src-bucket", key: "k", body: [7], now: .zero)
        let event = s3.outbox.removeFirst().event
        s3.handle(event, now: SimInstant.zero + .seconds(10), faults: faults, trace: &trace)
        #expect(throws: S3Error.self) { try s3.getObject(bucket: "dst-bucket", key: "k") }
        #expect(try s3.getObject(bucket: "src-bucket", key: "k").replicationStatus == .pending)
        let retry = s3.outbox.removeFirst()
        faults.lift(outage)
        s3.handle(retry.event, now: retry.at, faults: faults, trace: &trace)
        #expect(try s3.getObject(bucket: "dst-bucket", key: "k").body == [7])
    }

    @Test func replicationToAVanishedDestinationFails() throws {
        var s3 = try replicatedPair()
        var trace = Trace()
        try s3.putObject(bucket: "src-bucket", key: "k", body: [7], now: .zero)
        let pending = s3.outbox.removeFirst()
        try s3.deleteBucket("dst-bucket")
        s3.handle(pending.event, now: pending.at, faults: Self.faults(), trace: &trace)
        #expect(try s3.getObject(bucket: "src-bucket", key: "k").replicationStatus == .failed)
        #expect(s3.outbox.isEmpty)
        #expect(trace.lastEvent?.kind == "replication-failed")
    }

    @Test func replicationRequiresADestinationInAnotherRegion() throws {
        var s3 = service()
        try s3.createBucket("src-bucket", region: "us-west-2")
        try s3.createBucket("same-region", region: "us-west-2")
        try s3.putBucketVersioning("src-bucket", status: .enabled)
        try s3.putBucketVersioning("same-region", status: .enabled)
        #expect(throws: S3Error.self) {
            try s3.putBucketReplication("src-bucket", rules: [S3ReplicationRule(id: "r", destinationBucket: "same-region", replicationTimeControl: false)])
        }
    }

    @Test func replicationNeedsVersioningOnBothBuckets() throws {
        var s3 = service()
        try s3.createBucket("src-bucket", region: "us-west-2")
        try s3.createBucket("dst-bucket", region: "us-east-1")
        let rule = S3ReplicationRule(id: "r", destinationBucket: "dst-bucket", replicationTimeControl: false)
        let error = #expect(throws: S3Error.self) { try s3.putBucketReplication("src-bucket", rules: [rule]) }
        #expect(error?.message.contains("Versioning must be 'Enabled'") == true)
        try s3.putBucketVersioning("src-bucket", status: .enabled)
        #expect(throws: S3Error.self) { try s3.putBucketReplication("src-bucket", rules: [rule]) }
        try s3.putBucketVersioning("dst-bucket", status: .enabled)
        try s3.putBucketReplication("src-bucket", rules: [rule])
    }

    @Test func versionedWritesKeepHistoryAndDeletesAddMarkers() throws {
        var s3 = service()
        try s3.createBucket("v-bucket", region: "us-west-2")
        try s3.putObject(bucket: "v-bucket", key: "k", body: [0], now: .zero) // the pre-versioning "null" version
        try s3.putBucketVersioning("v-bucket", status: .enabled)
        let first = try s3.putObject(bucket: "v-bucket", key: "k", body: [1], now: .zero)
        let second = try s3.putObject(bucket: "v-bucket", key: "k", body: [2], now: .zero)
        #expect(first.versionId != "null" && first.versionId != second.versionId)
        #expect(try s3.getObject(bucket: "v-bucket", key: "k").body == [2])
        #expect(try s3.getObject(bucket: "v-bucket", key: "k", versionId: first.versionId).body == [1])
        #expect(try s3.getObject(bucket: "v-bucket", key: "k", versionId: "null").body == [0])
        let deleted = try s3.deleteObject(bucket: "v-bucket", key: "k", versionId: nil, now: .zero)
        #expect(deleted.deleteMarker)
        let error = #expect(throws: S3Error.self) { try s3.getObject(bucket: "v-bucket", key: "k", versionId: nil) }
        #expect(error?.code == "NoSuchKey" && error?.deleteMarkerVersionId == deleted.versionId)
        #expect(try s3.listObjectVersions(bucket: "v-bucket").map(\.object.isDeleteMarker) == [true, false, false, false])
        #expect(throws: S3Error.self) { try s3.deleteBucket("v-bucket") }
        // Removing the delete marker brings the object back.
        try s3.deleteObject(bucket: "v-bucket", key: "k", versionId: deleted.versionId, now: .zero)
        #expect(try s3.getObject(bucket: "v-bucket", key: "k").body == [2])
        let missing = #expect(throws: S3Error.self) { try s3.getObject(bucket: "v-bucket", key: "k", versionId: "nope") }
        #expect(missing?.code == "NoSuchVersion")
    }

    @Test func suspendedVersioningOverwritesTheNullVersion() throws {
        var s3 = service()
        try s3.createBucket("v-bucket", region: "us-west-2")
        try s3.putBucketVersioning("v-bucket", status: .enabled)
        let kept = try s3.putObject(bucket: "v-bucket", key: "k", body: [1], now: .zero)
        try s3.putBucketVersioning("v-bucket", status: .suspended)
        try s3.putObject(bucket: "v-bucket", key: "k", body: [2], now: .zero)
        try s3.putObject(bucket: "v-bucket", key: "k", body: [3], now: .zero)
        let versions = try s3.listObjectVersions(bucket: "v-bucket").map(\.object.versionId)
        #expect(versions == ["null", kept.versionId])
    }

    @Test func replicationTimeControlLagMeetsTheFifteenMinuteSLA() {
        var s3 = service()
        let rule = S3ReplicationRule(id: "r", destinationBucket: "d", replicationTimeControl: true)
        let lags = (0..<100_000).map { _ in s3.replicationLag(rule) }
        let late = lags.filter { $0 > .minutes(15) }.count
        // 99.99% within 15 minutes (AmazonS3/latest/userguide/replication-time-control.html).
        #expect(late <= 30)
        #expect(lags.sorted()[50_000] < .seconds(10))
    }

    @Test func systemLibrariesAreLinked() {
        #expect(SystemLibraries.sqliteVersion.hasPrefix("3."))
        #expect(SystemLibraries.sqliteHasSessionExtension)
        #expect(SystemLibraries.libxml2Version.hasPrefix("2."))
    }

    static func faults() -> FaultModel {
        var faults = FaultModel()
        faults.addAvailabilityZone("us-west-2a", region: "us-west-2")
        faults.addAvailabilityZone("us-east-1a", region: "us-east-1")
        return faults
    }
}
