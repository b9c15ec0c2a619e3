/// What the scheduler knows about one node: allocatable, what is already
/// requested by the pods bound to it, labels and taints.
struct NodeInfo: Sendable {
    var name: String
    var labels: [String: String]
    var taints: [Taint]
    var unschedulable: Bool
    var allocatableMilliCPU: Int64
    var allocatableMemory: Int64
    var allocatablePods: Int64
    var requestedMilliCPU: Int64 = 0
    var requestedMemory: Int64 = 0
    var podCount: Int64 = 0
}

/// Resource requests of one pod (`resourcehelper.PodRequests`: the sum over
/// containers, or the largest init container if that is larger).
struct PodRequests: Hashable, Sendable {
    var milliCPU: Int64 = 0
    var memory: Int64 = 0

    /// Each figure is clamped to 0…2^50 (about 10^15 millicores or a pebibyte), so that sums and
    /// percentages over a node's pods cannot overflow whatever a manifest asks for.
    static let ceiling: Int64 = 1 << 50

    static func clamp(_ v: Int64) -> Int64 { min(max(v, 0), ceiling) }

    init(_ spec: PodSpec) {
        for c in spec.containers {
            milliCPU = Self.clamp(milliCPU + Self.clamp(c.resources?.requests?["cpu"]?.milliValue ?? 0))
            memory = Self.clamp(memory + Self.clamp(c.resources?.requests?["memory"]?.value ?? 0))
        }
        for c in spec.initContainers ?? [] {
            milliCPU = max(milliCPU, Self.clamp(c.resources?.requests?["cpu"]?.milliValue ?? 0))
            memory = max(memory, Self.clamp(c.resources?.requests?["memory"]?.value ?? 0))
        }
    }
}

/// A pod as the scheduler accounted it.
struct PodAccount: Sendable {
    var namespace: String
    var labels: [String: String]
    var nodeName: String
    var nodeLabels: [String: String]
    var requests: PodRequests
    /// Counted by spread and affinity (bound and not terminating).
    var countsForTopology: Bool
    /// Required anti-affinity terms this pod holds (for the symmetric check).
    var antiTermKeys: [String]
}

/// Matching-pod counts for one (namespace, selector): per node and per topology domain.
struct SelectorCounter: Sendable {
    var namespaces: Set<String>
    var selector: Selector
    var perNode: [String: Int] = [:]
    var perDomain: [String: [String: Int]] = [:]

    mutating func add(_ account: PodAccount, _ delta: Int) {
        perNode[account.nodeName, default: 0] += delta
        if perNode[account.nodeName] == 0 { perNode[account.nodeName] = nil }
        for key in perDomain.keys {
            guard let value = account.nodeLabels[key] else { continue }
            perDomain[key]?[value, default: 0] += delta
        }
    }
}

/// A required anti-affinity term held by existing pods: where they are.
struct AntiAffinityHolder: Sendable {
    var namespaces: Set<String>
    var selector: Selector
    var topologyKey: String
    var domainCounts: [String: Int] = [:]
}

/// The scheduler's incremental view of the cluster (kube-scheduler's cache):
/// nodes in name order, per-node requested resources kept up to date as pods
/// are bound and removed, and per-(selector, topology domain) pod counts for
/// spread and inter-pod affinity, so that scheduling one pod never rescans
/// every pod.
struct SchedulerCache: Sendable {
    var nodes: [String: NodeInfo] = [:]
    /// Node names, sorted.
    var nodeOrder: [String] = []
    var nodeIndex: [String: Int] = [:]
    var accounts: [String: PodAccount] = [:]
    var counters: [String: SelectorCounter] = [:]
    var countersByNamespace: [String: [String]] = [:]
    /// namespace → "key=value" of a counter's first equality requirement → counter keys.
    var countersByRequirement: [String: [String: [String]]] = [:]
    /// namespace → counters without an equality requirement.
    var unindexedCounters: [String: [String]] = [:]
    var antiHolders: [String: AntiAffinityHolder] = [:]
    /// Per topology key: the domain of each node in `nodeOrder` as an id into `names` (-1 when the node lacks the key).
    var domainColumns: [String: DomainColumn] = [:]
    /// Hot per-node fields in `nodeOrder` order, so that the filter loop neither hashes nor copies.
    var dense = DenseNodes()
    /// Set when `nodeIndex`, `dense` and the domain columns must be rebuilt before use.
    var needsReindex = false

    // MARK: Nodes

