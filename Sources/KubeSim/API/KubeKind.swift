/// The kinds of object KubeSim stores, with their API group, version and resource name.
public enum KubeKind: String, CaseIterable, Hashable, Comparable, Sendable, Codable {
    case namespace = "Namespace", node = "Node", pod = "Pod", service = "Service", endpoints = "Endpoints"
    case endpointSlice = "EndpointSlice", configMap = "ConfigMap", secret = "Secret"
    case persistentVolume = "PersistentVolume", persistentVolumeClaim = "PersistentVolumeClaim"
    case storageClass = "StorageClass", deployment = "Deployment", replicaSet = "ReplicaSet"
    case statefulSet = "StatefulSet", daemonSet = "DaemonSet", job = "Job"
    case podDisruptionBudget = "PodDisruptionBudget", event = "Event", lease = "Lease"

    public static func < (a: KubeKind, b: KubeKind) -> Bool { a.rawValue < b.rawValue }

    /// API group ("" for core).
    public var group: String {
        switch self {
        case .deployment, .replicaSet, .statefulSet, .daemonSet: return "apps"
        case .job: return "batch"
        case .podDisruptionBudget: return "policy"
        case .lease: return "coordination.k8s.io"
        case .storageClass: return "storage.k8s.io"
        case .endpointSlice: return "discovery.k8s.io"
        default: return ""
        }
    }

    /// `apiVersion` as written in manifests.
    public var apiVersion: String { group.isEmpty ? "v1" : "\(group)/v1" }

    /// The plural resource name (`pods`, `deployments`).
    public var resource: String {
        switch self {
        case .endpoints: return "endpoints"
        case .storageClass: return "storageclasses"
        case .podDisruptionBudget: return "poddisruptionbudgets"
        case .persistentVolume: return "persistentvolumes"
        case .persistentVolumeClaim: return "persistentvolumeclaims"
        case .endpointSlice: return "endpointslices"
        case .configMap: return "configmaps"
        case .replicaSet: return "replicasets"
        case .statefulSet: return "statefulsets"
        case .daemonSet: return "daemonsets"
        case .namespace: return "namespaces"
        case .lease: return "leases"
        default: return rawValue.lowercased() + "s"
        }
    }

    /// `Kind.group` as the apiserver writes it in "is invalid" messages (`Deployment.apps`, `Pod`).
    public var qualifiedKind: String { group.isEmpty ? rawValue : "\(rawValue).\(group)" }
    /// `resource.group` as in "not found" messages (`deployments.apps`, `pods`).
    public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }

    /// The Swift type that stores objects of this kind.
    public var swiftType: any KubeObject.Type {
        switch self {
        case .namespace: return Namespace.self
        case .node: return Node.self
        case .pod: return Pod.self
        case .service: return Service.self
        case .endpoints: return Endpoints.self
        case .endpointSlice: return EndpointSlice.self
        case .configMap: return ConfigMap.self
        case .secret: return Secret.self
        case .persistentVolume: return PersistentVolume.self
        case .persistentVolumeClaim: return PersistentVolumeClaim.self
        case .storageClass: return StorageClass.self
        case .deployment: return Deployment.self
        case .replicaSet: return ReplicaSet.self
        case .statefulSet: return StatefulSet.self
        case .daemonSet: return DaemonSet.self
        case .job: return Job.self
        case .podDisruptionBudget: return PodDisruptionBudget.self
        case .event: return KubeEvent.self
        case .lease: return Lease.self
        }
    }

    /// Whether objects of this kind live in a namespace.
    public var isNamespaced: Bool {
        switch self {
        case .namespace, .node, .persistentVolume, .storageClass: return false
        default: return true
        }
    }
}

