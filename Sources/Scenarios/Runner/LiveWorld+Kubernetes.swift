import KubeSim
import SimCore

/// The Kubernetes API of the live world, for kubectl: requests run against
/// the same cluster the scenario's workloads and faults act on.
extension LiveWorld {
    /// A request to the Kubernetes API server. Scenarios without a
    /// `kubernetes` section serve an empty cluster (no nodes).
    public mutating func handleKube(_ request: WireRequest, serverAddress: String, timeShiftSeconds: Int64 = 0) -> KubeAPIAdapter.Outcome {
        if world.kube == nil {
            world.kube = KubeCluster(random: SimRandom(seed: world.seed).stream("kube"))
            world.kube?.setFaults(world.faults)
        }
        guard var cluster = world.kube else {
            return .response(WireResponse(status: 503, headers: [("Content-Type", "application/json")], body: []))
        }
        world.kube = nil // edit the cluster in place, without a copy
        cluster.advance(to: world.loop.now)
        let outcome = KubeAPIAdapter.handle(request, cluster: &cluster, serverAddress: serverAddress, timeShiftSeconds: timeShiftSeconds)
        world.kube = cluster
        world.drainKube()
        world.scheduleKube()
        if request.method != "GET" {
            world.trace.record("kube", "api-request", at: world.loop.now, [
                "method": .string(request.method), "path": .string(String(request.rawPath.prefix(200))),
            ])
        }
        return outcome
    }

    /// New events of an open watch.
    public mutating func pollKubeWatch(_ watch: inout KubeWatch) -> (bytes: [UInt8], ended: Bool) {
        guard let cluster = world.kube else { return ([], true) }
        return watch.poll(cluster)
    }
}
