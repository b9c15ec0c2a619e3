import Foundation

/// The outcome of one scheduling attempt.
public enum ScheduleResult: Hashable, Sendable {
    /// The pod fits on `node`.
    case bound(node: String)
    /// No node fits; `message` is the FailedScheduling event message.
    case unschedulable(message: String)
}

/// A kube-scheduler-like scheduler: one pod at a time through the default
/// profile's filter plugins in upstream order (NodeUnschedulable,
/// TaintToleration, NodeAffinity, NodeResourcesFit, VolumeBinding/VolumeZone,
/// PodTopologySpread, InterPodAffinity), then the score plugins
/// (NodeResourcesFit LeastAllocated ×1, BalancedAllocation ×1, NodeAffinity ×2,
/// TaintToleration ×3, PodTopologySpread ×2, InterPodAffinity ×2 — weights
/// from pkg/scheduler/apis/config/v1/default_plugins.go), highest total
/// wins, ties broken by node name (upstream picks at random among ties).
///
/// Like upstream it stops filtering once it has found
/// `percentageOfNodesToScore` feasible nodes (adaptive: 50 % − nodes/125,
/// at least 5 %, at least 100 nodes), starting each cycle where the previous
/// one stopped — https://kubernetes.io/docs/concepts/scheduling-eviction/scheduler-perf-tuning/.
/// Preemption is not modelled.
public struct Scheduler: Sendable {
    var cache = SchedulerCache()
    var nextStartNodeIndex = 0

    public init() {}

    /// `numFeasibleNodesToFind` (pkg/scheduler/schedule_one.go): all nodes below 100,
    /// else adaptive percentage (50 − n/125, min 5) of n, at least 100.
    static func numFeasibleNodesToFind(_ n: Int) -> Int {
        if n < 100 { return n }
        var percentage = 50 - n / 125
        if percentage < 5 { percentage = 5 }
        let found = n * percentage / 100
        return max(found, 100)
    }

    struct SpreadConstraint {
        var maxSkew: Int
        var selfMatch: Int
        var ids: [Int32]
        /// Matching pods per domain id (eligible domains only when `eligible` is set).
        var counts: [Int]
        var eligible: [Bool]
        var minCount: Int
        var domainCount: Int
    }

    struct AffinityTermState {
        var ids: [Int32]
        var counts: [Int]
        var weight: Int
        var anywhere = false
    }

