import SimCore

extension KubeCluster {
    /// Upstream `--max-endpoints-per-slice` default 100
    /// (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/).
    static let maxEndpointsPerSlice = 100

    /// The Endpoints and EndpointSlice controllers: pods selected by the
    /// Service with an IP → `Endpoints` (ready in `addresses`, others in
    /// `notReadyAddresses`; terminating pods left out) and EndpointSlices of
    /// at most 100 endpoints (`<service>-<n>`, label `kubernetes.io/service-name`)
    /// with nodeName, zone and ready/serving/terminating conditions. A new
    /// endpoint goes into the first slice with room, so a change rewrites one slice.
    mutating func syncEndpoints(_ key: String) {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let ns = parts[0], name = parts[1]
        guard let service = store.services[key], service.spec?.selector != nil else {
            if store.services[key] == nil {
                _ = store.remove(Endpoints.self, ns, name)
                for slice in store.list(EndpointSlice.self, namespace: ns) where slice.metadata.labels?["kubernetes.io/service-name"] == name {
                    _ = store.remove(EndpointSlice.self, ns, slice.metadata.nameOrEmpty)
                }
                endpointCache[key] = nil
            }
            return
        }
        let ref = ObjectRef(.service, ns, name)
        let publishNotReady = service.spec?.publishNotReadyAddresses ?? false
        let changed: [String]
        if endpointCache[key] != nil {
            changed = Array(dirtyServicePods.removeValue(forKey: key) ?? []).sorted()
        } else {
            endpointCache[key] = EndpointCache()
            changed = memberships.memberKeys(ref)
            dirtyServicePods[key] = nil
        }
        let members = memberships.members[ref] ?? []
        for podKey in changed {
            var entry: EndpointEntry?
            if members.contains(podKey), let pod = store.pods[podKey], let ip = pod.status?.podIP, !pod.isTerminal {
                let target = ObjectReference(kind: "Pod", namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid)
                let zone = pod.spec.nodeName.flatMap { nodeZones[$0] }
                let terminating = pod.metadata.deletionTimestamp != nil
                let isReady = pod.isReady && !terminating
                let address = EndpointAddress(ip: ip, hostname: pod.spec.hostname, nodeName: pod.spec.nodeName, targetRef: target)
                let slice = SliceEndpoint(addresses: [ip], conditions: EndpointConditions(ready: isReady || (publishNotReady && !terminating),
                                                                                           serving: pod.isReady, terminating: terminating),
                                          nodeName: pod.spec.nodeName, zone: zone, targetRef: target)
                entry = EndpointEntry(address: terminating ? nil : address, ready: isReady || publishNotReady, slice: slice)
            }
            endpointCache[key]?.set(podKey, entry, maxPerSlice: Self.maxEndpointsPerSlice)
        }
        guard var cache = endpointCache.removeValue(forKey: key) else { return }
        let ports = (service.spec?.ports ?? []).map { p -> EndpointPort in
            var port = p.port
            if case .int(let target)? = p.targetPort { port = Int32(target) }
            return EndpointPort(name: p.name, port: port, protocol: p.protocol ?? "TCP")
        }
        // Core Endpoints: one object with every address.
        if cache.endpointsDirty || store.get(Endpoints.self, ns, name) == nil {
            let ready = cache.readyAddresses, notReady = cache.notReadyAddresses
            var subsets: [EndpointSubset]? = nil
            if !ready.isEmpty || !notReady.isEmpty {
                subsets = [EndpointSubset(addresses: ready.isEmpty ? nil : ready, notReadyAddresses: notReady.isEmpty ? nil : notReady, ports: ports)]
            }
            if let existing = store.get(Endpoints.self, ns, name) {
                var updated = existing
                updated.subsets = subsets
                store.replace(updated, existing: existing, knownChanged: true)
            } else {
                _ = try? store.create(Endpoints(metadata: ObjectMeta(name: name, namespace: ns, labels: service.metadata.labels), subsets: subsets), now: now)
            }
        }
        // EndpointSlices: only the slices that changed.
        let labels = ["kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"]
        let owner = OwnerReference(apiVersion: "v1", kind: "Service", name: name, uid: service.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        if cache.sliceKeys.isEmpty { cache.sliceKeys = [[]]; cache.sliceEndpoints = [[]]; cache.dirtySlices.insert(0) }
        for index in cache.dirtySlices.sorted() where index < cache.sliceKeys.count {
            let sliceName = "\(name)-\(index)"
            let endpoints = cache.sliceEndpoints[index]
            if let existing = store.get(EndpointSlice.self, ns, sliceName) {
                var updated = existing
                updated.endpoints = endpoints.isEmpty ? nil : endpoints
                if updated.ports != ports { updated.ports = ports }
                store.replace(updated, existing: existing, knownChanged: true)
            } else {
                var slice = EndpointSlice(metadata: ObjectMeta(name: sliceName, namespace: ns, labels: labels, ownerReferences: [owner]))
                slice.endpoints = endpoints.isEmpty ? nil : endpoints
                slice.ports = ports
                _ = try? store.create(slice, now: now)
            }
        }
        cache.dirtySlices.removeAll()
        cache.endpointsDirty = false
        endpointCache[key] = cache
    }

    /// The EndpointSlices of a Service, in name order.
    public func endpointSlices(service: String, namespace: String = "default") -> [EndpointSlice] {
        store.list(EndpointSlice.self, namespace: namespace).filter { $0.metadata.labels?["kubernetes.io/service-name"] == service }
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
