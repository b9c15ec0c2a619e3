import SimCore

/// A self-managed control plane (kubeadm on EC2 instances, stacked etcd):
/// the apiserver, the controllers and the scheduler run on the
/// control-plane hosts and need an etcd quorum — a majority of the members
/// up (https://etcd.io/docs/v3.5/faq/#why-an-odd-number-of-cluster-members).
///
/// Without quorum the cluster freezes: no object changes, no controller or
/// scheduler runs, no node is marked NotReady and nothing is rescheduled;
/// kubelets keep running what they run, and Services keep the endpoints
/// they had (kube-proxy routes to pods that may be gone). Timers that come
/// due meanwhile are held and delivered when quorum returns; the node
/// lifecycle controller then starts afresh, as a restarted
/// kube-controller-manager does: every node's `probeTimestamp` is the
/// restart (its health map is rebuilt), so a node still down is marked
/// NotReady one grace period later, not at once.
///
/// With no members (the default, and EKS) the control plane is managed and
/// always available to the cluster.
extension KubeCluster {
    /// Places the control plane on `members` (their fault domains: the
    /// control-plane instances' hosts) and applies the current fault model.
    public mutating func setControlPlane(members: [FaultDomain]) {
        controlPlaneMembers = members
        updateControlPlane()
        if !controlPlaneDown { reconcile() }
    }

    /// Whether etcd has quorum under `faults` (always, without members).
    public func hasQuorum(_ faults: FaultModel) -> Bool {
        guard !controlPlaneMembers.isEmpty else { return true }
        let up = controlPlaneMembers.filter { faults.isUp($0) }.count
        return up * 2 > controlPlaneMembers.count
    }

    /// Whether the apiserver answers now (writes and reads through it fail otherwise).
    public var isAPIAvailable: Bool { !controlPlaneDown }

    /// Throws `ServiceUnavailable` while the control plane is down (the verbs of ``ClusterAPI``).
    func requireAPI() throws(KubeError) {
        guard controlPlaneDown else { return }
        throw KubeError(reason: .serviceUnavailable, message: "the server is currently unable to handle the request (etcd has no quorum)")
    }

    /// Freezes or thaws the cluster when quorum is lost or regained.
    mutating func updateControlPlane() {
        let down = !hasQuorum(faults)
        guard down != controlPlaneDown else { return }
        controlPlaneDown = down
        let members = controlPlaneMembers.map { "\($0)" }.joined(separator: ", ")
        if down {
            emit("ControlPlaneUnavailable", "Cluster", "etcd lost quorum (members: \(members)): nothing is scheduled or reconciled")
            return
        }
        emit("ControlPlaneAvailable", "Cluster", "etcd quorum restored (members: \(members)): controllers restart")
        // kube-controller-manager restarted: every node is observed afresh now.
        for name in lifecycle.health.keys.sorted() {
            guard var h = lifecycle.health[name] else { continue }
            h.probeTimestamp = now
            h.lastSeenRenew = lastRenew(h)
            lifecycle.health[name] = h
        }
        let held = frozenTimers
        frozenTimers.removeAll()
        for timer in held { loop.schedule(timer, at: now) }
    }

    /// While frozen: moves the clock to `instant`, holding the timers due by then.
    mutating func holdTimers(until instant: SimInstant) {
        while let (_, timer) = loop.next(until: instant) { frozenTimers.append(timer) }
    }
}
