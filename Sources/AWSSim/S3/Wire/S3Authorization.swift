/// Which IAM action and resource ARN an S3 REST request needs
/// (AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
public enum S3Authorization {
    public struct Requirement: Equatable, Sendable {
        public var action: String
        public var resource: String
        public var context: [String: [String]]
    }

    /// The permissions a request needs (CopyObject and UploadPartCopy need two).
    public static func requirements(_ request: WireRequest, address: S3RestAdapter.Address) -> [Requirement] {
        let query = Set(request.queryItems.map(\.name))
        guard let bucket = address.bucket else {
            return [Requirement(action: "s3:ListAllMyBuckets", resource: "*", context: [:])]
        }
        let bucketArn = "arn:aws:s3:::\(bucket)"
        guard let key = address.key else {
            var context: [String: [String]] = [:]
            if let prefix = request.query("prefix") { context["s3:prefix"] = [prefix] }
            if let delimiter = request.query("delimiter") { context["s3:delimiter"] = [delimiter] }
            if let maxKeys = request.query("max-keys") { context["s3:max-keys"] = [maxKeys] }
            let action: String
            switch (request.method, query) {
            case ("PUT", let q) where q.contains("versioning"): action = "s3:PutBucketVersioning"
            case ("GET", let q) where q.contains("versioning"): action = "s3:GetBucketVersioning"
            case ("GET", let q) where q.contains("replication"): action = "s3:GetReplicationConfiguration"
            case ("PUT", let q) where q.contains("tagging"): action = "s3:PutBucketTagging"
            case ("GET", let q) where q.contains("tagging"): action = "s3:GetBucketTagging"
            case ("DELETE", let q) where q.contains("tagging"): action = "s3:PutBucketTagging"
            case ("PUT", let q) where q.contains("policy"): action = "s3:PutBucketPolicy"
            case ("GET", let q) where q.contains("policy"): action = "s3:GetBucketPolicy"
            case ("DELETE", let q) where q.contains("policy"): action = "s3:DeleteBucketPolicy"
            case ("GET", let q) where q.contains("location"): action = "s3:GetBucketLocation"
            case ("GET", let q) where q.contains("uploads"): action = "s3:ListBucketMultipartUploads"
            case ("GET", let q) where q.contains("versions"): action = "s3:ListBucketVersions"
            case ("POST", let q) where q.contains("delete"): action = "s3:DeleteObject"
            case ("PUT", _): action = "s3:CreateBucket"
            case ("DELETE", _): action = "s3:DeleteBucket"
            default: action = "s3:ListBucket"
            }
            return [Requirement(action: action, resource: action == "s3:DeleteObject" ? bucketArn + "/*" : bucketArn, context: context)]
        }
        let objectArn = "\(bucketArn)/\(key)"
        var context: [String: [String]] = [:]
        if let sse = request.header("x-amz-server-side-encryption") { context["s3:x-amz-server-side-encryption"] = [sse] }
        var result: [Requirement] = []
        if request.method == "PUT", let source = request.header("x-amz-copy-source") {
            var path = PercentEncoding.decode(source.split(separator: "?").first ?? "")
            if path.hasPrefix("/") { path.removeFirst() }
            result.append(Requirement(action: "s3:GetObject", resource: "arn:aws:s3:::\(path)", context: [:]))
        }
        let versioned = request.query("versionId") != nil
        let action: String
        switch (request.method, query) {
        case ("GET", let q) where q.contains("tagging"): action = versioned ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging"
        case ("PUT", let q) where q.contains("tagging"): action = "s3:PutObjectTagging"
        case ("DELETE", let q) where q.contains("tagging"): action = "s3:DeleteObjectTagging"
        case ("GET", let q) where q.contains("uploadId"): action = "s3:ListMultipartUploadParts"
        case ("DELETE", let q) where q.contains("uploadId"): action = "s3:AbortMultipartUpload"
        case ("GET", _), ("HEAD", _): action = versioned ? "s3:GetObjectVersion" : "s3:GetObject"
        case ("DELETE", _): action = versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject"
        default: action = "s3:PutObject" // PutObject, CopyObject's destination, multipart create/upload/complete
        }
        result.append(Requirement(action: action, resource: objectArn, context: context))
        return result
    }
}
