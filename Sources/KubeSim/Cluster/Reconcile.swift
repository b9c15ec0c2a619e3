import SimCore

extension KubeCluster {
    /// Runs controllers, garbage collection and the scheduler until nothing is left to do at this instant.
    mutating func reconcile() {
        var rounds = 0
        while rounds < 1_000 {
            rounds += 1
            let changes = store.drainChanges()
            for ref in changes { dispatch(ref) }
            if store.collectGarbage(now: now) { continue }
            if !store.pendingChanges.isEmpty { continue }
            if runControllers() { continue }
            if !store.pendingChanges.isEmpty { continue }
            if requeueUnschedulable {
                requeueUnschedulable = false
                activeQueue.formUnion(unschedulablePods)
                unschedulablePods.removeAll()
            }
            if !activeQueue.isEmpty { scheduleQueued(); continue }
            if store.pendingChanges.isEmpty { break }
        }
    }

    /// Wakes whatever cares about a changed object.
    mutating func dispatch(_ ref: ObjectRef) {
        mix(ref.kind.rawValue)
        mix(ref.key)
        mix(store.resourceVersion)
        switch ref.kind {
        case .pod:
            let key = ref.key
            let pod = store.pods[key]
            scheduler.cache.updatePod(key: key, pod: pod)
            setSummary(key, pod.map(PodSummary.init))
            if let pod {
                if pod.spec.nodeName == nil && pod.metadata.deletionTimestamp == nil && !unschedulablePods.contains(key)
                    && (pod.spec.schedulerName ?? "default-scheduler") == "default-scheduler" {
                    activeQueue.insert(key)
                }
                if pod.metadata.deletionTimestamp != nil { requeueUnschedulable = true; activeQueue.remove(key); unschedulablePods.remove(key) }
                kubeletObserve(key)
                if let owner = pod.metadata.controllerRef { markOwner(owner, namespace: ref.namespace) }
            } else {
                activeQueue.remove(key)
                unschedulablePods.remove(key)
                kubeletSeen[key] = nil
                requeueUnschedulable = true
                if let owner = store.removedControllerRefs.removeValue(forKey: ref) { markOwner(owner, namespace: ref.namespace) }
            }
            for watcher in memberships.podChanged(key: key, namespace: ref.namespace, labels: pod?.metadata.labelsOrEmpty) {
                if watcher.kind == .service {
                    dirtyServices.insert(watcher.key)
                    dirtyServicePods[watcher.key, default: []].insert(key)
                } else {
                    dirtyBudgets.insert(watcher.key)
                }
            }
        case .node:
            if let node = store.nodes[ref.name] {
                scheduler.cache.upsertNode(node)
                nodeZones[ref.name] = node.metadata.labels?[WellKnown.zoneLabel]
                nodeIPs[ref.name] = node.status?.addresses?.first { $0.type == "InternalIP" }?.address
            } else {
                scheduler.cache.removeNode(ref.name)
                nodeZones[ref.name] = nil
                nodeIPs[ref.name] = nil
            }
            allDaemonSetsDirty = true
            requeueUnschedulable = true
        case .replicaSet:
            dirtyReplicaSets.insert(ref.key)
            if let owner = store.replicaSets[ref.key]?.metadata.controllerRef, owner.kind == "Deployment" {
                dirtyDeployments.insert("\(ref.namespace)/\(owner.name)")
            }
        case .deployment: dirtyDeployments.insert(ref.key)
        case .statefulSet: dirtyStatefulSets.insert(ref.key)
        case .daemonSet: dirtyDaemonSets.insert(ref.key)
        case .job: dirtyJobs.insert(ref.key)
        case .service:
            if let service = store.services[ref.key], let selector = service.spec?.selector {
                if memberships.upsert(ref, selector: Selector(matchLabels: selector)) { rebuildMembers(ref) }
            } else {
                memberships.remove(ref)
            }
            endpointCache[ref.key] = nil
            dirtyServices.insert(ref.key)
        case .podDisruptionBudget:
            if let pdb = store.podDisruptionBudgets[ref.key] {
                if memberships.upsert(ref, selector: Selector(pdb.spec.selector)) { rebuildMembers(ref) }
            } else {
                memberships.remove(ref)
            }
            dirtyBudgets.insert(ref.key)
        case .persistentVolumeClaim:
            dirtyClaims.insert(ref.key)
            requeueUnschedulable = true
        case .persistentVolume, .storageClass:
            requeueUnschedulable = true
        case .namespace:
            // The namespace controller: a deleted (or terminating) namespace loses its contents.
            if let ns = store.namespaces[ref.name] {
                if ns.metadata.deletionTimestamp != nil {
                    store.deleteNamespaceContents(ref.name, now: now)
                    store.modify(Namespace.self, "", ref.name) { n in
                        n.metadata.finalizers = nil
                        n.metadata.deletionGracePeriodSeconds = 0
                    }
                }
            } else {
                store.deleteNamespaceContents(ref.name, now: now)
            }
        default: break
        }
    }

