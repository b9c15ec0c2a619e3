import SimCore

extension KubeCluster {
    /// The StatefulSet controller: pods `<name>-0 … <name>-(N-1)` with stable
    /// names, created in order (OrderedReady: the next one only when all lower
    /// ordinals are Running and Ready) or all at once (Parallel), and PVCs
    /// `<claim>-<name>-<ordinal>` from `volumeClaimTemplates` that outlive the
    /// pods (so a recreated pod returns to its volume's zone). A pod whose old
    /// incarnation still exists (e.g. Terminating on an unreachable node) is
    /// not recreated until that object is gone. Template rollouts are not modelled.
    mutating func syncStatefulSet(_ key: String) {
        guard let sts = store.statefulSets[key], let uid = sts.metadata.uid, sts.metadata.deletionTimestamp == nil else { return }
        let ns = sts.metadata.namespaceOrEmpty, name = sts.metadata.nameOrEmpty
        let replicas = Int(sts.spec.replicas ?? 1)
        let parallel = sts.spec.podManagementPolicy == "Parallel"
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: name, uid: uid)
        let owned = controlledPods(ownerUID: uid)
        var byOrdinal: [Int: Pod] = [:]
        for pod in owned {
            let podName = pod.metadata.nameOrEmpty
            guard podName.hasPrefix(name + "-"), let ordinal = Int(podName.dropFirst(name.count + 1)) else { continue }
            byOrdinal[ordinal] = pod
        }
        var blocked = false
        var created = 0
        for ordinal in 0..<replicas {
            if created >= config.burstReplicas { dirtyStatefulSets.insert(key); break }
            let podName = "\(name)-\(ordinal)"
            if let pod = byOrdinal[ordinal] ?? store.pods["\(ns)/\(podName)"] {
                if pod.phase == .failed && pod.metadata.deletionTimestamp == nil {
                    _ = try? store.delete(Pod.self, ns, podName, now: now, options: .force)
                    blocked = true
                    continue
                }
                if !parallel && !(pod.isReady && pod.metadata.deletionTimestamp == nil) { blocked = true }
                continue
            }
            if blocked && !parallel { break }
            // Claims first (they are never deleted by the controller: retention policy Retain).
            var template = sts.spec.template
            var volumes = template.spec.volumes ?? []
            for claimTemplate in sts.spec.volumeClaimTemplates ?? [] {
                let templateName = claimTemplate.metadata.nameOrEmpty
                let claimName = "\(templateName)-\(name)-\(ordinal)"
                if store.get(PersistentVolumeClaim.self, ns, claimName) == nil {
                    var claim = PersistentVolumeClaim(metadata: ObjectMeta(name: claimName, namespace: ns,
                                                                           labels: sts.spec.selector?.matchLabels),
                                                      spec: claimTemplate.spec)
                    claim.status = PersistentVolumeClaimStatus(phase: "Pending")
                    if (claim.spec.storageClassName ?? "").isEmpty { claim.spec.storageClassName = defaultStorageClassName() }
                    do {
                        try store.create(claim, now: now)
                    } catch {
                        recordEvent(kind: .statefulSet, namespace: ns, name: name, uid: uid, type: "Warning", reason: "FailedCreate",
                                    message: "create Claim \(claimName) for Pod \(podName) in StatefulSet \(name) failed error: \(error.message)",
                                    component: "statefulset-controller")
                    }
                }
                volumes.removeAll { $0.name == templateName }
                volumes.append(Volume(name: templateName, persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: claimName)))
            }
            template.spec.volumes = volumes.isEmpty ? nil : volumes
            template.spec.hostname = podName
            template.spec.subdomain = sts.spec.serviceName
            let pod = podFromTemplate(template, owner: owner, namespace: ns, name: podName, generateName: nil,
                                      extraLabels: [WellKnown.statefulSetPodNameLabel: podName,
                                                    "apps.kubernetes.io/pod-index": String(ordinal)])
            createControlledPod(pod, ownerKind: .statefulSet, ownerName: name, ownerUID: uid)
            created += 1
            if !parallel { blocked = true }
        }
        // Scale down: highest ordinal first, one at a time unless Parallel.
        let extra = byOrdinal.keys.filter { $0 >= replicas }.sorted(by: >)
        for ordinal in extra {
            guard let pod = byOrdinal[ordinal], pod.metadata.deletionTimestamp == nil else { if !parallel { break } else { continue } }
            _ = try? store.delete(Pod.self, ns, pod.metadata.nameOrEmpty, now: now)
            if !parallel { break }
        }
        let current = controlledPods(ownerUID: uid)
        var status = StatefulSetStatus(replicas: Int32(current.count))
        status.readyReplicas = Int32(current.filter { $0.isReady }.count)
        status.availableReplicas = status.readyReplicas
        status.currentReplicas = Int32(current.count)
        status.updatedReplicas = Int32(current.count)
        status.observedGeneration = sts.metadata.generation
        store.modify(StatefulSet.self, ns, name) { $0.status = status }
    }

    /// The StorageClass annotated `storageclass.kubernetes.io/is-default-class: "true"`, if any.
    func defaultStorageClassName() -> String? {
        store.storageClasses.sorted.first { $0.metadata.annotations?["storageclass.kubernetes.io/is-default-class"] == "true" }?.metadata.name
    }

    // MARK: Volumes

    /// The PV controller for Immediate-binding classes: provisions a PV at once
    /// (in the first allowed topology zone, or with no zone when none is given).
    mutating func syncClaim(_ key: String) {
        guard let claim = store.persistentVolumeClaims[key], claim.metadata.deletionTimestamp == nil,
              (claim.spec.volumeName ?? "").isEmpty,
              let storageClass = store.get(StorageClass.self, "", claim.spec.storageClassName ?? defaultStorageClassName() ?? ""),
              storageClass.volumeBindingMode != "WaitForFirstConsumer" else { return }
        let term = storageClass.allowedTopologies?.first?.matchLabelExpressions?.first
        provision(claim, storageClass: storageClass, zoneKey: term?.key ?? WellKnown.zoneLabel, zone: term?.values.first)
    }

    /// Delayed binding: when a pod with unbound WaitForFirstConsumer claims is bound, each claim gets
    /// a PV in the zone of the chosen node (the CSI driver provisions where the pod runs).
    mutating func provisionVolumes(for pod: Pod, node: String) {
        let ns = pod.metadata.namespaceOrEmpty
        let labels = store.nodes[node]?.metadata.labelsOrEmpty ?? [:]
        for volume in pod.spec.volumes ?? [] {
            guard let claimName = volume.persistentVolumeClaim?.claimName,
                  let claim = store.get(PersistentVolumeClaim.self, ns, claimName), (claim.spec.volumeName ?? "").isEmpty,
                  let storageClass = store.get(StorageClass.self, "", claim.spec.storageClassName ?? ""),
                  storageClass.volumeBindingMode == "WaitForFirstConsumer" else { continue }
            let zoneKey = storageClass.allowedTopologies?.first?.matchLabelExpressions?.first?.key ?? WellKnown.zoneLabel
            store.modify(PersistentVolumeClaim.self, ns, claimName) { c in
                var annotations = c.metadata.annotations ?? [:]
                annotations[WellKnown.selectedNodeAnnotation] = node
                c.metadata.annotations = annotations
            }
            provision(store.get(PersistentVolumeClaim.self, ns, claimName) ?? claim, storageClass: storageClass, zoneKey: zoneKey, zone: labels[zoneKey])
        }
    }

    mutating func provision(_ claim: PersistentVolumeClaim, storageClass: StorageClass, zoneKey: String, zone: String?) {
        let ns = claim.metadata.namespaceOrEmpty, claimName = claim.metadata.nameOrEmpty
        let pvName = "pvc-\(claim.metadata.uid ?? claimName)"
        var spec = PersistentVolumeSpec(capacity: claim.spec.resources?.requests, accessModes: claim.spec.accessModes,
                                        storageClassName: storageClass.metadata.name,
                                        nodeAffinity: zone.map { VolumeNodeAffinity(required: NodeSelector(nodeSelectorTerms: [
                                            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: zoneKey, operator: "In", values: [$0])]),
                                        ])) })
        spec.persistentVolumeReclaimPolicy = storageClass.reclaimPolicy ?? "Delete"
        spec.claimRef = ObjectReference(kind: "PersistentVolumeClaim", namespace: ns, name: claimName, uid: claim.metadata.uid, apiVersion: "v1")
        spec.csi = CSIPersistentVolumeSource(driver: storageClass.provisioner, volumeHandle: "vol-\(String(StableHash.fnv1a64(pvName), radix: 16))")
        var pv = PersistentVolume(metadata: ObjectMeta(name: pvName, annotations: ["pv.kubernetes.io/provisioned-by": storageClass.provisioner]), spec: spec)
        pv.status = PersistentVolumeStatus(phase: "Bound")
        guard (try? store.create(pv, now: now)) != nil else { return }
        store.modify(PersistentVolumeClaim.self, ns, claimName) { c in
            c.spec.volumeName = pvName
            c.status = PersistentVolumeClaimStatus(phase: "Bound", accessModes: c.spec.accessModes, capacity: c.spec.resources?.requests)
        }
        recordEvent(kind: .persistentVolumeClaim, namespace: ns, name: claimName, uid: claim.metadata.uid, type: "Normal",
                    reason: "ProvisioningSucceeded", message: "Successfully provisioned volume \(pvName)\(zone.map { " in \($0)" } ?? "")",
                    component: storageClass.provisioner)
    }
}
