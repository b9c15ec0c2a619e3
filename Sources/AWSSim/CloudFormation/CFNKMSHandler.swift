/// AWS::KMS::Key and AWS::KMS::Alias, in the KMS fake. Deleting a key
/// schedules its deletion (PendingWindowInDays, 30 by default), as CloudFormation does.
enum CFNKMSHandler: CFNResourceHandler {
    static let types = ["AWS::KMS::Key", "AWS::KMS::Alias"]

    static func kms<T>(_ body: () throws(KMSError) -> T) throws(CFNError) -> T {
        do { return try body() } catch { throw CFNError(error.type, error.message, status: error.status) }
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        if request.type == "AWS::KMS::Alias" {
            let alias = try request.required("AliasName")
            let target = try request.required("TargetKeyId")
            try kms { () throws(KMSError) in try services.kms.createAlias(alias, keyId: target, region: request.region) }
            return .init(type: request.type, physicalId: alias, attributes: [:])
        }
        let policy = request.properties["KeyPolicy"].map(CFNJSON.render)
        let key = try kms { () throws(KMSError) in
            try services.kms.createKey(region: request.region, description: request.string("Description") ?? "", policy: policy,
                                       multiRegion: request.string("MultiRegion") == "true", now: request.now)
        }
        if request.string("Enabled") == "false" { _ = try? services.kms.setState(key.keyId, region: request.region, enabled: false) }
        return .init(type: request.type, physicalId: key.keyId, attributes: ["Arn": .string(key.arn), "KeyId": .string(key.keyId)])
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        if request.type == "AWS::KMS::Alias" {
            try? services.kms.deleteAlias(id, region: request.region)
            return
        }
        let days = Int(request.string("PendingWindowInDays") ?? "")
        _ = try kms { () throws(KMSError) in try services.kms.scheduleDeletion(id, region: request.region, pendingWindowDays: days, now: request.now) }
    }
}
