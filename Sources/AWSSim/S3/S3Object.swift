import Crypto
import SimCore

/// The replication status S3 reports for an object
/// (`x-amz-replication-status`; AmazonS3/latest/userguide/replication-status.html).
public enum S3ReplicationStatus: String, Hashable, Sendable {
    case pending = "PENDING"
    case completed = "COMPLETED"
    case failed = "FAILED"
    /// Set on the copy in the destination bucket.
    case replica = "REPLICA"
}

/// One stored object version: its bytes and the metadata S3 keeps with them.
public struct S3Object: Hashable, Sendable {
    public var key: String
    public var body: [UInt8]
    /// The quoted MD5 hex digest for single-part uploads, as S3 returns it.
    public var eTag: String
    public var lastModified: SimInstant
    public var contentType: String
    /// User metadata (`x-amz-meta-*`), keys lowercased.
    public var metadata: [String: String]
    public var replicationStatus: S3ReplicationStatus?
    /// Increases with every write of this key in this bucket; lets replication
    /// tell whether the version it was asked to copy is still the current one.
    public var writeSequence: UInt64
    /// Checksums by algorithm name (`CRC32` → base64), as stored with the object.
    public var checksums: [String: String] = [:]
    /// Content headers stored with the object and returned on GET/HEAD.
    public var contentHeaders: [String: String] = [:]
    /// Object tags (at most 10).
    public var tags: [String: String] = [:]
    /// The version id: a generated id in a versioning-enabled bucket, `null` otherwise.
    public var versionId: String = "null"
    /// True for a delete marker (a version with no body).
    public var isDeleteMarker = false
    /// While `replicationStatus` is PENDING: when S3 next tries to replicate
    /// this version (kept so that a restarted `serve` resumes on time).
    public var replicationDue: SimInstant?

    public var size: Int { body.count }

    public init(key: String, body: [UInt8], eTag: String, lastModified: SimInstant, contentType: String,
                metadata: [String: String], replicationStatus: S3ReplicationStatus?, writeSequence: UInt64,
                checksums: [String: String] = [:], contentHeaders: [String: String] = [:]) {
        self.key = key
        self.body = body
        self.eTag = eTag
        self.lastModified = lastModified
        self.contentType = contentType
        self.metadata = metadata
        self.replicationStatus = replicationStatus
        self.writeSequence = writeSequence
        self.checksums = checksums
        self.contentHeaders = contentHeaders
    }

    /// The ETag of a single-part upload: the MD5 of the body, hex, in quotes.
    public static func eTag(of body: [UInt8]) -> String {
        let digest = Insecure.MD5.hash(data: body)
        return "\"" + digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined() + "\""
    }
}
