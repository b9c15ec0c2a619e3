import KubeSim
import SimCore

/// The scenario's Kubernetes clusters inside the world — the `kubernetes:`
/// section's (index 0) and a standby ODAS cluster's (index 1): KubeSim's own
/// timers are woken by one world event per cluster at exactly their instant
/// (`WorldEvent.kube`), so the clusters and the rest of the world share one
/// order of events; node health comes from the world's fault model; each
/// cluster's trace joins the world's.
extension World {
    /// The cluster at `index` (0: the scenario's, 1: the standby ODAS cluster's).
    func kubeCluster(_ index: Int) -> KubeCluster? { index == 0 ? kube : standbyKube }

    /// The indices of the clusters that exist, in order.
    var kubeClusterIndices: [Int] { (kube == nil ? [] : [0]) + (standbyKube == nil ? [] : [1]) }

    /// Edits the cluster at `index` in place (swapped out of the world, so no copy).
    mutating func updateKube<T>(_ index: Int, _ body: (inout KubeCluster) -> T) -> T? {
        if index == 0 {
            guard var cluster = kube else { return nil }
            kube = nil
            defer { kube = cluster }
            return body(&cluster)
        }
        guard var cluster = standbyKube else { return nil }
        standbyKube = nil
        defer { standbyKube = cluster }
        return body(&cluster)
    }

    /// A cluster with these nodes, each a host of the fault model in its AZ
    /// (so `node-crash` and AZ outages stop its kubelet), seeded by `stream`.
    mutating func makeCluster(stream: String, nodes: [KubernetesSpec.Node], at now: SimInstant) -> KubeCluster {
        var cluster = KubeCluster(random: SimRandom(seed: seed).stream(stream))
        for node in nodes { faults.addHost(node.name, in: .availabilityZone(node.availabilityZone)) }
        cluster.setFaults(faults)
        for node in nodes {
            do {
                try cluster.addNode(name: node.name, zone: node.availabilityZone, region: node.region, cpu: node.cpu,
                                    memory: node.memory, pods: node.pods, labels: node.labels, faultDomain: .host(node.name))
            } catch {
                trace.record("kube", "add-node-failed", at: now, ["node": .string(node.name), "error": .string(error.message)])
            }
        }
        return cluster
    }

    /// The standby ODAS cluster's own Kubernetes cluster: its nodes (hosts of
    /// the fault model in their AZs), at time zero; ODAS applies its manifests.
    mutating func buildStandbyKubernetes(at now: SimInstant) {
        guard let standby = scenario.odas?.standby else { return }
        standbyKube = makeCluster(stream: "kube." + standby.name, nodes: standby.nodes, at: now)
        drainKube(1)
        scheduleKube(1)
    }

    /// Nodes (each a host of the fault model in its AZ, so `node-crash` and AZ
    /// outages stop its kubelet) and the manifests, applied at time zero.
    mutating func buildKubernetes(at now: SimInstant) {
        guard let spec = scenario.kubernetes else { return }
        var cluster = makeCluster(stream: "kube", nodes: spec.nodes, at: now)
        for manifest in spec.manifests {
            for object in manifest.objects {
                do { _ = try cluster.apply(object) } catch {
                    trace.record("kube", "apply-failed", at: now, [
                        "file": .string(manifest.file), "object": .string(object.metadata.nameOrEmpty), "error": .string(error.message),
                    ])
                }
            }
        }
        kube = cluster
        for node in pendingEKSNodes { eksNodeJoined(instance: node.instance, name: node.name, availabilityZone: node.availabilityZone) }
        pendingEKSNodes.removeAll()
        drainKube()
        scheduleKube()
    }

    /// Allocatable CPU and memory of the instance types node groups use
    /// (EC2 instance types: vCPUs and GiB); others count as 4 vCPU / 16 GiB.
    static let instanceCapacity: [String: (cpu: Int64, memoryGiB: Int64)] = [
        "m5.large": (2, 8), "m5.xlarge": (4, 16), "m5.2xlarge": (8, 32), "m5.4xlarge": (16, 64),
        "r5.large": (2, 16), "r5.xlarge": (4, 32), "r5.2xlarge": (8, 64), "c5.large": (2, 4), "c5.xlarge": (4, 8),
        "c5.2xlarge": (8, 16), "m6i.xlarge": (4, 16), "m6i.2xlarge": (8, 32), "t3.large": (2, 8), "t3.xlarge": (4, 16),
    ]

