import SimCore
import Testing
@testable import KubeSim

@Suite struct NodeLifecycleTests {
    let outageAt = SimInstant.seconds(100)

    /// Runs to `outageAt`, starts `fault`, and returns the new model.
    func startFault(_ cluster: inout KubeCluster, _ faults: FaultModel, _ fault: FaultKind) -> (FaultModel, FaultID) {
        var f = faults
        cluster.advance(to: outageAt)
        let id = f.apply(fault)
        cluster.setFaults(f)
        return (f, id)
    }

    @Test func deadZoneNodesGoUnknownAfterGracePeriod() throws {
        var (cluster, faults) = makeCluster()
        _ = startFault(&cluster, faults, .outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt + .seconds(39))
        #expect(cluster.nodeCondition("node-a0") == "True")
        cluster.advance(to: outageAt + .seconds(70))
        #expect(cluster.nodeCondition("node-a0") == "Unknown")
        #expect(cluster.nodeCondition("node-b0") == "True")
        let detected = try #require(cluster.firstTrace("NodeNotReady", "node-a0"))
        // Last renewal in (t−10 s, t]; the controller sees it at the next 5 s pass and waits for more than 50 s.
        #expect(detected >= outageAt + .seconds(40) && detected <= outageAt + .seconds(65))
        let node = try cluster.store.read(Node.self, "", "node-a0")
        #expect(node.taints.contains { $0.key == WellKnown.taintUnreachable && $0.effect == "NoSchedule" })
        #expect(node.status?.conditions?.first { $0.type == "Ready" }?.reason == "NodeStatusUnknown")
        #expect(cluster.zoneStates["us-east-1a"] == .fullDisruption)
        #expect(cluster.zoneStates["us-east-1b"] == .normal)
    }

