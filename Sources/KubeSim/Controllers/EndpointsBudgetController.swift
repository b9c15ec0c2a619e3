import SimCore

extension KubeCluster {
    /// The Endpoints and EndpointSlice controllers: pods selected by the
    /// Service with an IP → `Endpoints` (ready in `addresses`, others in
    /// `notReadyAddresses`; terminating pods left out) and one
    /// `EndpointSlice` named after the Service with nodeName, zone and
    /// ready/serving/terminating conditions.
    mutating func syncEndpoints(_ key: String) {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let ns = parts[0], name = parts[1]
        guard let service = store.services[key], let selector = service.spec?.selector else {
            if store.services[key] == nil {
                _ = store.remove(Endpoints.self, ns, name)
                _ = store.remove(EndpointSlice.self, ns, name)
            }
            return
        }
        _ = selector
        let ref = ObjectRef(.service, ns, name)
        let publishNotReady = service.spec?.publishNotReadyAddresses ?? false
        var cache: [String: EndpointEntry]
        let changed: [String]
        if let cached = endpointCache[key] {
            cache = cached
            changed = Array(dirtyServicePods.removeValue(forKey: key) ?? [])
        } else {
            cache = [:]
            changed = memberships.memberKeys(ref)
            dirtyServicePods[key] = nil
        }
        let members = memberships.members[ref] ?? []
        for podKey in changed {
            guard members.contains(podKey), let pod = store.pods[podKey], let ip = pod.status?.podIP, !pod.isTerminal else {
                cache[podKey] = nil
                continue
            }
            let target = ObjectReference(kind: "Pod", namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid)
            let zone = pod.spec.nodeName.flatMap { nodeZones[$0] }
            let terminating = pod.metadata.deletionTimestamp != nil
            let isReady = pod.isReady && !terminating
            let address = EndpointAddress(ip: ip, hostname: pod.spec.hostname, nodeName: pod.spec.nodeName, targetRef: target)
            let slice = SliceEndpoint(addresses: [ip], conditions: EndpointConditions(ready: isReady || (publishNotReady && !terminating),
                                                                                       serving: pod.isReady, terminating: terminating),
                                      nodeName: pod.spec.nodeName, zone: zone, targetRef: target)
            cache[podKey] = EndpointEntry(address: terminating ? nil : address, ready: isReady || publishNotReady, slice: slice)
        }
        endpointCache[key] = cache
        var ready: [EndpointAddress] = [], notReady: [EndpointAddress] = []
        var sliceEndpoints: [SliceEndpoint] = []
        for podKey in cache.keys.sorted() {
            guard let entry = cache[podKey] else { continue }
            if let address = entry.address { if entry.ready { ready.append(address) } else { notReady.append(address) } }
            if let slice = entry.slice { sliceEndpoints.append(slice) }
        }
        let ports = (service.spec?.ports ?? []).map { p -> EndpointPort in
            var port = p.port
            if case .int(let target)? = p.targetPort { port = Int32(target) }
            return EndpointPort(name: p.name, port: port, protocol: p.protocol ?? "TCP")
        }
        var subsets: [EndpointSubset]? = nil
        if !ready.isEmpty || !notReady.isEmpty {
            subsets = [EndpointSubset(addresses: ready.isEmpty ? nil : ready, notReadyAddresses: notReady.isEmpty ? nil : notReady, ports: ports)]
        }
        let labels = ["kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"]
        let owner = OwnerReference(apiVersion: "v1", kind: "Service", name: name, uid: service.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        if let existing = store.get(Endpoints.self, ns, name) {
            store.modify(Endpoints.self, ns, name) { $0.subsets = subsets }
            _ = existing
        } else {
            _ = try? store.create(Endpoints(metadata: ObjectMeta(name: name, namespace: ns, labels: service.metadata.labels), subsets: subsets), now: now)
        }
        if store.get(EndpointSlice.self, ns, name) != nil {
            store.modify(EndpointSlice.self, ns, name) { s in
                s.endpoints = sliceEndpoints.isEmpty ? nil : sliceEndpoints
                s.ports = ports
            }
        } else {
            var slice = EndpointSlice(metadata: ObjectMeta(name: name, namespace: ns, labels: labels, ownerReferences: [owner]))
            slice.endpoints = sliceEndpoints.isEmpty ? nil : sliceEndpoints
            slice.ports = ports
            _ = try? store.create(slice, now: now)
        }
    }

    /// The disruption controller: `expectedPods`, `currentHealthy` (Ready, not
    /// terminating), `desiredHealthy` (minAvailable, or expected − maxUnavailable,
    /// percentages rounded up) and `disruptionsAllowed`.
    mutating func syncBudget(_ key: String) {
        guard let pdb = store.podDisruptionBudgets[key] else { return }
        let status = budgetStatus(pdb)
        let t = KubeTime(now)
        store.modify(PodDisruptionBudget.self, pdb.metadata.namespaceOrEmpty, pdb.metadata.nameOrEmpty) { p in
            var s = status
            s.conditions = [WorkloadCondition(type: "DisruptionAllowed", status: s.disruptionsAllowed > 0 ? "True" : "False",
                                              reason: s.disruptionsAllowed > 0 ? "SufficientPods" : "InsufficientPods",
                                              lastTransitionTime: p.status?.conditions?.first?.status == (s.disruptionsAllowed > 0 ? "True" : "False")
                                                ? p.status?.conditions?.first?.lastTransitionTime : t)]
            p.status = s
        }
    }

    func budgetStatus(_ pdb: PodDisruptionBudget) -> PodDisruptionBudgetStatus {
        let pods = memberships.memberKeys(pdb.ref).compactMap { store.pods[$0] }.filter { !$0.isTerminal }
        let expected = pods.filter { $0.metadata.deletionTimestamp == nil }.count
        let healthy = pods.filter { $0.isReady && $0.metadata.deletionTimestamp == nil }.count
        var desired: Int
        if let min = pdb.spec.minAvailable {
            desired = min.scaled(total: expected, roundUp: true) ?? expected
        } else if let max = pdb.spec.maxUnavailable {
            desired = expected - (max.scaled(total: expected, roundUp: true) ?? 0)
        } else {
            desired = expected
        }
        desired = Swift.max(0, desired)
        return PodDisruptionBudgetStatus(observedGeneration: pdb.metadata.generation, disruptionsAllowed: Int32(Swift.max(0, healthy - desired)),
                                         currentHealthy: Int32(healthy), desiredHealthy: Int32(desired), expectedPods: Int32(expected))
    }
}
