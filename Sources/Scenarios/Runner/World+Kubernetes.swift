import KubeSim
import SimCore

/// The scenario's Kubernetes cluster inside the world: KubeSim's own timers
/// are woken by one world event at exactly their instant (`WorldEvent.kube`),
/// so the cluster and the rest of the world share one order of events; node
/// health comes from the world's fault model; the cluster's trace joins the
/// world's.
extension World {
    /// Nodes (each a host of the fault model in its AZ, so `node-crash` and AZ
    /// outages stop its kubelet) and the manifests, applied at time zero.
    mutating func buildKubernetes(at now: SimInstant) {
        guard let spec = scenario.kubernetes else { return }
        var cluster = KubeCluster(random: SimRandom(seed: seed).stream("kube"))
        for node in spec.nodes { faults.addHost(node.name, in: .availabilityZone(node.availabilityZone)) }
        cluster.setFaults(faults)
        for node in spec.nodes {
            do {
                try cluster.addNode(name: node.name, zone: node.availabilityZone, region: node.region, cpu: node.cpu,
                                    memory: node.memory, pods: node.pods, labels: node.labels, faultDomain: .host(node.name))
            } catch {
                trace.record("kube", "add-node-failed", at: now, ["node": .string(node.name), "error": .string(error.message)])
            }
        }
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

    /// The cluster's timers due now.
    mutating func kubeTimerFires() {
        kubeTimer = nil
        kube?.advance(to: loop.now)
        drainKube()
        scheduleKube()
    }

    /// Faults changed: nodes whose host or AZ went down stop heartbeating.
    mutating func kubeFaultsChanged() {
        guard kube != nil else { return }
        kube?.advance(to: loop.now, faults: faults)
        drainKube()
        scheduleKube()
    }

    /// Wakes the world when the cluster's next timer is due.
    mutating func scheduleKube() {
        guard let next = kube?.nextTimerInstant() else { return }
        if let current = kubeTimer {
            if current.at == next { return }
            loop.cancel(current.id)
        }
        let at = max(next, loop.now)
        kubeTimer = (loop.schedule(.kube, at: at), at)
    }

    /// Copies new cluster events into the trace; node readiness changes and
    /// evictions also go to the timeline.
    mutating func drainKube() {
        guard let cluster = kube else { return }
        let events = cluster.trace
        guard kubeTraceConsumed < events.count else { return }
        for event in events[kubeTraceConsumed...] {
            trace.record("kube", event.reason, at: event.at, ["object": .string(event.object), "message": .string(event.message)])
            let text: String?
            switch event.reason {
            case "NodeNotReady": text = "\(event.object) is NotReady (no Lease renewal within the grace period)"
            case "NodeReady": text = "\(event.object) is Ready again"
            case "TaintManagerEviction": text = "\(event.object) evicted: its node's NoExecute taint outlasted the toleration"
            default: text = nil
            }
            if let text { timeline.append(TimelineEntry(at: event.at, kind: "kube-" + event.reason, text: text)) }
        }
        kubeTraceConsumed = events.count
        if scenario.odas != nil { noteODASEndpoints() }
    }
}
