import SimCore

/// The objects of one kind, keyed `namespace/name` (or `name` when cluster-scoped).
///
/// Swift dictionaries iterate in a per-process random order: nothing may
/// iterate `items` for output or decisions. ``sortedKeys`` and the store's
/// `list` give the deterministic (sorted) order.
public struct ObjectTable<T: KubeObject>: Sendable {
    public internal(set) var items: [String: T] = [:]
    public init() {}
    public var count: Int { items.count }
    public subscript(key: String) -> T? { items[key] }
    /// Keys in sorted order.
    public var sortedKeys: [String] { items.keys.sorted() }
    /// Objects in key order.
    public var sorted: [T] { sortedKeys.compactMap { items[$0] } }
}

/// What happened to an object, as in a watch stream.
public enum WatchEventType: String, Hashable, Sendable, Codable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }

/// One entry of the watch log.
public struct WatchEvent: Hashable, Sendable {
    public var type: WatchEventType
    /// The store's resourceVersion after this change.
    public var resourceVersion: Int64
    /// The object after the change (before removal for `DELETED`).
    public var object: AnyKubeObject
}

/// How `delete` treats dependents (`metav1.DeletionPropagation`).
public enum PropagationPolicy: String, Hashable, Sendable, Codable {
    /// Dependents are deleted by the garbage collector after the owner is gone (the default).
    case background = "Background"
    /// Modelled as Background (the owner is not kept until its dependents are gone).
    case foreground = "Foreground"
    /// Dependents lose their owner reference and stay.
    case orphan = "Orphan"
}

/// `metav1.DeleteOptions` (the fields the simulation honours).
public struct DeleteOptions: Hashable, Sendable {
    public var gracePeriodSeconds: Int64?
    public var propagationPolicy: PropagationPolicy
    public init(gracePeriodSeconds: Int64? = nil, propagationPolicy: PropagationPolicy = .background) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.propagationPolicy = propagationPolicy
    }
    /// `--grace-period=0 --force`.
    public static let force = DeleteOptions(gracePeriodSeconds: 0)
}

/// The apiserver + etcd of the simulation: every object, resourceVersions,
/// deterministic uids, owner/finalizer semantics, the watch log and Events.
///
/// Value type. Mutations take the virtual `now` for timestamps. Every change
/// bumps the single resourceVersion counter (as etcd's revision), appends to
/// the bounded watch log, and to ``pendingChanges`` which the cluster drains
/// to wake controllers.
public struct ObjectStore: Sendable {
    public internal(set) var namespaces = ObjectTable<Namespace>()
    public internal(set) var nodes = ObjectTable<Node>()
    public internal(set) var pods = ObjectTable<Pod>()
    public internal(set) var services = ObjectTable<Service>()
    public internal(set) var endpoints = ObjectTable<Endpoints>()
    public internal(set) var endpointSlices = ObjectTable<EndpointSlice>()
    public internal(set) var configMaps = ObjectTable<ConfigMap>()
    public internal(set) var secrets = ObjectTable<Secret>()
    public internal(set) var persistentVolumes = ObjectTable<PersistentVolume>()
    public internal(set) var persistentVolumeClaims = ObjectTable<PersistentVolumeClaim>()
    public internal(set) var storageClasses = ObjectTable<StorageClass>()
    public internal(set) var deployments = ObjectTable<Deployment>()
    public internal(set) var replicaSets = ObjectTable<ReplicaSet>()
    public internal(set) var statefulSets = ObjectTable<StatefulSet>()
    public internal(set) var daemonSets = ObjectTable<DaemonSet>()
    public internal(set) var jobs = ObjectTable<Job>()
    public internal(set) var podDisruptionBudgets = ObjectTable<PodDisruptionBudget>()
    public internal(set) var events = ObjectTable<KubeEvent>()
    public internal(set) var leases = ObjectTable<Lease>()

