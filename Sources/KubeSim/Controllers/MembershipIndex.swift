/// Which pods each Service and PodDisruptionBudget selects, kept up to date
/// as pods change, so that endpoint and budget syncs never scan every pod.
struct MembershipIndex: Sendable {
    struct Watcher: Sendable {
        var ref: ObjectRef
        var selector: Selector
    }
    var watchersByNamespace: [String: [String: Watcher]] = [:]
    var members: [ObjectRef: Set<String>] = [:]

    /// Registers or updates a watcher; returns true when its selector changed (members rebuilt by the caller).
    mutating func upsert(_ ref: ObjectRef, selector: Selector) -> Bool {
        let key = ref.key + "|" + ref.kind.rawValue
        if let existing = watchersByNamespace[ref.namespace]?[key], existing.selector == selector { return false }
        watchersByNamespace[ref.namespace, default: [:]][key] = Watcher(ref: ref, selector: selector)
        members[ref] = []
        return true
    }

    mutating func remove(_ ref: ObjectRef) {
        watchersByNamespace[ref.namespace]?[ref.key + "|" + ref.kind.rawValue] = nil
        members[ref] = nil
    }

    /// Updates memberships for one pod; returns the watchers it belongs (or belonged) to.
    mutating func podChanged(key: String, namespace: String, labels: [String: String]?) -> [ObjectRef] {
        guard let watchers = watchersByNamespace[namespace] else { return [] }
        var touched: [ObjectRef] = []
        for (_, w) in watchers {
            let isMember = labels.map { w.selector.matches($0) } ?? false
            if isMember {
                members[w.ref, default: []].insert(key)
                touched.append(w.ref)
            } else if members[w.ref]?.remove(key) != nil {
                touched.append(w.ref)
            }
        }
        return touched
    }

    func watchers(namespace: String, kind: KubeKind, matching labels: [String: String]) -> [ObjectRef] {
        (watchersByNamespace[namespace] ?? [:]).values.filter { $0.ref.kind == kind && $0.selector.matches(labels) }.map(\.ref).sorted()
    }

    func memberKeys(_ ref: ObjectRef) -> [String] { (members[ref] ?? []).sorted() }
}
