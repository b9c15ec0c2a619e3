/// `core/v1` Node.
public struct Node: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Node"
    public var metadata: ObjectMeta
    public var spec: NodeSpec?
    public var status: NodeStatus?

    public init(metadata: ObjectMeta, spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The `Ready` condition's status (`True`, `False`, `Unknown`), or nil.
    public var readyStatus: String? { status?.conditions?.first { $0.type == "Ready" }?.status }
    /// True when the `Ready` condition is `True`.
    public var isReady: Bool { readyStatus == "True" }
    /// Taints, never nil.
    public var taints: [Taint] { spec?.taints ?? [] }
    /// `spec.unschedulable` (cordoned).
    public var isUnschedulable: Bool { spec?.unschedulable ?? false }
}

public struct NodeSpec: Hashable, Sendable, Codable {
    public var podCIDR: String?
    public var providerID: String?
    public var unschedulable: Bool?
    public var taints: [Taint]?
    public init(unschedulable: Bool? = nil, taints: [Taint]? = nil, providerID: String? = nil) {
        self.unschedulable = unschedulable
        self.taints = taints
        self.providerID = providerID
    }
}

/// `core/v1` Taint: effect `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
public struct Taint: Hashable, Sendable, Codable {
    public var key: String
    public var value: String?
    public var effect: String
    public var timeAdded: KubeTime?
    public init(key: String, value: String? = nil, effect: String, timeAdded: KubeTime? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
    /// Same key and effect (`Taint.MatchTaint`).
    public func matches(_ other: Taint) -> Bool { key == other.key && effect == other.effect }
}

public struct NodeStatus: Hashable, Sendable, Codable {
    public var capacity: [String: Quantity]?
    public var allocatable: [String: Quantity]?
    public var conditions: [NodeCondition]?
    public var addresses: [NodeAddress]?
    public var nodeInfo: NodeSystemInfo?
    public init(capacity: [String: Quantity]? = nil, allocatable: [String: Quantity]? = nil, conditions: [NodeCondition]? = nil,
                addresses: [NodeAddress]? = nil, nodeInfo: NodeSystemInfo? = nil) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.conditions = conditions
        self.addresses = addresses
        self.nodeInfo = nodeInfo
    }
}

public struct NodeCondition: Hashable, Sendable, Codable {
    public var type: String
    public var status: String
    public var lastHeartbeatTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?
    public init(type: String, status: String, lastHeartbeatTime: KubeTime? = nil, lastTransitionTime: KubeTime? = nil,
                reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

public struct NodeAddress: Hashable, Sendable, Codable {
    public var type: String
    public var address: String
    public init(type: String, address: String) { self.type = type; self.address = address }
}

public struct NodeSystemInfo: Hashable, Sendable, Codable {
    public var kubeletVersion: String?
    public var kubeProxyVersion: String?
    public var containerRuntimeVersion: String?
    public var osImage: String?
    public var kernelVersion: String?
    public var operatingSystem: String?
    public var architecture: String?
    public var machineID: String?
    public var systemUUID: String?
    public var bootID: String?
}

/// Well-known label, taint and annotation keys (k8s.io/api/core/v1 well_known_labels.go, well_known_taints.go).
public enum WellKnown {
    public static let zoneLabel = "topology.kubernetes.io/zone"
    public static let regionLabel = "topology.kubernetes.io/region"
    public static let hostnameLabel = "kubernetes.io/hostname"
    public static let taintNotReady = "node.kubernetes.io/not-ready"
    public static let taintUnreachable = "node.kubernetes.io/unreachable"
    public static let taintUnschedulable = "node.kubernetes.io/unschedulable"
    public static let taintMemoryPressure = "node.kubernetes.io/memory-pressure"
    public static let taintDiskPressure = "node.kubernetes.io/disk-pressure"
    public static let taintPIDPressure = "node.kubernetes.io/pid-pressure"
    public static let taintNetworkUnavailable = "node.kubernetes.io/network-unavailable"
    public static let podTemplateHashLabel = "pod-template-hash"
    public static let statefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name"
    public static let controllerRevisionHashLabel = "controller-revision-hash"
    public static let deploymentRevisionAnnotation = "deployment.kubernetes.io/revision"
    public static let nodeLeaseNamespace = "kube-node-lease"
    public static let selectedNodeAnnotation = "volume.kubernetes.io/selected-node"
}