/// A reference to a stored object: kind, namespace ("" when cluster-scoped) and name. Sorts by kind, namespace, name.
public struct ObjectRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var kind: KubeKind
    public var namespace: String
    public var name: String
    public init(_ kind: KubeKind, _ namespace: String, _ name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }
    /// The key inside the kind's table: `namespace/name`, or `name` when cluster-scoped.
    public var key: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
    public static func < (a: ObjectRef, b: ObjectRef) -> Bool { (a.kind, a.namespace, a.name) < (b.kind, b.namespace, b.name) }
    public var description: String { "\(kind.rawValue) \(key)" }
}

/// Conformed to by every stored kind: where its table lives and how it validates.
public protocol KubeObject: Codable, Sendable, Hashable {
    static var kubeKind: KubeKind { get }
    /// The object's table in the store.
    static var table: WritableKeyPath<ObjectStore, ObjectTable<Self>> { get }
    var metadata: ObjectMeta { get set }
    /// Kind-specific validation (metadata is checked by the store).
    func validate() -> [FieldError]
    /// True when `spec` (the desired state) is the same; `metadata.generation` bumps otherwise.
    func hasSameSpec(as other: Self) -> Bool
    /// The object wrapped for watch events and heterogeneous lists.
    var erased: AnyKubeObject { get }
}

extension KubeObject {
    public func validate() -> [FieldError] { [] }
    public func hasSameSpec(as other: Self) -> Bool { true }
    /// This object's reference.
    public var ref: ObjectRef { ObjectRef(Self.kubeKind, metadata.namespaceOrEmpty, metadata.nameOrEmpty) }
}

/// Any stored object, for watch events, `apply` of a decoded manifest, and traces.
public enum AnyKubeObject: Hashable, Sendable {
    case namespace(Namespace), node(Node), pod(Pod), service(Service), endpoints(Endpoints), endpointSlice(EndpointSlice)
    case configMap(ConfigMap), secret(Secret), persistentVolume(PersistentVolume), persistentVolumeClaim(PersistentVolumeClaim)
    case storageClass(StorageClass), deployment(Deployment), replicaSet(ReplicaSet), statefulSet(StatefulSet)
    case daemonSet(DaemonSet), job(Job), podDisruptionBudget(PodDisruptionBudget), event(KubeEvent), lease(Lease)

    /// The wrapped object's metadata.
    public var metadata: ObjectMeta { unwrapped.metadata }

    /// The wrapped object as an existential.
    public var unwrapped: any KubeObject {
        switch self {
        case .namespace(let o): return o
        case .node(let o): return o
        case .pod(let o): return o
        case .service(let o): return o
        case .endpoints(let o): return o
        case .endpointSlice(let o): return o
        case .configMap(let o): return o
        case .secret(let o): return o
        case .persistentVolume(let o): return o
        case .persistentVolumeClaim(let o): return o
        case .storageClass(let o): return o
        case .deployment(let o): return o
        case .replicaSet(let o): return o
        case .statefulSet(let o): return o
        case .daemonSet(let o): return o
        case .job(let o): return o
        case .podDisruptionBudget(let o): return o
        case .event(let o): return o
        case .lease(let o): return o
        }
    }

    public var kind: KubeKind { type(of: unwrapped).kubeKind }
    public var ref: ObjectRef { ObjectRef(kind, metadata.namespaceOrEmpty, metadata.nameOrEmpty) }
}

