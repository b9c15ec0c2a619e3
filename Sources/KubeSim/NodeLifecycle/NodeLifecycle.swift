import SimCore

/// Zone health as the node lifecycle controller classifies it (`ComputeZoneState`).
public enum ZoneState: String, Hashable, Sendable {
    case normal = "Normal", partialDisruption = "PartialDisruption", fullDisruption = "FullDisruption"
}

/// Per-node heartbeat and health bookkeeping.
struct NodeHealth: Sendable {
    var domain: FaultDomain
    var zoneKey: String
    /// The kubelet can reach the control plane and renews its Lease.
    var heartbeating: Bool = true
    /// Offset of this node's renewals within the renew interval (seeded).
    var phase: SimDuration
    /// The last renewal before the heartbeat stopped.
    var frozenRenew: SimInstant
    /// When the heartbeat last resumed (renewals before it don't count).
    var resumedAt: SimInstant
    /// The controller's `probeTimestamp`: when it last saw the Lease renewed.
    var probeTimestamp: SimInstant
    var lastSeenRenew: SimInstant
    /// Mirror of the Ready condition being True.
    var ready: Bool = true
    /// Carries the NoExecute unreachable taint.
    var noExecuteTainted: Bool = false
}

/// Per-zone rate-limited queue that adds NoExecute taints (`zoneNoExecuteTainter`).
struct ZoneTainter: Sendable {
    var queue: [String] = []
    var queued: Set<String> = []
    var nextAllowed: SimInstant = .zero
    var interval: SimDuration?
    var state: ZoneState = .normal
}

/// The node lifecycle controller's state (pkg/controller/nodelifecycle).
struct NodeLifecycle: Sendable {
    var health: [String: NodeHealth] = [:]
    /// Nodes that stopped heartbeating and are still Ready.
    var suspects: Set<String> = []
    /// Nodes heartbeating again whose Ready is not True yet.
    var recovering: Set<String> = []
    var zoneTotals: [String: Int] = [:]
    var zoneNotReady: [String: Int] = [:]
    var tainters: [String: ZoneTainter] = [:]
    var allZonesFullyDisrupted = false
}

extension KubeCluster {
    // MARK: Nodes from outside

