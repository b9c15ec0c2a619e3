import SimCore

/// Simplified kubelets: start bound pods after `podStartupDelay`, finish
/// terminating pods after `podTerminationDelay` (only while the node
/// heartbeats: an unreachable kubelet confirms nothing), complete Job pods,
/// and resync everything when the node comes back.
extension KubeCluster {
    func nodeHeartbeats(_ node: String) -> Bool { lifecycle.health[node]?.heartbeating ?? false }

    /// A pod the kubelet has not seen: admit it (start timer) or stop it (termination timer).
    mutating func kubeletObserve(_ key: String) {
        guard let pod = store.pods[key], let node = pod.spec.nodeName, let uid = pod.metadata.uid else {
            kubeletSeen[key] = nil
            return
        }
        let terminating = pod.metadata.deletionTimestamp != nil
        if let seen = kubeletSeen[key], seen.uid == uid, seen.terminating == terminating { return }
        kubeletSeen[key] = (uid, terminating)
        guard nodeHeartbeats(node) else { return }
        if terminating {
            let grace = SimDuration.seconds(pod.metadata.deletionGracePeriodSeconds ?? 0)
            loop.schedule(.podTerminated(key: key, uid: uid), after: min(grace, config.podTerminationDelay))
        } else if pod.phase == .pending {
            loop.schedule(.podStarted(key: key, uid: uid), after: imagePullDelay(pod, node: node) + config.podStartupDelay)
        }
    }

    /// How long until the pod's images are on its node: those the node lacks
    /// are pulled one after another, behind the pulls already under way.
    mutating func imagePullDelay(_ pod: Pod, node: String) -> SimDuration {
        guard config.imagePullTime > .zero else { return .zero }
        var ready = now
        for image in pod.spec.containers.map(\.image) {
            let name = image ?? ""
            if let at = nodeImages[node]?[name] {
                ready = max(ready, at)
                continue
            }
            let start = max(now, imagePullerFree[node] ?? now)
            let done = start + config.imagePullTime
            nodeImages[node, default: [:]][name] = done
            imagePullerFree[node] = done
            emit("Pulling", "Pod \(pod.metadata.namespaceOrEmpty)/\(pod.metadata.nameOrEmpty)", "pulling image \"\(name)\" on \(node)")
            ready = max(ready, done)
        }
        return ready - now
    }

    mutating func kubeletStart(key: String, uid: String) {
        guard let pod = store.pods[key], pod.metadata.uid == uid, pod.metadata.deletionTimestamp == nil, pod.phase == .pending,
              let node = pod.spec.nodeName, nodeHeartbeats(node) else { return }
        podIPCounter &+= 1
        let ip = "10.\((podIPCounter >> 16) & 255).\((podIPCounter >> 8) & 255).\(podIPCounter & 255)"
        let hostIP = nodeIPs[node]
        let t = KubeTime(now)
        store.modify(Pod.self, pod.metadata.namespaceOrEmpty, pod.metadata.nameOrEmpty) { p in
            var status = p.status ?? PodStatus()
            status.phase = .running
            status.podIP = ip
            status.hostIP = hostIP
            status.startTime = t
            status.qosClass = status.qosClass ?? "BestEffort"
            var conditions = (status.conditions ?? []).filter { $0.type == "PodScheduled" }
            conditions.append(PodCondition(type: "Initialized", status: "True", lastTransitionTime: t))
            conditions.append(PodCondition(type: "ContainersReady", status: "True", lastTransitionTime: t))
            conditions.append(PodCondition(type: "Ready", status: "True", lastTransitionTime: t))
            status.conditions = conditions
            status.containerStatuses = p.spec.containers.map { c in
                ContainerStatus(name: c.name, ready: true, restartCount: 0, image: c.image, imageID: nil, started: true,
                                state: ContainerState(running: ContainerStateRunning(startedAt: t)))
            }
            p.status = status
        }
        emit("Started", "Pod \(key)", "on \(node)")
        if pod.metadata.controllerRef?.kind == "Job" {
            var run = config.jobPodRunDuration
            if let text = pod.metadata.annotations?["kubesim.io/run-seconds"], let seconds = Int64(text), seconds >= 0 { run = .seconds(seconds) }
            loop.schedule(.podSucceeded(key: key, uid: uid), after: run)
        }
    }

