import SimCore

/// AWS::CloudFormation::Stack: a nested stack made from a TemplateURL in the
/// S3 fake, named `parent-LogicalId-SUFFIX`, with the parent's capabilities.
/// The parent's resource completes when the nested stack does (its outputs
/// become `Outputs.Name` attributes) and fails when it fails ("Embedded stack …
/// was not successfully created: …"); deleting the parent deletes it first.
extension CloudFormationService {
    static let nestedStackType = "AWS::CloudFormation::Stack"

    /// Starts the nested stack of `logicalId` (its properties evaluated); a failure fails the parent's resource.
    mutating func startNested(_ parentId: String, _ logicalId: String, properties: CFNMap, s3: S3Service, now: SimInstant) {
        guard let parent = stacks[parentId] else { return }
        do throws(CFNError) {
            guard let url = properties["TemplateURL"]?.scalarText else {
                throw CFNError("ValidationError", "Properties validation failed for resource \(logicalId) with message: #: required key [TemplateURL] not found")
            }
            var request = CreateStackRequest(stackName: String(generatedName(parent, logicalId).prefix(128)),
                                             templateBody: try Self.templateBody(url: url, s3: s3), region: parent.context.region)
            for (key, value) in properties["Parameters"]?.mapValue?.pairs ?? [] {
                request.parameters[key] = value.scalarText ?? value.listValue?.compactMap(\.scalarText).joined(separator: ",") ?? ""
            }
            request.capabilities = parent.capabilities
            request.timeoutInMinutes = properties["TimeoutInMinutes"]?.scalarText.flatMap { Int($0) }
            request.onFailure = "ROLLBACK"
            var child = try prepare(request, now: now)
            child.parent = (parentId, logicalId)
            child.rootId = parent.rootId ?? parentId
            stacks[child.stackId] = child
            stackOrder.append(child.stackId)
            stacks[parentId]?.resources[logicalId]?.physicalId = child.stackId
            stacks[parentId]?.resources[logicalId]?.state = CFNContext.ResourceState(type: Self.nestedStackType, physicalId: child.stackId, attributes: [:])
            stacks[parentId]?.resourceProperties[logicalId] = properties
            record(parentId, at: now, logicalId: logicalId, status: CFNResourceStatus.createInProgress.rawValue, reason: "Resource creation Initiated")
            begin(child.stackId, now: now)
        } catch {
            failResource(parentId, logicalId, reason: error.message, at: now)
        }
    }

    /// A nested stack finished creating: the parent's resource completes with its outputs.
    mutating func nestedCreated(_ child: CFNStack, at now: SimInstant) {
        guard let (parentId, logicalId) = child.parent, stacks[parentId]?.status == .createInProgress else { return }
        var attributes: [String: CFNValue] = [:]
        for output in child.outputs { attributes["Outputs.\(output.key)"] = .string(output.value) }
        let state = CFNContext.ResourceState(type: Self.nestedStackType, physicalId: child.stackId, attributes: attributes)
        stacks[parentId]?.resources[logicalId]?.state = state
        stacks[parentId]?.context.resources[logicalId] = state
        complete(parentId, logicalId, at: now)
    }

    /// A nested stack failed to create (after its own rollback): the parent's resource fails.
    mutating func nestedFailed(_ child: CFNStack, at now: SimInstant) {
        guard let (parentId, logicalId) = child.parent, stacks[parentId]?.resources[logicalId]?.status == .createInProgress else { return }
        failResource(parentId, logicalId, reason: "Embedded stack \(child.stackId) was not successfully created: \(child.failureReason ?? child.statusReason ?? "")", at: now)
    }

    /// A nested stack finished deleting (or failed to): the parent's resource follows.
    mutating func nestedDeleted(_ child: CFNStack, at now: SimInstant) {
        guard let (parentId, logicalId) = child.parent, stacks[parentId]?.resources[logicalId]?.status == .deleteInProgress else { return }
        if child.status == .deleteComplete {
            record(parentId, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteComplete.rawValue, reason: nil)
        } else {
            record(parentId, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteFailed.rawValue,
                   reason: "Embedded stack \(child.stackId) was not successfully deleted: \(child.statusReason ?? "")")
        }
        outbox.append((now, .deleteResources(stackId: parentId)))
    }

    /// A TemplateURL's body from the S3 fake (`https://BUCKET.s3[.REGION].amazonaws.com/KEY`, or path style).
    public static func templateBody(url: String, s3: S3Service) throws(CFNError) -> String {
        let unsupported = CFNError("ValidationError", "TemplateURL must be a supported URL.")
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw unsupported }
        let rest = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard rest.count == 4 else { throw unsupported }
        let host = String(rest[2]), path = String(rest[3])
        var bucket: String, key: String
        if host.hasPrefix("s3.") || host.hasPrefix("s3-") {
            let parts = path.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { throw unsupported }
            bucket = String(parts[0]); key = String(parts[1])
        } else if let range = host.range(of: ".s3") {
            bucket = String(host[..<range.lowerBound]); key = path
        } else {
            throw unsupported
        }
        key = PercentEncoding.decode(key.split(separator: "?").first.map(String.init) ?? key)
        guard let object = s3.buckets[bucket]?.objects[key] else { throw CFNError("ValidationError", "S3 error: The specified key does not exist.") }
        return String(decoding: object.body, as: UTF8.self)
    }
}
