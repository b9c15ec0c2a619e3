import SimCore

/// The versioning state of a bucket (PutBucketVersioning).
public enum S3VersioningStatus: String, Hashable, Sendable {
    case enabled = "Enabled"
    case suspended = "Suspended"
}

/// A replication rule of a bucket: new objects (under `prefix`) are copied
/// to `destinationBucket`, in another region, by S3 itself.
public struct S3ReplicationRule: Hashable, Sendable {
    public var id: String
    public var prefix: String
    public var destinationBucket: String
    /// S3 Replication Time Control: 99.99% of objects within 15 minutes (SLA).
    public var replicationTimeControl: Bool

    public init(id: String, prefix: String = "", destinationBucket: String, replicationTimeControl: Bool) {
        self.id = id
        self.prefix = prefix
        self.destinationBucket = destinationBucket
        self.replicationTimeControl = replicationTimeControl
    }
}

/// A bucket: a region, its objects and its configuration.
public struct S3Bucket: Hashable, Sendable {
    public var name: String
    /// The region the bucket lives in (`LocationConstraint`).
    public var region: String
    public var objects: [String: S3Object] = [:]
    public var replicationRules: [S3ReplicationRule] = []
    /// The IAM role S3 assumes to replicate (GetBucketReplication's `Role`).
    public var replicationRole: String?
    public var nextWriteSequence: UInt64 = 1
    /// When the bucket was created.
    public var created: SimInstant
    /// Versioning state: nil while never enabled, then `Enabled` or `Suspended`.
    public var versioning: S3VersioningStatus?
    /// Every version of every key (oldest first, delete markers included), kept
    /// once versioning was enabled; `objects` holds the current, visible ones.
    public var versions: [String: [S3Object]] = [:]
    /// Bucket tags; nil when the bucket has no tag set.
    public var tags: [String: String]?
    /// The bucket policy document as stored (evaluated once IAM is simulated).
    public var policy: String?
    /// Default encryption as configured; nil is S3's SSE-S3 default.
    public var encryption: S3BucketEncryption?

    public init(name: String, region: String, created: SimInstant = .zero) {
        self.name = name
        self.region = region
        self.created = created
    }

    /// Object keys in lexicographic (UTF-8 byte) order, as S3 lists them.
    public var sortedKeys: [String] {
        objects.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Bucket naming rules for general purpose buckets
    /// (AmazonS3/latest/userguide/bucketnamingrules.html): 3–63 characters of
    /// lowercase letters, digits, dots and hyphens, starting and ending with a
    /// letter or digit, no two adjacent dots, not shaped like an IP address.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
        for (i, b) in bytes.enumerated() {
            guard isAlnum(b) || b == 46 || b == 45 else { return false }
            if b == 46, i > 0, bytes[i - 1] == 46 { return false }
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return false }
        return true
    }
}