    /// The latest resourceVersion handed out.
    public private(set) var resourceVersion: Int64 = 0
    /// The watch log (bounded; see ``watchEvents(since:)``).
    public private(set) var watchLog: WatchLog
    /// References changed since the cluster last drained them (in change order).
    var pendingChanges: [ObjectRef] = []
    /// Owner uids that disappeared and whose dependents the garbage collector must visit.
    var orphanedOwnerUIDs: [String] = []

    var random: SimRandom
    var uidIndex: [String: ObjectRef] = [:]
    var dependentsByOwner: [String: Set<ObjectRef>] = [:]
    var podKeysByNode: [String: Set<String>] = [:]
    var eventKeysByCorrelation: [String: String] = [:]
    var eventCounter: UInt64 = 0
    /// Controller owners of removed objects, for waking their controllers.
    var removedControllerRefs: [ObjectRef: OwnerReference] = [:]
    /// Events by expiry, oldest first (`--event-ttl`).
    var eventExpiry: [(at: SimInstant, key: String)] = []
    var eventExpiryHead = 0
    /// Whether Normal-type Events are stored (Warnings always are).
    public var recordNormalEvents = true
    /// Services given a ClusterIP so far.
    var serviceIPCounter = 0

    /// `--event-ttl` default 1 h (kube-apiserver flags reference:
    /// https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/).
    public static let eventTTL = SimDuration.hours(1)
    /// Default pod termination grace period, 30 s (`terminationGracePeriodSeconds`, core/v1 PodSpec).
    public static let defaultTerminationGracePeriodSeconds: Int64 = 30

