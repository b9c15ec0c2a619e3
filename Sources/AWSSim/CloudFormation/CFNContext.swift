/// What a template's functions are evaluated against: the pseudo parameters,
/// the parameter values, the conditions, the region's AZs, the exports of the
/// region, and the resources created so far (their physical ids and attributes).
public struct CFNContext: Sendable {
    /// A created resource as `Ref` and `Fn::GetAtt` see it.
    public struct ResourceState: Sendable, Equatable {
        public var type: String
        public var physicalId: String
        public var attributes: [String: CFNValue]
        public init(type: String, physicalId: String, attributes: [String: CFNValue]) {
            self.type = type
            self.physicalId = physicalId
            self.attributes = attributes
        }
    }

    public var accountId: String
    public var region: String
    public var stackName: String
    public var stackId: String
    public var partition = "aws"
    /// `amazonaws.com` (it differs in China; pseudo-parameter-reference.html).
    public var urlSuffix = "amazonaws.com"
    public var notificationARNs: [String] = []
    /// Resolved parameter values: `.string`, or `.list` of strings for list types.
    public var parameters: [String: CFNValue] = [:]
    /// Each region's AZs (Fn::GetAZs answers the fault model's list, alphabetical).
    public var availabilityZones: [String: [String]] = [:]
    /// The region's exports (Fn::ImportValue).
    public var exports: [String: String] = [:]
    /// Evaluated conditions.
    public var conditions: [String: Bool] = [:]
    public var resources: [String: ResourceState] = [:]
    /// Resources whose Condition is false: referring to one is an unresolved dependency.
    public var excluded: Set<String> = []
    public var transforms: [String] = []

    public init(accountId: String, region: String, stackName: String, stackId: String) {
        self.accountId = accountId
        self.region = region
        self.stackName = stackName
        self.stackId = stackId
    }

    static let pseudoParameters = ["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
                                   "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"]

    /// A pseudo parameter's value (pseudo-parameter-reference.html); nil for other names.
    func pseudo(_ name: String) -> CFNValue? {
        switch name {
        case "AWS::AccountId": return .string(accountId)
        case "AWS::Region": return .string(region)
        case "AWS::StackName": return .string(stackName)
        case "AWS::StackId": return .string(stackId)
        case "AWS::Partition": return .string(partition)
        case "AWS::URLSuffix": return .string(urlSuffix)
        case "AWS::NotificationARNs": return .list(notificationARNs.map(CFNValue.string))
        case "AWS::NoValue": return .noValue
        default: return nil
        }
    }
}
