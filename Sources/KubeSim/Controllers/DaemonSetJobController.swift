import SimCore

extension KubeCluster {
    /// Tolerations the DaemonSet controller adds to its pods
    /// (pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations): NoExecute
    /// not-ready/unreachable with no tolerationSeconds (never evicted), and
    /// NoSchedule disk/memory/pid pressure and unschedulable.
    static func daemonTolerations(hostNetwork: Bool) -> [Toleration] {
        var t = [
            Toleration(key: WellKnown.taintNotReady, operator: "Exists", effect: "NoExecute"),
            Toleration(key: WellKnown.taintUnreachable, operator: "Exists", effect: "NoExecute"),
            Toleration(key: WellKnown.taintDiskPressure, operator: "Exists", effect: "NoSchedule"),
            Toleration(key: WellKnown.taintMemoryPressure, operator: "Exists", effect: "NoSchedule"),
            Toleration(key: WellKnown.taintPIDPressure, operator: "Exists", effect: "NoSchedule"),
            Toleration(key: WellKnown.taintUnschedulable, operator: "Exists", effect: "NoSchedule"),
        ]
        if hostNetwork { t.append(Toleration(key: WellKnown.taintNetworkUnavailable, operator: "Exists", effect: "NoSchedule")) }
        return t
    }