    /// Registers a node (kubelet registration): labels `kubernetes.io/hostname`,
    /// `topology.kubernetes.io/zone` and `/region` are added; capacity is also
    /// allocatable. `faultDomain` is what the fault model is asked about
    /// (default: the host `name` if registered, else the AZ `zone`).
    @discardableResult
    public mutating func addNode(name: String, zone: String, region: String = "", cpu: Quantity = Quantity(milli: 4000),
                                 memory: Quantity = Quantity(value: 16 << 30), pods: Int64 = 110,
                                 labels: [String: String] = [:], taints: [Taint] = [],
                                 faultDomain: FaultDomain? = nil) throws(KubeError) -> Node {
        var allLabels = labels
        // A new node has no images yet.
        nodeImages[name] = nil
        imagePullerFree[name] = nil
        allLabels[WellKnown.hostnameLabel] = name
        allLabels[WellKnown.zoneLabel] = zone
        if !region.isEmpty { allLabels[WellKnown.regionLabel] = region }
        let capacity: [String: Quantity] = ["cpu": cpu, "memory": memory, "pods": Quantity(value: pods)]
        podIPCounter &+= 0
        let addressIndex = store.nodes.count + removedNodes.count + 1
        let conditions = [
            NodeCondition(type: "MemoryPressure", status: "False", lastHeartbeatTime: KubeTime(now), lastTransitionTime: KubeTime(now),
                          reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available"),
            NodeCondition(type: "DiskPressure", status: "False", lastHeartbeatTime: KubeTime(now), lastTransitionTime: KubeTime(now),
                          reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure"),
            NodeCondition(type: "PIDPressure", status: "False", lastHeartbeatTime: KubeTime(now), lastTransitionTime: KubeTime(now),
                          reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available"),
            NodeCondition(type: "Ready", status: "True", lastHeartbeatTime: KubeTime(now), lastTransitionTime: KubeTime(now),
                          reason: "KubeletReady", message: "kubelet is posting ready status"),
        ]
        var info = NodeSystemInfo()
        info.kubeletVersion = "v1.32.0"
        info.containerRuntimeVersion = "containerd://1.7.22"
        info.osImage = "Amazon Linux 2023"
        info.operatingSystem = "linux"
        info.architecture = "amd64"
        let node = Node(metadata: ObjectMeta(name: name, labels: allLabels),
                        spec: NodeSpec(taints: taints.isEmpty ? nil : taints, providerID: "aws:///\(zone)/\(name)"),
                        status: NodeStatus(capacity: capacity, allocatable: capacity, conditions: conditions,
                                           addresses: [NodeAddress(type: "InternalIP", address: "10.\(100 + (addressIndex >> 16) % 100).\((addressIndex >> 8) & 255).\(addressIndex & 255)"),
                                                       NodeAddress(type: "Hostname", address: name)],
                                           nodeInfo: info))
        let created = try store.create(node, now: now)
        let domain: FaultDomain = faultDomain ?? (faults.contains(.host(name)) ? .host(name) : .availabilityZone(zone))
        var phaseStream = random.stream("lease." + name)
        let phase = phaseStream.duration(in: .zero...(config.leaseRenewInterval - .nanoseconds(1)))
        let zoneKey = region + ":\u{0}:" + zone
        let up = isHeartbeating(domain)
        lifecycle.health[name] = NodeHealth(domain: domain, zoneKey: zoneKey, heartbeating: up, phase: phase, frozenRenew: now,
                                            resumedAt: now, probeTimestamp: now, lastSeenRenew: now)
        lifecycle.zoneTotals[zoneKey, default: 0] += 1
        if !up { lifecycle.suspects.insert(name) }
        removedNodes[name] = nil
        var lease = Lease(metadata: ObjectMeta(name: name, namespace: WellKnown.nodeLeaseNamespace,
                                               ownerReferences: [OwnerReference(apiVersion: "v1", kind: "Node", name: name,
                                                                                uid: created.metadata.uid ?? "", controller: nil, blockOwnerDeletion: nil)]),
                          spec: LeaseSpec())
        lease.spec?.holderIdentity = name
        lease.spec?.leaseDurationSeconds = Int32(config.leaseDuration.nanoseconds / 1_000_000_000)
        lease.spec?.renewTime = KubeTime(now)
        _ = try? store.create(lease, now: now)
        emit("NodeAdded", "Node \(name)", "zone \(zone)")
        reconcile()
        return created
    }

    /// Deletes a Node object (instance terminated, or `kubectl delete node`).
    /// Its pods are force-deleted by PodGC after the quarantine; StatefulSet
    /// pods stuck Terminating on it are then released.
    public mutating func removeNode(name: String) throws(KubeError) {
        guard store.nodes[name] != nil else { throw KubeError.notFound(.node, name) }
        try store.delete(Node.self, "", name, now: now, options: .force)
        lifecycleForget(name)
        removedNodes[name] = now
        emit("NodeRemoved", "Node \(name)", "")
        reconcile()
    }

    /// The Lease of `node` as the apiserver would serve it now (renewals are
    /// computed rather than written every 10 s; see docs/fidelity.md).
    public func lease(ofNode node: String) -> Lease? {
        guard var lease = store.get(Lease.self, WellKnown.nodeLeaseNamespace, node), let h = lifecycle.health[node] else { return nil }
        lease.spec?.renewTime = KubeTime(lastRenew(h))
        return lease
    }

    func isHeartbeating(_ domain: FaultDomain) -> Bool { faults.isUp(domain) }

    /// The last Lease renewal of a node at `now`.
    func lastRenew(_ h: NodeHealth) -> SimInstant {
        guard h.heartbeating else { return h.frozenRenew }
        let interval = config.leaseRenewInterval.nanoseconds
        let sinceStart = now.nanosecondsSinceStart - h.phase.nanoseconds
        guard sinceStart >= 0 else { return h.frozenRenew }
        let tick = SimInstant(nanosecondsSinceStart: h.phase.nanoseconds + floorDiv(sinceStart, interval) * interval)
        return tick >= h.resumedAt ? tick : h.frozenRenew
    }

    /// The first node-monitor pass at or after `instant` (passes run at k × `nodeMonitorPeriod`).
    func firstPass(atOrAfter instant: SimInstant) -> SimInstant {
        let period = config.nodeMonitorPeriod.nanoseconds
        let ns = instant.nanosecondsSinceStart
        return SimInstant(nanosecondsSinceStart: max(period, (ns + period - 1) / period * period))
    }

    /// Re-evaluates which nodes heartbeat after a fault model change.
    mutating func updateHeartbeats() {
        for name in lifecycle.health.keys.sorted() {
            guard var h = lifecycle.health[name] else { continue }
            let up = isHeartbeating(h.domain)
            if up == h.heartbeating { continue }
            if up {
                h.heartbeating = true
                h.resumedAt = now
                lifecycle.suspects.remove(name)
                if !h.ready { lifecycle.recovering.insert(name) }
                emit("KubeletHeartbeatResumed", "Node \(name)", "")
            } else {
                h.frozenRenew = lastRenew(h)
                h.heartbeating = false
                // The controller saw that last renewal at the first monitor pass at or after it
                // (passes run at multiples of the monitor period): that is its probeTimestamp.
                h.lastSeenRenew = h.frozenRenew
                h.probeTimestamp = firstPass(atOrAfter: h.frozenRenew)
                lifecycle.recovering.remove(name)
                if h.ready { lifecycle.suspects.insert(name) }
                emit("KubeletHeartbeatStopped", "Node \(name)", "last renew \(h.frozenRenew)")
            }
            lifecycle.health[name] = h
        }
    }

    // MARK: The monitor pass

    /// One `monitorNodeHealth` pass: lease observation, Ready=Unknown after the
    /// grace period, recovery, zone states and the rate-limited NoExecute tainter.
    mutating func monitorNodes() {
        // Observe leases (probeTimestamp moves when a newer renewTime is seen).
        for name in lifecycle.suspects.union(lifecycle.recovering).sorted() {
            guard var h = lifecycle.health[name] else { continue }
            let renew = lastRenew(h)
            if renew > h.lastSeenRenew { h.lastSeenRenew = renew; h.probeTimestamp = now }
            lifecycle.health[name] = h
        }
        for name in lifecycle.suspects.sorted() {
            guard let h = lifecycle.health[name], !h.heartbeating, h.ready else { lifecycle.suspects.remove(name); continue }
            // `nc.now().After(probeTimestamp + gracePeriod)`.
            if now > h.probeTimestamp + config.nodeMonitorGracePeriod {
                lifecycle.suspects.remove(name)
                markNodeUnknown(name)
            }
        }
        for name in lifecycle.recovering.sorted() {
            guard let h = lifecycle.health[name], h.heartbeating else { lifecycle.recovering.remove(name); continue }
            if h.ready { lifecycle.recovering.remove(name); continue }
            if lastRenew(h) >= h.resumedAt {
                lifecycle.recovering.remove(name)
                markNodeReady(name)
            }
        }
        // Keep every lease-tracked node observed (cheap: only the probe of heartbeating nodes moves).
        handleDisruption()
        runTainters()
    }

    mutating func setNodeConditions(_ name: String, status: String, reason: String, message: String) {
        let t = KubeTime(now)
        store.modify(Node.self, "", name) { node in
            var conditions = node.status?.conditions ?? []
            for i in conditions.indices {
                let type = conditions[i].type
                let target = type == "Ready" ? status : (status == "True" ? "False" : status)
                if conditions[i].status != target { conditions[i].lastTransitionTime = t }
                conditions[i].status = target
                conditions[i].lastHeartbeatTime = t
                if status == "Unknown" {
                    conditions[i].reason = "NodeStatusUnknown"
                    conditions[i].message = "Kubelet stopped posting node status."
                } else if type == "Ready" {
                    conditions[i].reason = reason
                    conditions[i].message = message
                }
            }
            node.status?.conditions = conditions
        }
    }

    mutating func addTaint(_ node: String, _ taint: Taint) {
        let updated = store.modify(Node.self, "", node) { n in
            var taints = n.spec?.taints ?? []
            guard !taints.contains(where: { $0.matches(taint) }) else { return }
            taints.append(taint)
            if n.spec == nil { n.spec = NodeSpec() }
            n.spec?.taints = taints
        }
        // The scheduler cache sees taints at once (the taint-eviction controller reads them from there).
        if let updated { scheduler.cache.upsertNode(updated) }
    }

    mutating func removeTaints(_ node: String, where predicate: (Taint) -> Bool) {
        let updated = store.modify(Node.self, "", node) { n in
            guard var taints = n.spec?.taints else { return }
            taints.removeAll(where: predicate)
            n.spec?.taints = taints.isEmpty ? nil : taints
        }
        if let updated { scheduler.cache.upsertNode(updated) }
    }

    /// Ready → Unknown: conditions, `unreachable:NoSchedule` (not rate-limited), pods NotReady, tainter queue.
    mutating func markNodeUnknown(_ name: String) {
        guard var h = lifecycle.health[name], h.ready else { return }
        h.ready = false
        lifecycle.health[name] = h
        lifecycle.zoneNotReady[h.zoneKey, default: 0] += 1
        setNodeConditions(name, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.")
        addTaint(name, Taint(key: WellKnown.taintUnreachable, effect: "NoSchedule", timeAdded: KubeTime(now)))
        recordEvent(kind: .node, namespace: "", name: name, uid: store.nodes[name]?.metadata.uid, type: "Normal", reason: "NodeNotReady",
                    message: "Node \(name) status is now: NodeNotReady", component: "node-controller")
        // MarkPodsNotReady.
        for key in store.podKeys(onNode: name) { setPodReady(key, false, reason: nil) }
        enqueueForTainting(name)
    }

    mutating func enqueueForTainting(_ name: String) {
        guard let h = lifecycle.health[name], !h.noExecuteTainted else { return }
        var tainter = lifecycle.tainters[h.zoneKey] ?? ZoneTainter()
        if tainter.queued.insert(name).inserted { tainter.queue.append(name) }
        lifecycle.tainters[h.zoneKey] = tainter
    }

    /// Unknown → Ready: conditions, taints removed, kubelet resyncs its pods.
    mutating func markNodeReady(_ name: String) {
        guard var h = lifecycle.health[name], !h.ready else { return }
        h.ready = true
        h.noExecuteTainted = false
        lifecycle.health[name] = h
        lifecycle.zoneNotReady[h.zoneKey, default: 1] -= 1
        lifecycle.tainters[h.zoneKey]?.queue.removeAll { $0 == name }
        lifecycle.tainters[h.zoneKey]?.queued.remove(name)
        setNodeConditions(name, status: "True", reason: "KubeletReady", message: "kubelet is posting ready status")
        removeTaints(name) { $0.key == WellKnown.taintUnreachable || $0.key == WellKnown.taintNotReady }
        recordEvent(kind: .node, namespace: "", name: name, uid: store.nodes[name]?.metadata.uid, type: "Normal", reason: "NodeReady",
                    message: "Node \(name) status is now: NodeReady", component: "kubelet")
        kubeletResync(node: name)
    }

    /// `handleDisruption`: zone states, limiter rates, and the all-zones-down mode.
    mutating func handleDisruption() {
        var states: [String: ZoneState] = [:]
        for zone in lifecycle.zoneTotals.keys.sorted() {
            let total = lifecycle.zoneTotals[zone] ?? 0
            guard total > 0 else { continue }
            let notReady = lifecycle.zoneNotReady[zone] ?? 0
            let ready = total - notReady
            if ready == 0 && notReady > 0 {
                states[zone] = .fullDisruption
            } else if notReady > 2 && notReady * 1000 >= total * config.unhealthyZoneThresholdPerMille {
                states[zone] = .partialDisruption
            } else {
                states[zone] = .normal
            }
        }
        let allFull = !states.isEmpty && states.values.allSatisfy { $0 == .fullDisruption }
        if allFull && !lifecycle.allZonesFullyDisrupted {
            lifecycle.allZonesFullyDisrupted = true
            emit("MasterDisruptionMode", "Cluster", "all zones fully disrupted: evictions stopped, NoExecute taints removed")
            for name in lifecycle.health.keys.sorted() {
                // markNodeAsReachable: the NoExecute taints go.
                if lifecycle.health[name]?.noExecuteTainted == true {
                    lifecycle.health[name]?.noExecuteTainted = false
                    removeTaints(name) { ($0.key == WellKnown.taintUnreachable || $0.key == WellKnown.taintNotReady) && $0.effect == "NoExecute" }
                    emit("Untainted", "Node \(name)", "\(WellKnown.taintUnreachable):NoExecute")
                }
            }
        } else if !allFull && lifecycle.allZonesFullyDisrupted {
            lifecycle.allZonesFullyDisrupted = false
            emit("MasterDisruptionModeExited", "Cluster", "")
            for name in lifecycle.health.keys.sorted() where lifecycle.health[name]?.ready == false {
                let instant = now
                lifecycle.health[name]?.probeTimestamp = instant
                enqueueForTainting(name)
            }
        }
        for zone in states.keys.sorted() {
            guard let state = states[zone] else { continue }
            var tainter = lifecycle.tainters[zone] ?? ZoneTainter()
            let interval: SimDuration?
            if lifecycle.allZonesFullyDisrupted {
                interval = nil
            } else {
                switch state {
                case .normal, .fullDisruption: interval = config.nodeEvictionInterval
                case .partialDisruption:
                    interval = (lifecycle.zoneTotals[zone] ?? 0) > config.largeClusterSizeThreshold ? config.secondaryNodeEvictionInterval : nil
                }
            }
            if tainter.state != state {
                emit("ZoneStateChanged", "Zone \(Self.zoneName(fromKey: zone))",
                     "\(tainter.state.rawValue) -> \(state.rawValue)")
                tainter.state = state
            }
            if tainter.interval != interval {
                // SwapLimiter: a fresh token bucket (full, burst 1).
                tainter.interval = interval
                tainter.nextAllowed = now
            }
            lifecycle.tainters[zone] = tainter
        }
    }

    /// `doNoExecuteTaintingPass`: per zone, as tokens allow, the NoExecute taint.
    mutating func runTainters() {
        for zone in lifecycle.tainters.keys.sorted() {
            guard var tainter = lifecycle.tainters[zone] else { continue }
            while let interval = tainter.interval, tainter.nextAllowed <= now, !tainter.queue.isEmpty {
                let name = tainter.queue.removeFirst()
                tainter.queued.remove(name)
                guard let h = lifecycle.health[name], !h.ready, !h.noExecuteTainted else { continue }
                tainter.nextAllowed = now + interval
                lifecycle.health[name]?.noExecuteTainted = true
                lifecycle.tainters[zone] = tainter
                addTaint(name, Taint(key: WellKnown.taintUnreachable, effect: "NoExecute", timeAdded: KubeTime(now)))
                emit("Tainted", "Node \(name)", "\(WellKnown.taintUnreachable):NoExecute")
                for key in store.podKeys(onNode: name) { scheduleTaintEviction(key) }
                tainter = lifecycle.tainters[zone] ?? tainter
            }
            lifecycle.tainters[zone] = tainter
        }
    }

    // MARK: Taint-based eviction

    /// The taint-eviction controller for one pod: delete now if it does not
    /// tolerate the node's NoExecute taints, else after the smallest
    /// `tolerationSeconds` (never when unset).
    mutating func scheduleTaintEviction(_ key: String) {
        guard let pod = store.pods[key], pod.metadata.deletionTimestamp == nil, let nodeName = pod.spec.nodeName,
              let taints = scheduler.cache.nodes[nodeName]?.taints else { return }
        let noExecute = taints.filter { $0.effect == "NoExecute" }
        if noExecute.isEmpty { return }
        let tolerations = pod.spec.tolerations ?? []
        var minSeconds: Int64?
        var forever = true
        for taint in noExecute {
            let matching = tolerations.filter { $0.tolerates(taint) }
            if matching.isEmpty { minSeconds = 0; forever = false; break }
            for t in matching {
                guard let s = t.tolerationSeconds else { continue }
                forever = false
                minSeconds = min(minSeconds ?? .max, max(0, s))
            }
        }
        if forever { return }
        let seconds = minSeconds ?? 0
        let added = noExecute.compactMap { $0.timeAdded?.instant }.max() ?? now
        let uid = pod.metadata.uid ?? ""
        if seconds == 0 {
            taintEvict(key: key, uid: uid)
        } else {
            loop.schedule(.taintEviction(key: key, uid: uid), at: max(now, added + .seconds(seconds)))
        }
    }

    mutating func taintEvictionFires(key: String, uid: String) {
        guard let pod = store.pods[key], pod.metadata.uid == uid, pod.metadata.deletionTimestamp == nil,
              let nodeName = pod.spec.nodeName,
              scheduler.cache.nodes[nodeName]?.taints.contains(where: { $0.effect == "NoExecute" }) == true else { return }
        taintEvict(key: key, uid: uid)
    }

    mutating func taintEvict(key: String, uid: String) {
        guard let pod = store.pods[key] else { return }
        let ns = pod.metadata.namespaceOrEmpty, name = pod.metadata.nameOrEmpty
        recordEvent(kind: .pod, namespace: ns, name: name, uid: uid, type: "Normal", reason: "TaintManagerEviction",
                    message: "Marking for deletion Pod \(ns)/\(name)", component: "taint-eviction-controller")
        _ = try? store.delete(Pod.self, ns, name, now: now)
    }

    // MARK: Queries

    /// The zone part of a `region:\0:zone` key.
    static func zoneName(fromKey key: String) -> String {
        guard let r = key.firstRange(of: ":\u{0}:") else { return key }
        return String(key[r.upperBound...])
    }

    /// The status (`True`, `False`, `Unknown`) of a node condition.
    public func nodeCondition(_ node: String, _ type: String = "Ready") -> String? {
        store.nodes[node]?.status?.conditions?.first { $0.type == type }?.status
    }

    /// The state of each zone (keyed by zone name) as of the last monitor pass.
    public var zoneStates: [String: ZoneState] {
        var out: [String: ZoneState] = [:]
        for (key, t) in lifecycle.tainters {
            out[Self.zoneName(fromKey: key)] = t.state
        }
        return out
    }
}

