import SimCore
import Testing
@testable import KubeSim

/// A kubeadm control plane on the cluster's own hosts: one member loses
/// everything with its AZ (the cluster freezes); three across AZs keep quorum.
@Suite struct ControlPlaneTests {
    let outageAt = SimInstant.seconds(100)

    func cluster(members: [String]) throws -> (KubeCluster, FaultModel, FaultID) {
        var (cluster, faults) = makeCluster(perZone: 1)
        cluster.setControlPlane(members: members.map { .host($0) })
        var spec = podSpec(cpu: 500)
        spec.topologySpreadConstraints = zoneSpread(["app": "web"], "ScheduleAnyway")
        try cluster.create(deployment("web", replicas: 3, spec: spec))
        try cluster.create(Service(metadata: ObjectMeta(name: "web"), spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(port: 80)])))
        cluster.advance(to: .seconds(30))
        #expect(cluster.runningPods("web").count == 3)
        cluster.advance(to: outageAt)
        let id = faults.apply(.outage(.availabilityZone("us-east-1a")))
        cluster.advance(to: outageAt, faults: faults)
        return (cluster, faults, id)
    }

    @Test func singleControlPlaneFreezesTheClusterWithItsZone() throws {
        var (cluster, faults, zoneA) = try cluster(members: ["node-a0"])
        #expect(cluster.controlPlaneDown)
        #expect(cluster.nextTimerInstant() == nil)
        cluster.advance(to: outageAt + .seconds(900))
        // Nothing noticed the dead node, nothing was evicted or rescheduled; the Service still lists the dead pod.
        #expect(cluster.nodeCondition("node-a0") == "True")
        #expect(cluster.firstTrace("NodeNotReady", "node-a0") == nil)
        #expect(cluster.firstTrace("TaintManagerEviction", "web") == nil)
        #expect(cluster.readyEndpointCount(service: "web") == 3)
        #expect(throws: KubeError.self) { try cluster.create(deployment("more", replicas: 1)) }
        let events = cluster.traces("ControlPlaneUnavailable")
        #expect(events.count == 1 && events.first?.at == outageAt)
        // The zone returns: quorum, a fresh node lifecycle controller, nothing lost.
        faults.lift(zoneA)
        cluster.advance(to: outageAt + .seconds(1000), faults: faults)
        #expect(!cluster.controlPlaneDown)
        #expect(cluster.firstTrace("ControlPlaneAvailable", "Cluster") == outageAt + .seconds(1000))
        cluster.advance(to: outageAt + .seconds(1200))
        #expect(cluster.firstTrace("NodeNotReady", "node-a0") == nil)
        try cluster.create(deployment("more", replicas: 1))
        cluster.advance(to: outageAt + .seconds(1210))
        #expect(cluster.runningPods("more").count == 1)
    }

    @Test func threeMembersAcrossZonesSurviveOne() throws {
        var (cluster, _, _) = try cluster(members: ["node-a0", "node-b0", "node-c0"])
        #expect(!cluster.controlPlaneDown)
        cluster.advance(to: outageAt + .seconds(420))
        let unknownAt = try #require(cluster.firstTrace("NodeNotReady", "node-a0"))
        #expect(unknownAt <= outageAt + .seconds(65))
        #expect(cluster.firstTrace("TaintManagerEviction", "web") != nil)
        #expect(cluster.runningPods("web").count == 3)
        #expect(cluster.readyEndpointsByZone(service: "web").keys.sorted() == ["us-east-1b", "us-east-1c"])
    }

    @Test func aRestartedControllerGivesStillDeadNodesAFullGracePeriod() throws {
        // Two members: losing either loses quorum. node-b0's zone stays down after node-a0's returns.
        var (cluster, faults, zoneA) = try cluster(members: ["node-a0", "node-b0"])
        let zoneB = faults.apply(.outage(.availabilityZone("us-east-1b")))
        cluster.advance(to: outageAt + .seconds(10), faults: faults)
        faults.lift(zoneA)
        cluster.advance(to: outageAt + .seconds(600), faults: faults)
        #expect(cluster.controlPlaneDown) // 1 of 2 is no majority
        faults.lift(zoneB)
        _ = faults.apply(.outage(.host("node-c0")))
        let thaw = outageAt + .seconds(700)
        cluster.advance(to: thaw, faults: faults)
        #expect(!cluster.controlPlaneDown)
        cluster.advance(to: thaw + .seconds(120))
        let unknownAt = try #require(cluster.firstTrace("NodeNotReady", "node-c0"))
        #expect(unknownAt >= thaw + .seconds(50) && unknownAt <= thaw + .seconds(56))
    }
}