    @Test func podsAreEvictedAfterTolerationAtZoneRate() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(deployment("web", replicas: 6))
        cluster.advance(to: .seconds(10))
        let pod = try #require(cluster.pods().first { $0.spec.nodeName == "node-a1" })
        #expect(pod.spec.tolerations?.contains { $0.key == WellKnown.taintUnreachable && $0.tolerationSeconds == 300 } == true)
        _ = startFault(&cluster, faults, .outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt + .seconds(800))
        let taint0 = try #require(cluster.firstTrace("Tainted", "node-a0"))
        let taint1 = try #require(cluster.firstTrace("Tainted", "node-a1"))
        let (first, second) = taint0 < taint1 ? (taint0, taint1) : (taint1, taint0)
        // One NoExecute taint per 10 s in the zone (--node-eviction-rate 0.1).
        #expect(second - first == .seconds(10))
        let detection = try #require(cluster.firstTrace("NodeNotReady", "node-a"))
        #expect(first == detection)
        let evicted = try #require(cluster.trace.first { $0.reason == "TaintManagerEviction" && $0.object.contains(pod.metadata.nameOrEmpty) }?.at)
        #expect(evicted == taint1 + .seconds(300))
        // The evicted pod stays Terminating on the unreachable node; its replacement runs elsewhere.
        #expect(cluster.store.pods[pod.ref.key]?.metadata.deletionTimestamp != nil)
        #expect(cluster.runningPods("web").count == 6)
        #expect(cluster.runningPods("web").allSatisfy { cluster.zone(ofPod: $0) != "us-east-1a" })
    }

    @Test func podsOnUnknownNodeAreNotReadyAndLeaveEndpoints() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(deployment("web", replicas: 6))
        try cluster.create(Service(metadata: ObjectMeta(name: "web"), spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(port: 80)])))
        cluster.advance(to: .seconds(10))
        #expect(cluster.readyEndpointCount(service: "web") == 6)
        #expect(cluster.readyEndpointsByZone(service: "web")["us-east-1a"]?.count == 2)
        _ = startFault(&cluster, faults, .outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt + .seconds(70))
        #expect(cluster.readyEndpointsByZone(service: "web")["us-east-1a"] == nil)
        #expect(cluster.readyEndpointCount(service: "web") == 4)
        let endpoints = try cluster.store.read(Endpoints.self, "default", "web")
        #expect(endpoints.subsets?.first?.notReadyAddresses?.count == 2)
    }

    @Test func nodesRecoverWhenTheFaultLifts() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(deployment("web", replicas: 6))
        cluster.advance(to: .seconds(10))
        var (f, id) = startFault(&cluster, faults, .outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt + .seconds(500))
        let terminating = cluster.pods().filter { $0.metadata.deletionTimestamp != nil }
        #expect(terminating.count == 2)
        f.lift(id)
        cluster.setFaults(f)
        cluster.advance(to: outageAt + .seconds(530))
        #expect(cluster.nodeCondition("node-a0") == "True")
        #expect(cluster.nodeCondition("node-a1") == "True")
        #expect(cluster.store.nodes["node-a0"]?.taints.isEmpty == true)
        // The kubelets confirm the deletions.
        #expect(cluster.pods().filter { $0.metadata.deletionTimestamp != nil }.isEmpty)
        #expect(cluster.runningPods("web").count == 6)
    }

    @Test func podsReadyAgainAfterShortOutage() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(deployment("web", replicas: 6))
        cluster.advance(to: .seconds(10))
        var (f, id) = startFault(&cluster, faults, .outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt + .seconds(120))
        #expect(cluster.pods().filter { !$0.isReady }.count == 2)
        f.lift(id)
        cluster.setFaults(f)
        cluster.advance(to: outageAt + .seconds(150))
        #expect(cluster.pods().allSatisfy { $0.isReady })
        #expect(cluster.traces("TaintManagerEviction").isEmpty)
    }

    @Test func partialDisruptionOfSmallZoneStopsEvictions() throws {
        // Zone a: 5 nodes, 3 down (60 % ≥ 55 %, more than 2) → PartialDisruption; ≤ 50 nodes → rate 0.
        var (cluster, faults) = makeCluster(perZone: 5)
        try cluster.create(deployment("web", replicas: 15))
        cluster.advance(to: .seconds(10))
        var f = faults
        cluster.advance(to: outageAt)
        for i in 0..<3 { f.apply(.outage(.host("node-a\(i)"))) }
        cluster.setFaults(f)
        cluster.advance(to: outageAt + .seconds(1000))
        #expect(cluster.zoneStates["us-east-1a"] == .partialDisruption)
        // Kubelets renew at different phases, so the dead nodes are detected over two passes: one detected
        // while the zone is still Normal may be tainted (upstream has the same race); once the zone is
        // PartialDisruption (≤ 50 nodes → rate 0) nothing more is tainted or evicted.
        let partialAt = try #require(cluster.trace.first { $0.reason == "ZoneStateChanged" && $0.object.contains("us-east-1a") && $0.message.hasSuffix("PartialDisruption") }?.at)
        let tainted = cluster.traces("Tainted")
        #expect(tainted.count <= 2)
        #expect(tainted.allSatisfy { $0.at <= partialAt })
        #expect(cluster.traces("TaintManagerEviction").count <= 2 * tainted.count)
        #expect(cluster.nodeCondition("node-a0") == "Unknown")
        #expect(cluster.nodeCondition("node-a2") == "Unknown")
    }

    @Test func partialDisruptionOfLargeZoneUsesSecondaryRate() throws {
        var config = KubeConfig()
        config.recordNormalEvents = false
        var (cluster, faults) = makeCluster(zones: ["z1", "z2"], perZone: 60, config: config)
        var f = faults
        cluster.advance(to: outageAt)
        for i in 0..<40 { f.apply(.outage(.host("node-1\(i)"))) }
        cluster.setFaults(f)
        cluster.advance(to: outageAt + .seconds(400))
        #expect(cluster.zoneStates["z1"] == .partialDisruption)
        let partialAt = try #require(cluster.trace.first { $0.reason == "ZoneStateChanged" && $0.message.hasSuffix("PartialDisruption") }?.at)
        // After the limiter swap (a fresh bucket: one token at once), 0.01 node/s: one taint per 100 s.
        let taints = cluster.traces("Tainted").map(\.at).filter { $0 >= partialAt }
        #expect(taints.count >= 3)
        #expect(zip(taints, taints.dropFirst()).allSatisfy { $1 - $0 == .seconds(100) })
    }

    @Test func singleNodeDownInNormalZoneIsEvicted() throws {
        var (cluster, faults) = makeCluster(perZone: 3)
        try cluster.create(deployment("web", replicas: 9))
        cluster.advance(to: .seconds(10))
        _ = startFault(&cluster, faults, .outage(.host("node-b1")))
        cluster.advance(to: outageAt + .seconds(420))
        #expect(cluster.zoneStates["us-east-1b"] == .normal)
        #expect(cluster.firstTrace("Tainted", "node-b1") != nil)
        #expect(!cluster.traces("TaintManagerEviction").isEmpty)
    }

    @Test func allZonesDownEvictsNothing() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(deployment("web", replicas: 6))
        cluster.advance(to: .seconds(10))
        _ = startFault(&cluster, faults, .outage(.region("us-east-1")))
        cluster.advance(to: outageAt + .seconds(1200))
        #expect(cluster.zoneStates.values.allSatisfy { $0 == .fullDisruption })
        #expect(cluster.traces("TaintManagerEviction").isEmpty)
        #expect(cluster.firstTrace("MasterDisruptionMode", "Cluster") != nil)
        #expect(cluster.store.nodes.sorted.allSatisfy { node in !node.taints.contains { $0.effect == "NoExecute" } })
        #expect(cluster.store.nodes.sorted.allSatisfy { $0.readyStatus == "Unknown" })
    }

    @Test func leaseIsRenewedEveryTenSeconds() throws {
        var (cluster, faults) = makeCluster()
        cluster.advance(to: .seconds(95))
        let renew = try #require(cluster.lease(ofNode: "node-a0")?.spec?.renewTime?.instant)
        #expect(renew > .seconds(85) && renew <= .seconds(95))
        #expect(cluster.lease(ofNode: "node-a0")?.spec?.leaseDurationSeconds == 40)
        _ = startFault(&cluster, faults, .outage(.host("node-a0")))
        cluster.advance(to: .seconds(200))
        let frozen = try #require(cluster.lease(ofNode: "node-a0")?.spec?.renewTime?.instant)
        #expect(frozen <= outageAt && frozen > outageAt - .seconds(10))
    }

    @Test func nodeRemovalReleasesTerminatingPods() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(deployment("web", replicas: 6))
        cluster.advance(to: .seconds(10))
        _ = startFault(&cluster, faults, .outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt + .seconds(500))
        #expect(cluster.pods(onNode: "node-a0").count == 1)
        try cluster.removeNode(name: "node-a0")
        cluster.advance(to: outageAt + .seconds(570))
        #expect(cluster.pods(onNode: "node-a0").isEmpty)
    }
}
