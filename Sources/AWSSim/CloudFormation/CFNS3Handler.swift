/// AWS::S3::Bucket (name, versioning, default encryption, tags, replication) and
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
        if let replication = request.properties["ReplicationConfiguration"]?.mapValue {
            let (rules, role) = try replicationRules(replication, request)
            do { try services.s3.putBucketReplication(name, rules: rules, role: role) } catch { throw CFNError("InvalidRequest", error.message) }
        }
    }

    /// `ReplicationConfiguration: {Role, Rules: [{Id, Status, Prefix | Filter.Prefix, Destination: {Bucket: ARN,
    /// ReplicationTime}}]}`; disabled rules are left out (AWS::S3::Bucket ReplicationRule). A rule's
    /// `EncryptionConfiguration.ReplicaKmsKeyID` is accepted; replicas keep the fake's replica encryption (docs/fidelity.md).
    static func replicationRules(_ configuration: CFNMap, _ request: CFNResourceRequest) throws(CFNError) -> ([S3ReplicationRule], String?) {
        guard let role = configuration["Role"]?.scalarText, let items = configuration["Rules"]?.listValue, !items.isEmpty else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/ReplicationConfiguration: required key [Role, Rules] not found")
        }
        var rules: [S3ReplicationRule] = []
        for (index, item) in items.enumerated() {
            guard let rule = item.mapValue, let status = rule["Status"]?.scalarText,
                  let destination = rule["Destination"]?.mapValue?["Bucket"]?.scalarText else {
                throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/ReplicationConfiguration/Rules/\(index): required key [Destination, Status] not found")
            }
            guard status == "Enabled" else { continue }
            let bucket = destination.hasPrefix("arn:aws:s3:::") ? String(destination.dropFirst("arn:aws:s3:::".count)) : destination
            let prefix = rule["Prefix"]?.scalarText ?? rule["Filter"]?.mapValue?["Prefix"]?.scalarText ?? ""
            let timeControl = rule["Destination"]?.mapValue?["ReplicationTime"]?.mapValue?["Status"]?.scalarText == "Enabled"
            rules.append(S3ReplicationRule(id: rule["Id"]?.scalarText ?? "rule-\(index + 1)", prefix: prefix, destinationBucket: bucket,
                                           replicationTimeControl: timeControl))
        }
        return (rules, role)
    }

    /// In place: a bucket's versioning, default encryption and tags; a bucket policy's document.
    static func updatableProperties(_ type: String) -> Set<String> {
        type == "AWS::S3::BucketPolicy" ? ["PolicyDocument"] : ["VersioningConfiguration", "BucketEncryption", "Tags", "ReplicationConfiguration"]
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
        if previous["ReplicationConfiguration"] != nil, request.properties["ReplicationConfiguration"] == nil {
            try? services.s3.putBucketReplication(state.physicalId, rules: [])
        }
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