    /// Replaces a pod's summary, keeping the per-controller counts in step.
    mutating func setSummary(_ key: String, _ summary: PodSummary?) {
        let old = podSummaries[key]
        if old == summary { return }
        if let old, let uid = old.controllerUID, old.active {
            controllerCounts[uid, default: (0, 0)].active -= 1
            if old.ready { controllerCounts[uid, default: (0, 0)].ready -= 1 }
        }
        if let summary, let uid = summary.controllerUID, summary.active {
            controllerCounts[uid, default: (0, 0)].active += 1
            if summary.ready { controllerCounts[uid, default: (0, 0)].ready += 1 }
        }
        podSummaries[key] = summary
    }

    mutating func markOwner(_ owner: OwnerReference, namespace: String) {
        let key = "\(namespace)/\(owner.name)"
        switch owner.kind {
        case "ReplicaSet": dirtyReplicaSets.insert(key)
        case "StatefulSet": dirtyStatefulSets.insert(key)
        case "DaemonSet": dirtyDaemonSets.insert(key)
        case "Job": dirtyJobs.insert(key)
        default: break
        }
    }

    mutating func rebuildMembers(_ ref: ObjectRef) {
        let prefix = ref.namespace + "/"
        var pods: [(key: String, labels: [String: String])] = []
        for (key, summary) in podSummaries where key.hasPrefix(prefix) { pods.append((key, summary.labels)) }
        memberships.rebuild(ref, pods: pods)
        if ref.kind == .service { endpointCache[ref.key] = nil }
    }

    /// One pass of every controller over its dirty set. Returns true if anything was processed.
    mutating func runControllers() -> Bool {
        var did = false
        if !dirtyDeployments.isEmpty {
            let keys = dirtyDeployments.sorted(); dirtyDeployments.removeAll()
            for key in keys { syncDeployment(key) }
            did = true
        }
        if !dirtyReplicaSets.isEmpty {
            let keys = dirtyReplicaSets.sorted(); dirtyReplicaSets.removeAll()
            for key in keys { syncReplicaSet(key) }
            did = true
        }
        if !dirtyStatefulSets.isEmpty {
            let keys = dirtyStatefulSets.sorted(); dirtyStatefulSets.removeAll()
            for key in keys { syncStatefulSet(key) }
            did = true
        }
        if allDaemonSetsDirty {
            allDaemonSetsDirty = false
            dirtyDaemonSets.formUnion(store.daemonSets.items.keys)
        }
        if !dirtyDaemonSets.isEmpty {
            let keys = dirtyDaemonSets.sorted(); dirtyDaemonSets.removeAll()
            for key in keys { syncDaemonSet(key) }
            did = true
        }
        if !dirtyJobs.isEmpty {
            let keys = dirtyJobs.sorted(); dirtyJobs.removeAll()
            for key in keys { syncJob(key) }
            did = true
        }
        if !dirtyClaims.isEmpty {
            let keys = dirtyClaims.sorted(); dirtyClaims.removeAll()
            for key in keys { syncClaim(key) }
            did = true
        }
        if !dirtyServices.isEmpty {
            let keys = dirtyServices.sorted(); dirtyServices.removeAll()
            for key in keys { syncEndpoints(key) }
            did = true
        }
        if !dirtyBudgets.isEmpty {
            let keys = dirtyBudgets.sorted(); dirtyBudgets.removeAll()
            for key in keys { syncBudget(key) }
            did = true
        }
        return did
    }

    // MARK: Scheduling

