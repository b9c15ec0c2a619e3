import AWSSim
import SimCore

/// `eks-api`: calls to the EKS cluster's API server (kubectl, controllers),
/// through the cluster's regional endpoint.
struct EKSAPIClientProcess: ClientProcess {
    var client: ClientState

    init(_ client: ClientState) { self.client = client }

    mutating func issue(world: inout World) {
        let spec = client.spec
        let op = world.history.invoke(workload: spec.name, kind: .read, at: world.loop.now, target: spec.target, key: "GET /version")
        guard let endpoint = world.eksEndpoint(spec.target) else {
            failLocally(op, error: "no EKS cluster \(spec.target)", world: &world)
            return
        }
        send(op: op, to: endpoint, EKSAPIRequest(cluster: spec.target), world: &world)
    }
}