    /// Schedules `pod` against the cache. `volumes` resolves the pod's claims
    /// (from the store); `defaultSpreadSelector` is the selector of the pod's
    /// controller, for the system default spread constraints.
    mutating func schedule(_ pod: Pod, volumes: VolumeConstraints, defaultSpreadSelector: Selector?) -> ScheduleResult {
        cache.ensureIndexed()
        let total = cache.nodeOrder.count
        if let message = volumes.podLevelError {
            return .unschedulable(message: Self.message(total: total, reasons: [:], podLevel: message))
        }
        if total == 0 {
            return .unschedulable(message: "0/0 nodes are available: no nodes available to schedule pods.")
        }
        let namespace = pod.metadata.namespaceOrEmpty
        let labels = pod.metadata.labelsOrEmpty
        let tolerations = pod.spec.tolerations ?? []
        let requests = PodRequests(pod.spec)
        let nodeOrder = cache.nodeOrder

        func blockingTaint(_ name: String) -> Taint? {
            cache.nodes[name]?.taints.first { t in (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerations.contains { $0.tolerates(t) } }
        }

        // PreFilter: node eligibility for spread (nodeAffinityPolicy Honor / nodeTaintsPolicy Ignore by default).
        let hasNodeAffinity = pod.spec.nodeSelector != nil || pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution != nil
        let allConstraints = pod.spec.topologySpreadConstraints ?? []
        let hardConstraints = allConstraints.filter { $0.whenUnsatisfiable == "DoNotSchedule" }
        var hardSpread: [SpreadConstraint] = []
        for c in hardConstraints {
            let selector = Selector(c.labelSelector)
            let honorAffinity = (c.nodeAffinityPolicy ?? "Honor") == "Honor"
            let honorTaints = (c.nodeTaintsPolicy ?? "Ignore") == "Honor"
            let counter = cache.counter(namespaces: [namespace], selector: selector, topologyKey: c.topologyKey)
            let column = cache.domainColumn(c.topologyKey)
            var counts = [Int](repeating: 0, count: column.names.count)
            var eligible = [Bool](repeating: false, count: column.names.count)
            if (!honorAffinity || !hasNodeAffinity) && !honorTaints && hardConstraints.count == 1 {
                for id in column.ids where id >= 0 { eligible[Int(id)] = true }
                for (d, n) in counter.perDomain[c.topologyKey] ?? [:] { if let id = column.idByName[d] { counts[Int(id)] = n } }
            } else {
                let otherColumns = hardConstraints.map { cache.domainColumn($0.topologyKey) }
                for (i, name) in nodeOrder.enumerated() {
                    let id = column.ids[i]
                    guard id >= 0, otherColumns.allSatisfy({ $0.ids[i] >= 0 }), let info = cache.nodes[name] else { continue }
                    if honorAffinity && hasNodeAffinity && !NodeMatching.podMatchesNode(pod.spec, nodeName: name, labels: info.labels) { continue }
                    if honorTaints && blockingTaint(name) != nil { continue }
                    eligible[Int(id)] = true
                    counts[Int(id)] += counter.perNode[name] ?? 0
                }
            }
            var minCount = Int.max
            var domains = 0
            for d in 0..<counts.count where eligible[d] { minCount = min(minCount, counts[d]); domains += 1 }
            if domains == 0 { minCount = 0 }
            if domains < Int(c.minDomains ?? 1) { minCount = 0 }
            hardSpread.append(SpreadConstraint(maxSkew: Int(c.maxSkew), selfMatch: selector.matches(labels) ? 1 : 0, ids: column.ids,
                                               counts: counts, eligible: eligible, minCount: minCount, domainCount: domains))
        }
        var softConstraints = allConstraints.filter { $0.whenUnsatisfiable == "ScheduleAnyway" }
        if allConstraints.isEmpty, let selector = defaultSpreadSelector, !selector.isEmpty {
            // System default constraints (pkg/scheduler/framework/plugins/podtopologyspread/plugin.go systemDefaultConstraints).
            softConstraints = [
                TopologySpreadConstraint(maxSkew: 3, topologyKey: WellKnown.hostnameLabel, whenUnsatisfiable: "ScheduleAnyway", labelSelector: nil),
                TopologySpreadConstraint(maxSkew: 5, topologyKey: WellKnown.zoneLabel, whenUnsatisfiable: "ScheduleAnyway", labelSelector: nil),
            ]
        }
        var softSpread: [SpreadConstraint] = []
        for c in softConstraints {
            let selector = c.labelSelector.map { Selector($0) } ?? defaultSpreadSelector ?? .nothing
            let counter = cache.counter(namespaces: [namespace], selector: selector, topologyKey: c.topologyKey)
            let column = cache.domainColumn(c.topologyKey)
            var counts = [Int](repeating: 0, count: column.names.count)
            for (d, n) in counter.perDomain[c.topologyKey] ?? [:] { if let id = column.idByName[d] { counts[Int(id)] = n } }
            softSpread.append(SpreadConstraint(maxSkew: Int(c.maxSkew), selfMatch: 0, ids: column.ids, counts: counts, eligible: [],
                                               minCount: 0, domainCount: column.names.count))
        }

        // PreFilter: inter-pod affinity.
        func termState(_ term: PodAffinityTerm, weight: Int) -> AffinityTermState {
            let namespaces = Set(term.namespaces ?? [namespace])
            let counter = cache.counter(namespaces: namespaces, selector: Selector(term.labelSelector), topologyKey: term.topologyKey)
            return state(term.topologyKey, counter.perDomain[term.topologyKey] ?? [:], weight: weight)
        }
        func state(_ key: String, _ domains: [String: Int], weight: Int) -> AffinityTermState {
            let column = cache.domainColumn(key)
            var counts = [Int](repeating: 0, count: column.names.count)
            for (d, n) in domains { if let id = column.idByName[d] { counts[Int(id)] = n } }
            return AffinityTermState(ids: column.ids, counts: counts, weight: weight)
        }
        let affinityTerms = pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
        var requiredAffinity = affinityTerms.map { termState($0, weight: 1) }
        // The first pod of a group may land anywhere if it matches its own terms (InterPodAffinity PreFilter).
        if !requiredAffinity.isEmpty, requiredAffinity.allSatisfy({ $0.counts.allSatisfy { $0 == 0 } }),
           affinityTerms.allSatisfy({ Selector($0.labelSelector).matches(labels) && Set($0.namespaces ?? [namespace]).contains(namespace) }) {
            requiredAffinity = requiredAffinity.map { var t = $0; t.anywhere = true; return t }
        }
        let requiredAnti = (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map { termState($0, weight: 1) }
        var existingAnti: [AffinityTermState] = []
        for key in cache.antiHolders.keys.sorted() {
            guard let h = cache.antiHolders[key], !h.domainCounts.isEmpty, h.namespaces.contains(namespace), h.selector.matches(labels) else { continue }
            existingAnti.append(state(h.topologyKey, h.domainCounts, weight: 1))
        }
        let preferredAffinity = (pod.spec.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
            .map { termState($0.podAffinityTerm, weight: Int($0.weight)) }
        let preferredAnti = (pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
            .map { termState($0.podAffinityTerm, weight: -Int($0.weight)) }
        let hasVolumes = !volumes.boundAffinities.isEmpty || !volumes.provisioningTopologies.isEmpty

        // Filter.
        var reasons: [String: Int] = [:]
        var taintFailures: [(key: String, value: String, count: Int)] = []
        var feasible: [Int] = []
        let wanted = Self.numFeasibleNodesToFind(total)
        feasible.reserveCapacity(wanted)
        let start = nextStartNodeIndex % total
        var processed = 0
        let unschedulableToleration = tolerations.contains { $0.tolerates(Taint(key: WellKnown.taintUnschedulable, effect: "NoSchedule")) }
        let dense = cache.dense
        while processed < total && feasible.count < wanted {
            var i = start + processed
            if i >= total { i -= total }
            processed += 1
            if dense.unschedulable[i] && !unschedulableToleration { reasons["node(s) were unschedulable", default: 0] += 1; continue }
            if dense.hasTaints[i], let taint = dense.taints[i].first(where: { t in
                (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerations.contains { $0.tolerates(t) } }) {
                // Counted by (key, value); the reason text is built only if the pod turns out unschedulable.
                if let k = taintFailures.firstIndex(where: { $0.key == taint.key && $0.value == (taint.value ?? "") }) {
                    taintFailures[k].count += 1
                } else {
                    taintFailures.append((taint.key, taint.value ?? "", 1))
                }
                continue
            }
            if hasNodeAffinity && !NodeMatching.podMatchesNode(pod.spec, nodeName: nodeOrder[i], labels: cache.nodes[nodeOrder[i]]?.labels ?? [:]) {
                reasons["node(s) didn't match Pod's node affinity/selector", default: 0] += 1
                continue
            }
            var insufficient = false
            if dense.podCount[i] + 1 > dense.allocatablePods[i] { reasons["Too many pods", default: 0] += 1; insufficient = true }
            if requests.milliCPU > 0 && dense.requestedMilliCPU[i] + requests.milliCPU > dense.allocatableMilliCPU[i] {
                reasons["Insufficient cpu", default: 0] += 1; insufficient = true
            }
            if requests.memory > 0 && dense.requestedMemory[i] + requests.memory > dense.allocatableMemory[i] {
                reasons["Insufficient memory", default: 0] += 1; insufficient = true
            }
            if insufficient { continue }
            if hasVolumes, let conflict = volumes.conflict(nodeName: nodeOrder[i], labels: cache.nodes[nodeOrder[i]]?.labels ?? [:]) {
                reasons[conflict, default: 0] += 1
                continue
            }
            var spreadOK = true
            for c in hardSpread {
                let id = Int(c.ids[i])
                guard id >= 0 else {
                    reasons["node(s) didn't match pod topology spread constraints (missing required label)", default: 0] += 1
                    spreadOK = false
                    break
                }
                if c.counts[id] + c.selfMatch - c.minCount > c.maxSkew {
                    reasons["node(s) didn't match pod topology spread constraints", default: 0] += 1
                    spreadOK = false
                    break
                }
            }
            if !spreadOK { continue }
            if requiredAffinity.contains(where: { t in
                let id = Int(t.ids[i])
                return id < 0 || (!t.anywhere && t.counts[id] == 0) }) {
                reasons["node(s) didn't match pod affinity rules", default: 0] += 1
                continue
            }
            if requiredAnti.contains(where: { t in let id = Int(t.ids[i]); return id >= 0 && t.counts[id] > 0 }) {
                reasons["node(s) didn't match pod anti-affinity rules", default: 0] += 1
                continue
            }
            if existingAnti.contains(where: { t in let id = Int(t.ids[i]); return id >= 0 && t.counts[id] > 0 }) {
                reasons["node(s) didn't satisfy existing pods anti-affinity rules", default: 0] += 1
                continue
            }
            feasible.append(i)
        }
        nextStartNodeIndex = (start + processed) % total
        if feasible.isEmpty {
            for t in taintFailures { reasons["node(s) had untolerated taint {\(t.key): \(t.value)}", default: 0] += t.count }
            return .unschedulable(message: Self.message(total: total, reasons: reasons, podLevel: nil))
        }
        if feasible.count == 1, let only = feasible.first { return .bound(node: nodeOrder[only]) }

        // Score.
        let n = feasible.count
        var totalScore = [Int64](repeating: 0, count: n)
        var raw = [Int64](repeating: 0, count: n)
        func addNormalized(weight: Int64, reverse: Bool, minMax: Bool = false) {
            var maxV = Int64.min, minV = Int64.max
            for v in raw { maxV = max(maxV, v); minV = min(minV, v) }
            for k in 0..<n {
                var s: Int64
                if minMax {
                    s = maxV == minV ? 0 : (raw[k] - minV) * 100 / (maxV - minV)
                } else if maxV <= 0 {
                    s = reverse ? 100 : 0
                } else {
                    s = raw[k] * 100 / maxV
                    if reverse { s = 100 - s }
                }
                totalScore[k] += weight * s
            }
        }
        for (k, i) in feasible.enumerated() {
            let allocCPU = dense.allocatableMilliCPU[i], allocMem = dense.allocatableMemory[i]
            let cpuFree = allocCPU > 0 ? max(0, allocCPU - dense.requestedMilliCPU[i] - requests.milliCPU) * 100 / allocCPU : 0
            let memFree = allocMem > 0 ? max(0, allocMem - dense.requestedMemory[i] - requests.memory) * 100 / allocMem : 0
            totalScore[k] += (cpuFree + memFree) / 2
            totalScore[k] += 100 - abs(cpuFree - memFree) / 2
        }
        if let preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution, !preferred.isEmpty {
            for (k, i) in feasible.enumerated() {
                let name = nodeOrder[i], labelsOfNode = cache.nodes[name]?.labels ?? [:]
                raw[k] = preferred.reduce(0) { $0 + (NodeMatching.matches($1.preference, nodeName: name, labels: labelsOfNode) ? Int64($1.weight) : 0) }
            }
            addNormalized(weight: 2, reverse: false)
        }
        var anyPreferNoSchedule = false
        for (k, i) in feasible.enumerated() {
            guard dense.hasTaints[i] else { raw[k] = 0; continue }
            let count = dense.taints[i].filter { t in t.effect == "PreferNoSchedule" && !tolerations.contains { $0.tolerates(t) } }.count
            raw[k] = Int64(count)
            if count > 0 { anyPreferNoSchedule = true }
        }
        if anyPreferNoSchedule { addNormalized(weight: 3, reverse: true) } else { for k in 0..<n { totalScore[k] += 300 } }
        if !softSpread.isEmpty {
            let weights = softSpread.map { log(Double($0.domainCount + 2)) }
            for (k, i) in feasible.enumerated() {
                var s = 0.0
                for (c, constraint) in softSpread.enumerated() {
                    let id = Int(constraint.ids[i])
                    guard id >= 0 else { continue }
                    s += Double(constraint.counts[id] + constraint.maxSkew - 1) * weights[c]
                }
                raw[k] = Int64(s.rounded())
            }
            addNormalized(weight: 2, reverse: true)
        }
        if !preferredAffinity.isEmpty || !preferredAnti.isEmpty {
            for (k, i) in feasible.enumerated() {
                var s = 0
                for t in preferredAffinity + preferredAnti {
                    let id = Int(t.ids[i])
                    guard id >= 0 else { continue }
                    s += t.weight * t.counts[id]
                }
                raw[k] = Int64(s)
            }
            addNormalized(weight: 2, reverse: false, minMax: true)
        }
        var best = 0
        for k in 1..<n {
            if totalScore[k] > totalScore[best] || (totalScore[k] == totalScore[best] && nodeOrder[feasible[k]] < nodeOrder[feasible[best]]) {
                best = k
            }
        }
        return .bound(node: nodeOrder[feasible[best]])
    }

    /// `framework.FitError.Error()`: `0/N nodes are available: <count> <reason>, … .` with the
    /// reason strings sorted, then the preemption summary (preemption is never helpful here).
    static func message(total: Int, reasons: [String: Int], podLevel: String?) -> String {
        if let podLevel {
            return "0/\(total) nodes are available: \(podLevel). preemption: 0/\(total) nodes are available: \(total) Preemption is not helpful for scheduling."
        }
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(total) nodes are available: \(parts.joined(separator: ", ")). preemption: 0/\(total) nodes are available: \(total) Preemption is not helpful for scheduling."
    }
}

/// The volume side of scheduling a pod (VolumeBinding + VolumeZone), resolved from the store.
struct VolumeConstraints: Sendable {
    /// A reason that rejects every node (missing claim, unbound immediate claim).
    var podLevelError: String?
    /// Bound claims' PV node affinity (all must match).
    var boundAffinities: [NodeSelector] = []
    /// Unbound WaitForFirstConsumer claims' class allowedTopologies (each must match, when non-empty).
    var provisioningTopologies: [[TopologySelectorTerm]] = []

    static let none = VolumeConstraints()

    func conflict(nodeName: String, labels: [String: String]) -> String? {
        for affinity in boundAffinities where !NodeMatching.matches(affinity, nodeName: nodeName, labels: labels) {
            return "node(s) had volume node affinity conflict"
        }
        for terms in provisioningTopologies where !terms.isEmpty {
            let ok = terms.contains { term in
                (term.matchLabelExpressions ?? []).allSatisfy { req in labels[req.key].map { req.values.contains($0) } ?? false }
            }
            if !ok { return "node(s) didn't find available persistent volumes to bind" }
        }
        return nil
    }

    /// Resolves the claims of `pod` against the store.
    init(pod: Pod, store: ObjectStore) {
        let namespace = pod.metadata.namespaceOrEmpty
        for volume in pod.spec.volumes ?? [] {
            guard let claimName = volume.persistentVolumeClaim?.claimName else { continue }
            guard let claim = store.get(PersistentVolumeClaim.self, namespace, claimName), claim.metadata.deletionTimestamp == nil else {
                podLevelError = "persistentvolumeclaim \"\(claimName)\" not found"
                return
            }
            if let volumeName = claim.spec.volumeName, !volumeName.isEmpty {
                guard let pv = store.get(PersistentVolume.self, "", volumeName) else {
                    podLevelError = "pod has unbound immediate PersistentVolumeClaims"
                    return
                }
                if let required = pv.spec.nodeAffinity?.required { boundAffinities.append(required) }
                continue
            }
            let className = claim.spec.storageClassName ?? ""
            guard let storageClass = store.get(StorageClass.self, "", className) else {
                podLevelError = "pod has unbound immediate PersistentVolumeClaims"
                return
            }
            if storageClass.volumeBindingMode == "WaitForFirstConsumer" {
                provisioningTopologies.append(storageClass.allowedTopologies ?? [])
            } else {
                podLevelError = "pod has unbound immediate PersistentVolumeClaims"
                return
            }
        }
    }

    private init() {}
}
