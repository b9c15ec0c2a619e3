import Foundation
import SimCore

/// What `drain` did with one pod.
public struct DrainOutcome: Hashable, Sendable {
    public var pod: String
    /// Nil when the pod was evicted (or skipped as a DaemonSet pod: see `skipped`).
    public var error: KubeError?
    public var skipped: Bool
}

extension KubeCluster {
    // MARK: Writes (the API server's verbs)

    /// Creates an object (POST). Pods go through admission (DefaultTolerationSeconds).
    @discardableResult
    public mutating func create<T: KubeObject>(_ object: T) throws(KubeError) -> T {
        try requireAPI()
        var object = object
        if let pod = object as? Pod, let admitted = admit(pod) as? T { object = admitted }
        let created = try store.create(object, now: now)
        reconcile()
        return store.get(T.self, created.metadata.namespaceOrEmpty, created.metadata.nameOrEmpty) ?? created
    }

    /// Create-or-update (what `kubectl apply` achieves): a new object is created; an existing one
    /// gets the given labels, annotations and spec (status and server-owned metadata are kept).
    @discardableResult
    public mutating func apply<T: KubeObject>(_ object: T) throws(KubeError) -> T {
        try requireAPI()
        let ns = T.kubeKind.isNamespaced ? ((object.metadata.namespace ?? "").isEmpty ? "default" : object.metadata.namespaceOrEmpty) : ""
        guard let existing = store.get(T.self, ns, object.metadata.nameOrEmpty) else { return try create(object) }
        var merged = object
        merged.metadata = existing.metadata
        merged.metadata.labels = object.metadata.labels
        merged.metadata.annotations = object.metadata.annotations
        if let pod = merged as? Pod, let old = existing as? Pod {
            var p = pod
            p.status = old.status
            p.spec.nodeName = old.spec.nodeName
            if let back = p as? T { merged = back }
        }
        merged = mergeStatus(merged, from: existing)
        let updated = try store.update(merged, now: now)
        reconcile()
        return store.get(T.self, ns, updated.metadata.nameOrEmpty) ?? updated
    }

    /// Applies a decoded manifest of any kind.
    @discardableResult
    public mutating func apply(_ object: AnyKubeObject) throws(KubeError) -> AnyKubeObject {
        func go<T: KubeObject>(_ o: T) throws(KubeError) -> AnyKubeObject { try apply(o).erased }
        return try go(object.unwrapped)
    }

    /// Applies a JSON manifest (a `kind`-tagged object).
    @discardableResult
    public mutating func apply(json: Data) throws -> AnyKubeObject {
        try apply(try AnyKubeObject.decode(json: json))
    }

    private func mergeStatus<T: KubeObject>(_ object: T, from existing: T) -> T {
        // Status is the controllers'; keep the stored one (status is a subresource upstream).
        switch (object.erased, existing.erased) {
        case (.deployment(var o), .deployment(let e)): o.status = e.status; return (o as? T) ?? object
        case (.replicaSet(var o), .replicaSet(let e)): o.status = e.status; return (o as? T) ?? object
        case (.statefulSet(var o), .statefulSet(let e)): o.status = e.status; return (o as? T) ?? object
        case (.daemonSet(var o), .daemonSet(let e)): o.status = e.status; return (o as? T) ?? object
        case (.job(var o), .job(let e)): o.status = e.status; return (o as? T) ?? object
        case (.node(var o), .node(let e)): o.status = e.status; return (o as? T) ?? object
        case (.podDisruptionBudget(var o), .podDisruptionBudget(let e)): o.status = e.status; return (o as? T) ?? object
        case (.persistentVolumeClaim(var o), .persistentVolumeClaim(let e)):
            o.status = e.status
            if o.spec.volumeName == nil { o.spec.volumeName = e.spec.volumeName }
            return (o as? T) ?? object
        default: return object
        }
    }

    /// Replaces an object (PUT), with optimistic concurrency on `metadata.resourceVersion`.
    @discardableResult
    public mutating func update<T: KubeObject>(_ object: T) throws(KubeError) -> T {
        try requireAPI()
        let updated = try store.update(object, now: now)
        reconcile()
        return updated
    }

