import SimCore

/// Timers of the cluster's event loop.
enum KubeTimer: Hashable, Sendable {
    /// The node lifecycle controller's pass (every `nodeMonitorPeriod`).
    case nodeMonitor
    /// PodGC and Event TTL housekeeping (every `podGCPeriod`).
    case housekeeping
    /// A kubelet finished starting a pod.
    case podStarted(key: String, uid: String)
    /// A kubelet finished stopping a terminating pod.
    case podTerminated(key: String, uid: String)
    /// A Job pod's work is done.
    case podSucceeded(key: String, uid: String)
    /// The taint-eviction controller's timer for a pod on a NoExecute-tainted node.
    case taintEviction(key: String, uid: String)
}

/// A simulated Kubernetes 1.32 cluster: the object store (apiserver), the
/// scheduler, the node lifecycle controller with taint-based eviction, the
/// workload controllers, the garbage collector and simplified kubelets — all
/// driven by one virtual clock.
///
/// Value type, single-threaded by construction. The owner applies objects
/// (`apply`, `create`, `delete`, …) and moves time with
/// ``advance(to:faults:)``, which delivers the cluster's timers in
/// `(instant, sequence)` order and, after each, runs every controller to
/// quiescence. Node health comes from the ``FaultModel``: a node whose fault
/// domain is down stops renewing its Lease.
public struct KubeCluster: Sendable {
    /// The apiserver's objects.
    public internal(set) var store: ObjectStore
    public let config: KubeConfig
    /// The cluster's trace, in order.
    public internal(set) var trace: [ClusterEvent] = []
    /// FNV-1a over every trace line and watch event so far: equal digests ⇔ identical runs.
    public internal(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    var loop = EventLoop<KubeTimer>()
    var scheduler = Scheduler()
    var lifecycle = NodeLifecycle()
    var faults = FaultModel()
    var faultSignature: [FaultID] = []
    var random: SimRandom

    // Work queues (sets; always processed in sorted order).
    var activeQueue: Set<String> = []
    var unschedulablePods: Set<String> = []
    var requeueUnschedulable = false
    var dirtyReplicaSets: Set<String> = []
    var dirtyDeployments: Set<String> = []
    var dirtyStatefulSets: Set<String> = []
    var dirtyDaemonSets: Set<String> = []
    var dirtyJobs: Set<String> = []
    var dirtyServices: Set<String> = []
    var dirtyBudgets: Set<String> = []
    var dirtyClaims: Set<String> = []
    var allDaemonSetsDirty = false

    /// Pods the kubelets know: key → (uid, terminating).
    var kubeletSeen: [String: (uid: String, terminating: Bool)] = [:]
    /// Per node: when each image it pulled is (or will be) there, and when its puller is free.
    var nodeImages: [String: [String: SimInstant]] = [:]
    var imagePullerFree: [String: SimInstant] = [:]
    /// Services and PDBs and the pods they select.
    var memberships = MembershipIndex()
    var podIPCounter: UInt32 = 0
    var removedNodes: [String: SimInstant] = [:]
    var templateHashes: [String: (generation: Int64, hash: String)] = [:]
    /// A light copy of each pod's controller-relevant state (controllers read this, not whole pods).
    var podSummaries: [String: PodSummary] = [:]
    /// Per controller uid: active and ready pods, maintained as summaries change.
    var controllerCounts: [String: (active: Int, ready: Int)] = [:]
    /// Zone label of each node.
    var nodeZones: [String: String] = [:]
    /// InternalIP of each node.
    var nodeIPs: [String: String] = [:]
    /// Correlation key of each stored Event (for expiry).
    var eventCorrelations: [String: String] = [:]
    /// Per Service: the endpoint entry of each member pod, and the members changed since the last sync.
    var endpointCache: [String: EndpointCache] = [:]
    var dirtyServicePods: [String: Set<String>] = [:]
    /// When true, every bind is checked by ``bindViolations(_:node:)`` (slow; for tests).
    var auditBinds = false
    /// Violations found by the bind audit.
    var auditFindings: [String] = []
    /// Where the apiserver and etcd run (empty: a managed control plane that is always there).
    public internal(set) var controlPlaneMembers: [FaultDomain] = []
    /// True while etcd has no quorum: the cluster is frozen (``ControlPlane.swift``).
    public internal(set) var controlPlaneDown = false
    /// Timers that came due while the control plane was down, in order; delivered when it returns.
    var frozenTimers: [KubeTimer] = []

    /// A cluster with no nodes at `SimInstant.zero`. `random` seeds uids,
    /// generated names and lease phases (use a named stream, e.g. `root.stream("kube")`).
    public init(random: SimRandom, config: KubeConfig = KubeConfig()) {
        self.config = config
        self.random = random.stream("cluster")
        var store = ObjectStore(random: random.stream("store"), watchLogCapacity: config.watchLogCapacity)
        store.recordNormalEvents = config.recordNormalEvents
        self.store = store
        _ = self.store.drainChanges()
        loop.schedule(.nodeMonitor, at: .zero + config.nodeMonitorPeriod)
        loop.schedule(.housekeeping, at: .zero + config.podGCPeriod)
    }

    /// The current virtual time.
    public var now: SimInstant { loop.now }

    // MARK: Time

    /// Applies `faults` at the current instant (nodes whose domain went down
    /// stop heartbeating; nodes whose domain came back resume), then delivers
    /// every timer due up to `instant`, running controllers after each.
    /// The clock moves to `instant` first when no timer is due before it (an embedding that wakes the
    /// cluster at each timer's instant never leaves one), so the change happens at `instant`.
    /// Otherwise, to start a fault at `t`, advance to `t` first, then call again with the new model.
    public mutating func advance(to instant: SimInstant, faults: FaultModel) {
        if controlPlaneDown { holdTimers(until: instant) } else { _ = loop.advance(to: instant) }
        setFaults(faults)
        advance(to: instant)
    }

    /// Delivers every timer due up to `instant` under the current fault model.
    public mutating func advance(to instant: SimInstant) {
        if controlPlaneDown { holdTimers(until: instant); return }
        reconcile()
        // Timers due at the same instant are handled together, then controllers run once
        // (as informers batch what happened "at once").
        var pending: (instant: SimInstant, timer: KubeTimer)? = loop.next(until: instant).map { ($0.instant, $0.event) }
        while let (at, timer) = pending {
            handle(timer)
            if let (nextAt, next) = loop.next(until: at) {
                pending = (nextAt, next)
                continue
            }
            reconcile()
            pending = loop.next(until: instant).map { ($0.instant, $0.event) }
        }
    }

    /// Replaces the fault model, updating node heartbeats at the current instant.
    public mutating func setFaults(_ model: FaultModel) {
        let signature = model.active.map(\.id)
        faults = model
        if signature == faultSignature { return }
        faultSignature = signature
        updateHeartbeats()
        updateControlPlane()
        if controlPlaneDown { return }
        reconcile()
    }

    mutating func handle(_ timer: KubeTimer) {
        switch timer {
        case .nodeMonitor:
            monitorNodes()
            loop.schedule(.nodeMonitor, after: config.nodeMonitorPeriod)
        case .housekeeping:
            housekeeping()
            loop.schedule(.housekeeping, after: config.podGCPeriod)
        case let .podStarted(key, uid): kubeletStart(key: key, uid: uid)
        case let .podTerminated(key, uid): kubeletFinishTermination(key: key, uid: uid)
        case let .podSucceeded(key, uid): kubeletSucceed(key: key, uid: uid)
        case let .taintEviction(key, uid): taintEvictionFires(key: key, uid: uid)
        }
    }

    // MARK: Trace

    /// Returns the trace lines emitted since the last call and forgets them
    /// (the running ``digest`` still covers them). For long runs that stream the trace out.
    public mutating func takeTrace() -> [ClusterEvent] {
        let out = trace
        trace.removeAll(keepingCapacity: true)
        return out
    }

    mutating func emit(_ reason: String, _ object: String, _ message: String) {
        let event = ClusterEvent(at: now, reason: reason, object: object, message: message)
        trace.append(event)
        mix(now.nanosecondsSinceStart)
        mix(reason)
        mix(object)
        mix(message)
    }

    mutating func mix(_ text: String) {
        var d = digest
        for byte in text.utf8 {
            d ^= UInt64(byte)
            d &*= 0x0000_0100_0000_01B3
        }
        d ^= 0x0A
        d &*= 0x0000_0100_0000_01B3
        digest = d
    }

    mutating func mix(_ value: Int64) {
        var d = digest
        var v = UInt64(bitPattern: value)
        for _ in 0..<8 {
            d ^= v & 0xFF
            d &*= 0x0000_0100_0000_01B3
            v >>= 8
        }
        digest = d
    }

    /// Records a Kubernetes Event (deduplicated like the event correlator: same object, reason and
    /// message → `count` + 1 and a new `lastTimestamp`) and a trace line.
    mutating func recordEvent(kind: KubeKind, namespace: String, name: String, uid: String?, type: String, reason: String,
                              message: String, component: String) {
        emit(reason, "\(kind.rawValue) \(namespace.isEmpty ? "" : namespace + "/")\(name)", message)
        if type == "Normal" && !store.recordNormalEvents { return }
        let eventNamespace = kind.isNamespaced ? namespace : "default"
        let correlation = "\(kind.rawValue)/\(eventNamespace)/\(name)/\(uid ?? "")/\(reason)/\(message)"
        if let key = store.eventKeysByCorrelation[correlation], let existing = store.events[key] {
            let count = (existing.count ?? 1) + 1
            let t = KubeTime(now)
            store.modify(KubeEvent.self, existing.metadata.namespaceOrEmpty, existing.metadata.nameOrEmpty) { e in
                e.count = count
                e.lastTimestamp = t
            }
            store.eventExpiry.append((now + ObjectStore.eventTTL, key))
            return
        }
        store.eventCounter += 1
        let suffix = String(UInt64(bitPattern: now.nanosecondsSinceStart) &+ store.eventCounter, radix: 16)
        var event = KubeEvent(metadata: ObjectMeta(name: "\(name).\(suffix)", namespace: eventNamespace),
                              involvedObject: ObjectReference(kind: kind.rawValue, namespace: kind.isNamespaced ? namespace : nil,
                                                              name: name, uid: uid, apiVersion: kind.apiVersion))
        event.reason = reason
        event.message = message
        event.type = type
        event.source = EventSource(component: component, host: nil)
        event.reportingComponent = component
        event.firstTimestamp = KubeTime(now)
        event.lastTimestamp = KubeTime(now)
        event.count = 1
        if store.get(KubeEvent.self, eventNamespace, event.metadata.nameOrEmpty) == nil {
            let created = store.createInternal(event, now: now)
            let key = created.ref.key
            store.eventKeysByCorrelation[correlation] = key
            eventCorrelations[key] = correlation
            store.eventExpiry.append((now + ObjectStore.eventTTL, key))
        }
    }

    mutating func housekeeping() {
        // Event TTL.
        while store.eventExpiryHead < store.eventExpiry.count, store.eventExpiry[store.eventExpiryHead].at <= now {
            let key = store.eventExpiry[store.eventExpiryHead].key
            store.eventExpiryHead += 1
            guard let event = store.events[key], let last = event.lastTimestamp, last.instant + ObjectStore.eventTTL <= now else { continue }
            store.remove(KubeEvent.self, event.metadata.namespaceOrEmpty, event.metadata.nameOrEmpty)
            if let correlation = eventCorrelations.removeValue(forKey: key) { store.eventKeysByCorrelation[correlation] = nil }
        }
        if store.eventExpiryHead > 10_000 {
            store.eventExpiry.removeFirst(store.eventExpiryHead)
            store.eventExpiryHead = 0
        }
        // PodGC: pods bound to nodes gone for longer than the quarantine are force-deleted.
        for (node, since) in removedNodes.sorted(by: { $0.key < $1.key }) {
            guard now - since >= config.podGCQuarantine else { continue }
            removedNodes[node] = nil
            guard store.nodes[node] == nil else { continue }
            for key in store.podKeys(onNode: node) {
                guard let pod = store.pods[key] else { continue }
                emit("PodGCDeleted", "Pod \(key)", "node \(node) no longer exists")
                _ = try? store.delete(Pod.self, pod.metadata.namespaceOrEmpty, pod.metadata.nameOrEmpty, now: now, options: .force)
            }
        }
    }
}