    /// An EKS node-group instance registered with the cluster: a node named
    /// after the instance, in its AZ, whose kubelet runs on its host.
    mutating func eksNodeJoined(instance: String, name: String, availabilityZone: String) {
        guard scenario.kubernetes != nil else { return }
        guard kube != nil else {
            pendingEKSNodes.append((instance, name, availabilityZone))
            return
        }
        let ec2Instance = ec2.instances[instance]
        let type = ec2Instance?.instanceType ?? ""
        let capacity = Self.instanceCapacity[type] ?? (4, 16)
        let group = autoScaling.groups.keys.sorted().first { autoScaling.groups[$0]?.instances.contains(instance) == true } ?? ""
        let region = scenario.topology.regions.first { $0.availabilityZones.contains(availabilityZone) }?.name ?? ""
        do {
            try kube?.addNode(name: name, zone: availabilityZone, region: region, cpu: Quantity(milli: capacity.cpu * 1000),
                              memory: Quantity(value: capacity.memoryGiB << 30), labels: [
                                "node.kubernetes.io/instance-type": type, "eks.amazonaws.com/nodegroup": group,
                              ], faultDomain: .host(name))
        } catch {
            trace.record("kube", "add-node-failed", at: loop.now, ["node": .string(name), "error": .string(error.message)])
        }
        drainKube()
        scheduleKube()
    }

    /// A node-group instance terminated: its Node object goes (on EKS the cloud
    /// node lifecycle controller deletes it), and PodGC releases its pods.
    mutating func eksNodeLeft(name: String) {
        pendingEKSNodes.removeAll { $0.name == name }
        guard kube?.store.nodes[name] != nil else { return }
        do { try kube?.removeNode(name: name) } catch {
            trace.record("kube", "remove-node-failed", at: loop.now, ["node": .string(name), "error": .string(error.message)])
        }
        drainKube()
        scheduleKube()
    }

    /// A cluster's timers due now.
    mutating func kubeTimerFires(_ index: Int) {
        kubeTimers[index] = nil
        if index == 0 { kube?.advance(to: loop.now) } else { standbyKube?.advance(to: loop.now) }
        drainKube(index)
        scheduleKube(index)
    }

    /// Faults changed: nodes whose host or AZ went down stop heartbeating.
    mutating func kubeFaultsChanged() {
        for index in kubeClusterIndices {
            if index == 0 { kube?.advance(to: loop.now, faults: faults) } else { standbyKube?.advance(to: loop.now, faults: faults) }
            drainKube(index)
            scheduleKube(index)
        }
    }

    /// Wakes the world when a cluster's next timer is due.
    mutating func scheduleKube(_ index: Int = 0) {
        guard let next = index == 0 ? kube?.nextTimerInstant() : standbyKube?.nextTimerInstant() else { return }
        if let current = kubeTimers[index] {
            if current.at == next { return }
            loop.cancel(current.id)
        }
        let at = max(next, loop.now)
        kubeTimers[index] = (loop.schedule(.kube(cluster: index), at: at), at)
    }

    /// Copies a cluster's new events into the trace; node readiness changes
    /// and evictions also go to the timeline. The standby cluster's records
    /// name it (the primary's stay as they were before there were two).
    mutating func drainKube(_ index: Int = 0) {
        if index == 0 { reconcileServiceLoadBalancers() }
        guard let cluster = kubeCluster(index) else { return }
        let events = cluster.trace
        let consumed = kubeTraceConsumed[index] ?? 0
        guard consumed < events.count else { return }
        let name = index == 0 ? nil : scenario.odas?.standby?.name
        // With two clusters the timeline says whose node it is.
        let label = scenario.odas?.standby == nil ? nil : odasCluster(index)?.name
        for event in events[consumed...] {
            var fields: [(key: String, value: TraceValue)] = [("object", .string(event.object)), ("message", .string(event.message))]
            if let name { fields.append(("cluster", .string(name))) }
            trace.record("kube", event.reason, at: event.at, attributes: fields)
            let text: String?
            switch event.reason {
            case "NodeNotReady": text = "\(event.object) is NotReady (no Lease renewal within the grace period)"
            case "NodeReady": text = "\(event.object) is Ready again"
            case "TaintManagerEviction": text = "\(event.object) evicted: its node's NoExecute taint outlasted the toleration"
            case "ControlPlaneUnavailable": text = "Kubernetes control plane down (\(event.message)): the cluster is frozen"
            case "ControlPlaneAvailable": text = "Kubernetes control plane back (\(event.message))"
            default: text = nil
            }
            if let text { timeline.append(TimelineEntry(at: event.at, kind: "kube-" + event.reason, text: (label.map { $0 + ": " } ?? "") + text)) }
        }
        kubeTraceConsumed[index] = events.count
        if scenario.odas != nil { noteODASEndpoints(cluster: index) }
    }
}
