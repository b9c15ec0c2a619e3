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
    }

    /// An `http` request: kube-proxy picks one of the Service's ready
    /// endpoints at random (seeded); the request succeeds if that pod's node
    /// is reachable from the client. Endpoints of a node that died stay
    /// "ready" until the node lifecycle controller notices (the grace period),
    /// and requests routed to them fail meanwhile — as on a real cluster.
    mutating func issueHTTP(_ index: Int) {
        let spec = clients[index].spec
        let op = history.invoke(workload: spec.name, kind: .read, at: loop.now, target: spec.bucket, key: "GET /")
        defer { recordCompletion(op) }
        let parts = spec.bucket.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let cluster = kube else {
            history.complete(op, at: loop.now, outcome: .failed, error: "no Kubernetes cluster")
            noteFailure(index)
            return
        }
        let ready = cluster.endpointSlices(service: parts[1], namespace: parts[0]).flatMap { $0.endpoints ?? [] }
            .filter { $0.conditions?.ready == true && $0.nodeName != nil }
        guard !ready.isEmpty else {
            history.complete(op, at: loop.now, outcome: .failed, error: "no ready endpoints for Service \(spec.bucket)")
            noteFailure(index)
            return
        }
        let pick = ready[Int(clients[index].random.next(upperBound: UInt64(ready.count)))]
        let node = pick.nodeName ?? ""
        let pod = pick.targetRef?.name ?? pick.addresses.first ?? ""
        if let reason = faults.unreachability(from: spec.from, to: .host(node)) {
            history.complete(op, at: loop.now, outcome: .failed,
                             error: "timeout: endpoint \(pod) on \(node)\(pick.zone.map { " (\($0))" } ?? ""): \(reason)")
            noteFailure(index)
        } else {
            history.complete(op, at: loop.now, outcome: .ok, value: pod)
            clients[index].consecutiveFailures = 0
        }
    }
}
