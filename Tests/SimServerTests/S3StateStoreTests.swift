import AWSSim
import Foundation
import SimCore
import Testing
@testable import SimServer

/// The state directory's S3 store (format 3): one file per object version.
@Suite struct S3StateStoreTests {
    let epoch: Int64 = 1_800_000_000_000

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("odas-sim-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A service with one bucket that records its changes.
    func service(versioned: Bool) throws -> S3Service {
        var s3 = S3Service(random: SimRandom(seed: 7))
        s3.changeLog = []
        try s3.createBucket("b-bucket", region: "us-west-2")
        if versioned { try s3.putBucketVersioning("b-bucket", status: .enabled) }
        return s3
    }

    func persist(_ s3: inout S3Service, _ store: inout S3StateStore) throws {
        for change in s3.changeLog ?? [] { try store.save(change, bucket: s3.buckets["b-bucket"]) }
        s3.changeLog = []
    }

    /// File name → (inode, contents) of every version file of the bucket.
    func files(_ root: URL) throws -> [String: (inode: UInt64, bytes: Data)] {
        let folder = root.appendingPathComponent("s3/objects/b-bucket")
        var result: [String: (inode: UInt64, bytes: Data)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let path = folder.appendingPathComponent(name).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            result[name] = ((attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return result
    }

    @Test func anOverwriteInAVersionedBucketWritesOnlyTheNewVersion() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var s3 = try service(versioned: true)
        var store = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
        for i in 0..<3 { try s3.putObject(bucket: "b-bucket", key: "k", body: Array(repeating: UInt8(i), count: 4096), now: .zero) }
        try persist(&s3, &store)
        let before = try files(root)
        #expect(before.count == 3)
        try s3.putObject(bucket: "b-bucket", key: "k", body: [9], now: .zero)
        try persist(&s3, &store)
        let after = try files(root)
        #expect(after.count == 4)
        for (name, file) in before {
            #expect(after[name]?.inode == file.inode && after[name]?.bytes == file.bytes, "\(name) was rewritten")
        }
        let added = Set(after.keys).subtracting(before.keys)
        #expect(added.count == 1 && (after[added.first ?? ""]?.bytes.count ?? 0) < 1024)
    }

    /// A bucket record whose name is not a bucket name (it would name a folder
    /// outside objects/) is set aside on load, the other buckets load.
    @Test func aRecordWhoseNameIsNotABucketNameIsQuarantined() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var s3 = try service(versioned: false)
        do {
            var store = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
            try s3.putObject(bucket: "b-bucket", key: "k", body: [1], now: .zero)
            try persist(&s3, &store)
            try store.save(.bucket("b-bucket"), bucket: s3.buckets["b-bucket"])
        }
        let buckets = root.appendingPathComponent("s3/buckets")
        let record = try String(contentsOf: buckets.appendingPathComponent("b-bucket.json"), encoding: .utf8)
        let hostile = record.replacingOccurrences(of: "\"b-bucket\"", with: "\"..\"")
        #expect(hostile != record)
        try Data(hostile.utf8).write(to: buckets.appendingPathComponent("...json"))
        var reopened = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
        let loaded = try reopened.load()
        #expect(loaded.buckets?.map(\.name) == ["b-bucket"])
        #expect(loaded.notes.contains { $0.contains("\"..\" is not a bucket name") }, "\(loaded.notes)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("quarantine/s3/buckets/...json").path))
    }

    @Test func anOverwriteInAnUnversionedBucketReplacesTheOneFile() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var s3 = try service(versioned: false)
        var store = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
        for i in 0..<5 {
            try s3.putObject(bucket: "b-bucket", key: "k", body: [UInt8(i)], now: .zero)
            try persist(&s3, &store)
        }
        #expect(try files(root).count == 1)
        try s3.deleteObject(bucket: "b-bucket", key: "k")
        try persist(&s3, &store)
        #expect(try files(root).isEmpty)
    }

    @Test func aRestartRestoresEveryVersionInOrderWithItsMetadata() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var s3 = try service(versioned: true)
        do {
            var store = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
            try store.saveAll(Array(s3.buckets.values))
            for i in 0..<4 {
                try s3.putObject(bucket: "b-bucket", key: "k", body: [UInt8(i)], metadata: ["n": "\(i)"],
                                 checksums: ["CRC32": "AAAAAA=="], now: .zero + .seconds(Int64(i)))
                try s3.putObjectTagging(bucket: "b-bucket", key: "k", tags: [("i", "\(i)")])
            }
            try s3.deleteObject(bucket: "b-bucket", key: "k", versionId: nil, now: .zero + .seconds(10))
            try persist(&s3, &store)
        } // the directory's lock is released here
        // A later start, 5 s of wall time after the first: instants keep their wall-clock meaning.
        var reopened = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch + 5000)
        let loaded = try reopened.load()
        #expect(loaded.notes.isEmpty)
        let bucket = try #require(loaded.buckets?.first)
        let original = try #require(s3.buckets["b-bucket"]?.versions["k"])
        let restored = try #require(bucket.versions["k"])
        #expect(restored.map(\.versionId) == original.map(\.versionId))
        #expect(restored.map(\.body) == original.map(\.body))
        #expect(restored.map(\.tags) == original.map(\.tags))
        #expect(restored.last?.isDeleteMarker == true && bucket.objects["k"] == nil)
        #expect(restored.first?.lastModified == SimInstant.zero + .seconds(-5))
    }

    @Test func aSupersededFileLeftByACrashIsDiscardedOnLoad() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var s3 = try service(versioned: false)
        do {
            var store = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
            try store.saveAll(Array(s3.buckets.values))
            try s3.putObject(bucket: "b-bucket", key: "k", body: Array("old".utf8), now: .zero)
            try persist(&s3, &store)
            let old = try files(root)
            try s3.putObject(bucket: "b-bucket", key: "k", body: Array("new".utf8), now: .zero)
            try persist(&s3, &store)
            // As if killed after writing the new version and before removing the old one.
            for (name, file) in old { try file.bytes.write(to: root.appendingPathComponent("s3/objects/b-bucket/\(name)")) }
        }
        var reopened = try S3StateStore(directory: try StateDirectory(path: root.path), epochUnixMilliseconds: epoch)
        let loaded = try reopened.load()
        #expect(loaded.buckets?.first?.objects["k"]?.body == Array("new".utf8))
        #expect(loaded.notes == ["discarded 1 superseded version file left by an interrupted write"])
        #expect(try files(root).count == 1)
    }

    @Test func theStateDirectoryIsExclusiveAndCountsItsStarts() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            let first = try StateDirectory(path: root.path)
            #expect(first.generation == 1)
            let refusal = #expect(throws: StateFailure.self) { try StateDirectory(path: root.path) }
            #expect(refusal?.description.contains("is in use by another odas-sim serve (pid \(getpid()))") == true)
        }
        #expect(try StateDirectory(path: root.path).generation == 2)
    }

    @Test func aDirectoryOfAnotherFormatIsRefusedWithItsNumber() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(#"{"format": 9, "generation": 4}"#.utf8).write(to: root.appendingPathComponent("format.json"))
        let refusal = #expect(throws: StateFailure.self) { try StateDirectory(path: root.path) }
        #expect(refusal?.description.contains("has format 9; this odas-sim reads format 3") == true)
    }
}
