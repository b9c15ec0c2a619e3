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
