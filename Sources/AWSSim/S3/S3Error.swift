/// An error of the S3 API, with the code and HTTP status S3 returns for it.
///
/// Codes and statuses follow the S3 API reference's list of error codes
/// (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
public struct S3Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// The S3 error code, e.g. `NoSuchKey`.
    public var code: String
    /// The HTTP status S3 answers with.
    public var httpStatus: Int
    /// The human-readable message, worded as S3 words it.
    public var message: String
    /// The bucket or object the error is about, as `/bucket/key`.
    public var resource: String
    /// Set when the key's current version is a delete marker (its version id).
    public var deleteMarkerVersionId: String?
    /// For a request signed for the wrong region: the bucket's region, sent as
    /// `<Region>` and `x-amz-bucket-region` (SDKs retry there).
    public var region: String?

    public init(code: String, httpStatus: Int, message: String, resource: String) {
        self.code = code
        self.httpStatus = httpStatus
        self.message = message
        self.resource = resource
    }

    public var description: String { "\(code) (\(httpStatus)): \(message) [\(resource)]" }

    /// A request signed for `signed` to a bucket in `expected`: S3 answers
    /// 400 AuthorizationHeaderMalformed (AuthorizationQueryParametersError for a
    /// presigned URL) naming the region to use.
    public static func wrongRegion(signed: String, expected: String, presigned: Bool, resource: String) -> S3Error {
        var error = presigned
            ? S3Error(code: "AuthorizationQueryParametersError", httpStatus: 400,
                      message: "Error parsing the X-Amz-Credential parameter; the region '\(signed)' is wrong; expecting '\(expected)'",
                      resource: resource)
            : S3Error(code: "AuthorizationHeaderMalformed", httpStatus: 400,
                      message: "The authorization header is malformed; the region '\(signed)' is wrong; expecting '\(expected)'",
                      resource: resource)
        error.region = expected
        return error
    }

    public static func noSuchBucket(_ bucket: String) -> S3Error {
        S3Error(code: "NoSuchBucket", httpStatus: 404, message: "The specified bucket does not exist",
                resource: "/\(bucket)")
    }
    public static func noSuchKey(_ bucket: String, _ key: String) -> S3Error {
        S3Error(code: "NoSuchKey", httpStatus: 404, message: "The specified key does not exist.",
                resource: "/\(bucket)/\(key)")
    }
    public static func bucketAlreadyOwnedByYou(_ bucket: String) -> S3Error {
        S3Error(code: "BucketAlreadyOwnedByYou", httpStatus: 409,
                message: "Your previous request to create the named bucket succeeded and you already own it.",
                resource: "/\(bucket)")
    }
    public static func bucketNotEmpty(_ bucket: String) -> S3Error {
        S3Error(code: "BucketNotEmpty", httpStatus: 409, message: "The bucket you tried to delete is not empty",
                resource: "/\(bucket)")
    }
    public static func invalidBucketName(_ bucket: String) -> S3Error {
        S3Error(code: "InvalidBucketName", httpStatus: 400, message: "The specified bucket is not valid.",
                resource: "/\(bucket)")
    }
    public static func invalidRequest(_ message: String, resource: String) -> S3Error {
        S3Error(code: "InvalidRequest", httpStatus: 400, message: message, resource: resource)
    }
}
