/// AWS::S3::Bucket (name, versioning, default encryption, tags) and
/// AWS::S3::BucketPolicy, in the S3 fake.
enum CFNS3Handler: CFNResourceHandler {
    static let types = ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"]

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        switch request.type {
        case "AWS::S3::BucketPolicy":
            let bucket = try request.required("Bucket")
            let document = try request.requiredValue("PolicyDocument")
            do { try services.s3.putBucketPolicy(bucket, document: CFNJSON.render(document)) } catch {
                throw CFNError("InvalidRequest", error.message)
            }
            return .init(type: request.type, physicalId: bucket, attributes: [:])
        default:
            // A generated bucket name is the stack and logical id, lowercased (S3 names are lowercase), at most 63 characters.
            let name = request.string("BucketName") ?? String(request.generatedName.lowercased().prefix(63))
            do { try services.s3.createBucket(name, region: request.region, now: request.now) } catch {
                throw CFNError("AlreadyExists", error.code == "BucketAlreadyOwnedByYou" || error.code == "BucketAlreadyExists"
                               ? "\(name) already exists" : error.message)
            }
            do throws(CFNError) { try configure(name, request, &services) } catch {
                try? services.s3.deleteBucket(name)
                throw error
            }
            let region = request.region
            return .init(type: request.type, physicalId: name, attributes: [
                "Arn": .string("arn:aws:s3:::\(name)"),
                "DomainName": .string("\(name).s3.amazonaws.com"),
                "DualStackDomainName": .string("\(name).s3.dualstack.\(region).amazonaws.com"),
                "RegionalDomainName": .string("\(name).s3.\(region).amazonaws.com"),
                "WebsiteURL": .string("http://\(name).s3-website-\(region).amazonaws.com"),
            ])
        }
    }

    /// A bucket's versioning, default encryption and tags, as the properties say.
    static func configure(_ name: String, _ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        if let status = request.properties["VersioningConfiguration"]?.mapValue?["Status"]?.scalarText {
            try? services.s3.putBucketVersioning(name, status: status == "Suspended" ? .suspended : .enabled)
        }
        if let rules = request.properties["BucketEncryption"]?.mapValue?["ServerSideEncryptionConfiguration"]?.listValue,
           let rule = rules.first?.mapValue {
            let byDefault = rule["ServerSideEncryptionByDefault"]?.mapValue
            let encryption = S3BucketEncryption(algorithm: byDefault?["SSEAlgorithm"]?.scalarText ?? "AES256",
                                                kmsMasterKeyID: byDefault?["KMSMasterKeyID"]?.scalarText,
                                                bucketKeyEnabled: rule["BucketKeyEnabled"]?.scalarText == "true")
            do { try services.s3.putBucketEncryption(name, encryption) } catch { throw CFNError("InvalidRequest", error.message) }
        }
        if let tags = request.properties["Tags"]?.listValue {
            let pairs = tags.compactMap { tag -> (key: String, value: String)? in
                guard let key = tag.mapValue?["Key"]?.scalarText, let value = tag.mapValue?["Value"]?.scalarText else { return nil }
                return (key, value)
            }
            try? services.s3.putBucketTagging(name, tags: pairs)
        }
    }

    /// In place: a bucket's versioning, default encryption and tags; a bucket policy's document.
    static func updatableProperties(_ type: String) -> Set<String> {
        type == "AWS::S3::BucketPolicy" ? ["PolicyDocument"] : ["VersioningConfiguration", "BucketEncryption", "Tags"]
    }

    static func update(_ request: CFNResourceRequest, previous: CFNMap, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        guard let state = request.state else { throw CFNError("InternalFailure", "\(request.logicalId) has no physical resource to update") }
        if request.type == "AWS::S3::BucketPolicy" {
            let document = try request.requiredValue("PolicyDocument")
            do { try services.s3.putBucketPolicy(state.physicalId, document: CFNJSON.render(document)) } catch {
                throw CFNError("InvalidRequest", error.message)
            }
            return state
        }
        // Versioning, once enabled, can only be suspended (S3 User Guide, "Using versioning").
        if previous["VersioningConfiguration"] != nil, request.properties["VersioningConfiguration"] == nil {
            try? services.s3.putBucketVersioning(state.physicalId, status: .suspended)
        }
        if previous["BucketEncryption"] != nil, request.properties["BucketEncryption"] == nil {
            try? services.s3.deleteBucketEncryption(state.physicalId)
        }
        if previous["Tags"] != nil, request.properties["Tags"] == nil { try? services.s3.deleteBucketTagging(state.physicalId) }
        try configure(state.physicalId, request, &services)
        return state
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        switch request.type {
        case "AWS::S3::BucketPolicy":
            try? services.s3.deleteBucketPolicy(id)
        default:
            do { try services.s3.deleteBucket(id) } catch {
                if error.code == "NoSuchBucket" { return }
                // CloudFormation's reason for a bucket that still holds objects.
                throw CFNError("BucketNotEmpty", error.code == "BucketNotEmpty" ? "The bucket you tried to delete is not empty" : error.message)
            }
        }
    }
}
