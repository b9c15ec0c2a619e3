/// `core/v1` Pod.
public struct Pod: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?

    public init(metadata: ObjectMeta, spec: PodSpec, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `status.phase`, `Pending` when unset.
    public var phase: PodPhase { status?.phase ?? .pending }
    /// True when the pod's `Ready` condition is `True`.
    public var isReady: Bool { status?.conditions?.first { $0.type == "Ready" }?.status == "True" }
    /// Succeeded or Failed.
    public var isTerminal: Bool { phase == .succeeded || phase == .failed }
    /// Not terminating and not terminal: what ReplicaSets count (`FilterActivePods`).
    public var isActive: Bool { metadata.deletionTimestamp == nil && !isTerminal }
    /// The condition of `type`, if present.
    public func condition(_ type: String) -> PodCondition? { status?.conditions?.first { $0.type == type } }
}

/// `PodPhase`.
public enum PodPhase: String, Hashable, Sendable, Codable, Comparable {
    case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", unknown = "Unknown"
    public static func < (a: PodPhase, b: PodPhase) -> Bool { a.rawValue < b.rawValue }
}

/// `core/v1` PodSpec (the fields the simulation reads, plus common ones that round-trip).
public struct PodSpec: Hashable, Sendable, Codable {
    public var containers: [Container]
    public var initContainers: [Container]?
    public var volumes: [Volume]?
    public var nodeName: String?
    public var nodeSelector: [String: String]?
    public var affinity: Affinity?
    public var tolerations: [Toleration]?
    public var topologySpreadConstraints: [TopologySpreadConstraint]?
    public var priority: Int32?
    public var priorityClassName: String?
    public var schedulerName: String?
    public var terminationGracePeriodSeconds: Int64?
    public var restartPolicy: String?
    public var hostname: String?
    public var subdomain: String?
    public var serviceAccountName: String?
    public var hostNetwork: Bool?

    public init(containers: [Container], nodeName: String? = nil, nodeSelector: [String: String]? = nil, affinity: Affinity? = nil,
                tolerations: [Toleration]? = nil, topologySpreadConstraints: [TopologySpreadConstraint]? = nil,
                volumes: [Volume]? = nil, priority: Int32? = nil, restartPolicy: String? = nil) {
        self.containers = containers
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.affinity = affinity
        self.tolerations = tolerations
        self.topologySpreadConstraints = topologySpreadConstraints
        self.volumes = volumes
        self.priority = priority
        self.restartPolicy = restartPolicy
    }
}

/// `core/v1` Container (scheduling-relevant fields and common ones).
public struct Container: Hashable, Sendable, Codable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var resources: ResourceRequirements?
    public var ports: [ContainerPort]?
    public var env: [EnvVar]?

    public init(name: String, image: String? = nil, resources: ResourceRequirements? = nil, ports: [ContainerPort]? = nil) {
        self.name = name
        self.image = image
        self.resources = resources
        self.ports = ports
    }
}

/// `core/v1` EnvVar (plain values only; `valueFrom` is ignored).
public struct EnvVar: Hashable, Sendable, Codable {
    public var name: String
    public var value: String?
}