    mutating func kubeletSucceed(key: String, uid: String) {
        guard let pod = store.pods[key], pod.metadata.uid == uid, pod.phase == .running, pod.metadata.deletionTimestamp == nil,
              let node = pod.spec.nodeName, nodeHeartbeats(node) else { return }
        let t = KubeTime(now)
        store.modify(Pod.self, pod.metadata.namespaceOrEmpty, pod.metadata.nameOrEmpty) { p in
            p.status?.phase = .succeeded
            for i in (p.status?.conditions ?? []).indices where p.status?.conditions?[i].type == "Ready" || p.status?.conditions?[i].type == "ContainersReady" {
                p.status?.conditions?[i].status = "False"
                p.status?.conditions?[i].reason = "PodCompleted"
                p.status?.conditions?[i].lastTransitionTime = t
            }
            let statuses = p.status?.containerStatuses
            p.status?.containerStatuses = statuses?.map { cs in
                var cs = cs
                cs.ready = false
                cs.state = ContainerState(terminated: ContainerStateTerminated(exitCode: 0, reason: "Completed", startedAt: cs.state?.running?.startedAt, finishedAt: t))
                return cs
            }
        }
        emit("Succeeded", "Pod \(key)", "")
    }

    mutating func kubeletFinishTermination(key: String, uid: String) {
        guard let pod = store.pods[key], pod.metadata.uid == uid, pod.metadata.deletionTimestamp != nil,
              let node = pod.spec.nodeName, nodeHeartbeats(node) else { return }
        emit("Terminated", "Pod \(key)", "on \(node)")
        _ = try? store.delete(Pod.self, pod.metadata.namespaceOrEmpty, pod.metadata.nameOrEmpty, now: now, options: .force)
    }

    /// The node is back: finish terminations, start pending pods, report running pods Ready again.
    mutating func kubeletResync(node: String) {
        for key in store.podKeys(onNode: node) {
            guard let pod = store.pods[key], let uid = pod.metadata.uid else { continue }
            if pod.metadata.deletionTimestamp != nil {
                let grace = SimDuration.seconds(pod.metadata.deletionGracePeriodSeconds ?? 0)
                loop.schedule(.podTerminated(key: key, uid: uid), after: min(grace, config.podTerminationDelay))
            } else if pod.phase == .pending {
                loop.schedule(.podStarted(key: key, uid: uid), after: imagePullDelay(pod, node: node) + config.podStartupDelay)
            } else if pod.phase == .running {
                setPodReady(key, true, reason: nil)
            }
            kubeletSeen[key] = (uid, pod.metadata.deletionTimestamp != nil)
        }
    }

    /// Sets the pod's Ready (and ContainersReady when true) condition.
    mutating func setPodReady(_ key: String, _ ready: Bool, reason: String?) {
        guard let pod = store.pods[key], pod.phase == .running else { return }
        let status = ready ? "True" : "False"
        let t = KubeTime(now)
        store.modify(Pod.self, pod.metadata.namespaceOrEmpty, pod.metadata.nameOrEmpty) { p in
            guard var conditions = p.status?.conditions else { return }
            for i in conditions.indices where conditions[i].type == "Ready" || (ready && conditions[i].type == "ContainersReady") {
                if conditions[i].status != status { conditions[i].lastTransitionTime = t }
                conditions[i].status = status
                conditions[i].reason = reason
            }
            p.status?.conditions = conditions
            if let statuses = p.status?.containerStatuses {
                p.status?.containerStatuses = statuses.map { var c = $0; c.ready = ready; return c }
            }
        }
    }

    // MARK: Admission

    /// Admission for new pods: DefaultTolerationSeconds (not-ready / unreachable NoExecute for
    /// `defaultTolerationSeconds` unless the pod tolerates them already) and the default priority.
    func admit(_ pod: Pod) -> Pod {
        var pod = pod
        var tolerations = pod.spec.tolerations ?? []
        for key in [WellKnown.taintNotReady, WellKnown.taintUnreachable] {
            let taint = Taint(key: key, effect: "NoExecute")
            if !tolerations.contains(where: { $0.tolerates(taint) }) {
                tolerations.append(Toleration(key: key, operator: "Exists", effect: "NoExecute", tolerationSeconds: config.defaultTolerationSeconds))
            }
        }
        pod.spec.tolerations = tolerations
        if pod.spec.priority == nil { pod.spec.priority = 0 }
        if pod.spec.schedulerName == nil { pod.spec.schedulerName = "default-scheduler" }
        if pod.spec.restartPolicy == nil { pod.spec.restartPolicy = "Always" }
        if pod.spec.terminationGracePeriodSeconds == nil { pod.spec.terminationGracePeriodSeconds = ObjectStore.defaultTerminationGracePeriodSeconds }
        if pod.status == nil { pod.status = PodStatus(phase: .pending) }
        var qos = "BestEffort"
        let containers = pod.spec.containers
        if containers.contains(where: { !($0.resources?.requests ?? [:]).isEmpty || !($0.resources?.limits ?? [:]).isEmpty }) { qos = "Burstable" }
        pod.status?.qosClass = qos
        return pod
    }
}
