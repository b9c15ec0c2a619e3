import KubeSim
import SimCore

/// `http`: requests to a Kubernetes Service. The client's kube-proxy picks
/// one of the Service's ready endpoints at random (seeded) and the request
/// travels to that pod's node. Endpoints of a node that died stay "ready"
/// until the node lifecycle controller notices (the grace period), and
/// requests routed to them time out meanwhile — as on a real cluster.
struct HTTPClientProcess: ClientProcess {
    var client: ClientState

    init(_ client: ClientState) { self.client = client }

    mutating func issue(world: inout World) {
        let spec = client.spec
        let op = world.history.invoke(workload: spec.name, kind: .read, at: world.loop.now, target: spec.target, key: "GET /")
        let parts = spec.target.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let cluster = world.kube, let podNetwork = world.podNetwork else {
            failLocally(op, error: "no Kubernetes cluster", world: &world)
            return
        }
        let ready = cluster.endpointSlices(service: parts[1], namespace: parts[0]).flatMap { $0.endpoints ?? [] }
            .filter { $0.conditions?.ready == true && $0.nodeName != nil }
        guard !ready.isEmpty else {
            failLocally(op, error: "no ready endpoints for Service \(spec.target)", world: &world)
            return
        }
        let pick = ready[Int(client.random.next(upperBound: UInt64(ready.count)))]
        let node = pick.nodeName ?? ""
        let pod = pick.targetRef?.name ?? pick.addresses.first ?? ""
        send(op: op, to: Endpoint(process: podNetwork, domain: .host(node)),
             PodRequest(namespace: parts[0], pod: pod, node: node, zone: pick.zone), world: &world)
    }

    mutating func timedOut(op: Int, reason: String, world: inout World) {
        let request = world.history.operation(op)
        world.history.complete(op, at: world.loop.now, outcome: .failed,
                               error: "timeout after \(client.spec.timeout): \(request.target): \(reason)")
        world.recordCompletion(op)
        noteFailure(world: &world)
    }
}
