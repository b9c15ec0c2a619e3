import KubeSim
import SimCore

/// A request to one pod, as kube-proxy routed it.
struct PodRequest: WorldMessage {
    var namespace: String
    var pod: String
    var node: String
    var zone: String?
}

/// The pod network of the scenario's cluster: a request addressed to a pod
/// on a node arrives if the node's host is reachable; the pod answers if it
/// still exists on that node and is not being deleted, else the node refuses
/// the connection. Pods of ODAS services have processes of their own; this
/// one answers for every other pod (the `http` workload's Deployments).
struct PodNetworkProcess: WorldProcess {
    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        guard case .request(let call, _, let payload) = delivery else { return }
        guard let request = payload as? PodRequest else {
            world.reply(to: call, ServiceAnswer.error("ProtocolError", "not a pod request"))
            return
        }
        guard let pod = world.kube?.store.pods[request.namespace + "/" + request.pod],
              pod.spec.nodeName == request.node, pod.metadata.deletionTimestamp == nil else {
            world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "pod \(request.pod) is not running on \(request.node)"))
            return
        }
        world.reply(to: call, ServiceAnswer.ok(request.pod))
    }
}
