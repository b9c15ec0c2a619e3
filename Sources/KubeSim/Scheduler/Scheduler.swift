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
        var topologyKey: String
        var selector: Selector
        var minDomains: Int
        var selfMatch: Int
        var column: [String?]
        var counts: [String: Int]
        var minCount: Int
        var domainCount: Int
    }

    struct AffinityTermState {
        var topologyKey: String
        var column: [String?]
        var domains: [String: Int]
        var weight: Int
    }

    /// Schedules `pod` against the cache. `volumes` resolves the pod's claims
    /// (from the store); `defaultSpreadSelector` is the selector of the pod's
    /// controller, for the system default spread constraints.
    mutating func schedule(_ pod: Pod, volumes: VolumeConstraints, defaultSpreadSelector: Selector?) -> ScheduleResult {
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

        // PreFilter: node eligibility for spread (nodeAffinityPolicy Honor / nodeTaintsPolicy Ignore by default).
        let hasNodeAffinity = pod.spec.nodeSelector != nil || pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution != nil
        func spreadStates(_ constraints: [TopologySpreadConstraint]) -> [SpreadConstraint] {
            constraints.map { c in
                let selector = Selector(c.labelSelector)
                let honorAffinity = (c.nodeAffinityPolicy ?? "Honor") == "Honor"
                let honorTaints = (c.nodeTaintsPolicy ?? "Ignore") == "Honor"
                let counter = cache.counter(namespaces: [namespace], selector: selector, topologyKey: c.topologyKey)
                let column = cache.domainColumn(c.topologyKey)
                var counts: [String: Int] = [:]
                let allKeys = constraints.map(\.topologyKey)
                if (!honorAffinity || !hasNodeAffinity) && !honorTaints && constraints.count == 1 {
                    for d in column { if let d, counts[d] == nil { counts[d] = 0 } }
                    for (d, n) in counter.perDomain[c.topologyKey] ?? [:] where counts[d] != nil { counts[d] = n }
                } else {
                    for (i, name) in nodeOrder.enumerated() {
                        guard let d = column[i], let info = cache.nodes[name] else { continue }
                        if !allKeys.allSatisfy({ info.labels[$0] != nil }) { continue }
                        if honorAffinity && !NodeMatching.podMatchesNode(pod.spec, nodeName: name, labels: info.labels) { continue }
                        if honorTaints && info.taints.contains(where: { t in
                            (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerations.contains { $0.tolerates(t) } }) { continue }
                        counts[d, default: 0] += counter.perNode[name] ?? 0
                    }
                }
                var minCount = counts.values.min() ?? 0
                let minDomains = Int(c.minDomains ?? 1)
                if counts.count < minDomains { minCount = 0 }
                return SpreadConstraint(maxSkew: Int(c.maxSkew), topologyKey: c.topologyKey, selector: selector, minDomains: minDomains,
                                        selfMatch: selector.matches(labels) ? 1 : 0, column: column, counts: counts,
                                        minCount: minCount, domainCount: counts.count)
            }
        }
        let allConstraints = pod.spec.topologySpreadConstraints ?? []
        let hardSpread = spreadStates(allConstraints.filter { $0.whenUnsatisfiable == "DoNotSchedule" })
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
            let counts = counter.perDomain[c.topologyKey] ?? [:]
            let domainCount = Set(column.compactMap { $0 }).count
            softSpread.append(SpreadConstraint(maxSkew: Int(c.maxSkew), topologyKey: c.topologyKey, selector: selector, minDomains: 1,
                                               selfMatch: 0, column: column, counts: counts, minCount: 0, domainCount: domainCount))
        }

        // PreFilter: inter-pod affinity.
        func termState(_ term: PodAffinityTerm, weight: Int) -> AffinityTermState {
            let namespaces = Set(term.namespaces ?? [namespace])
            let counter = cache.counter(namespaces: namespaces, selector: Selector(term.labelSelector), topologyKey: term.topologyKey)
            return AffinityTermState(topologyKey: term.topologyKey, column: cache.domainColumn(term.topologyKey),
                                     domains: counter.perDomain[term.topologyKey] ?? [:], weight: weight)
        }
        let affinityTerms = pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
        var requiredAffinity = affinityTerms.map { termState($0, weight: 1) }
        // The first pod of a group may land anywhere if it matches its own terms (InterPodAffinity PreFilter).
        if !requiredAffinity.isEmpty, requiredAffinity.allSatisfy({ $0.domains.isEmpty }),
           affinityTerms.allSatisfy({ Selector($0.labelSelector).matches(labels) && Set($0.namespaces ?? [namespace]).contains(namespace) }) {
            requiredAffinity = requiredAffinity.map { var t = $0; t.domains = ["*": 1]; return t }
        }
        let requiredAnti = (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map { termState($0, weight: 1) }
        var existingAnti: [AffinityTermState] = []
        for key in cache.antiHolders.keys.sorted() {
            guard let h = cache.antiHolders[key], !h.domainCounts.isEmpty, h.namespaces.contains(namespace), h.selector.matches(labels) else { continue }
            existingAnti.append(AffinityTermState(topologyKey: h.topologyKey, column: cache.domainColumn(h.topologyKey), domains: h.domainCounts, weight: 1))
        }
        let preferredAffinity = (pod.spec.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
            .map { termState($0.podAffinityTerm, weight: Int($0.weight)) }
        let preferredAnti = (pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
            .map { termState($0.podAffinityTerm, weight: -Int($0.weight)) }

        // Filter.
        var reasons: [String: Int] = [:]
        var feasible: [Int] = []
        let wanted = Self.numFeasibleNodesToFind(total)
        feasible.reserveCapacity(wanted)
        let start = nextStartNodeIndex % total
        var processed = 0
        let unschedulableToleration = tolerations.contains { $0.tolerates(Taint(key: WellKnown.taintUnschedulable, effect: "NoSchedule")) }
        while processed < total && feasible.count < wanted {
            let i = (start + processed) % total
            processed += 1
            guard let info = cache.nodes[nodeOrder[i]] else { continue }
            if info.unschedulable && !unschedulableToleration { reasons["node(s) were unschedulable", default: 0] += 1; continue }
            if let taint = info.taints.first(where: { t in
                (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerations.contains { $0.tolerates(t) } }) {
                reasons["node(s) had untolerated taint {\(taint.key): \(taint.value ?? "")}", default: 0] += 1
                continue
            }
            if hasNodeAffinity && !NodeMatching.podMatchesNode(pod.spec, nodeName: info.name, labels: info.labels) {
                reasons["node(s) didn't match Pod's node affinity/selector", default: 0] += 1
                continue
            }
            var insufficient = false
            if info.podCount + 1 > info.allocatablePods { reasons["Too many pods", default: 0] += 1; insufficient = true }
            if requests.milliCPU > 0 && info.requestedMilliCPU + requests.milliCPU > info.allocatableMilliCPU {
                reasons["Insufficient cpu", default: 0] += 1; insufficient = true
            }
            if requests.memory > 0 && info.requestedMemory + requests.memory > info.allocatableMemory {
                reasons["Insufficient memory", default: 0] += 1; insufficient = true
            }
            if insufficient { continue }
            if let conflict = volumes.conflict(nodeName: info.name, labels: info.labels) { reasons[conflict, default: 0] += 1; continue }
            var spreadOK = true
            for c in hardSpread {
                guard let d = c.column[i] else {
                    reasons["node(s) didn't match pod topology spread constraints (missing required label)", default: 0] += 1
                    spreadOK = false
                    break
                }
                if (c.counts[d] ?? 0) + c.selfMatch - c.minCount > c.maxSkew {
                    reasons["node(s) didn't match pod topology spread constraints", default: 0] += 1
                    spreadOK = false
                    break
                }
            }
            if !spreadOK { continue }
            if requiredAffinity.contains(where: { t in
                guard let d = t.column[i] else { return true }
                return t.domains["*"] == nil && (t.domains[d] ?? 0) == 0 }) {
                reasons["node(s) didn't match pod affinity rules", default: 0] += 1
                continue
            }
            if requiredAnti.contains(where: { t in t.column[i].map { (t.domains[$0] ?? 0) > 0 } ?? false }) {
                reasons["node(s) didn't match pod anti-affinity rules", default: 0] += 1
                continue
            }
            if existingAnti.contains(where: { t in t.column[i].map { (t.domains[$0] ?? 0) > 0 } ?? false }) {
                reasons["node(s) didn't satisfy existing pods anti-affinity rules", default: 0] += 1
                continue
            }
            feasible.append(i)
        }
        nextStartNodeIndex = (start + processed) % total
        if feasible.isEmpty {
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
            guard let info = cache.nodes[nodeOrder[i]] else { continue }
            let cpuFree = info.allocatableMilliCPU > 0 ? max(0, info.allocatableMilliCPU - info.requestedMilliCPU - requests.milliCPU) * 100 / info.allocatableMilliCPU : 0
            let memFree = info.allocatableMemory > 0 ? max(0, info.allocatableMemory - info.requestedMemory - requests.memory) * 100 / info.allocatableMemory : 0
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
            let count = (cache.nodes[nodeOrder[i]]?.taints ?? []).filter { t in t.effect == "PreferNoSchedule" && !tolerations.contains { $0.tolerates(t) } }.count
            raw[k] = Int64(count)
            if count > 0 { anyPreferNoSchedule = true }
        }
        if anyPreferNoSchedule { addNormalized(weight: 3, reverse: true) } else { for k in 0..<n { totalScore[k] += 300 } }
        if !softSpread.isEmpty {
            for (k, i) in feasible.enumerated() {
                var s = 0.0
                for c in softSpread {
                    guard let d = c.column[i] else { continue }
                    s += Double((c.counts[d] ?? 0) + c.maxSkew - 1) * log(Double(c.domainCount + 2))
                }
                raw[k] = Int64(s.rounded())
            }
            addNormalized(weight: 2, reverse: true)
        }
        if !preferredAffinity.isEmpty || !preferredAnti.isEmpty {
            for (k, i) in feasible.enumerated() {
                var s = 0
                for t in preferredAffinity + preferredAnti {
                    guard let d = t.column[i] else { continue }
                    s += t.weight * (t.domains[d] ?? 0)
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
