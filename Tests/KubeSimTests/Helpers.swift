import SimCore

extension SimInstant {
    static func seconds(_ s: Int64) -> SimInstant { .zero + .seconds(s) }
    static func milliseconds(_ ms: Int64) -> SimInstant { .zero + .milliseconds(ms) }
}
@testable import KubeSim

/// A cluster with `perZone` nodes in each of `zones`, each node a host in its AZ in the returned fault model.
func makeCluster(zones: [String] = ["us-east-1a", "us-east-1b", "us-east-1c"], perZone: Int = 2, cpu: Int64 = 4000,
                 seed: UInt64 = 7, config: KubeConfig = KubeConfig()) -> (KubeCluster, FaultModel) {
    var faults = FaultModel()
    for zone in zones { faults.addAvailabilityZone(zone, region: "us-east-1") }
    for zone in zones {
        for i in 0..<perZone { faults.addHost("node-\(zone.suffix(1))\(i)", in: .availabilityZone(zone)) }
    }
    var cluster = KubeCluster(random: SimRandom(seed: seed).stream("kube"), config: config)
    cluster.setFaults(faults)
    for zone in zones {
        for i in 0..<perZone {
            _ = try? cluster.addNode(name: "node-\(zone.suffix(1))\(i)", zone: zone, region: "us-east-1", cpu: Quantity(milli: cpu))
        }
    }
    return (cluster, faults)
}

func podSpec(cpu: Int64? = nil) -> PodSpec {
    var c = Container(name: "c", image: "nginx")
    if let cpu { c.resources = ResourceRequirements(requests: ["cpu": Quantity(milli: cpu)]) }
    return PodSpec(containers: [c])
}

func deployment(_ name: String, replicas: Int32, spec: PodSpec = podSpec(), labels: [String: String]? = nil,
                strategy: DeploymentStrategy? = nil) -> Deployment {
    let l = labels ?? ["app": name]
    return Deployment(metadata: ObjectMeta(name: name),
                      spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: l),
                                           template: PodTemplateSpec(metadata: ObjectMeta(labels: l), spec: spec), strategy: strategy))
}

func zoneSpread(_ labels: [String: String], _ when: String = "DoNotSchedule") -> [TopologySpreadConstraint] {
    [TopologySpreadConstraint(maxSkew: 1, topologyKey: WellKnown.zoneLabel, whenUnsatisfiable: when, labelSelector: LabelSelector(matchLabels: labels))]
}

extension KubeCluster {
    func zone(ofPod pod: Pod) -> String? { pod.spec.nodeName.flatMap { store.nodes[$0]?.metadata.labels?[WellKnown.zoneLabel] } }
    func runningPods(_ app: String) -> [Pod] {
        pods(phase: .running).filter { $0.metadata.labels?["app"] == app && $0.metadata.deletionTimestamp == nil }
    }
}

extension KubeCluster {
    /// The instant of the first trace line with `reason` whose object contains `object`.
    func firstTrace(_ reason: String, _ object: String) -> SimInstant? {
        trace.first { $0.reason == reason && $0.object.contains(object) }?.at
    }
    func traces(_ reason: String) -> [ClusterEvent] { trace.filter { $0.reason == reason } }
}