    mutating func upsertNode(_ node: Node) {
        let name = node.metadata.nameOrEmpty
        let alloc = node.status?.allocatable ?? node.status?.capacity ?? [:]
        var info = NodeInfo(name: name, labels: node.metadata.labelsOrEmpty, taints: node.taints, unschedulable: node.isUnschedulable,
                            allocatableMilliCPU: PodRequests.clamp(alloc["cpu"]?.milliValue ?? 0),
                            allocatableMemory: PodRequests.clamp(alloc["memory"]?.value ?? 0),
                            allocatablePods: PodRequests.clamp(alloc["pods"]?.value ?? 110))
        let labelsChanged: Bool
        if let old = nodes[name] {
            info.requestedMilliCPU = old.requestedMilliCPU
            info.requestedMemory = old.requestedMemory
            info.podCount = old.podCount
            labelsChanged = old.labels != info.labels
        } else {
            labelsChanged = true
        }
        let isNew = nodes[name] == nil
        nodes[name] = info
        if isNew {
            var low = 0, high = nodeOrder.count
            while low < high {
                let mid = (low + high) / 2
                if nodeOrder[mid] < name { low = mid + 1 } else { high = mid }
            }
            let position = low
            nodeOrder.insert(name, at: position)
            if position == nodeOrder.count - 1 {
                nodeIndex[name] = position
                domainColumns.removeAll()
                dense.append(info)
            } else {
                needsReindex = true
            }
        } else {
            if labelsChanged { domainColumns.removeAll() }
            if !needsReindex, let i = nodeIndex[name] { dense.set(i, info) }
        }
        if labelsChanged { rebuildDomainCounts() }
    }

    mutating func removeNode(_ name: String) {
        guard nodes.removeValue(forKey: name) != nil else { return }
        nodeOrder.removeAll { $0 == name }
        needsReindex = true
    }

    /// Rebuilds the positional indexes if nodes were inserted or removed.
    mutating func ensureIndexed() {
        guard needsReindex else { return }
        needsReindex = false
        rebuildNodeIndex()
    }

    private mutating func rebuildNodeIndex() {
        nodeIndex.removeAll(keepingCapacity: true)
        for (i, n) in nodeOrder.enumerated() { nodeIndex[n] = i }
        domainColumns.removeAll()
        rebuildDense()
    }

    mutating func domainColumn(_ key: String) -> DomainColumn {
        ensureIndexed()
        if let c = domainColumns[key] { return c }
        var column = DomainColumn()
        var idByName: [String: Int32] = [:]
        column.ids.reserveCapacity(nodeOrder.count)
        for name in nodeOrder {
            guard let value = nodes[name]?.labels[key] else { column.ids.append(-1); continue }
            if let id = idByName[value] { column.ids.append(id); continue }
            let id = Int32(column.names.count)
            idByName[value] = id
            column.names.append(value)
            column.ids.append(id)
        }
        column.idByName = idByName
        domainColumns[key] = column
        return column
    }

    private mutating func rebuildDense() {
        dense = DenseNodes()
        for name in nodeOrder {
            guard let info = nodes[name] else { continue }
            dense.append(info)
        }
    }

    private mutating func rebuildDomainCounts() {
        for (key, _) in counters { rebuildCounter(key) }
        for (key, holder) in antiHolders {
            var counts: [String: Int] = [:]
            for (_, a) in accounts where a.countsForTopology && a.antiTermKeys.contains(key) {
                if let d = nodes[a.nodeName]?.labels[holder.topologyKey] ?? a.nodeLabels[holder.topologyKey] { counts[d, default: 0] += 1 }
            }
            antiHolders[key]?.domainCounts = counts
        }
    }

    // MARK: Pods

    /// Accounts `pod` (bound, non-terminal) or forgets it (nil, unbound, or terminal).
    mutating func updatePod(key: String, pod: Pod?) {
        let old = accounts[key]
        var new: PodAccount?
        if let pod, let nodeName = pod.spec.nodeName, !pod.isTerminal {
            let nodeLabels = nodes[nodeName]?.labels ?? old?.nodeLabels ?? [:]
            var antiKeys: [String] = []
            for term in pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [] {
                antiKeys.append(registerAntiHolder(term, podNamespace: pod.metadata.namespaceOrEmpty))
            }
            new = PodAccount(namespace: pod.metadata.namespaceOrEmpty, labels: pod.metadata.labelsOrEmpty, nodeName: nodeName,
                             nodeLabels: nodeLabels, requests: PodRequests(pod.spec),
                             countsForTopology: pod.metadata.deletionTimestamp == nil, antiTermKeys: antiKeys)
        }
        if let old, let new, old.nodeName == new.nodeName, old.countsForTopology == new.countsForTopology,
           old.requests == new.requests, old.labels == new.labels, old.antiTermKeys == new.antiTermKeys {
            return
        }
        if let old { apply(old, -1) }
        accounts[key] = new
        if let new { apply(new, 1) }
    }

