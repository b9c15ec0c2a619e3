import SimCore

/// What an embedding simulation (ODASSim's `World`) needs to drive the
/// cluster on its own event loop: when the cluster's next timer is due, so
/// the owner can wake it exactly then and keep one global order of events.
extension KubeCluster {
    /// The instant of the cluster's next timer (node monitor, pod start and
    /// stop, taint eviction, housekeeping), or nil when none is pending — or
    /// while the control plane is down (nothing runs until it returns).
    public mutating func nextTimerInstant() -> SimInstant? { controlPlaneDown ? nil : loop.nextInstant() }
}