    /// Changes an object in place (a patch): `body` edits a copy of the stored object.
    @discardableResult
    public mutating func patch<T: KubeObject>(_ type: T.Type, namespace: String = "default", name: String,
                                              _ body: (inout T) -> Void) throws(KubeError) -> T {
        try requireAPI()
        let ns = T.kubeKind.isNamespaced ? namespace : ""
        var object = try store.read(T.self, ns, name)
        body(&object)
        object.metadata.resourceVersion = nil
        let updated = try store.update(object, now: now)
        reconcile()
        return updated
    }

    /// Deletes an object (DELETE); see ``ObjectStore/delete(_:_:_:now:options:)``.
    public mutating func delete<T: KubeObject>(_ type: T.Type, namespace: String = "default", name: String,
                                               options: DeleteOptions = DeleteOptions()) throws(KubeError) {
        try requireAPI()
        try store.delete(T.self, T.kubeKind.isNamespaced ? namespace : "", name, now: now, options: options)
        if T.kubeKind == .node { lifecycleForget(name) }
        reconcile()
    }

    mutating func lifecycleForget(_ name: String) {
        guard store.nodes[name] == nil, let h = lifecycle.health.removeValue(forKey: name) else { return }
        lifecycle.zoneTotals[h.zoneKey, default: 1] -= 1
        if !h.ready { lifecycle.zoneNotReady[h.zoneKey, default: 1] -= 1 }
        lifecycle.tainters[h.zoneKey]?.queue.removeAll { $0 == name }
        lifecycle.tainters[h.zoneKey]?.queued.remove(name)
        lifecycle.suspects.remove(name)
        lifecycle.recovering.remove(name)
        removedNodes[name] = now
    }

    // MARK: Eviction, cordon, drain

