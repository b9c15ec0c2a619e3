import Foundation

/// Object and bucket tagging, and bucket policy storage.
extension S3Service {
    /// Tag limits of S3 (AmazonS3/latest/userguide/object-tagging.html): at most
    /// 10 tags per object, keys up to 128 and values up to 256 Unicode characters.
    public static let maximumObjectTags = 10

    static func validateTags(_ tags: [(key: String, value: String)], maximum: Int, resource: String) throws(S3Error) -> [String: String] {
        var result: [String: String] = [:]
        guard tags.count <= maximum else {
            throw S3Error(code: "BadRequest", httpStatus: 400, message: "Object tags cannot be greater than \(maximum)",
                          resource: resource)
        }
        for tag in tags {
            guard !tag.key.isEmpty, tag.key.count <= 128, tag.value.count <= 256, !tag.key.hasPrefix("aws:") else {
                throw S3Error(code: "InvalidTag", httpStatus: 400,
                              message: "The TagKey you have provided is invalid", resource: resource)
            }
            guard result[tag.key] == nil else {
                throw S3Error(code: "InvalidTag", httpStatus: 400, message: "Cannot provide multiple Tags with the same key",
                              resource: resource)
            }
            result[tag.key] = tag.value
        }
        return result
    }

    /// PutObjectTagging: replaces the object's tag set.
    public mutating func putObjectTagging(bucket: String, key: String, tags: [(key: String, value: String)]) throws(S3Error) {
        _ = try getObject(bucket: bucket, key: key)
        let validated = try Self.validateTags(tags, maximum: Self.maximumObjectTags, resource: "/\(bucket)/\(key)")
        updateCurrentObject(bucket: bucket, key: key) { $0.tags = validated }
        changeLog?.append(.object(bucket: bucket, key: key))
    }

    /// DeleteObjectTagging.
    public mutating func deleteObjectTagging(bucket: String, key: String) throws(S3Error) {
        _ = try getObject(bucket: bucket, key: key)
        updateCurrentObject(bucket: bucket, key: key) { $0.tags = [:] }
        changeLog?.append(.object(bucket: bucket, key: key))
    }

    /// PutBucketTagging (at most 50 tags).
    public mutating func putBucketTagging(_ bucket: String, tags: [(key: String, value: String)]) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        buckets[bucket]?.tags = try Self.validateTags(tags, maximum: 50, resource: "/\(bucket)")
        changeLog?.append(.bucket(bucket))
    }

    /// GetBucketTagging: NoSuchTagSet when the bucket has none.
    public func getBucketTagging(_ bucket: String) throws(S3Error) -> [String: String] {
        guard let found = buckets[bucket] else { throw .noSuchBucket(bucket) }
        guard let tags = found.tags else {
            throw S3Error(code: "NoSuchTagSet", httpStatus: 404, message: "The TagSet does not exist", resource: "/\(bucket)")
        }
        return tags
    }

    /// DeleteBucketTagging.
    public mutating func deleteBucketTagging(_ bucket: String) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        buckets[bucket]?.tags = nil
        changeLog?.append(.bucket(bucket))
    }

    /// PutBucketPolicy: stores the document after checking that it is a JSON
    /// policy (an object with a Statement). Evaluation arrives with IAM.
    public mutating func putBucketPolicy(_ bucket: String, document: String) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        let malformed = S3Error(code: "MalformedPolicy", httpStatus: 400,
                                message: "Policies must be valid JSON and the first byte must be '{'", resource: "/\(bucket)")
        guard document.first == "{", document.utf8.count <= 20 * 1024,
              let object = (try? JSONSerialization.jsonObject(with: Data(document.utf8))) as? [String: Any] else {
            throw malformed
        }
        guard object["Statement"] != nil else {
            throw S3Error(code: "MalformedPolicy", httpStatus: 400, message: "Missing required field Statement",
                          resource: "/\(bucket)")
        }
        buckets[bucket]?.policy = document
        changeLog?.append(.bucket(bucket))
    }

    /// GetBucketPolicy: NoSuchBucketPolicy when there is none.
    public func getBucketPolicy(_ bucket: String) throws(S3Error) -> String {
        guard let found = buckets[bucket] else { throw .noSuchBucket(bucket) }
        guard let policy = found.policy else {
            throw S3Error(code: "NoSuchBucketPolicy", httpStatus: 404, message: "The bucket policy does not exist",
                          resource: "/\(bucket)")
        }
        return policy
    }

    /// DeleteBucketPolicy.
    public mutating func deleteBucketPolicy(_ bucket: String) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        buckets[bucket]?.policy = nil
        changeLog?.append(.bucket(bucket))
    }
}