/// `core/v1` ContainerPort.
public struct ContainerPort: Hashable, Sendable, Codable {
    public var name: String?
    public var containerPort: Int32
    public var `protocol`: String?
    public init(name: String? = nil, containerPort: Int32, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// `core/v1` ResourceRequirements.
public struct ResourceRequirements: Hashable, Sendable, Codable {
    public var requests: [String: Quantity]?
    public var limits: [String: Quantity]?
    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// `core/v1` Volume (the sources the simulation understands; others decode as an empty volume).
public struct Volume: Hashable, Sendable, Codable {
    public var name: String
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
    public var configMap: NamedVolumeSource?
    public var secret: SecretVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?
    public init(name: String, persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil) {
        self.name = name
        self.persistentVolumeClaim = persistentVolumeClaim
    }
}

public struct PersistentVolumeClaimVolumeSource: Hashable, Sendable, Codable {
    public var claimName: String
    public var readOnly: Bool?
    public init(claimName: String, readOnly: Bool? = nil) { self.claimName = claimName; self.readOnly = readOnly }
}

public struct NamedVolumeSource: Hashable, Sendable, Codable { public var name: String?; public var optional: Bool? }
public struct SecretVolumeSource: Hashable, Sendable, Codable { public var secretName: String?; public var optional: Bool? }
public struct EmptyDirVolumeSource: Hashable, Sendable, Codable { public var medium: String?; public var sizeLimit: Quantity? }

/// `core/v1` Toleration.
public struct Toleration: Hashable, Sendable, Codable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?

    public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil, tolerationSeconds: Int64? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// `Toleration.ToleratesTaint`: empty effect matches every effect; empty key with `Exists` matches every taint.
    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.isEmpty, effect != taint.effect { return false }
        if let key, !key.isEmpty, key != taint.key { return false }
        switch `operator` ?? "Equal" {
        case "Exists": return true
        case "Equal", "": return (value ?? "") == (taint.value ?? "")
        default: return false
        }
    }
}

/// `core/v1` Affinity.
public struct Affinity: Hashable, Sendable, Codable {
    public var nodeAffinity: NodeAffinity?
    public var podAffinity: PodAffinity?
    public var podAntiAffinity: PodAffinity?
    public init(nodeAffinity: NodeAffinity? = nil, podAffinity: PodAffinity? = nil, podAntiAffinity: PodAffinity? = nil) {
        self.nodeAffinity = nodeAffinity
        self.podAffinity = podAffinity
        self.podAntiAffinity = podAntiAffinity
    }
}

public struct NodeAffinity: Hashable, Sendable, Codable {
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?
    public init(required: NodeSelector? = nil, preferred: [PreferredSchedulingTerm]? = nil) {
        self.requiredDuringSchedulingIgnoredDuringExecution = required
        self.preferredDuringSchedulingIgnoredDuringExecution = preferred
    }
}

/// `core/v1` NodeSelector: terms are ORed; expressions inside a term are ANDed.
public struct NodeSelector: Hashable, Sendable, Codable {
    public var nodeSelectorTerms: [NodeSelectorTerm]
    public init(nodeSelectorTerms: [NodeSelectorTerm]) { self.nodeSelectorTerms = nodeSelectorTerms }
}

public struct NodeSelectorTerm: Hashable, Sendable, Codable {
    public var matchExpressions: [NodeSelectorRequirement]?
    public var matchFields: [NodeSelectorRequirement]?
    public init(matchExpressions: [NodeSelectorRequirement]? = nil, matchFields: [NodeSelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }
}

/// `core/v1` NodeSelectorRequirement: `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`.
public struct NodeSelectorRequirement: Hashable, Sendable, Codable {
    public var key: String
    public var `operator`: String
    public var values: [String]?
    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

public struct PreferredSchedulingTerm: Hashable, Sendable, Codable {
    public var weight: Int32
    public var preference: NodeSelectorTerm
    public init(weight: Int32, preference: NodeSelectorTerm) { self.weight = weight; self.preference = preference }
}

/// `core/v1` PodAffinity / PodAntiAffinity (same shape).
public struct PodAffinity: Hashable, Sendable, Codable {
    public var requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]?
    public var preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]?
    public init(required: [PodAffinityTerm]? = nil, preferred: [WeightedPodAffinityTerm]? = nil) {
        self.requiredDuringSchedulingIgnoredDuringExecution = required
        self.preferredDuringSchedulingIgnoredDuringExecution = preferred
    }
}

public struct PodAffinityTerm: Hashable, Sendable, Codable {
    public var labelSelector: LabelSelector?
    public var namespaces: [String]?
    public var topologyKey: String
    public init(labelSelector: LabelSelector?, topologyKey: String, namespaces: [String]? = nil) {
        self.labelSelector = labelSelector
        self.topologyKey = topologyKey
        self.namespaces = namespaces
    }
}

public struct WeightedPodAffinityTerm: Hashable, Sendable, Codable {
    public var weight: Int32
    public var podAffinityTerm: PodAffinityTerm
    public init(weight: Int32, podAffinityTerm: PodAffinityTerm) { self.weight = weight; self.podAffinityTerm = podAffinityTerm }
}

/// `core/v1` TopologySpreadConstraint.
public struct TopologySpreadConstraint: Hashable, Sendable, Codable {
    public var maxSkew: Int32
    public var topologyKey: String
    public var whenUnsatisfiable: String
    public var labelSelector: LabelSelector?
    public var minDomains: Int32?
    public var nodeAffinityPolicy: String?
    public var nodeTaintsPolicy: String?
    public var matchLabelKeys: [String]?

    public init(maxSkew: Int32, topologyKey: String, whenUnsatisfiable: String, labelSelector: LabelSelector?,
                minDomains: Int32? = nil, nodeAffinityPolicy: String? = nil, nodeTaintsPolicy: String? = nil) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.whenUnsatisfiable = whenUnsatisfiable
        self.labelSelector = labelSelector
        self.minDomains = minDomains
        self.nodeAffinityPolicy = nodeAffinityPolicy
        self.nodeTaintsPolicy = nodeTaintsPolicy
    }
}

/// `core/v1` PodStatus.
public struct PodStatus: Hashable, Sendable, Codable {
    public var phase: PodPhase?
    public var conditions: [PodCondition]?
    public var hostIP: String?
    public var podIP: String?
    public var startTime: KubeTime?
    public var containerStatuses: [ContainerStatus]?
    public var nominatedNodeName: String?
    public var qosClass: String?
    public var reason: String?
    public var message: String?
    public init(phase: PodPhase? = nil) { self.phase = phase }
}

/// `core/v1` PodCondition.
public struct PodCondition: Hashable, Sendable, Codable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: KubeTime? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// `core/v1` ContainerStatus.
public struct ContainerStatus: Hashable, Sendable, Codable {
    public var name: String
    public var ready: Bool
    public var restartCount: Int32
    public var image: String?
    public var imageID: String?
    public var started: Bool?
    public var state: ContainerState?
}

public struct ContainerState: Hashable, Sendable, Codable {
    public var running: ContainerStateRunning?
    public var waiting: ContainerStateWaiting?
    public var terminated: ContainerStateTerminated?
}
public struct ContainerStateRunning: Hashable, Sendable, Codable { public var startedAt: KubeTime? }
public struct ContainerStateWaiting: Hashable, Sendable, Codable { public var reason: String?; public var message: String? }
public struct ContainerStateTerminated: Hashable, Sendable, Codable {
    public var exitCode: Int32
    public var reason: String?
    public var startedAt: KubeTime?
    public var finishedAt: KubeTime?
}

/// `core/v1` PodTemplateSpec.
public struct PodTemplateSpec: Hashable, Sendable, Codable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec
    public init(metadata: ObjectMeta? = nil, spec: PodSpec) { self.metadata = metadata; self.spec = spec }
}