    private mutating func apply(_ account: PodAccount, _ delta: Int) {
        if var info = nodes[account.nodeName] {
            // Wrapping arithmetic: adding and removing the same pod always cancels out.
            info.requestedMilliCPU &+= account.requests.milliCPU &* Int64(delta)
            info.requestedMemory &+= account.requests.memory &* Int64(delta)
            info.podCount &+= Int64(delta)
            nodes[account.nodeName] = info
            if !needsReindex, let i = nodeIndex[account.nodeName] { dense.set(i, info) }
        }
        guard account.countsForTopology else { return }
        var candidates = unindexedCounters[account.namespace] ?? []
        if let index = countersByRequirement[account.namespace] {
            for (k, v) in account.labels { if let keys = index["\(k)=\(v)"] { candidates += keys } }
        }
        for key in candidates {
            guard let counter = counters[key], counter.selector.matches(account.labels) else { continue }
            counters[key]?.add(account, delta)
        }
        for key in account.antiTermKeys {
            guard let topologyKey = antiHolders[key]?.topologyKey, let d = account.nodeLabels[topologyKey] else { continue }
            antiHolders[key]?.domainCounts[d, default: 0] += delta
            if antiHolders[key]?.domainCounts[d] == 0 { antiHolders[key]?.domainCounts[d] = nil }
        }
    }

    // MARK: Counters

    /// The counter for pods in `namespaces` matching `selector`, created (one scan) on first use.
    mutating func counter(namespaces: Set<String>, selector: Selector, topologyKey: String) -> SelectorCounter {
        let key = namespaces.sorted().joined(separator: ",") + "|" + selector.description
        if counters[key] == nil {
            counters[key] = SelectorCounter(namespaces: namespaces, selector: selector)
            for ns in namespaces {
                countersByNamespace[ns, default: []].append(key)
                if let eq = selector.requirements.first(where: { $0.op == .equals }) {
                    countersByRequirement[ns, default: [:]]["\(eq.key)=\(eq.values.first ?? "")", default: []].append(key)
                } else {
                    unindexedCounters[ns, default: []].append(key)
                }
            }
            rebuildCounter(key)
        }
        if counters[key]?.perDomain[topologyKey] == nil {
            counters[key]?.perDomain[topologyKey] = [:]
            rebuildCounter(key)
        }
        return counters[key] ?? SelectorCounter(namespaces: namespaces, selector: selector)
    }

    private mutating func rebuildCounter(_ key: String) {
        guard var counter = counters[key] else { return }
        counter.perNode = [:]
        for k in counter.perDomain.keys { counter.perDomain[k] = [:] }
        for (_, a) in accounts where a.countsForTopology && counter.namespaces.contains(a.namespace) && counter.selector.matches(a.labels) {
            counter.add(a, 1)
        }
        counters[key] = counter
    }

    private mutating func registerAntiHolder(_ term: PodAffinityTerm, podNamespace: String) -> String {
        let namespaces = Set(term.namespaces ?? [podNamespace])
        let selector = Selector(term.labelSelector)
        let key = namespaces.sorted().joined(separator: ",") + "|" + selector.description + "|" + term.topologyKey
        if antiHolders[key] == nil {
            antiHolders[key] = AntiAffinityHolder(namespaces: namespaces, selector: selector, topologyKey: term.topologyKey)
        }
        return key
    }
}

/// Domain ids of the nodes for one topology key.
struct DomainColumn: Sendable {
    var ids: [Int32] = []
    var names: [String] = []
    var idByName: [String: Int32] = [:]
}

/// Per-node scheduling fields as parallel arrays.
struct DenseNodes: Sendable {
    var allocatableMilliCPU: [Int64] = []
    var allocatableMemory: [Int64] = []
    var allocatablePods: [Int64] = []
    var requestedMilliCPU: [Int64] = []
    var requestedMemory: [Int64] = []
    var podCount: [Int64] = []
    var unschedulable: [Bool] = []
    var hasTaints: [Bool] = []
    var taints: [[Taint]] = []

    mutating func append(_ info: NodeInfo) {
        allocatableMilliCPU.append(info.allocatableMilliCPU)
        allocatableMemory.append(info.allocatableMemory)
        allocatablePods.append(info.allocatablePods)
        requestedMilliCPU.append(info.requestedMilliCPU)
        requestedMemory.append(info.requestedMemory)
        podCount.append(info.podCount)
        unschedulable.append(info.unschedulable)
        hasTaints.append(!info.taints.isEmpty)
        taints.append(info.taints)
    }

    mutating func set(_ i: Int, _ info: NodeInfo) {
        guard i < podCount.count else { return }
        allocatableMilliCPU[i] = info.allocatableMilliCPU
        allocatableMemory[i] = info.allocatableMemory
        allocatablePods[i] = info.allocatablePods
        requestedMilliCPU[i] = info.requestedMilliCPU
        requestedMemory[i] = info.requestedMemory
        podCount[i] = info.podCount
        unschedulable[i] = info.unschedulable
        hasTaints[i] = !info.taints.isEmpty
        if taints[i] != info.taints { taints[i] = info.taints }
    }
}