extension Namespace: KubeObject {
    public static let kubeKind = KubeKind.namespace
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Namespace>> { \.namespaces }
    public var erased: AnyKubeObject { .namespace(self) }
}
extension Node: KubeObject {
    public static let kubeKind = KubeKind.node
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Node>> { \.nodes }
    public var erased: AnyKubeObject { .node(self) }
    public func hasSameSpec(as other: Node) -> Bool { spec == other.spec }
}
extension Pod: KubeObject {
    public static let kubeKind = KubeKind.pod
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Pod>> { \.pods }
    public var erased: AnyKubeObject { .pod(self) }
}
extension Service: KubeObject {
    public static let kubeKind = KubeKind.service
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Service>> { \.services }
    public var erased: AnyKubeObject { .service(self) }
}
extension Endpoints: KubeObject {
    public static let kubeKind = KubeKind.endpoints
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Endpoints>> { \.endpoints }
    public var erased: AnyKubeObject { .endpoints(self) }
}
extension EndpointSlice: KubeObject {
    public static let kubeKind = KubeKind.endpointSlice
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<EndpointSlice>> { \.endpointSlices }
    public var erased: AnyKubeObject { .endpointSlice(self) }
}
extension ConfigMap: KubeObject {
    public static let kubeKind = KubeKind.configMap
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<ConfigMap>> { \.configMaps }
    public var erased: AnyKubeObject { .configMap(self) }
}
extension Secret: KubeObject {
    public static let kubeKind = KubeKind.secret
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Secret>> { \.secrets }
    public var erased: AnyKubeObject { .secret(self) }
}
extension PersistentVolume: KubeObject {
    public static let kubeKind = KubeKind.persistentVolume
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<PersistentVolume>> { \.persistentVolumes }
    public var erased: AnyKubeObject { .persistentVolume(self) }
}
extension PersistentVolumeClaim: KubeObject {
    public static let kubeKind = KubeKind.persistentVolumeClaim
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<PersistentVolumeClaim>> { \.persistentVolumeClaims }
    public var erased: AnyKubeObject { .persistentVolumeClaim(self) }
}
extension StorageClass: KubeObject {
    public static let kubeKind = KubeKind.storageClass
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<StorageClass>> { \.storageClasses }
    public var erased: AnyKubeObject { .storageClass(self) }
}
extension Deployment: KubeObject {
    public static let kubeKind = KubeKind.deployment
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Deployment>> { \.deployments }
    public var erased: AnyKubeObject { .deployment(self) }
    public func hasSameSpec(as other: Deployment) -> Bool { spec == other.spec }
}
extension ReplicaSet: KubeObject {
    public static let kubeKind = KubeKind.replicaSet
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<ReplicaSet>> { \.replicaSets }
    public var erased: AnyKubeObject { .replicaSet(self) }
    public func hasSameSpec(as other: ReplicaSet) -> Bool { spec == other.spec }
}
extension StatefulSet: KubeObject {
    public static let kubeKind = KubeKind.statefulSet
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<StatefulSet>> { \.statefulSets }
    public var erased: AnyKubeObject { .statefulSet(self) }
    public func hasSameSpec(as other: StatefulSet) -> Bool { spec == other.spec }
}
extension DaemonSet: KubeObject {
    public static let kubeKind = KubeKind.daemonSet
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<DaemonSet>> { \.daemonSets }
    public var erased: AnyKubeObject { .daemonSet(self) }
    public func hasSameSpec(as other: DaemonSet) -> Bool { spec == other.spec }
}
extension Job: KubeObject {
    public static let kubeKind = KubeKind.job
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Job>> { \.jobs }
    public var erased: AnyKubeObject { .job(self) }
    public func hasSameSpec(as other: Job) -> Bool { spec == other.spec }
}
extension PodDisruptionBudget: KubeObject {
    public static let kubeKind = KubeKind.podDisruptionBudget
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<PodDisruptionBudget>> { \.podDisruptionBudgets }
    public var erased: AnyKubeObject { .podDisruptionBudget(self) }
    public func hasSameSpec(as other: PodDisruptionBudget) -> Bool { spec == other.spec }
}
extension KubeEvent: KubeObject {
    public static let kubeKind = KubeKind.event
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<KubeEvent>> { \.events }
    public var erased: AnyKubeObject { .event(self) }
}
extension Lease: KubeObject {
    public static let kubeKind = KubeKind.lease
    public static var table: WritableKeyPath<ObjectStore, ObjectTable<Lease>> { \.leases }
    public var erased: AnyKubeObject { .lease(self) }
}
