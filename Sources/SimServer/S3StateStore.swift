import AWSSim
import Crypto
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// Persists serve's S3 state under `--state-dir`, one file per bucket and per
/// object, so that a restart (or a `kill -9`) keeps every acknowledged write.
///
/// Every file is written to a temporary name, fsync'ed, renamed over the old
/// one and the directory fsync'ed: a reader (or a restart) sees the old file
/// or the new one, never a torn one. The server persists a request's changes
/// before it answers, so an acknowledged object is on disk.
///
/// Layout: `s3/buckets/<bucket>.json`, `s3/objects/<bucket>/<sha256(key)>.obj`
/// (a magic line, a JSON line describing every version of the key, then the
/// versions' bodies one after another). Multipart uploads in progress are not persisted.
public struct S3StateStore: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    let root: URL
    static let magic = "ODASSIM-S3-OBJECT 2\n"

    public init(directory: String) throws(Failure) {
        root = URL(fileURLWithPath: directory).appendingPathComponent("s3")
        do {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("buckets"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: root.appendingPathComponent("objects"), withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create the state directory \(directory): \(error.localizedDescription)")
        }
    }

    struct BucketRecord: Codable {
        struct Rule: Codable {
            var id: String
            var prefix: String
            var destinationBucket: String
            var replicationTimeControl: Bool
        }
        var name: String
        var region: String
        var createdNanoseconds: Int64
        var rules: [Rule]
        var tags: [String: String]?
        var policy: String?
        var versioning: String?
    }

    struct ObjectRecord: Codable {
        var key: String
        var eTag: String
        var contentType: String
        var metadata: [String: String]
        var checksums: [String: String]
        var contentHeaders: [String: String]
        var lastModifiedNanoseconds: Int64
        var replicationStatus: String?
        var writeSequence: UInt64
        var tags: [String: String]?
        var versionId: String
        var isDeleteMarker: Bool
        var bodyLength: Int
    }

    // MARK: Loading

    /// The persisted buckets with their objects, or nil when the directory holds no S3 state yet.
    public func load() throws(Failure) -> [S3Bucket]? {
        let bucketsDirectory = root.appendingPathComponent("buckets")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: bucketsDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { return nil }
        var buckets: [S3Bucket] = []
        for file in files {
            let url = bucketsDirectory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path),
                  let record = try? JSONDecoder().decode(BucketRecord.self, from: data) else {
                throw Failure(description: "\(url.path) is not a bucket record of odas-sim serve")
            }
            var bucket = S3Bucket(name: record.name, region: record.region,
                                  created: SimInstant(nanosecondsSinceStart: record.createdNanoseconds))
            bucket.tags = record.tags
            bucket.policy = record.policy
            bucket.versioning = record.versioning.flatMap(S3VersioningStatus.init(rawValue:))
            bucket.replicationRules = record.rules.map {
                S3ReplicationRule(id: $0.id, prefix: $0.prefix, destinationBucket: $0.destinationBucket,
                                  replicationTimeControl: $0.replicationTimeControl)
            }
            let objectsDirectory = root.appendingPathComponent("objects").appendingPathComponent(record.name)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory.path)) ?? []).sorted()
                where name.hasSuffix(".obj") {
                let objectURL = objectsDirectory.appendingPathComponent(name)
                guard let versions = readVersions(objectURL), let latest = versions.last else {
                    throw Failure(description: "\(objectURL.path) is not an object file of odas-sim serve")
                }
                if bucket.versioning != nil { bucket.versions[latest.key] = versions }
                if !latest.isDeleteMarker { bucket.objects[latest.key] = latest }
            }
            buckets.append(bucket)
        }
        return buckets
    }

    func readVersions(_ url: URL) -> [S3Object]? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let bytes = [UInt8](data)
        let magic = Array(Self.magic.utf8)
        guard bytes.count > magic.count, Array(bytes[0..<magic.count]) == magic,
              let newline = bytes[magic.count...].firstIndex(of: 10),
              let records = try? JSONDecoder().decode([ObjectRecord].self, from: Data(bytes[magic.count..<newline])) else {
            return nil
        }
        var offset = newline + 1
        var versions: [S3Object] = []
        for record in records {
            guard record.bodyLength >= 0, offset + record.bodyLength <= bytes.count else { return nil }
            var object = S3Object(key: record.key, body: Array(bytes[offset..<offset + record.bodyLength]), eTag: record.eTag,
                                  lastModified: SimInstant(nanosecondsSinceStart: record.lastModifiedNanoseconds),
                                  contentType: record.contentType, metadata: record.metadata,
                                  replicationStatus: record.replicationStatus.flatMap(S3ReplicationStatus.init(rawValue:)),
                                  writeSequence: record.writeSequence, checksums: record.checksums,
                                  contentHeaders: record.contentHeaders)
            object.tags = record.tags ?? [:]
            object.versionId = record.versionId
            object.isDeleteMarker = record.isDeleteMarker
            offset += record.bodyLength
            versions.append(object)
        }
        return versions
    }

    // MARK: Saving

    /// Writes everything (the first start with an empty state directory).
    public func saveAll(_ buckets: [S3Bucket]) throws(Failure) {
        for bucket in buckets {
            try save(.bucket(bucket.name), bucket: bucket)
            let keys = Set(bucket.objects.keys).union(bucket.versions.keys).sorted()
            for key in keys { try save(.object(bucket: bucket.name, key: key), bucket: bucket) }
        }
    }

    /// Persists one change, given the current state of its bucket (nil: the bucket is gone).
    public func save(_ change: S3Change, bucket: S3Bucket?) throws(Failure) {
        switch change {
        case .bucket(let name):
            let file = root.appendingPathComponent("buckets").appendingPathComponent(name + ".json")
            guard let bucket else {
                try remove(file)
                try? FileManager.default.removeItem(at: root.appendingPathComponent("objects").appendingPathComponent(name))
                return
            }
            let record = BucketRecord(name: bucket.name, region: bucket.region,
                                      createdNanoseconds: bucket.created.nanosecondsSinceStart,
                                      rules: bucket.replicationRules.map {
                                          .init(id: $0.id, prefix: $0.prefix, destinationBucket: $0.destinationBucket,
                                                replicationTimeControl: $0.replicationTimeControl)
                                      }, tags: bucket.tags, policy: bucket.policy, versioning: bucket.versioning?.rawValue)
            guard let data = try? JSONEncoder().encode(record) else { throw Failure(description: "cannot encode bucket \(name)") }
            try atomicWrite([UInt8](data), to: file)
        case .object(let bucketName, let key):
            let directory = root.appendingPathComponent("objects").appendingPathComponent(bucketName)
            let file = directory.appendingPathComponent(Hex.encode(SHA256.hash(data: Array(key.utf8))) + ".obj")
            let versions = bucket?.versions[key] ?? bucket?.objects[key].map { [$0] } ?? []
            guard !versions.isEmpty else {
                try remove(file)
                return
            }
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let records = versions.map { object in
                ObjectRecord(key: object.key, eTag: object.eTag, contentType: object.contentType,
                             metadata: object.metadata, checksums: object.checksums, contentHeaders: object.contentHeaders,
                             lastModifiedNanoseconds: object.lastModified.nanosecondsSinceStart,
                             replicationStatus: object.replicationStatus?.rawValue, writeSequence: object.writeSequence,
                             tags: object.tags, versionId: object.versionId, isDeleteMarker: object.isDeleteMarker,
                             bodyLength: object.body.count)
            }
            guard let header = try? JSONEncoder().encode(records) else { throw Failure(description: "cannot encode \(key)") }
            try atomicWrite(Array(Self.magic.utf8) + [UInt8](header) + [10] + versions.flatMap(\.body), to: file)
        }
    }

    /// Write to a temporary file, fsync it, rename it over `file`, fsync the directory.
    func atomicWrite(_ bytes: [UInt8], to file: URL) throws(Failure) {
        let temporary = file.path + ".tmp"
        let fd = open(temporary, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temporary): errno \(errno)") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                close(fd)
                throw Failure(description: "cannot write \(temporary): errno \(errno)")
            }
            written += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else { throw Failure(description: "cannot fsync \(temporary)") }
        guard rename(temporary, file.path) == 0 else { throw Failure(description: "cannot rename \(temporary)") }
        syncDirectory(file.deletingLastPathComponent())
    }

    func remove(_ file: URL) throws(Failure) {
        if unlink(file.path) != 0, errno != ENOENT { throw Failure(description: "cannot remove \(file.path)") }
        syncDirectory(file.deletingLastPathComponent())
    }

    func syncDirectory(_ directory: URL) {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
