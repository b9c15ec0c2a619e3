/// `core/v1` Namespace.
public struct Namespace: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Namespace"
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}
public struct NamespaceSpec: Hashable, Sendable, Codable { public var finalizers: [String]? }
public struct NamespaceStatus: Hashable, Sendable, Codable { public var phase: String? }

/// `core/v1` Service.
public struct Service: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Service"
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?
    public init(metadata: ObjectMeta, spec: ServiceSpec?) { self.metadata = metadata; self.spec = spec }
}

public struct ServiceSpec: Hashable, Sendable, Codable {
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    public var type: String?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    public var publishNotReadyAddresses: Bool?
    public var sessionAffinity: String?
    public init(selector: [String: String]?, ports: [ServicePort]? = nil, type: String? = nil) {
        self.selector = selector
        self.ports = ports
        self.type = type
    }
}

public struct ServicePort: Hashable, Sendable, Codable {
    public var name: String?
    public var port: Int32
    public var targetPort: IntOrString?
    public var `protocol`: String?
    public var nodePort: Int32?
    public init(name: String? = nil, port: Int32, targetPort: IntOrString? = nil, protocol: String? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.protocol = `protocol`
    }
}
/// `ServiceStatus`: the load balancer a cloud's controller provisioned for a `LoadBalancer` Service.
public struct ServiceStatus: Hashable, Sendable, Codable {
    public var loadBalancer: LoadBalancerStatus?
    public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
}
public struct LoadBalancerStatus: Hashable, Sendable, Codable {
    public var ingress: [LoadBalancerIngress]?
    public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
}
/// A load balancer's address: an IP, or (on AWS) a DNS name.
public struct LoadBalancerIngress: Hashable, Sendable, Codable {
    public var ip: String?
    public var hostname: String?
    public init(ip: String? = nil, hostname: String? = nil) { self.ip = ip; self.hostname = hostname }
}

/// `core/v1` Endpoints.
public struct Endpoints: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Endpoints"
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?
    public init(metadata: ObjectMeta, subsets: [EndpointSubset]? = nil) { self.metadata = metadata; self.subsets = subsets }
}

public struct EndpointSubset: Hashable, Sendable, Codable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?
}

public struct EndpointAddress: Hashable, Sendable, Codable {
    public var ip: String
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?
}

public struct EndpointPort: Hashable, Sendable, Codable {
    public var name: String?
    public var port: Int32
    public var `protocol`: String?
}

/// `core/v1` ObjectReference.
public struct ObjectReference: Hashable, Sendable, Codable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var resourceVersion: String?
    public var fieldPath: String?
    public init(kind: String?, namespace: String?, name: String?, uid: String?, apiVersion: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
    }
}

/// `discovery.k8s.io/v1` EndpointSlice (one per Service here, named after it).
public struct EndpointSlice: Hashable, Sendable, Codable {
    public var apiVersion: String? = "discovery.k8s.io/v1"
    public var kind: String? = "EndpointSlice"
    public var metadata: ObjectMeta
    public var addressType: String
    public var endpoints: [SliceEndpoint]?
    public var ports: [EndpointPort]?
    public init(metadata: ObjectMeta, addressType: String = "IPv4") { self.metadata = metadata; self.addressType = addressType }
}

public struct SliceEndpoint: Hashable, Sendable, Codable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var nodeName: String?
    public var zone: String?
    public var targetRef: ObjectReference?
}

public struct EndpointConditions: Hashable, Sendable, Codable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?
}

/// `core/v1` ConfigMap.
public struct ConfigMap: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var binaryData: [String: String]?
    public var immutable: Bool?
    public init(metadata: ObjectMeta, data: [String: String]? = nil) { self.metadata = metadata; self.data = data }
}

/// `core/v1` Secret (`data` values are base64 text as on the wire).
public struct Secret: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Secret"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var stringData: [String: String]?
    public var type: String?
    public var immutable: Bool?
    public init(metadata: ObjectMeta, data: [String: String]? = nil, type: String? = nil) {
        self.metadata = metadata
        self.data = data
        self.type = type
    }
}

/// `core/v1` PersistentVolume.
public struct PersistentVolume: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "PersistentVolume"
    public var metadata: ObjectMeta
    public var spec: PersistentVolumeSpec
    public var status: PersistentVolumeStatus?
    public init(metadata: ObjectMeta, spec: PersistentVolumeSpec) { self.metadata = metadata; self.spec = spec }
}

public struct PersistentVolumeSpec: Hashable, Sendable, Codable {
    public var capacity: [String: Quantity]?
    public var accessModes: [String]?
    public var persistentVolumeReclaimPolicy: String?
    public var storageClassName: String?
    public var claimRef: ObjectReference?
    public var nodeAffinity: VolumeNodeAffinity?
    public var csi: CSIPersistentVolumeSource?
    public var volumeMode: String?
    public init(capacity: [String: Quantity]? = nil, accessModes: [String]? = nil, storageClassName: String? = nil,
                nodeAffinity: VolumeNodeAffinity? = nil) {
        self.capacity = capacity
        self.accessModes = accessModes
        self.storageClassName = storageClassName
        self.nodeAffinity = nodeAffinity
    }
}

public struct VolumeNodeAffinity: Hashable, Sendable, Codable {
    public var required: NodeSelector?
    public init(required: NodeSelector?) { self.required = required }
}

public struct CSIPersistentVolumeSource: Hashable, Sendable, Codable {
    public var driver: String
    public var volumeHandle: String
    public var fsType: String?
}