    /// The Eviction API (`POST pods/<name>/eviction`): refuses with 429
    /// TooManyRequests when the pod's PodDisruptionBudget allows no disruption
    /// (unhealthy pods may go while the budget is met: `IfHealthyBudget`).
    public mutating func evict(namespace: String = "default", name: String) throws(KubeError) {
        try requireAPI()
        let key = "\(namespace)/\(name)"
        guard let pod = store.pods[key] else { throw KubeError.notFound(.pod, name) }
        if pod.metadata.deletionTimestamp != nil { return }
        if !pod.isTerminal {
            let budgets = memberships.watchers(namespace: namespace, kind: .podDisruptionBudget, matching: pod.metadata.labelsOrEmpty)
            if budgets.count > 1 {
                throw KubeError(reason: .internalError,
                                message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
            }
            if let ref = budgets.first, let pdb = store.podDisruptionBudgets[ref.key] {
                let status = budgetStatus(pdb)
                let alwaysAllow = pdb.spec.unhealthyPodEvictionPolicy == "AlwaysAllow"
                let unhealthyMayGo = !pod.isReady && (alwaysAllow || status.currentHealthy >= status.desiredHealthy)
                if !unhealthyMayGo {
                    if status.disruptionsAllowed <= 0 {
                        throw KubeError(reason: .tooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget.",
                                        causes: [StatusCause(reason: "DisruptionBudget",
                                                             message: "The disruption budget \(pdb.metadata.nameOrEmpty) needs \(status.desiredHealthy) healthy pods and has \(status.currentHealthy) currently",
                                                             field: nil)],
                                        kind: .pod, name: name)
                    }
                    store.modify(PodDisruptionBudget.self, namespace, pdb.metadata.nameOrEmpty) { p in
                        var s = p.status ?? status
                        s.disruptionsAllowed = max(0, status.disruptionsAllowed - 1)
                        p.status = s
                    }
                }
            }
        }
        recordEvent(kind: .pod, namespace: namespace, name: name, uid: pod.metadata.uid, type: "Normal", reason: "Evicted",
                    message: "Eviction API: evicting", component: "eviction")
        try store.delete(Pod.self, namespace, name, now: now)
        reconcile()
    }

    /// `kubectl cordon` / `uncordon`: `spec.unschedulable` plus the
    /// `node.kubernetes.io/unschedulable:NoSchedule` taint (TaintNodesByCondition).
    public mutating func cordon(_ node: String, _ unschedulable: Bool = true) throws(KubeError) {
        try requireAPI()
        guard store.nodes[node] != nil else { throw KubeError.notFound(.node, node) }
        store.modify(Node.self, "", node) { n in
            if n.spec == nil { n.spec = NodeSpec() }
            n.spec?.unschedulable = unschedulable ? true : nil
        }
        if unschedulable {
            addTaint(node, Taint(key: WellKnown.taintUnschedulable, effect: "NoSchedule", timeAdded: KubeTime(now)))
        } else {
            removeTaints(node) { $0.key == WellKnown.taintUnschedulable }
        }
        reconcile()
    }

    /// `kubectl drain`: cordon, then evict every pod on the node except
    /// DaemonSet pods, through the Eviction API (PDBs respected). Pods with no
    /// controller are refused unless `force` (then deleted). One pass; callers
    /// retry blocked pods as kubectl does every 5 s.
    @discardableResult
    public mutating func drain(_ node: String, force: Bool = false) throws(KubeError) -> [DrainOutcome] {
        try requireAPI()
        try cordon(node)
        var outcomes: [DrainOutcome] = []
        for pod in store.pods(onNode: node) {
            let ns = pod.metadata.namespaceOrEmpty, name = pod.metadata.nameOrEmpty
            if pod.metadata.controllerRef?.kind == "DaemonSet" || pod.metadata.deletionTimestamp != nil {
                outcomes.append(DrainOutcome(pod: "\(ns)/\(name)", error: nil, skipped: true))
                continue
            }
            if pod.metadata.controllerRef == nil && !force {
                outcomes.append(DrainOutcome(pod: "\(ns)/\(name)",
                                             error: KubeError(reason: .badRequest, message: "cannot delete Pods that declare no controller (use --force to override): \(ns)/\(name)"),
                                             skipped: false))
                continue
            }
            do {
                try evict(namespace: ns, name: name)
                outcomes.append(DrainOutcome(pod: "\(ns)/\(name)", error: nil, skipped: false))
            } catch {
                outcomes.append(DrainOutcome(pod: "\(ns)/\(name)", error: error, skipped: false))
            }
        }
        return outcomes
    }

    // MARK: Queries for checkers

    /// Pods of a namespace (all namespaces when nil), in key order, optionally of one phase.
    public func pods(namespace: String? = nil, phase: PodPhase? = nil) -> [Pod] {
        store.list(Pod.self, namespace: namespace).filter { phase == nil || $0.phase == phase }
    }

    /// Pods bound to `node`, in key order.
    public func pods(onNode node: String) -> [Pod] { store.pods(onNode: node) }

    /// Ready endpoints of a Service per zone: zone → pod names (sorted).
    public func readyEndpointsByZone(service: String, namespace: String = "default") -> [String: [String]] {
        var out: [String: [String]] = [:]
        for e in endpointSlices(service: service, namespace: namespace).flatMap({ $0.endpoints ?? [] }) where e.conditions?.ready == true {
            out[e.zone ?? "", default: []].append(e.targetRef?.name ?? e.addresses.first ?? "")
        }
        for k in out.keys { out[k]?.sort() }
        return out
    }

    /// Count of ready endpoints of a Service.
    public func readyEndpointCount(service: String, namespace: String = "default") -> Int {
        readyEndpointsByZone(service: service, namespace: namespace).values.reduce(0) { $0 + $1.count }
    }

    /// Kubernetes Events about an object, oldest first.
    public func events(for name: String, kind: KubeKind? = nil) -> [KubeEvent] {
        store.events.sorted.filter { $0.involvedObject.name == name && (kind == nil || $0.involvedObject.kind == kind?.rawValue) }
            .sorted { ($0.firstTimestamp?.instant ?? .zero, $0.metadata.nameOrEmpty) < ($1.firstTimestamp?.instant ?? .zero, $1.metadata.nameOrEmpty) }
    }
}
