import SimCore

/// A bucket's default encryption (PutBucketEncryption;
/// AmazonS3/latest/userguide/default-bucket-encryption.html): how S3 encrypts
/// an object written without encryption headers of its own.
///
/// Since 2023-01-05 every bucket is encrypted with SSE-S3 (AES256) unless
/// configured otherwise ("Amazon S3 now automatically encrypts all new
/// objects", same page), so a bucket without a configuration reads as SSE-S3.
public struct S3BucketEncryption: Hashable, Sendable {
    /// `AES256` (SSE-S3) or `aws:kms` (SSE-KMS).
    public var algorithm: String
    /// SSE-KMS: the key (its ARN, as S3 reports it on objects).
    public var kmsMasterKeyID: String?
    /// S3 Bucket Keys: fewer KMS requests (does not change who may decrypt).
    public var bucketKeyEnabled: Bool

    public init(algorithm: String, kmsMasterKeyID: String? = nil, bucketKeyEnabled: Bool = false) {
        self.algorithm = algorithm
        self.kmsMasterKeyID = kmsMasterKeyID
        self.bucketKeyEnabled = bucketKeyEnabled
    }

    /// S3's default for every bucket without a configuration.
    public static let sseS3 = S3BucketEncryption(algorithm: "AES256")

    /// True for SSE-KMS (single- or dual-layer).
    public var usesKMS: Bool { algorithm.hasPrefix("aws:kms") }
}

extension S3Service {
    /// PutBucketEncryption: the default applied to objects written from now on.
    public mutating func putBucketEncryption(_ bucket: String, _ encryption: S3BucketEncryption) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        guard ["AES256", "aws:kms", "aws:kms:dsse"].contains(encryption.algorithm) else {
            throw S3Error(code: "MalformedXML", httpStatus: 400,
                          message: "The XML you provided was not well-formed or did not validate against our published schema",
                          resource: "/\(bucket)")
        }
        buckets[bucket]?.encryption = encryption
        changeLog?.append(.bucket(bucket))
    }

    /// GetBucketEncryption: the configuration, or S3's SSE-S3 default.
    public func getBucketEncryption(_ bucket: String) throws(S3Error) -> S3BucketEncryption {
        guard let found = buckets[bucket] else { throw .noSuchBucket(bucket) }
        return found.encryption ?? .sseS3
    }

    /// DeleteBucketEncryption: back to S3's SSE-S3 default.
    public mutating func deleteBucketEncryption(_ bucket: String) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        buckets[bucket]?.encryption = nil
        changeLog?.append(.bucket(bucket))
    }

    /// The encryption headers a configured default gives an object written
    /// without its own (empty when the bucket has no configuration: SSE-S3 is
    /// then implicit and not echoed).
    func defaultEncryptionHeaders(_ bucket: String) -> [String: String] {
        guard let encryption = buckets[bucket]?.encryption else { return [:] }
        var headers = ["x-amz-server-side-encryption": encryption.algorithm]
        if encryption.usesKMS, let key = encryption.kmsMasterKeyID {
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = key
        }
        return headers
    }
}
