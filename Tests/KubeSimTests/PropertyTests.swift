import SimCore
import Testing
@testable import KubeSim

/// Random clusters, workloads and faults over 24 seeds. Every failure message carries the seed.
@Suite struct PropertyTests {
    struct Scenario {
        var cluster: KubeCluster
        var faults: FaultModel
        var deployments: [(name: String, replicas: Int)]
    }

    static func build(seed: UInt64) throws -> Scenario {
        var random = SimRandom(seed: seed).stream("property")
        let zones = ["za", "zb", "zc"]
        var faults = FaultModel()
        for zone in zones { faults.addAvailabilityZone(zone, region: "r") }
        var cluster = KubeCluster(random: SimRandom(seed: seed).stream("kube"))
        cluster.auditBinds = true
        cluster.setFaults(faults)
        for zone in zones {
            let count = 3 + Int(random.int(3))
            for i in 0..<count {
                let name = "\(zone)-n\(i)"
                faults.addHost(name, in: .availabilityZone(zone))
                cluster.setFaults(faults)
                let cpu = Int64(2000 + 1000 * Int(random.int(3)))
                var labels = ["disk": i < 2 ? "ssd" : "hdd"]
                if random.int(2) == 0 { labels["gen"] = String(3 + random.int(4)) }
                let taints = i == 2 && random.int(2) == 0 ? [Taint(key: "dedicated", value: "infra", effect: "NoSchedule")] : []
                try cluster.addNode(name: name, zone: zone, region: "r", cpu: Quantity(milli: cpu), labels: labels, taints: taints)
            }
        }
        var deployments: [(String, Int)] = []
        for d in 0..<(3 + Int(random.int(3))) {
            let name = "app\(d)"
            let replicas = 1 + Int(random.int(5))
            var spec = podSpec(cpu: Int64(100 * (1 + random.int(3))))
            let labels = ["app": name]
            switch random.int(5) {
            case 0: spec.topologySpreadConstraints = zoneSpread(labels)
            case 1: spec.topologySpreadConstraints = zoneSpread(labels, "ScheduleAnyway")
            case 2:
                spec.affinity = Affinity(podAntiAffinity: PodAffinity(required: [
                    PodAffinityTerm(labelSelector: LabelSelector(matchLabels: labels), topologyKey: WellKnown.hostnameLabel)]))
            case 3:
                spec.nodeSelector = ["disk": "ssd"]
                spec.topologySpreadConstraints = [TopologySpreadConstraint(maxSkew: 2, topologyKey: WellKnown.zoneLabel, whenUnsatisfiable: "DoNotSchedule",
                                                                           labelSelector: LabelSelector(matchLabels: labels))]
            default:
                spec.affinity = Affinity(nodeAffinity: NodeAffinity(required: NodeSelector(nodeSelectorTerms: [
                    NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "gen", operator: "Gt", values: ["2"])]),
                    NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "gen", operator: "DoesNotExist")]),
                ])))
            }
            if random.int(3) == 0 { spec.tolerations = [Toleration(key: "dedicated", operator: "Exists", effect: "NoSchedule")] }
            try cluster.create(deployment(name, replicas: Int32(replicas), spec: spec, labels: labels))
            deployments.append((name, replicas))
        }
        return Scenario(cluster: cluster, faults: faults, deployments: deployments)
    }

    static let seeds: [UInt64] = Array(1...24)

    @Test(arguments: seeds)
    func hardConstraintsHoldAndControllersConverge(seed: UInt64) throws {
        var s = try Self.build(seed: seed)
        var random = SimRandom(seed: seed).stream("faults")
        s.cluster.advance(to: .seconds(60))
        // A fault: a whole AZ, or one or two hosts, for 2–15 minutes.
        var ids: [FaultID] = []
        let zones = ["za", "zb", "zc"]
        if random.int(2) == 0 {
            ids.append(s.faults.apply(.outage(.availabilityZone(zones[Int(random.int(3))]))))
        } else {
            for _ in 0..<(1 + Int(random.int(2))) {
                ids.append(s.faults.apply(.outage(.host("\(zones[Int(random.int(3))])-n\(random.int(3))"))))
            }
        }
        s.cluster.setFaults(s.faults)
        let end = SimInstant.seconds(60 + 120 + Int64(random.int(780)))
        var instant = SimInstant.seconds(60)
        while instant < end {
            instant = instant + .seconds(15)
            s.cluster.advance(to: instant)
        }
        for id in ids { s.faults.lift(id) }
        s.cluster.setFaults(s.faults)
        s.cluster.advance(to: end + .seconds(600))
        #expect(s.cluster.auditFindings.isEmpty, "seed \(seed): \(s.cluster.auditFindings.prefix(5))")
        for (name, replicas) in s.deployments {
            let ready = s.cluster.runningPods(name).filter(\.isReady).count
            #expect(ready == replicas, "seed \(seed): \(name) has \(ready)/\(replicas) ready after recovery")
        }
        #expect(s.cluster.store.nodes.sorted.allSatisfy { $0.isReady && $0.taints.isEmpty || $0.taints.allSatisfy { $0.key == "dedicated" } },
                "seed \(seed): nodes not recovered")
    }

    @Test func sameSeedSameEvents() throws {
        func digest(_ seed: UInt64) throws -> (UInt64, [ClusterEvent], Int64) {
            var s = try Self.build(seed: seed)
            s.cluster.advance(to: .seconds(60))
            let id = s.faults.apply(.outage(.availabilityZone("zb")))
            s.cluster.setFaults(s.faults)
            s.cluster.advance(to: .seconds(800))
            s.faults.lift(id)
            s.cluster.setFaults(s.faults)
            s.cluster.advance(to: .seconds(1400))
            return (s.cluster.digest, s.cluster.trace, s.cluster.store.resourceVersion)
        }
        let a = try digest(11), b = try digest(11), c = try digest(12)
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.2 == b.2)
        #expect(a.0 != c.0)
        #expect(a.1.contains { $0.reason == "TaintManagerEviction" })
    }
}

extension SimRandom {
    mutating func int(_ bound: Int) -> Int { Int(next(upperBound: UInt64(bound))) }
}