public struct PersistentVolumeStatus: Hashable, Sendable, Codable {
    public var phase: String?
    public var reason: String?
    public var message: String?
}

/// `core/v1` PersistentVolumeClaim.
public struct PersistentVolumeClaim: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "PersistentVolumeClaim"
    public var metadata: ObjectMeta
    public var spec: PersistentVolumeClaimSpec
    public var status: PersistentVolumeClaimStatus?
    public init(metadata: ObjectMeta, spec: PersistentVolumeClaimSpec) { self.metadata = metadata; self.spec = spec }
}

public struct PersistentVolumeClaimSpec: Hashable, Sendable, Codable {
    public var accessModes: [String]?
    public var resources: VolumeResourceRequirements?
    public var storageClassName: String?
    public var volumeName: String?
    public var volumeMode: String?
    public var selector: LabelSelector?
    public init(accessModes: [String]? = ["ReadWriteOnce"], storage: Quantity? = nil, storageClassName: String? = nil) {
        self.accessModes = accessModes
        self.resources = storage.map { VolumeResourceRequirements(requests: ["storage": $0]) }
        self.storageClassName = storageClassName
    }
}

public struct VolumeResourceRequirements: Hashable, Sendable, Codable {
    public var requests: [String: Quantity]?
    public var limits: [String: Quantity]?
    public init(requests: [String: Quantity]? = nil) { self.requests = requests }
}

public struct PersistentVolumeClaimStatus: Hashable, Sendable, Codable {
    public var phase: String?
    public var accessModes: [String]?
    public var capacity: [String: Quantity]?
}

/// `storage.k8s.io/v1` StorageClass.
public struct StorageClass: Hashable, Sendable, Codable {
    public var apiVersion: String? = "storage.k8s.io/v1"
    public var kind: String? = "StorageClass"
    public var metadata: ObjectMeta
    public var provisioner: String
    public var parameters: [String: String]?
    public var reclaimPolicy: String?
    public var volumeBindingMode: String?
    public var allowVolumeExpansion: Bool?
    public var allowedTopologies: [TopologySelectorTerm]?
    public init(metadata: ObjectMeta, provisioner: String, volumeBindingMode: String? = nil, allowedTopologies: [TopologySelectorTerm]? = nil) {
        self.metadata = metadata
        self.provisioner = provisioner
        self.volumeBindingMode = volumeBindingMode
        self.allowedTopologies = allowedTopologies
    }
}

public struct TopologySelectorTerm: Hashable, Sendable, Codable {
    public var matchLabelExpressions: [TopologySelectorLabelRequirement]?
    public init(matchLabelExpressions: [TopologySelectorLabelRequirement]?) { self.matchLabelExpressions = matchLabelExpressions }
}

public struct TopologySelectorLabelRequirement: Hashable, Sendable, Codable {
    public var key: String
    public var values: [String]
    public init(key: String, values: [String]) { self.key = key; self.values = values }
}

/// `policy/v1` PodDisruptionBudget.
public struct PodDisruptionBudget: Hashable, Sendable, Codable {
    public var apiVersion: String? = "policy/v1"
    public var kind: String? = "PodDisruptionBudget"
    public var metadata: ObjectMeta
    public var spec: PodDisruptionBudgetSpec
    public var status: PodDisruptionBudgetStatus?
    public init(metadata: ObjectMeta, spec: PodDisruptionBudgetSpec) { self.metadata = metadata; self.spec = spec }
}

public struct PodDisruptionBudgetSpec: Hashable, Sendable, Codable {
    public var minAvailable: IntOrString?
    public var maxUnavailable: IntOrString?
    public var selector: LabelSelector?
    public var unhealthyPodEvictionPolicy: String?
    public init(minAvailable: IntOrString? = nil, maxUnavailable: IntOrString? = nil, selector: LabelSelector?) {
        self.minAvailable = minAvailable
        self.maxUnavailable = maxUnavailable
        self.selector = selector
    }
}

public struct PodDisruptionBudgetStatus: Hashable, Sendable, Codable {
    public var observedGeneration: Int64?
    public var disruptionsAllowed: Int32
    public var currentHealthy: Int32
    public var desiredHealthy: Int32
    public var expectedPods: Int32
    public var conditions: [WorkloadCondition]?
}

/// `core/v1` Event (named `KubeEvent` in Swift: `Event` clashes with Swift Testing's type).
public struct KubeEvent: Hashable, Sendable, Codable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Event"
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    public var type: String?
    public var source: EventSource?
    public var firstTimestamp: KubeTime?
    public var lastTimestamp: KubeTime?
    public var count: Int32?
    public var reportingComponent: String?
    public var reportingInstance: String?
    public init(metadata: ObjectMeta, involvedObject: ObjectReference) { self.metadata = metadata; self.involvedObject = involvedObject }
}

public struct EventSource: Hashable, Sendable, Codable {
    public var component: String?
    public var host: String?
}

/// `coordination.k8s.io/v1` Lease.
public struct Lease: Hashable, Sendable, Codable {
    public var apiVersion: String? = "coordination.k8s.io/v1"
    public var kind: String? = "Lease"
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?
    public init(metadata: ObjectMeta, spec: LeaseSpec?) { self.metadata = metadata; self.spec = spec }
}

public struct LeaseSpec: Hashable, Sendable, Codable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int32?
    public var acquireTime: KubeTime?
    public var renewTime: KubeTime?
    public var leaseTransitions: Int32?
}
