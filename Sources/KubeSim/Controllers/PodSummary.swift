/// What controllers need to know about a pod, without copying the whole object.
struct PodSummary: Hashable, Sendable {
    var controllerUID: String?
    var nodeName: String?
    var phase: PodPhase
    var ready: Bool
    var terminating: Bool
    var created: Int64
    var labels: [String: String]

    init(_ pod: Pod) {
        labels = pod.metadata.labelsOrEmpty
        controllerUID = pod.metadata.controllerRef?.uid
        nodeName = pod.spec.nodeName
        phase = pod.phase
        ready = pod.isReady
        terminating = pod.metadata.deletionTimestamp != nil
        created = pod.metadata.creationTimestamp?.instant.nanosecondsSinceStart ?? 0
    }

    /// Not terminating and not terminal (`FilterActivePods`).
    var active: Bool { !terminating && phase != .succeeded && phase != .failed }

    /// Scale-down order (`ActivePodsWithRanks`): unassigned, pending, not ready, newest first.
    var deletionRank: [Int64] {
        [nodeName == nil ? 0 : 1, phase == .pending ? 0 : (phase == .unknown ? 1 : 2), ready ? 1 : 0, -created]
    }
}

/// One pod's entry in its Service's Endpoints and EndpointSlice.
struct EndpointEntry: Hashable, Sendable {
    var address: EndpointAddress?
    var ready: Bool
    var slice: SliceEndpoint?
}

/// A Service's endpoint entries: pod keys kept sorted (for Endpoints) and
/// assigned to slices of bounded size (for EndpointSlices).
struct EndpointCache: Sendable {
    var entries: [String: EndpointEntry] = [:]
    var order: [String] = []
    var sliceOf: [String: Int] = [:]
    /// Per slice: pod keys (sorted) and their endpoints, maintained in place.
    var sliceKeys: [[String]] = []
    var sliceEndpoints: [[SliceEndpoint]] = []
    var dirtySlices: Set<Int> = []
    var endpointsDirty = true
    /// Core Endpoints addresses in pod-key order, maintained in place.
    var readyKeys: [String] = []
    var readyAddresses: [EndpointAddress] = []
    var notReadyKeys: [String] = []
    var notReadyAddresses: [EndpointAddress] = []

    private static func index(of key: String, in keys: [String]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func put(_ key: String, _ address: EndpointAddress?, keys: inout [String], values: inout [EndpointAddress]) {
        let i = index(of: key, in: keys)
        let present = i < keys.count && keys[i] == key
        switch (present, address) {
        case (true, let a?): if values[i] != a { values[i] = a }
        case (true, nil): keys.remove(at: i); values.remove(at: i)
        case (false, let a?): keys.insert(key, at: i); values.insert(a, at: i)
        case (false, nil): break
        }
    }

    /// Sets or removes an entry, marking what must be rewritten.
    mutating func set(_ key: String, _ entry: EndpointEntry?, maxPerSlice: Int) {
        let old = entries[key]
        if old == entry { return }
        if old?.address != entry?.address || old?.ready != entry?.ready {
            endpointsDirty = true
            let address = entry?.address
            let isReady = entry?.ready ?? false
            Self.put(key, isReady ? address : nil, keys: &readyKeys, values: &readyAddresses)
            Self.put(key, isReady ? nil : address, keys: &notReadyKeys, values: &notReadyAddresses)
        }
        if let entry {
            if old == nil {
                order.insert(key, at: insertionIndex(key))
                let index = sliceKeys.firstIndex { $0.count < maxPerSlice } ?? sliceKeys.count
                if index == sliceKeys.count { sliceKeys.append([]); sliceEndpoints.append([]) }
                sliceOf[key] = index
            }
            entries[key] = entry
            if let index = sliceOf[key] {
                let i = Self.index(of: key, in: sliceKeys[index])
                if i < sliceKeys[index].count, sliceKeys[index][i] == key {
                    if let endpoint = entry.slice { sliceEndpoints[index][i] = endpoint }
                } else if let endpoint = entry.slice {
                    sliceKeys[index].insert(key, at: i)
                    sliceEndpoints[index].insert(endpoint, at: i)
                }
                dirtySlices.insert(index)
            }
        } else {
            entries[key] = nil
            let i = insertionIndex(key)
            if i < order.count, order[i] == key { order.remove(at: i) }
            if let index = sliceOf.removeValue(forKey: key) {
                let j = Self.index(of: key, in: sliceKeys[index])
                if j < sliceKeys[index].count, sliceKeys[index][j] == key {
                    sliceKeys[index].remove(at: j)
                    sliceEndpoints[index].remove(at: j)
                }
                dirtySlices.insert(index)
            }
        }
    }

    private func insertionIndex(_ key: String) -> Int {
        var low = 0, high = order.count
        while low < high {
            let mid = (low + high) / 2
            if order[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
