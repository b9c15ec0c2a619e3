/// Which pods each Service and PodDisruptionBudget selects, kept up to date
/// as pods change, so that endpoint and budget syncs never scan every pod.
/// Watchers are indexed by one `key=value` requirement of their selector, so
/// a pod change only evaluates the selectors that could match it.
struct MembershipIndex: Sendable {
    struct Watcher: Sendable {
        var ref: ObjectRef
        var selector: Selector
        var indexKey: String?
    }
    /// namespace → watcher id → watcher.
    var watchers: [String: [String: Watcher]] = [:]
    /// namespace → "key=value" → watcher ids.
    var byRequirement: [String: [String: Set<String>]] = [:]
    /// namespace → watcher ids without an equality requirement.
    var unindexed: [String: Set<String>] = [:]
    var members: [ObjectRef: Set<String>] = [:]
    /// pod key → watchers it belongs to.
    var podMemberships: [String: Set<ObjectRef>] = [:]

    static func id(_ ref: ObjectRef) -> String { ref.kind.rawValue + "|" + ref.key }

    /// Registers or updates a watcher; returns true when its selector changed (members must be rebuilt).
    mutating func upsert(_ ref: ObjectRef, selector: Selector) -> Bool {
        let id = Self.id(ref)
        if let existing = watchers[ref.namespace]?[id], existing.selector == selector { return false }
        remove(ref)
        let equality = selector.requirements.first { $0.op == .equals }
        let indexKey = equality.map { "\($0.key)=\($0.values.first ?? "")" }
        watchers[ref.namespace, default: [:]][id] = Watcher(ref: ref, selector: selector, indexKey: indexKey)
        if let indexKey { byRequirement[ref.namespace, default: [:]][indexKey, default: []].insert(id) } else { unindexed[ref.namespace, default: []].insert(id) }
        members[ref] = []
        return true
    }

    mutating func remove(_ ref: ObjectRef) {
        let id = Self.id(ref)
        guard let w = watchers[ref.namespace]?.removeValue(forKey: id) else { return }
        if let k = w.indexKey { byRequirement[ref.namespace]?[k]?.remove(id) } else { unindexed[ref.namespace]?.remove(id) }
        for key in members[ref] ?? [] { podMemberships[key]?.remove(ref) }
        members[ref] = nil
    }

    /// Recomputes one watcher's members from the pods of its namespace.
    mutating func rebuild(_ ref: ObjectRef, pods: [(key: String, labels: [String: String])]) {
        guard let w = watchers[ref.namespace]?[Self.id(ref)] else { return }
        for key in members[ref] ?? [] { podMemberships[key]?.remove(ref) }
        var set = Set<String>()
        for pod in pods where w.selector.matches(pod.labels) {
            set.insert(pod.key)
            podMemberships[pod.key, default: []].insert(ref)
        }
        members[ref] = set
    }

    /// Updates memberships for one pod (nil labels: the pod is gone); returns the watchers it belongs or belonged to.
    mutating func podChanged(key: String, namespace: String, labels: [String: String]?) -> [ObjectRef] {
        let before = podMemberships[key] ?? []
        var after = Set<ObjectRef>()
        if let labels, let nsWatchers = watchers[namespace] {
            var candidates = unindexed[namespace] ?? []
            if let index = byRequirement[namespace] {
                for (k, v) in labels { if let ids = index["\(k)=\(v)"] { candidates.formUnion(ids) } }
            }
            for id in candidates {
                guard let w = nsWatchers[id], w.selector.matches(labels) else { continue }
                after.insert(w.ref)
            }
        }
        if before != after {
            for ref in before.subtracting(after) { members[ref]?.remove(key) }
            for ref in after.subtracting(before) { members[ref, default: []].insert(key) }
            podMemberships[key] = after.isEmpty ? nil : after
        }
        return Array(before.union(after))
    }

    func watchers(namespace: String, kind: KubeKind, matching labels: [String: String]) -> [ObjectRef] {
        (watchers[namespace] ?? [:]).values.filter { $0.ref.kind == kind && $0.selector.matches(labels) }.map(\.ref).sorted()
    }

    func memberKeys(_ ref: ObjectRef) -> [String] { (members[ref] ?? []).sorted() }
}
