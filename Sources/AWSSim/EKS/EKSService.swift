import SimCore

/// The node protocol between EKS and whatever runs Kubernetes (KubeSim, bound
/// by ODASModel): instances of a cluster's node groups join and leave.
public enum EKSNodeEvent: Equatable, Sendable {
    case joined(cluster: String, instance: String, name: String, availabilityZone: String)
    case left(cluster: String, instance: String, name: String, reason: String)
}

/// An EKS cluster: a control plane spread over three AZs, and managed node
/// groups backed by Auto Scaling groups.
public struct EKSCluster: Hashable, Sendable {
    public var name: String
    public var region: String
    /// The AZs the control plane (API servers, etcd) runs in.
    public var controlPlaneAZs: [String]
    /// Auto Scaling groups backing the managed node groups.
    public var nodeGroups: [String]
    public var endpoint: String
}

/// EKS: clusters whose control plane survives the loss of one AZ (it runs
/// across three; etcd keeps quorum with two of three), and the node events of
/// their node groups (eks/latest/userguide/disaster-recovery-resiliency.html).
public struct EKSService: Sendable {
    public internal(set) var clusters: [String: EKSCluster] = [:]
    public var nodeEvents: [EKSNodeEvent] = []

    public init() {}

    /// CreateCluster (and its node groups).
    public mutating func createCluster(name: String, region: String, controlPlaneAZs: [String], nodeGroups: [String]) {
        let suffix = String(StableHash.fnv1a64(name + region), radix: 16).uppercased().prefix(32)
        clusters[name] = EKSCluster(name: name, region: region, controlPlaneAZs: controlPlaneAZs, nodeGroups: nodeGroups,
                                    endpoint: "https://\(suffix).gr7.\(region).eks.amazonaws.com")
    }

    /// CreateNodegroup: the node group's Auto Scaling group joins the cluster.
    public mutating func addNodeGroup(_ cluster: String, autoScalingGroup: String) {
        guard clusters[cluster]?.nodeGroups.contains(autoScalingGroup) == false else { return }
        clusters[cluster]?.nodeGroups.append(autoScalingGroup)
    }

    /// DeleteNodegroup.
    public mutating func removeNodeGroup(_ cluster: String, autoScalingGroup: String) {
        clusters[cluster]?.nodeGroups.removeAll { $0 == autoScalingGroup }
    }

    /// DeleteCluster.
    public mutating func deleteCluster(_ name: String) { clusters[name] = nil }

    /// The API server answers while a majority of the control plane's AZs is up.
    public func isControlPlaneAvailable(_ name: String, faults: FaultModel) -> Bool {
        guard let cluster = clusters[name], !cluster.controlPlaneAZs.isEmpty else { return false }
        let up = cluster.controlPlaneAZs.filter { faults.isUp(.availabilityZone($0)) }.count
        return up * 2 > cluster.controlPlaneAZs.count
    }

    /// Turns Auto Scaling's notices about node-group instances into node events.
    public mutating func observe(_ notice: AutoScalingNotice, ec2: EC2Service) {
        for cluster in clusters.values.sorted(by: { $0.name < $1.name }) {
            switch notice {
            case let .ready(group, instance, name) where cluster.nodeGroups.contains(group):
                nodeEvents.append(.joined(cluster: cluster.name, instance: instance, name: name,
                                          availabilityZone: ec2.instances[instance]?.availabilityZone ?? ""))
            case let .terminated(group, instance, name, reason) where cluster.nodeGroups.contains(group):
                nodeEvents.append(.left(cluster: cluster.name, instance: instance, name: name, reason: reason))
            default:
                continue
            }
        }
    }
}
