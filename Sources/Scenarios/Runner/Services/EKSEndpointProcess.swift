import AWSSim
import SimCore

/// A request to an EKS cluster's API server.
struct EKSAPIRequest: WorldMessage {
    var cluster: String
}

/// An EKS cluster's API endpoint, a host of its region: the control plane
/// answers while it holds quorum over its AZs (EKSService).
struct EKSEndpointProcess: WorldProcess {
    var cluster: String

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        guard case .request(let call, _, _) = delivery else { return }
        if world.eks.isControlPlaneAvailable(cluster, faults: world.faults) {
            world.reply(to: call, ServiceAnswer.ok("ok"), after: .milliseconds(5))
        } else {
            world.reply(to: call, ServiceAnswer.error("ServiceUnavailable",
                                                      "API server of \(cluster) unavailable: control plane lost quorum"))
        }
    }
}

extension World {
    /// The API endpoint host of an EKS cluster.
    static func eksEndpointHost(cluster: String, region: String) -> String { "\(cluster).eks.\(region).amazonaws.com" }

    /// Spawns the API endpoint of every EKS cluster.
    mutating func spawnEKSEndpoints() {
        for name in eks.clusters.keys.sorted() {
            guard let cluster = eks.clusters[name] else { continue }
            let host = Self.eksEndpointHost(cluster: name, region: cluster.region)
            faults.addHost(host, in: .region(cluster.region))
            eksEndpoints[name] = spawn(EKSEndpointProcess(cluster: name), name: host, domain: .host(host))
        }
    }

    func eksEndpoint(_ cluster: String) -> Endpoint? { eksEndpoints[cluster].map { network.endpoint($0) } }
}
