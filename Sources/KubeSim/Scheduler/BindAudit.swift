/// An independent, brute-force check of every hard scheduling constraint at
/// bind time (TigerBeetle-style self-check). Off by default; property tests
/// turn it on and assert that it never finds a violation. It recomputes
/// everything from the store, sharing no code with the scheduler's cache.
extension KubeCluster {
    func bindViolations(_ pod: Pod, node nodeName: String) -> [String] {
        var problems: [String] = []
        let name = pod.ref.key
        guard let node = store.nodes[nodeName] else { return ["\(name): node \(nodeName) does not exist"] }
        if !node.isReady { problems.append("\(name): bound to \(nodeName) whose Ready is \(node.readyStatus ?? "missing")") }
        let tolerations = pod.spec.tolerations ?? []
        if node.isUnschedulable && !tolerations.contains(where: { $0.tolerates(Taint(key: WellKnown.taintUnschedulable, effect: "NoSchedule")) }) {
            problems.append("\(name): bound to cordoned \(nodeName)")
        }
        for taint in node.taints where taint.effect != "PreferNoSchedule" && !tolerations.contains(where: { $0.tolerates(taint) }) {
            problems.append("\(name): untolerated taint \(taint.key):\(taint.effect) on \(nodeName)")
        }
        let labels = node.metadata.labelsOrEmpty
        if !NodeMatching.podMatchesNode(pod.spec, nodeName: nodeName, labels: labels) { problems.append("\(name): node affinity/selector not met on \(nodeName)") }
        // Resources.
        let onNode = store.pods(onNode: nodeName).filter { !$0.isTerminal && $0.ref.key != name }
        let alloc = node.status?.allocatable ?? [:]
        let cpu = onNode.reduce(PodRequests(pod.spec).milliCPU) { $0 + PodRequests($1.spec).milliCPU }
        let memory = onNode.reduce(PodRequests(pod.spec).memory) { $0 + PodRequests($1.spec).memory }
        if PodRequests(pod.spec).milliCPU > 0 && cpu > PodRequests.clamp(alloc["cpu"]?.milliValue ?? 0) { problems.append("\(name): cpu overcommitted on \(nodeName)") }
        if PodRequests(pod.spec).memory > 0 && memory > PodRequests.clamp(alloc["memory"]?.value ?? 0) { problems.append("\(name): memory overcommitted on \(nodeName)") }
        if Int64(onNode.count + 1) > (alloc["pods"]?.value ?? 110) { problems.append("\(name): too many pods on \(nodeName)") }
        // Everything bound and not terminating, for affinity and spread.
        let namespace = pod.metadata.namespaceOrEmpty
        let others = store.list(Pod.self).filter { $0.spec.nodeName != nil && $0.metadata.deletionTimestamp == nil && !$0.isTerminal && $0.ref.key != name }
        func domain(_ p: Pod, _ key: String) -> String? { p.spec.nodeName.flatMap { store.nodes[$0]?.metadata.labels?[key] } }
        for term in pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [] {
            let selector = Selector(term.labelSelector), namespaces = Set(term.namespaces ?? [namespace])
            guard let mine = labels[term.topologyKey] else { continue }
            if others.contains(where: { namespaces.contains($0.metadata.namespaceOrEmpty) && selector.matches($0.metadata.labelsOrEmpty) && domain($0, term.topologyKey) == mine }) {
                problems.append("\(name): anti-affinity violated on \(nodeName)")
            }
        }
        for other in others {
            for term in other.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [] {
                let namespaces = Set(term.namespaces ?? [other.metadata.namespaceOrEmpty])
                guard namespaces.contains(namespace), Selector(term.labelSelector).matches(pod.metadata.labelsOrEmpty),
                      let mine = labels[term.topologyKey], domain(other, term.topologyKey) == mine else { continue }
                problems.append("\(name): existing pod \(other.ref.key)'s anti-affinity violated on \(nodeName)")
            }
        }
        for term in pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [] {
            let selector = Selector(term.labelSelector), namespaces = Set(term.namespaces ?? [namespace])
            let matching = others.filter { namespaces.contains($0.metadata.namespaceOrEmpty) && selector.matches($0.metadata.labelsOrEmpty) }
            if matching.isEmpty && selector.matches(pod.metadata.labelsOrEmpty) { continue }
            if !matching.contains(where: { labels[term.topologyKey] != nil && domain($0, term.topologyKey) == labels[term.topologyKey] }) {
                problems.append("\(name): affinity not met on \(nodeName)")
            }
        }
        let constraints = (pod.spec.topologySpreadConstraints ?? []).filter { $0.whenUnsatisfiable == "DoNotSchedule" }
        for c in constraints {
            let selector = Selector(c.labelSelector)
            guard let mine = labels[c.topologyKey] else { problems.append("\(name): spread key missing on \(nodeName)"); continue }
            var counts: [String: Int] = [:]
            for n in store.nodes.sorted {
                let nl = n.metadata.labelsOrEmpty
                guard let d = nl[c.topologyKey], constraints.allSatisfy({ nl[$0.topologyKey] != nil }) else { continue }
                if (c.nodeAffinityPolicy ?? "Honor") == "Honor" && !NodeMatching.podMatchesNode(pod.spec, nodeName: n.metadata.nameOrEmpty, labels: nl) { continue }
                if (c.nodeTaintsPolicy ?? "Ignore") == "Honor" && n.taints.contains(where: { t in t.effect != "PreferNoSchedule" && !tolerations.contains { $0.tolerates(t) } }) { continue }
                counts[d, default: 0] += 0
                counts[d, default: 0] += others.filter { $0.spec.nodeName == n.metadata.name && $0.metadata.namespaceOrEmpty == namespace && selector.matches($0.metadata.labelsOrEmpty) }.count
            }
            var minimum = counts.values.min() ?? 0
            if counts.count < Int(c.minDomains ?? 1) { minimum = 0 }
            let after = (counts[mine] ?? 0) + (selector.matches(pod.metadata.labelsOrEmpty) ? 1 : 0)
            if after - minimum > Int(c.maxSkew) { problems.append("\(name): spread skew \(after - minimum) > \(c.maxSkew) in \(mine)") }
        }
        return problems
    }
}
