import SimCore

/// One line of the cluster's trace: what happened, when, to what. Emitted in
/// a deterministic order (the order of handling, which never depends on
/// dictionary iteration).
public struct ClusterEvent: Hashable, Sendable, CustomStringConvertible {
    public var at: SimInstant
    /// What happened: `NodeAdded`, `NodeNotReady`, `NodeReady`, `Tainted`, `Untainted`,
    /// `Scheduled`, `FailedScheduling`, `Started`, `TaintManagerEviction`, `Deleted`, `Evicted`, …
    public var reason: String
    /// `Kind namespace/name` of the object.
    public var object: String
    public var message: String

    public var description: String { "\(at) \(reason) \(object) \(message)" }
}

extension ClusterEvent {
    /// The event as a SimCore trace event (`source` "kube", `kind` the reason).
    public func traceEvent(sequence: Int) -> TraceEvent {
        TraceEvent(instant: at, sequence: sequence, source: "kube", kind: reason,
                   attributes: [("object", .string(object)), ("message", .string(message))])
    }
}
