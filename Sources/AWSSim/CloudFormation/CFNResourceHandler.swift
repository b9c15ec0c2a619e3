import SimCore

/// The AWS fakes a stack's resources are created in, lent to the engine for
/// one step (the world swaps its services in and out, so nothing is copied).
public struct CFNServices: Sendable {
    public var s3: S3Service
    public var iam: IAMService
    public var kms: KMSService
    public var ec2: EC2Service
    public var rds: RDSService
    public var autoScaling: AutoScalingService
    public var route53: Route53Service
    public var elbv2: ELBv2Service
    public var eks: EKSService

    public init(s3: S3Service, iam: IAMService, kms: KMSService, ec2: EC2Service, rds: RDSService, autoScaling: AutoScalingService,
                route53: Route53Service, elbv2: ELBv2Service = ELBv2Service(random: SimRandom(seed: 0)), eks: EKSService = EKSService()) {
        self.s3 = s3
        self.iam = iam
        self.kms = kms
        self.ec2 = ec2
        self.rds = rds
        self.autoScaling = autoScaling
        self.route53 = route53
        self.elbv2 = elbv2
        self.eks = eks
    }
}

/// What a handler is asked to create or delete.
public struct CFNResourceRequest: Sendable {
    public var logicalId: String
    public var type: String
    /// Properties with every function evaluated.
    public var properties: CFNMap
    public var stackName: String
    public var region: String
    public var account: String
    public var now: SimInstant
    public var faults: FaultModel
    /// A name CloudFormation would generate: `stack-LogicalId-SUFFIX` (13 random characters).
    public var generatedName: String
    /// The physical id and state, when deleting.
    public var state: CFNContext.ResourceState?
    /// The region's AZs, alphabetical.
    public var availabilityZones: [String] = []
    /// The resource's DeletionPolicy (Snapshot leaves a snapshot when deleting).
    public var deletionPolicy = "Delete"
    /// The stack's resources created so far (a group reads its launch template's data).
    public var stackResources: [String: CFNContext.ResourceState] = [:]

    public func string(_ key: String) -> String? { properties[key]?.scalarText }

    /// A required property, or the error CloudFormation reports for its absence.
    public func required(_ key: String) throws(CFNError) -> String {
        guard let value = string(key) else { throw missing(key) }
        return value
    }

    /// A required property of any shape (a policy document, a list).
    public func requiredValue(_ key: String) throws(CFNError) -> CFNValue {
        guard let value = properties[key] else { throw missing(key) }
        return value
    }

    func missing(_ key: String) -> CFNError {
        CFNError("ValidationError", "Properties validation failed for resource \(logicalId) with message: #: required key [\(key)] not found")
    }

    /// A list of strings property (`Roles`, `ManagedPolicyArns`).
    public func strings(_ key: String) -> [String] { properties[key]?.listValue?.compactMap(\.scalarText) ?? [] }
}

/// Creates and deletes one family of resource types in the fakes. A new
/// family is a new handler file and a line in ``CFNResourceHandlers``.
protocol CFNResourceHandler: Sendable {
    static var types: [String] { get }
    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState
    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError)
    /// The properties of `type` a stack update changes in place (the type
    /// reference's "Update requires: No interruption" or "Some
    /// interruptions"); a change to any other property replaces the resource.
    static func updatableProperties(_ type: String) -> Set<String>
    /// An in-place update: `request.properties` are the new properties,
    /// `request.state` the resource as it is, `previous` its old properties.
    static func update(_ request: CFNResourceRequest, previous: CFNMap, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState
}

extension CFNResourceHandler {
    /// Tags change in place on every simulated type (the fakes keep none that matter).
    static func updatableProperties(_ type: String) -> Set<String> { ["Tags"] }

    static func update(_ request: CFNResourceRequest, previous: CFNMap, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        guard let state = request.state else { throw CFNError("InternalFailure", "\(request.logicalId) has no physical resource to update") }
        return state
    }
}

/// The handler of each simulated type.
enum CFNResourceHandlers {
    static let families: [any CFNResourceHandler.Type] = [
        CFNS3Handler.self, CFNIAMHandler.self, CFNKMSHandler.self, CFNSecurityGroupHandler.self, CFNNetworkHandler.self, CFNInstanceHandler.self, CFNAutoScalingHandler.self, CFNRDSHandler.self, CFNRoute53Handler.self, CFNWaitConditionHandler.self,
        CFNELBv2Handler.self, CFNConnectivityHandler.self, CFNEKSHandler.self,
    ]

    static let byType: [String: any CFNResourceHandler.Type] = {
        var table: [String: any CFNResourceHandler.Type] = [:]
        for family in families { for type in family.types { table[type] = family } }
        return table
    }()

    static func handler(_ type: String) -> (any CFNResourceHandler.Type)? { byType[type] }
}