    /// Schedules the active queue: priority (high first), then creation time, then key.
    mutating func scheduleQueued() {
        let queued = activeQueue.compactMap { key in store.pods[key].map { (key, $0) } }
        activeQueue.removeAll()
        let ordered = queued.sorted { a, b in
            let pa = a.1.spec.priority ?? 0, pb = b.1.spec.priority ?? 0
            if pa != pb { return pa > pb }
            let ta = a.1.metadata.creationTimestamp?.instant ?? .zero, tb = b.1.metadata.creationTimestamp?.instant ?? .zero
            if ta != tb { return ta < tb }
            return a.0 < b.0
        }
        for (key, _) in ordered {
            guard let pod = store.pods[key], pod.spec.nodeName == nil, pod.metadata.deletionTimestamp == nil else { continue }
            let volumes = VolumeConstraints(pod: pod, store: store)
            let result = scheduler.schedule(pod, volumes: volumes, defaultSpreadSelector: defaultSpreadSelector(pod))
            switch result {
            case .bound(let node): bind(key, to: node)
            case .unschedulable(let message): markUnschedulable(key, message: message)
            }
        }
    }

    /// The selector of the pod's ReplicaSet or StatefulSet (system default spreading).
    func defaultSpreadSelector(_ pod: Pod) -> Selector? {
        guard let owner = pod.metadata.controllerRef else { return nil }
        let key = "\(pod.metadata.namespaceOrEmpty)/\(owner.name)"
        switch owner.kind {
        case "ReplicaSet": return store.replicaSets[key].map { Selector($0.spec.selector) }
        case "StatefulSet": return store.statefulSets[key].map { Selector($0.spec.selector) }
        default: return nil
        }
    }

    mutating func bind(_ key: String, to node: String) {
        guard let pod = store.pods[key] else { return }
        let ns = pod.metadata.namespaceOrEmpty, name = pod.metadata.nameOrEmpty
        if auditBinds { auditFindings += bindViolations(pod, node: node).map { "\(now) \($0)" } }
        provisionVolumes(for: pod, node: node)
        let t = KubeTime(now)
        let bound = store.modify(Pod.self, ns, name) { p in
            p.spec.nodeName = node
            var conditions = (p.status?.conditions ?? []).filter { $0.type != "PodScheduled" }
            conditions.insert(PodCondition(type: "PodScheduled", status: "True", lastTransitionTime: t), at: 0)
            if p.status == nil { p.status = PodStatus(phase: .pending) }
            p.status?.conditions = conditions
        }
        scheduler.cache.updatePod(key: key, pod: bound)
        unschedulablePods.remove(key)
        recordEvent(kind: .pod, namespace: ns, name: name, uid: pod.metadata.uid, type: "Normal", reason: "Scheduled",
                    message: "Successfully assigned \(ns)/\(name) to \(node)", component: "default-scheduler")
        // Pods bound to a NoExecute-tainted node (e.g. DaemonSet pods) are handled by the taint-eviction controller.
        if scheduler.cache.nodes[node]?.taints.contains(where: { $0.effect == "NoExecute" }) == true { scheduleTaintEviction(key) }
    }

    mutating func markUnschedulable(_ key: String, message: String) {
        guard let pod = store.pods[key] else { return }
        let ns = pod.metadata.namespaceOrEmpty, name = pod.metadata.nameOrEmpty
        unschedulablePods.insert(key)
        let t = KubeTime(now)
        store.modify(Pod.self, ns, name) { p in
            var conditions = p.status?.conditions ?? []
            if let i = conditions.firstIndex(where: { $0.type == "PodScheduled" }) {
                if conditions[i].status != "False" { conditions[i].lastTransitionTime = t }
                conditions[i].status = "False"
                conditions[i].reason = "Unschedulable"
                conditions[i].message = message
            } else {
                conditions.append(PodCondition(type: "PodScheduled", status: "False", reason: "Unschedulable", message: message, lastTransitionTime: t))
            }
            if p.status == nil { p.status = PodStatus(phase: .pending) }
            p.status?.conditions = conditions
        }
        recordEvent(kind: .pod, namespace: ns, name: name, uid: pod.metadata.uid, type: "Warning", reason: "FailedScheduling",
                    message: message, component: "default-scheduler")
    }
}