    /// The DaemonSet controller: one pod per node that matches the template's
    /// node selection and whose NoSchedule/NoExecute taints the pod tolerates
    /// (`nodeShouldRunDaemonPod`); each pod is pinned by node affinity on
    /// `metadata.name` and placed by the scheduler. Pods stay on nodes whose
    /// NoExecute taints they tolerate.
    mutating func syncDaemonSet(_ key: String) {
        guard let ds = store.daemonSets[key], let uid = ds.metadata.uid, ds.metadata.deletionTimestamp == nil else { return }
        let ns = ds.metadata.namespaceOrEmpty, name = ds.metadata.nameOrEmpty
        var template = ds.spec.template
        var tolerations = template.spec.tolerations ?? []
        for t in Self.daemonTolerations(hostNetwork: template.spec.hostNetwork ?? false) where !tolerations.contains(t) { tolerations.append(t) }
        template.spec.tolerations = tolerations
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "DaemonSet", name: name, uid: uid)
        var podsByNode: [String: [Pod]] = [:]
        var unplaced: [Pod] = []
        for pod in controlledPods(ownerUID: uid) where pod.isActive {
            let target = pod.spec.nodeName ?? pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?
                .nodeSelectorTerms.first?.matchFields?.first?.values?.first
            if let target { podsByNode[target, default: []].append(pod) } else { unplaced.append(pod) }
        }
        var desired: Int32 = 0, scheduled: Int32 = 0, ready: Int32 = 0, misscheduled: Int32 = 0
        for node in store.nodes.sorted {
            let nodeName = node.metadata.nameOrEmpty
            let labels = node.metadata.labelsOrEmpty
            let fits = NodeMatching.podMatchesNode(template.spec, nodeName: nodeName, labels: labels)
            let tolerated = { (effects: Set<String>) in
                node.taints.filter { effects.contains($0.effect) }.allSatisfy { taint in tolerations.contains { $0.tolerates(taint) } }
            }
            let shouldRun = fits && tolerated(["NoSchedule", "NoExecute"])
            let shouldContinue = fits && tolerated(["NoExecute"])
            let existing = (podsByNode[nodeName] ?? []).sorted { $0.ref.key < $1.ref.key }
            if shouldRun { desired += 1 }
            if existing.isEmpty {
                if shouldRun {
                    var podTemplate = template
                    var affinity = podTemplate.spec.affinity ?? Affinity()
                    var nodeAffinity = affinity.nodeAffinity ?? NodeAffinity()
                    nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector(nodeSelectorTerms: [
                        NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: [nodeName])]),
                    ])
                    affinity.nodeAffinity = nodeAffinity
                    podTemplate.spec.affinity = affinity
                    createControlledPod(podFromTemplate(podTemplate, owner: owner, namespace: ns, name: nil, generateName: name + "-"),
                                        ownerKind: .daemonSet, ownerName: name, ownerUID: uid)
                }
                continue
            }
            if !shouldContinue {
                for pod in existing { _ = try? store.delete(Pod.self, ns, pod.metadata.nameOrEmpty, now: now) }
                misscheduled += Int32(existing.count)
                continue
            }
            scheduled += 1
            if existing.contains(where: \.isReady) { ready += 1 }
            for pod in existing.dropFirst() { _ = try? store.delete(Pod.self, ns, pod.metadata.nameOrEmpty, now: now) }
        }
        for pod in unplaced { _ = try? store.delete(Pod.self, ns, pod.metadata.nameOrEmpty, now: now) }
        let status = DaemonSetStatus(currentNumberScheduled: scheduled, desiredNumberScheduled: desired, numberMisscheduled: misscheduled,
                                     numberReady: ready, numberAvailable: ready, observedGeneration: ds.metadata.generation)
        store.modify(DaemonSet.self, ns, name) { $0.status = status }
    }

    /// The Job controller: keeps `min(parallelism, completions − succeeded)`
    /// pods active until `completions` pods succeeded (a pod "runs" for
    /// `jobPodRunDuration`), then marks the Job Complete. Without
    /// `completions` the Job completes when one pod succeeded and none is active.
    mutating func syncJob(_ key: String) {
        guard let job = store.jobs[key], let uid = job.metadata.uid, job.metadata.deletionTimestamp == nil else { return }
        let ns = job.metadata.namespaceOrEmpty, name = job.metadata.nameOrEmpty
        if job.status?.conditions?.contains(where: { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" }) == true { return }
        let pods = controlledPods(ownerUID: uid)
        let succeeded = pods.filter { $0.phase == .succeeded }.count
        let failed = pods.filter { $0.phase == .failed }.count
        let active = pods.filter(\.isActive)
        let parallelism = Int(job.spec.parallelism ?? 1)
        let completions = job.spec.completions.map(Int.init)
        let indexed = job.spec.completionMode == "Indexed" ? KubeCluster.indexedPlan(
            completions: completions ?? 0, pods: pods, room: min(parallelism, completions ?? 0) - active.count) : nil
        let done = indexed.map(\.done) ?? completions.map { succeeded >= $0 } ?? (succeeded >= 1 && active.isEmpty)
        var status = job.status ?? JobStatus()
        if status.startTime == nil { status.startTime = KubeTime(now) }
        if done {
            status.completionTime = KubeTime(now)
            status.conditions = [WorkloadCondition(type: "Complete", status: "True", lastTransitionTime: KubeTime(now))]
            recordEvent(kind: .job, namespace: ns, name: name, uid: uid, type: "Normal", reason: "Completed", message: "Job completed",
                        component: "job-controller")
        } else if failed > Int(job.spec.backoffLimit ?? 6) {
            status.conditions = [WorkloadCondition(type: "Failed", status: "True", reason: "BackoffLimitExceeded",
                                                   message: "Job has reached the specified backoff limit", lastTransitionTime: KubeTime(now))]
        } else if let indexed {
            let owner = OwnerReference(apiVersion: "batch/v1", kind: "Job", name: name, uid: uid)
            let count = min(indexed.start.count, config.burstReplicas)
            if indexed.start.count > count { dirtyJobs.insert(key) }
            for index in indexed.start.prefix(count) {
                var template = KubeCluster.indexedTemplate(job.spec.template, job: name, index: index)
                var labels = template.metadata?.labels ?? [:]
                labels["batch.kubernetes.io/job-name"] = name
                labels["batch.kubernetes.io/controller-uid"] = uid
                template.metadata?.labels = labels
                createControlledPod(podFromTemplate(template, owner: owner, namespace: ns, name: nil, generateName: "\(name)-\(index)-"),
                                    ownerKind: .job, ownerName: name, ownerUID: uid)
            }
        } else {
            let remaining = completions.map { $0 - succeeded } ?? (succeeded > 0 ? 0 : parallelism)
            let wanted = max(0, min(parallelism, remaining))
            if active.count < wanted {
                var template = job.spec.template
                var labels = template.metadata?.labels ?? [:]
                labels["batch.kubernetes.io/job-name"] = name
                labels["batch.kubernetes.io/controller-uid"] = uid
                if template.metadata == nil { template.metadata = ObjectMeta() }
                template.metadata?.labels = labels
                let owner = OwnerReference(apiVersion: "batch/v1", kind: "Job", name: name, uid: uid)
                let count = min(wanted - active.count, config.burstReplicas)
                if wanted - active.count > count { dirtyJobs.insert(key) }
                for _ in 0..<count {
                    createControlledPod(podFromTemplate(template, owner: owner, namespace: ns, name: nil, generateName: name + "-"),
                                        ownerKind: .job, ownerName: name, ownerUID: uid)
                }
            }
        }
        let after = controlledPods(ownerUID: uid)
        status.active = Int32(after.filter(\.isActive).count)
        status.succeeded = Int32(succeeded)
        status.failed = Int32(failed)
        if let indexed { status.completedIndexes = KubeCluster.indexRanges(indexed.succeeded) }
        store.modify(Job.self, ns, name) { $0.status = status }
    }
}