    /// A store with the namespaces every cluster has (`default`, `kube-system`, `kube-public`, `kube-node-lease`).
    public init(random: SimRandom, watchLogCapacity: Int = 50_000) {
        self.random = random
        self.watchLog = WatchLog(capacity: watchLogCapacity)
        for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            var ns = Namespace(metadata: ObjectMeta(name: name))
            ns.status = NamespaceStatus(phase: "Active")
            _ = try? create(ns, now: .zero)
        }
    }

    // MARK: Identity

    /// A random (v4-shaped) UUID from the store's seeded stream.
    mutating func nextUID() -> String {
        let a = random.next(), b = random.next()
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        return "\(hex(hi >> 32, 8))-\(hex((hi >> 16) & 0xFFFF, 4))-\(hex(hi & 0xFFFF, 4))-\(hex(lo >> 48, 4))-\(hex(lo & 0xFFFF_FFFF_FFFF, 12))"
    }

    /// Five characters from upstream's `utilrand.String` alphabet (no vowels, no ambiguous digits).
    mutating func randomSuffix(_ length: Int = 5) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var out = ""
        for _ in 0..<length { out.append(alphabet[Int(random.next(upperBound: UInt64(alphabet.count)))]) }
        return out
    }

    // MARK: Reads

    /// The object `name` in `namespace` ("" for cluster-scoped kinds).
    public func get<T: KubeObject>(_ type: T.Type, _ namespace: String, _ name: String) -> T? {
        self[keyPath: T.table].items[T.kubeKind.isNamespaced ? "\(namespace)/\(name)" : name]
    }

    /// `get` that throws the apiserver's NotFound.
    public func read<T: KubeObject>(_ type: T.Type, _ namespace: String, _ name: String) throws(KubeError) -> T {
        guard let object = get(type, namespace, name) else { throw KubeError.notFound(T.kubeKind, name) }
        return object
    }

    /// Objects of a kind in key order, optionally in one namespace and filtered by selectors.
    public func list<T: KubeObject>(_ type: T.Type, namespace: String? = nil, labelSelector: Selector? = nil,
                                    fieldSelector: FieldSelector? = nil) -> [T] {
        let table = self[keyPath: T.table]
        var keys = table.items.keys.sorted()
        if let namespace, T.kubeKind.isNamespaced {
            let prefix = namespace + "/"
            keys = keys.filter { $0.hasPrefix(prefix) }
        }
        var out: [T] = []
        out.reserveCapacity(keys.count)
        for key in keys {
            guard let object = table.items[key] else { continue }
            if let labelSelector, !labelSelector.matches(object.metadata.labelsOrEmpty) { continue }
            if let fieldSelector, !fieldSelector.matches(object.erased) { continue }
            out.append(object)
        }
        return out
    }

    /// Keys of the pods bound to `node`, sorted.
    public func podKeys(onNode node: String) -> [String] { (podKeysByNode[node] ?? []).sorted() }
    /// Pods bound to `node`, in key order.
    public func pods(onNode node: String) -> [Pod] { podKeys(onNode: node).compactMap { pods.items[$0] } }

    /// Objects whose ownerReferences name `uid`, sorted.
    public func dependents(ofOwnerUID uid: String) -> [ObjectRef] { (dependentsByOwner[uid] ?? []).sorted() }

    /// True when an object with this uid exists.
    public func exists(uid: String) -> Bool { uidIndex[uid] != nil }

    /// Watch events after `resourceVersion` (exclusive), optionally for one kind.
    /// Throws `Expired` (410) when the log no longer reaches back that far, as a
    /// compacted etcd / watch cache does ("too old resource version").
    public func watchEvents(since resourceVersion: Int64, kind: KubeKind? = nil) throws(KubeError) -> [WatchEvent] {
        try watchLog.events(since: resourceVersion, kind: kind)
    }

    // MARK: Writes

    /// At most this many objects of one kind: a `replicas: 1000000000` grows the
    /// store 500 pods per sync (`burstReplicas`) up to here, not without bound.
    public static let maximumObjectsPerKind = 50_000

    /// Creates an object (POST): validates it, defaults namespace to `default`,
    /// resolves `generateName`, assigns uid, resourceVersion, generation and
    /// creationTimestamp. Throws `Invalid`, `AlreadyExists` or `NotFound` (namespace).
    @discardableResult
    public mutating func create<T: KubeObject>(_ object: T, now: SimInstant) throws(KubeError) -> T {
        var object = object
        let kind = T.kubeKind
        // The simulator's stand-in for etcd's space quota (--quota-backend-bytes, 2 GiB by
        // default): beyond it every write fails with etcd's error, which the apiserver passes on.
        guard self[keyPath: T.table].items.count < Self.maximumObjectsPerKind else {
            throw KubeError(reason: .internalError, message: "etcdserver: mvcc: database space exceeded")
        }
        if kind.isNamespaced {
            if (object.metadata.namespace ?? "").isEmpty { object.metadata.namespace = "default" }
        } else {
            object.metadata.namespace = nil
        }
        if object.metadata.name == nil || object.metadata.name == "", let prefix = object.metadata.generateName, !prefix.isEmpty {
            var candidate = prefix + randomSuffix()
            var attempts = 0
            while get(T.self, object.metadata.namespaceOrEmpty, candidate) != nil && attempts < 16 {
                candidate = prefix + randomSuffix()
                attempts += 1
            }
            object.metadata.name = candidate
        }
        let name = object.metadata.nameOrEmpty
        var errors: [FieldError] = []
        if name.isEmpty {
            errors.append(.required("metadata.name", "name or generateName is required"))
        } else {
            errors += Validation.nameErrors(name, kind: kind)
        }
        if let ns = object.metadata.namespace, !Validation.isDNS1123Label(ns) {
            errors.append(.invalidString("metadata.namespace", ns, Validation.dns1123LabelMessage))
        }
        errors += Validation.labelErrors(object.metadata.labels, field: "metadata.labels")
        errors += object.validate()
        if !errors.isEmpty { throw KubeError.invalid(kind, name, errors) }
        let namespace = object.metadata.namespaceOrEmpty
        if kind.isNamespaced {
            guard let ns = namespaces.items[namespace] else { throw KubeError.notFound(.namespace, namespace) }
            if ns.metadata.deletionTimestamp != nil {
                throw KubeError(reason: .forbidden,
                                message: "\(kind.resource) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                                kind: kind, name: name)
            }
        }
        if get(T.self, namespace, name) != nil { throw KubeError.alreadyExists(kind, name) }
        object.metadata.uid = nextUID()
        object.metadata.creationTimestamp = KubeTime(now)
        object.metadata.generation = 1
        if var service = object as? Service {
            allocateClusterIP(&service)
            try allocateNodePorts(&service, keeping: nil)
            service.status = nil
            object = (service as? T) ?? object
        }
        object.metadata.deletionTimestamp = nil
        object.metadata.deletionGracePeriodSeconds = nil
        if object.metadata.finalizers?.isEmpty == true { object.metadata.finalizers = nil }
        return put(object, type: .added)
    }

    /// The ClusterIP allocator: services of type ClusterIP, NodePort or LoadBalancer without
    /// one get the next address of the default service CIDR 10.96.0.0/12 (10.96.0.1 is the
    /// `kubernetes` Service's on a real cluster, so allocation starts at .10); `None` stays headless.
    mutating func allocateClusterIP(_ service: inout Service) {
        guard service.spec?.type != "ExternalName", (service.spec?.clusterIP ?? "").isEmpty else { return }
        serviceIPCounter += 1
        let offset = serviceIPCounter + 9
        let ip = "10.\(96 + (offset >> 16) % 16).\((offset >> 8) & 255).\(offset & 255)"
        service.spec?.clusterIP = ip
        service.spec?.clusterIPs = [ip]
    }

    /// Stores an object generated by the control plane itself (Events), skipping validation
    /// and admission; the caller guarantees a valid, unused name.
    @discardableResult
    mutating func createInternal<T: KubeObject>(_ object: T, now: SimInstant) -> T {
        var object = object
        object.metadata.uid = nextUID()
        object.metadata.creationTimestamp = KubeTime(now)
        object.metadata.generation = 1
        return put(object, type: .added)
    }

    /// Replaces an object (PUT). A non-empty `metadata.resourceVersion` must match
    /// the stored one (else `Conflict`); uid and creationTimestamp are kept;
    /// `generation` bumps when the spec changed. Removing the last finalizer of
    /// a terminating object removes it.
    @discardableResult
    public mutating func update<T: KubeObject>(_ object: T, now: SimInstant) throws(KubeError) -> T {
        var object = object
        let kind = T.kubeKind
        if kind.isNamespaced, (object.metadata.namespace ?? "").isEmpty { object.metadata.namespace = "default" }
        let name = object.metadata.nameOrEmpty
        guard let existing = get(T.self, object.metadata.namespaceOrEmpty, name) else { throw KubeError.notFound(kind, name) }
        if let rv = object.metadata.resourceVersion, !rv.isEmpty, rv != existing.metadata.resourceVersion {
            throw KubeError.conflict(kind, name)
        }
        var errors = Validation.labelErrors(object.metadata.labels, field: "metadata.labels")
        errors += object.validate()
        if !errors.isEmpty { throw KubeError.invalid(kind, name, errors) }
        if existing.metadata.deletionTimestamp != nil {
            // New finalizers may not be added to a terminating object.
            let old = Set(existing.metadata.finalizers ?? [])
            if !(Set(object.metadata.finalizers ?? []).isSubset(of: old)) {
                throw KubeError.invalid(kind, name, [.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted")])
            }
        }
        // A Service keeps its ClusterIP: an update that leaves it out keeps the allocated one; one that changes it is refused.
        if var service = object as? Service, let allocated = (existing as? Service)?.spec?.clusterIP, !allocated.isEmpty {
            let given = service.spec?.clusterIP ?? ""
            if given.isEmpty {
                service.spec?.clusterIP = allocated
                service.spec?.clusterIPs = (existing as? Service)?.spec?.clusterIPs
                object = (service as? T) ?? object
            } else if given != allocated {
                throw KubeError.invalid(kind, name, [.invalidString("spec.clusterIPs[0]", given, "may not change once set")])
            }
            try allocateNodePorts(&service, keeping: existing as? Service)
            // Status is the controllers' (the status subresource): a spec update keeps it.
            service.status = (existing as? Service)?.status
            object = (service as? T) ?? object
        }
        return replace(object, existing: existing)
    }

    /// Writes `object` over `existing` keeping server-owned metadata. Internal (controllers, kubelets): no validation.
    @discardableResult
    mutating func replace<T: KubeObject>(_ object: T, existing: T, knownChanged: Bool = false) -> T {
        var object = object
        object.metadata.uid = existing.metadata.uid
        object.metadata.creationTimestamp = existing.metadata.creationTimestamp
        object.metadata.deletionTimestamp = existing.metadata.deletionTimestamp ?? object.metadata.deletionTimestamp
        if object.metadata.deletionGracePeriodSeconds == nil { object.metadata.deletionGracePeriodSeconds = existing.metadata.deletionGracePeriodSeconds }
        let generation = existing.metadata.generation ?? 1
        object.metadata.generation = object.hasSameSpec(as: existing) ? generation : generation + 1
        if object.metadata.finalizers?.isEmpty == true { object.metadata.finalizers = nil }
        object.metadata.resourceVersion = existing.metadata.resourceVersion
        if !knownChanged && object == existing { return existing }
        if object.metadata.deletionTimestamp != nil, (object.metadata.finalizers ?? []).isEmpty,
           (object.metadata.deletionGracePeriodSeconds ?? 0) == 0 {
            remove(T.self, object.metadata.namespaceOrEmpty, object.metadata.nameOrEmpty)
            return object
        }
        return put(object, type: .modified)
    }

    /// Applies `body` to the stored object (a controller or kubelet write). Does
    /// nothing when the object is missing or `body` changes nothing.
    @discardableResult
    mutating func modify<T: KubeObject>(_ type: T.Type, _ namespace: String, _ name: String, _ body: (inout T) -> Void) -> T? {
        guard let existing = get(type, namespace, name) else { return nil }
        var copy = existing
        body(&copy)
        if copy == existing { return existing }
        return replace(copy, existing: existing, knownChanged: true)
    }

    /// Stores `object` with a fresh resourceVersion, updates indexes, logs the event.
    private mutating func put<T: KubeObject>(_ object: T, type: WatchEventType) -> T {
        var object = object
        resourceVersion += 1
        object.metadata.resourceVersion = String(resourceVersion)
        let key = object.ref.key
        let old = self[keyPath: T.table].items.updateValue(object, forKey: key)
        reindex(old: old.map { $0.metadata }, new: object.metadata, ref: object.ref)
        if T.kubeKind == .pod { reindexPod(old: old as? Pod, new: object as? Pod, key: key) }
        watchLog.append(WatchEvent(type: type, resourceVersion: resourceVersion, object: object.erased))
        pendingChanges.append(object.ref)
        return object
    }

    /// Removes an object for good (DELETED), queuing its dependents for garbage collection.
    @discardableResult
    mutating func remove<T: KubeObject>(_ type: T.Type, _ namespace: String, _ name: String) -> T? {
        let key = T.kubeKind.isNamespaced ? "\(namespace)/\(name)" : name
        guard var old = self[keyPath: T.table].items.removeValue(forKey: key) else { return nil }
        resourceVersion += 1
        reindex(old: old.metadata, new: nil, ref: old.ref)
        if T.kubeKind == .pod { reindexPod(old: old as? Pod, new: nil, key: key) }
        old.metadata.resourceVersion = String(resourceVersion)
        watchLog.append(WatchEvent(type: .deleted, resourceVersion: resourceVersion, object: old.erased))
        pendingChanges.append(old.ref)
        if let uid = old.metadata.uid, dependentsByOwner[uid] != nil { orphanedOwnerUIDs.append(uid) }
        if let owner = old.metadata.controllerRef { removedControllerRefs[old.ref] = owner }
        return old
    }

    private mutating func reindex(old: ObjectMeta?, new: ObjectMeta?, ref: ObjectRef) {
        if old?.uid != new?.uid {
            if let uid = old?.uid { uidIndex[uid] = nil }
            if let uid = new?.uid { uidIndex[uid] = ref }
        }
        let oldOwners = old?.ownerReferences ?? [], newOwners = new?.ownerReferences ?? []
        if oldOwners != newOwners {
            for o in oldOwners { dependentsByOwner[o.uid]?.remove(ref); if dependentsByOwner[o.uid]?.isEmpty == true { dependentsByOwner[o.uid] = nil } }
            for o in newOwners { dependentsByOwner[o.uid, default: []].insert(ref) }
        }
    }

    private mutating func reindexPod(old: Pod?, new: Pod?, key: String) {
        let oldNode = old?.spec.nodeName, newNode = new?.spec.nodeName
        if oldNode == newNode { return }
        if let n = oldNode { podKeysByNode[n]?.remove(key); if podKeysByNode[n]?.isEmpty == true { podKeysByNode[n] = nil } }
        if let n = newNode { podKeysByNode[n, default: []].insert(key) }
    }

    /// Deletes an object (DELETE). Objects with finalizers, and pods bound to a
    /// node with a non-zero grace period, get a `deletionTimestamp` and stay
    /// (Terminating); everything else is removed at once. Returns the object if
    /// it still exists. Orphan propagation strips the owner reference from dependents.
    @discardableResult
    public mutating func delete<T: KubeObject>(_ type: T.Type, _ namespace: String, _ name: String, now: SimInstant,
                                               options: DeleteOptions = DeleteOptions()) throws(KubeError) -> T? {
        let ns = T.kubeKind.isNamespaced ? (namespace.isEmpty ? "default" : namespace) : ""
        guard let existing = get(T.self, ns, name) else { throw KubeError.notFound(T.kubeKind, name) }
        if options.propagationPolicy == .orphan, let uid = existing.metadata.uid {
            for dependent in dependents(ofOwnerUID: uid) { stripOwner(uid, from: dependent) }
        }
        let finalizers = existing.metadata.finalizers ?? []
        if T.kubeKind == .pod, let pod = existing as? Pod {
            let grace = options.gracePeriodSeconds ?? pod.metadata.deletionGracePeriodSeconds
                ?? pod.spec.terminationGracePeriodSeconds ?? Self.defaultTerminationGracePeriodSeconds
            if pod.spec.nodeName != nil && grace > 0 && !pod.isTerminal {
                if pod.metadata.deletionTimestamp != nil { return existing }
                return modify(T.self, ns, name) { p in
                    p.metadata.deletionTimestamp = KubeTime(now + .seconds(grace))
                    p.metadata.deletionGracePeriodSeconds = grace
                }
            }
            if finalizers.isEmpty { remove(T.self, ns, name); return nil }
            return modify(T.self, ns, name) { p in
                if p.metadata.deletionTimestamp == nil { p.metadata.deletionTimestamp = KubeTime(now) }
                p.metadata.deletionGracePeriodSeconds = 0
            }
        }
        if finalizers.isEmpty {
            remove(T.self, ns, name)
            return nil
        }
        return modify(T.self, ns, name) { o in
            if o.metadata.deletionTimestamp == nil { o.metadata.deletionTimestamp = KubeTime(now) }
            o.metadata.deletionGracePeriodSeconds = 0
        }
    }

    /// Deletes by reference (any kind); missing objects are ignored.
    mutating func delete(_ ref: ObjectRef, now: SimInstant, options: DeleteOptions = DeleteOptions()) {
        func go<T: KubeObject>(_ t: T.Type) { _ = try? delete(t, ref.namespace, ref.name, now: now, options: options) }
        go(ref.kind.swiftType)
    }

    /// The object behind `ref`, type-erased.
    public func object(_ ref: ObjectRef) -> AnyKubeObject? {
        var found: AnyKubeObject?
        func go<T: KubeObject>(_ t: T.Type) { found = get(t, ref.namespace, ref.name)?.erased }
        go(ref.kind.swiftType)
        return found
    }

    private mutating func stripOwner(_ uid: String, from ref: ObjectRef) {
        func go<T: KubeObject>(_ t: T.Type) {
            modify(t, ref.namespace, ref.name) { o in
                o.metadata.ownerReferences?.removeAll { $0.uid == uid }
                if o.metadata.ownerReferences?.isEmpty == true { o.metadata.ownerReferences = nil }
            }
        }
        go(ref.kind.swiftType)
    }

    // MARK: Garbage collection

    /// The garbage collector (background cascading deletion): dependents whose
    /// owners are all gone are deleted; references to gone owners are dropped
    /// when another owner remains. Returns true when it deleted something.
    @discardableResult
    mutating func collectGarbage(now: SimInstant) -> Bool {
        var did = false
        var rounds = 0
        while !orphanedOwnerUIDs.isEmpty && rounds < 64 {
            rounds += 1
            let uids = orphanedOwnerUIDs
            orphanedOwnerUIDs.removeAll()
            for uid in uids {
                for dependent in dependents(ofOwnerUID: uid) {
                    guard let object = object(dependent) else { continue }
                    let owners = object.metadata.ownerReferences ?? []
                    if owners.contains(where: { uidIndex[$0.uid] != nil }) {
                        stripOwner(uid, from: dependent)
                    } else if object.metadata.deletionTimestamp == nil {
                        delete(dependent, now: now)
                        did = true
                    }
                }
                if dependentsByOwner[uid] != nil, (dependentsByOwner[uid] ?? []).allSatisfy({ object($0)?.metadata.deletionTimestamp != nil }) {
                    // Terminating dependents keep the reference until they go.
                }
            }
        }
        return did
    }

    // MARK: Namespaces

    /// Deletes a namespace and everything in it (the namespace controller's job, done at once here).
    mutating func deleteNamespaceContents(_ namespace: String, now: SimInstant) {
        for kind in KubeKind.allCases where kind.isNamespaced {
            func go<T: KubeObject>(_ t: T.Type) {
                for object in list(t, namespace: namespace) {
                    _ = try? delete(t, namespace, object.metadata.nameOrEmpty, now: now, options: .force)
                }
            }
            go(kind.swiftType)
        }
    }

    // MARK: Drains

    mutating func drainChanges() -> [ObjectRef] {
        let out = pendingChanges
        pendingChanges.removeAll(keepingCapacity: true)
        return out
    }
}

/// A bounded log of watch events (the apiserver's watch cache / etcd history before compaction).
public struct WatchLog: Sendable {
    public let capacity: Int
    private var buffer: [WatchEvent] = []
    private var head = 0
    /// The resourceVersion of the oldest event still held (0 when none was dropped).
    public private(set) var oldestResourceVersion: Int64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(_ event: WatchEvent) {
        if buffer.count < capacity {
            buffer.append(event)
        } else {
            buffer[head] = event
            head = (head + 1) % capacity
            oldestResourceVersion = buffer[head].resourceVersion
        }
    }

    /// Events held, oldest first.
    public var all: [WatchEvent] { Array(buffer[head...]) + Array(buffer[..<head]) }

    func events(since rv: Int64, kind: KubeKind?) throws(KubeError) -> [WatchEvent] {
        if oldestResourceVersion > 0 && rv < oldestResourceVersion - 1 {
            throw KubeError(reason: .expired, message: "too old resource version: \(rv) (\(oldestResourceVersion - 1))")
        }
        return all.filter { $0.resourceVersion > rv && (kind == nil || $0.object.kind == kind) }
    }
}
