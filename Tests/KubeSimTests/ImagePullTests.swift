import SimCore
import Testing
@testable import KubeSim

/// Image pulls on fresh nodes (KubeConfig.imagePullTime): one image at a time
/// per node, kept once pulled; zero keeps pods starting after podStartupDelay alone.
@Suite struct ImagePullTests {
    static func pod(_ name: String, node: String, image: String) -> Pod {
        var spec = PodSpec(containers: [Container(name: "c", image: image)])
        spec.nodeName = node
        return Pod(metadata: ObjectMeta(name: name), spec: spec)
    }

    /// When each pod became Running, by name.
    static func started(_ cluster: KubeCluster) -> [String: SimInstant] {
        var out: [String: SimInstant] = [:]
        for event in cluster.traces("Started") { out[String(event.object.split(separator: "/").last ?? "")] = event.at }
        return out
    }

    @Test func aNodePullsEachImageOnceAndOneAtATime() throws {
        var config = KubeConfig()
        config.imagePullTime = .seconds(30)
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 2, config: config)
        try cluster.create(Self.pod("first", node: "node-10", image: "okera/odas-planner:2.9"))
        try cluster.create(Self.pod("same-image", node: "node-10", image: "okera/odas-planner:2.9"))
        try cluster.create(Self.pod("other-image", node: "node-10", image: "okera/odas-worker:2.9"))
        try cluster.create(Self.pod("other-node", node: "node-11", image: "okera/odas-planner:2.9"))
        cluster.advance(to: .seconds(120))
        let started = Self.started(cluster)
        #expect(started["first"] == .seconds(32), "pull 30 s, then start 2 s")
        #expect(started["same-image"] == .seconds(32), "waits for the same pull")
        #expect(started["other-image"] == .seconds(62), "the node pulls one image after the other")
        #expect(started["other-node"] == .seconds(32), "each node pulls for itself")
        #expect(cluster.traces("Pulling").count == 3)
        // Once pulled, an image stays on the node.
        try cluster.create(Self.pod("later", node: "node-10", image: "okera/odas-planner:2.9"))
        cluster.advance(to: .seconds(200))
        #expect(Self.started(cluster)["later"] == .seconds(122))
    }

    @Test func withoutPullTimePodsStartAfterTheStartupDelay() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1)
        try cluster.create(Self.pod("plain", node: "node-10", image: "nginx"))
        cluster.advance(to: .seconds(10))
        #expect(Self.started(cluster)["plain"] == .seconds(2))
        #expect(cluster.traces("Pulling").isEmpty)
    }
}
