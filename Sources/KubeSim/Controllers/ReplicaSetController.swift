import Foundation
import SimCore

extension KubeCluster {
    /// Active pods controlled by the object with `uid` (sorted by key).
    func controlledPods(ownerUID uid: String) -> [Pod] {
        store.dependents(ofOwnerUID: uid).filter { $0.kind == .pod }.compactMap { store.pods[$0.key] }
            .filter { $0.metadata.controllerRef?.uid == uid }
    }

    /// A pod from a template, owned by the controller (`GetPodFromTemplate`), through admission.
    func podFromTemplate(_ template: PodTemplateSpec, owner: OwnerReference, namespace: String, name: String?, generateName: String?,
                         extraLabels: [String: String] = [:]) -> Pod {
        var labels = template.metadata?.labels ?? [:]
        for (k, v) in extraLabels { labels[k] = v }
        var meta = ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: template.metadata?.annotations,
                              ownerReferences: [owner], finalizers: nil, generateName: generateName)
        meta.finalizers = template.metadata?.finalizers
        return admit(Pod(metadata: meta, spec: template.spec))
    }

    /// Creates a pod through the API path (validation, admission); failures become a FailedCreate event.
    @discardableResult
    mutating func createControlledPod(_ pod: Pod, ownerKind: KubeKind, ownerName: String, ownerUID: String?) -> Bool {
        do {
            let created = try store.create(pod, now: now)
            recordEvent(kind: ownerKind, namespace: created.metadata.namespaceOrEmpty, name: ownerName, uid: ownerUID, type: "Normal",
                        reason: "SuccessfulCreate", message: "Created pod: \(created.metadata.nameOrEmpty)", component: "\(ownerKind.resource.dropLast())-controller")
            return true
        } catch {
            recordEvent(kind: ownerKind, namespace: pod.metadata.namespaceOrEmpty, name: ownerName, uid: ownerUID, type: "Warning",
                        reason: "FailedCreate", message: "Error creating: \(error.message)", component: "\(ownerKind.resource.dropLast())-controller")
            return false
        }
    }

    /// Keys of the pods controlled by `uid` (unsorted).
    func controlledPodKeys(ownerUID uid: String) -> [String] {
        guard let refs = store.dependentsByOwner[uid] else { return [] }
        return refs.compactMap { ref in
            guard ref.kind == .pod, podSummaries[ref.key]?.controllerUID == uid else { return nil }
            return ref.key
        }
    }

    /// The ReplicaSet controller: create or delete pods so that active pods
    /// (not terminating, not terminal — `FilterActivePods`) equal `spec.replicas`,
    /// at most `burstReplicas` per sync; then status.
    mutating func syncReplicaSet(_ key: String) {
        guard let rs = store.replicaSets[key], let uid = rs.metadata.uid else { return }
        let ns = rs.metadata.namespaceOrEmpty, name = rs.metadata.nameOrEmpty
        let wanted = rs.metadata.deletionTimestamp == nil ? Int(rs.spec.replicas ?? 1) : 0
        let diff = wanted - (controllerCounts[uid]?.active ?? 0)
        if diff > 0, let template = rs.spec.template {
            let owner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: name, uid: uid)
            let count = min(diff, config.burstReplicas)
            for _ in 0..<count {
                createControlledPod(podFromTemplate(template, owner: owner, namespace: ns, name: nil, generateName: name + "-"),
                                    ownerKind: .replicaSet, ownerName: name, ownerUID: uid)
            }
            if diff > count { dirtyReplicaSets.insert(key) }
        } else if diff < 0 {
            // getPodsToDelete / ActivePodsWithRanks: unassigned, pending, not ready, newest first.
            let active = controlledPodKeys(ownerUID: uid).filter { podSummaries[$0]?.active == true }
            let victims = active.sorted { a, b in
                let ra = podSummaries[a]?.deletionRank ?? [], rb = podSummaries[b]?.deletionRank ?? []
                if ra != rb { return ra.lexicographicallyPrecedes(rb) }
                return a < b
            }.prefix(min(-diff, config.burstReplicas))
            for podKey in victims {
                let podName = String(podKey.dropFirst(ns.count + 1))
                _ = try? store.delete(Pod.self, ns, podName, now: now)
                recordEvent(kind: .replicaSet, namespace: ns, name: name, uid: uid, type: "Normal", reason: "SuccessfulDelete",
                            message: "Deleted pod: \(podName)", component: "replicaset-controller")
            }
        }
        _ = store.drainChanges().map { dispatch($0) }
        let counts = controllerCounts[uid] ?? (0, 0)
        let ready = Int32(counts.ready)
        var status = ReplicaSetStatus(replicas: Int32(counts.active))
        status.fullyLabeledReplicas = Int32(counts.active)
        status.readyReplicas = ready
        status.availableReplicas = ready
        status.observedGeneration = rs.metadata.generation
        store.modify(ReplicaSet.self, ns, name) { $0.status = status }
    }

    /// Sort key for scale-down: lower goes first.
    func deletionRank(_ pod: Pod) -> [Int64] {
        let assigned: Int64 = pod.spec.nodeName == nil ? 0 : 1
        let phase: Int64 = pod.phase == .pending ? 0 : (pod.phase == .unknown ? 1 : 2)
        let ready: Int64 = pod.isReady ? 1 : 0
        let created = pod.metadata.creationTimestamp?.instant.nanosecondsSinceStart ?? 0
        return [assigned, phase, ready, -created]
    }

    // MARK: Deployment

    /// `pod-template-hash`: FNV-32a of the template (canonical JSON), SafeEncodeString'd as upstream.
    mutating func templateHash(_ deployment: Deployment) -> String {
        let key = deployment.ref.key
        let generation = deployment.metadata.generation ?? 0
        if let cached = templateHashes[key], cached.generation == generation { return cached.hash }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(deployment.spec.template)) ?? Data()
        var h: UInt32 = 0x811C_9DC5
        for b in bytes { h ^= UInt32(b); h = h &* 0x0100_0193 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let hash = String(String(h).compactMap { ch -> Character? in
            guard let d = ch.wholeNumberValue else { return nil }
            return alphabet[(d * 7 + 3) % alphabet.count]
        })
        templateHashes[key] = (generation, hash)
        return hash
    }

    /// The Deployment controller: one ReplicaSet per template (`<name>-<pod-template-hash>`),
    /// rolling update within maxSurge / maxUnavailable (defaults 25 % / 25 %, rounded up / down:
    /// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment),
    /// or Recreate; then status.
    mutating func syncDeployment(_ key: String) {
        guard let d = store.deployments[key], let uid = d.metadata.uid, d.metadata.deletionTimestamp == nil else { return }
        let ns = d.metadata.namespaceOrEmpty, name = d.metadata.nameOrEmpty
        let replicas = Int(d.spec.replicas ?? 1)
        let hash = templateHash(d)
        var owned = store.dependents(ofOwnerUID: uid).filter { $0.kind == .replicaSet }.compactMap { store.replicaSets[$0.key] }
            .filter { $0.metadata.controllerRef?.uid == uid }
        owned.sort { ($0.metadata.creationTimestamp?.instant ?? .zero, $0.metadata.nameOrEmpty) < ($1.metadata.creationTimestamp?.instant ?? .zero, $1.metadata.nameOrEmpty) }
        var newRS = owned.first { $0.metadata.labels?[WellKnown.podTemplateHashLabel] == hash }
        let oldRSs = owned.filter { $0.metadata.labels?[WellKnown.podTemplateHashLabel] != hash }
        let strategy = d.spec.strategy?.type ?? "RollingUpdate"
        let maxSurge = strategy == "RollingUpdate" ? (d.spec.strategy?.rollingUpdate?.maxSurge ?? .string("25%")).scaled(total: replicas, roundUp: true) ?? 0 : 0
        var maxUnavailable = strategy == "RollingUpdate" ? (d.spec.strategy?.rollingUpdate?.maxUnavailable ?? .string("25%")).scaled(total: replicas, roundUp: false) ?? 0 : replicas
        if maxSurge == 0 && maxUnavailable == 0 { maxUnavailable = 1 }
        maxUnavailable = min(maxUnavailable, replicas)
        func specReplicas(_ rs: ReplicaSet) -> Int { Int(rs.spec.replicas ?? 0) }
        func available(_ rs: ReplicaSet) -> Int { Int(rs.status?.availableReplicas ?? 0) }
        let oldActivePods = oldRSs.reduce(0) { $0 + Int($1.status?.replicas ?? 0) }

        if newRS == nil {
            var template = d.spec.template
            var labels = template.metadata?.labels ?? [:]
            labels[WellKnown.podTemplateHashLabel] = hash
            if template.metadata == nil { template.metadata = ObjectMeta() }
            template.metadata?.labels = labels
            var selector = d.spec.selector ?? LabelSelector()
            var matchLabels = selector.matchLabels ?? [:]
            matchLabels[WellKnown.podTemplateHashLabel] = hash
            selector.matchLabels = matchLabels
            let current = owned.reduce(0) { $0 + specReplicas($1) }
            let initial: Int
            if strategy == "Recreate" {
                initial = oldActivePods == 0 && owned.allSatisfy({ specReplicas($0) == 0 }) ? replicas : 0
            } else if oldRSs.isEmpty {
                initial = replicas
            } else {
                initial = max(0, min(replicas, replicas + maxSurge - current))
            }
            let revision = (owned.compactMap { Int($0.metadata.annotations?[WellKnown.deploymentRevisionAnnotation] ?? "") }.max() ?? 0) + 1
            var rs = ReplicaSet(metadata: ObjectMeta(name: "\(name)-\(hash)", namespace: ns, labels: labels,
                                                     annotations: [WellKnown.deploymentRevisionAnnotation: String(revision)],
                                                     ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: name, uid: uid)]),
                                spec: ReplicaSetSpec(replicas: Int32(initial), selector: selector, template: template))
            rs.spec.minReadySeconds = d.spec.minReadySeconds
            if let created = try? store.create(rs, now: now) {
                newRS = created
                recordEvent(kind: .deployment, namespace: ns, name: name, uid: uid, type: "Normal", reason: "ScalingReplicaSet",
                            message: "Scaled up replica set \(created.metadata.nameOrEmpty) to \(initial)", component: "deployment-controller")
            }
        }
        guard let new = newRS else { return }
        func scale(_ rs: ReplicaSet, to count: Int) {
            guard specReplicas(rs) != count else { return }
            let up = count > specReplicas(rs)
            store.modify(ReplicaSet.self, ns, rs.metadata.nameOrEmpty) { $0.spec.replicas = Int32(count) }
            recordEvent(kind: .deployment, namespace: ns, name: name, uid: uid, type: "Normal", reason: "ScalingReplicaSet",
                        message: "Scaled \(up ? "up" : "down") replica set \(rs.metadata.nameOrEmpty) to \(count) from \(specReplicas(rs))",
                        component: "deployment-controller")
        }
        if d.spec.paused != true {
            if strategy == "Recreate" {
                for rs in oldRSs where specReplicas(rs) > 0 { scale(rs, to: 0) }
                if oldActivePods == 0 { scale(new, to: replicas) }
            } else if oldRSs.allSatisfy({ specReplicas($0) == 0 }) && oldActivePods == 0 {
                scale(new, to: replicas)
            } else {
                // reconcileNewReplicaSet
                let allSpec = oldRSs.reduce(0) { $0 + specReplicas($1) } + specReplicas(new)
                if specReplicas(new) < replicas {
                    let maxTotal = replicas + maxSurge
                    if allSpec < maxTotal { scale(new, to: specReplicas(new) + min(maxTotal - allSpec, replicas - specReplicas(new))) }
                } else if specReplicas(new) > replicas {
                    scale(new, to: replicas)
                }
                // reconcileOldReplicaSets
                let refreshedNew = store.replicaSets[new.ref.key] ?? new
                let allPods = oldRSs.reduce(0) { $0 + specReplicas($1) } + specReplicas(refreshedNew)
                let minAvailable = replicas - maxUnavailable
                let newUnavailable = specReplicas(refreshedNew) - available(refreshedNew)
                var maxScaledDown = allPods - minAvailable - newUnavailable
                if maxScaledDown > 0 {
                    // cleanupUnhealthyReplicas: old replicas that are not available go first.
                    var remainingOld: [ReplicaSet] = []
                    for rs in oldRSs {
                        let unhealthy = specReplicas(rs) - available(rs)
                        let cut = min(maxScaledDown, max(0, unhealthy))
                        if cut > 0 { scale(rs, to: specReplicas(rs) - cut); maxScaledDown -= cut }
                        remainingOld.append(store.replicaSets[rs.ref.key] ?? rs)
                    }
                    // scaleDownOldReplicaSetsForRollingUpdate
                    let allAvailable = remainingOld.reduce(0) { $0 + available($1) } + available(refreshedNew)
                    var totalScaleDown = min(maxScaledDown, allAvailable - minAvailable)
                    for rs in remainingOld where totalScaleDown > 0 && specReplicas(rs) > 0 {
                        let cut = min(specReplicas(rs), totalScaleDown)
                        scale(rs, to: specReplicas(rs) - cut)
                        totalScaleDown -= cut
                    }
                }
            }
        }
        // Status.
        let all = store.dependents(ofOwnerUID: uid).filter { $0.kind == .replicaSet }.compactMap { store.replicaSets[$0.key] }
        let newNow = store.replicaSets[new.ref.key] ?? new
        var status = DeploymentStatus()
        status.observedGeneration = d.metadata.generation
        status.replicas = all.reduce(0) { $0 + ($1.status?.replicas ?? 0) }
        status.updatedReplicas = newNow.status?.replicas ?? 0
        status.readyReplicas = all.reduce(0) { $0 + ($1.status?.readyReplicas ?? 0) }
        status.availableReplicas = all.reduce(0) { $0 + ($1.status?.availableReplicas ?? 0) }
        status.unavailableReplicas = max(0, Int32(replicas) - (status.availableReplicas ?? 0))
        let isAvailable = Int(status.availableReplicas ?? 0) >= replicas - maxUnavailable
        let previous = d.status?.conditions ?? []
        func condition(_ type: String, _ value: String, _ reason: String, _ message: String) -> WorkloadCondition {
            let old = previous.first { $0.type == type }
            var c = WorkloadCondition(type: type, status: value, reason: reason, message: message,
                                      lastTransitionTime: old?.status == value ? old?.lastTransitionTime : KubeTime(now))
            c.lastUpdateTime = old?.status == value && old?.reason == reason ? old?.lastUpdateTime : KubeTime(now)
            return c
        }
        let complete = Int(status.updatedReplicas ?? 0) == replicas && Int(status.availableReplicas ?? 0) >= replicas && Int(status.replicas ?? 0) == replicas
        status.conditions = [
            condition("Available", isAvailable ? "True" : "False", isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                      isAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
            condition("Progressing", "True", complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                      complete ? "ReplicaSet \"\(newNow.metadata.nameOrEmpty)\" has successfully progressed." : "ReplicaSet \"\(newNow.metadata.nameOrEmpty)\" is progressing."),
        ]
        store.modify(Deployment.self, ns, name) { $0.status = status }
    }
}
