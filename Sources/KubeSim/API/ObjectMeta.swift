/// `metav1.ObjectMeta`: the metadata every Kubernetes object carries.
/// Fields absent in a manifest stay nil and are omitted when encoding.
public struct ObjectMeta: Hashable, Sendable, Codable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: KubeTime?
    public var deletionTimestamp: KubeTime?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
                annotations: [String: String]? = nil, ownerReferences: [OwnerReference]? = nil,
                finalizers: [String]? = nil, generateName: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.generateName = generateName
    }

    /// The object's name, or "" when missing (validation rejects that on create).
    public var nameOrEmpty: String { name ?? "" }
    /// The object's namespace, or "" (cluster-scoped objects).
    public var namespaceOrEmpty: String { namespace ?? "" }
    /// Labels, never nil.
    public var labelsOrEmpty: [String: String] { labels ?? [:] }
    /// True once deletion started (`deletionTimestamp` set).
    public var isTerminating: Bool { deletionTimestamp != nil }
    /// The owner reference with `controller: true`, if any.
    public var controllerRef: OwnerReference? { ownerReferences?.first { $0.controller == true } }
}

/// `metav1.OwnerReference`.
public struct OwnerReference: Hashable, Sendable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = true, blockOwnerDeletion: Bool? = true) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.LabelSelector`.
public struct LabelSelector: Hashable, Sendable, Codable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// `metav1.LabelSelectorRequirement`: operator `In`, `NotIn`, `Exists`, `DoesNotExist`.
public struct LabelSelectorRequirement: Hashable, Sendable, Codable {
    public var key: String
    public var `operator`: String
    public var values: [String]?

    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// `metav1.Condition`-like condition used by workload statuses.
public struct WorkloadCondition: Hashable, Sendable, Codable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: KubeTime?
    public var lastUpdateTime: KubeTime?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: KubeTime? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}
