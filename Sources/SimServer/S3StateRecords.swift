import AWSSim
import Crypto
import Foundation
import SimCore

/// The records of ``S3StateStore`` on disk (format 3) and their conversion
/// from and to S3's values. Instants are stored as Unix nanoseconds, so that
/// Last-Modified and replication due times keep their wall-clock meaning
/// across restarts (each start's virtual zero is a different wall time).
struct S3TimeBase: Sendable {
    /// Unix milliseconds at this start's virtual zero.
    var epochUnixMilliseconds: Int64

    func unixNanoseconds(_ instant: SimInstant) -> Int64 {
        epochUnixMilliseconds &* 1_000_000 &+ instant.nanosecondsSinceStart
    }

    func instant(unixNanoseconds: Int64) -> SimInstant {
        SimInstant(nanosecondsSinceStart: unixNanoseconds &- epochUnixMilliseconds &* 1_000_000)
    }
}

/// `s3/buckets/<bucket>.json`: a bucket's configuration.
struct S3BucketRecord: Codable {
    struct Rule: Codable {
        var id: String
        var prefix: String
        var destinationBucket: String
        var replicationTimeControl: Bool
    }
    var format: Int?
    var name: String
    var region: String
    /// Format 3: Unix nanoseconds. Format 2 (`createdNanoseconds`): virtual nanoseconds.
    var createdUnixNanoseconds: Int64?
    var createdNanoseconds: Int64?
    var rules: [Rule]
    var tags: [String: String]?
    var policy: String?
    var versioning: String?

    init(_ bucket: S3Bucket, time: S3TimeBase) {
        format = StateDirectory.format
        name = bucket.name
        region = bucket.region
        createdUnixNanoseconds = time.unixNanoseconds(bucket.created)
        rules = bucket.replicationRules.map {
            Rule(id: $0.id, prefix: $0.prefix, destinationBucket: $0.destinationBucket,
                 replicationTimeControl: $0.replicationTimeControl)
        }
        tags = bucket.tags
        policy = bucket.policy
        versioning = bucket.versioning?.rawValue
    }

    func bucket(time: S3TimeBase) -> S3Bucket {
        let created = createdUnixNanoseconds.map { time.instant(unixNanoseconds: $0) }
            ?? SimInstant(nanosecondsSinceStart: createdNanoseconds ?? 0)
        var bucket = S3Bucket(name: name, region: region, created: created)
        bucket.tags = tags
        bucket.policy = policy
        bucket.versioning = versioning.flatMap(S3VersioningStatus.init(rawValue:))
        bucket.replicationRules = rules.map {
            S3ReplicationRule(id: $0.id, prefix: $0.prefix, destinationBucket: $0.destinationBucket,
                              replicationTimeControl: $0.replicationTimeControl)
        }
        return bucket
    }
}

/// One object version file, `s3/objects/<bucket>/<sha256(key)>.<sequence>.version`:
/// the magic line `ODASSIM-S3-VERSION 3`, one JSON line (this record), then
/// exactly `bodyLength` bytes of body whose SHA-256 is `bodySHA256`.
struct S3VersionRecord: Codable {
    static let magic = Array("ODASSIM-S3-VERSION 3\n".utf8)

    var key: String
    var versionId: String
    var isDeleteMarker: Bool
    var eTag: String
    var contentType: String
    var metadata: [String: String]
    var checksums: [String: String]
    var contentHeaders: [String: String]
    var tags: [String: String]
    var lastModifiedUnixNanoseconds: Int64
    var replicationStatus: String?
    var replicationDueUnixNanoseconds: Int64?
    var writeSequence: UInt64
    var bodyLength: Int
    var bodySHA256: String

    init(_ object: S3Object, time: S3TimeBase) {
        key = object.key
        versionId = object.versionId
        isDeleteMarker = object.isDeleteMarker
        eTag = object.eTag
        contentType = object.contentType
        metadata = object.metadata
        checksums = object.checksums
        contentHeaders = object.contentHeaders
        tags = object.tags
        lastModifiedUnixNanoseconds = time.unixNanoseconds(object.lastModified)
        replicationStatus = object.replicationStatus?.rawValue
        replicationDueUnixNanoseconds = object.replicationDue.map(time.unixNanoseconds)
        writeSequence = object.writeSequence
        bodyLength = object.body.count
        bodySHA256 = Hex.encode(SHA256.hash(data: object.body))
    }

    /// The file's bytes.
    static func encode(_ object: S3Object, time: S3TimeBase) throws(StateFailure) -> [UInt8] {
        guard let header = try? JSONEncoder().encode(S3VersionRecord(object, time: time)) else {
            throw StateFailure("cannot encode a version of \(object.key)")
        }
        var bytes = magic
        bytes.reserveCapacity(magic.count + header.count + 1 + object.body.count)
        bytes += header
        bytes.append(10)
        bytes += object.body
        return bytes
    }

    /// The version a file holds, or why it cannot be read (torn, corrupt, not ours).
    static func decode(_ bytes: [UInt8], time: S3TimeBase) -> Result<S3Object, StateFailure> {
        guard bytes.count > magic.count, bytes[0..<magic.count].elementsEqual(magic) else {
            return .failure(StateFailure("not a version file of odas-sim serve format 3"))
        }
        guard let newline = bytes[magic.count...].firstIndex(of: 10),
              let record = try? JSONDecoder().decode(S3VersionRecord.self, from: Data(bytes[magic.count..<newline])) else {
            return .failure(StateFailure("its header is not a version record"))
        }
        let body = Array(bytes[(newline + 1)...])
        guard body.count == record.bodyLength else {
            return .failure(StateFailure("torn: \(body.count) of \(record.bodyLength) body bytes"))
        }
        guard Hex.encode(SHA256.hash(data: body)) == record.bodySHA256 else {
            return .failure(StateFailure("its body does not match its SHA-256"))
        }
        var object = S3Object(key: record.key, body: body, eTag: record.eTag,
                              lastModified: time.instant(unixNanoseconds: record.lastModifiedUnixNanoseconds),
                              contentType: record.contentType, metadata: record.metadata,
                              replicationStatus: record.replicationStatus.flatMap(S3ReplicationStatus.init(rawValue:)),
                              writeSequence: record.writeSequence, checksums: record.checksums,
                              contentHeaders: record.contentHeaders)
        object.tags = record.tags
        object.versionId = record.versionId
        object.isDeleteMarker = record.isDeleteMarker
        object.replicationDue = record.replicationDueUnixNanoseconds.map { time.instant(unixNanoseconds: $0) }
        return .success(object)
    }
}

/// Format 2 (`<sha256(key)>.obj`: every version of a key in one file), read
/// once to migrate a state directory written by an older odas-sim.
enum S3LegacyObjectFile {
    static let magic = Array("ODASSIM-S3-OBJECT 2\n".utf8)

    struct Record: Codable {
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

    static func decode(_ bytes: [UInt8]) -> [S3Object]? {
        guard bytes.count > magic.count, bytes[0..<magic.count].elementsEqual(magic),
              let newline = bytes[magic.count...].firstIndex(of: 10),
              let records = try? JSONDecoder().decode([Record].self, from: Data(bytes[magic.count..<newline])) else {
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
}
