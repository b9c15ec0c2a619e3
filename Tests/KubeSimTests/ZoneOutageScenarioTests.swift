import SimCore
import Testing
@testable import KubeSim

/// Three AZs, two nodes each; a 3-replica Deployment spread one per zone; AZ us-east-1a loses power at t = 100 s.
@Suite struct ZoneOutageScenarioTests {
    let t = SimInstant.seconds(100)

    func run(_ whenUnsatisfiable: String) throws -> (KubeCluster, FaultModel, Pod) {
        var (cluster, faults) = makeCluster()
        var spec = podSpec(cpu: 500)
        spec.topologySpreadConstraints = zoneSpread(["app": "web"], whenUnsatisfiable)
        try cluster.create(deployment("web", replicas: 3, spec: spec))
        try cluster.create(Service(metadata: ObjectMeta(name: "web"), spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(port: 80)])))
        cluster.advance(to: .seconds(30))
        let running = cluster.runningPods("web")
        #expect(running.count == 3)
        #expect(Set(running.compactMap { cluster.zone(ofPod: $0) }) == ["us-east-1a", "us-east-1b", "us-east-1c"])
        let victim = try #require(running.first { cluster.zone(ofPod: $0) == "us-east-1a" })
        cluster.advance(to: t)
        faults.apply(.outage(.availabilityZone("us-east-1a")))
        cluster.setFaults(faults)
        return (cluster, faults, victim)
    }

    @Test func doNotScheduleReplacementStaysPendingWhileDeadNodesExist() throws {
        var (cluster, _, victim) = try run("DoNotSchedule")
        cluster.advance(to: t + .seconds(80))
        // Detection: nodes Unknown about 50 s after the outage (lease renewed ≤ 10 s before; 5 s monitor period).
        let unknownAt = try #require(cluster.firstTrace("NodeNotReady", "node-a"))
        #expect(unknownAt >= t + .seconds(45) && unknownAt <= t + .seconds(65))
        #expect(cluster.nodeCondition("node-a0") == "Unknown" && cluster.nodeCondition("node-a1") == "Unknown")
        #expect(cluster.readyEndpointsByZone(service: "web").keys.sorted() == ["us-east-1b", "us-east-1c"])
        cluster.advance(to: t + .seconds(400))
        let node = try #require(victim.spec.nodeName)
        let tainted = try #require(cluster.firstTrace("Tainted", node))
        let evicted = try #require(cluster.firstTrace("TaintManagerEviction", victim.metadata.nameOrEmpty))
        // Eviction: grace (~50 s) + zone queue (0 or 10 s) + 300 s toleration.
        #expect(evicted == tainted + .seconds(300))
        #expect(evicted >= unknownAt + .seconds(300) && evicted <= unknownAt + .seconds(310))
        // The replacement exists at once but cannot go anywhere: zone a's nodes still exist (tainted, counted
        // as a domain with 0 pods under nodeTaintsPolicy Ignore), so b or c would reach skew 2.
        let pending = cluster.pods().filter { $0.metadata.labels?["app"] == "web" && $0.spec.nodeName == nil }
        #expect(pending.count == 1)
        #expect(pending.first?.condition("PodScheduled")?.message == "0/6 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 4 node(s) didn't match pod topology spread constraints. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")
        cluster.advance(to: t + .seconds(1800))
        #expect(cluster.runningPods("web").count == 2)
        // Once the dead zone's Node objects are deleted, the domain disappears and the replacement runs.
        try cluster.removeNode(name: "node-a0")
        try cluster.removeNode(name: "node-a1")
        cluster.advance(to: t + .seconds(1810))
        #expect(cluster.runningPods("web").count == 3)
        #expect(cluster.readyEndpointCount(service: "web") == 3)
    }

    @Test func scheduleAnywayReplacementRunsInSurvivingZone() throws {
        var (cluster, _, victim) = try run("ScheduleAnyway")
        cluster.advance(to: t + .seconds(420))
        let evicted = try #require(cluster.firstTrace("TaintManagerEviction", victim.metadata.nameOrEmpty))
        #expect(evicted >= t + .seconds(340) && evicted <= t + .seconds(375))
        let replacements = cluster.runningPods("web").filter { $0.metadata.uid != victim.metadata.uid }
        #expect(replacements.count == 3)
        #expect(replacements.allSatisfy { cluster.zone(ofPod: $0) != "us-east-1a" })
        let replacementStart = try #require(cluster.trace.first { $0.reason == "Started" && $0.at >= evicted }?.at)
        #expect(replacementStart == evicted + .seconds(2))
        #expect(cluster.readyEndpointCount(service: "web") == 3)
    }
}
