import SimCore
import Testing
@testable import KubeSim

@Suite struct SchedulerTests {
    func barePod(_ name: String, _ spec: PodSpec, labels: [String: String] = ["app": "x"]) -> Pod {
        Pod(metadata: ObjectMeta(name: name, labels: labels), spec: spec)
    }

    @Test func bindsAndStartsAfterStartupDelay() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(barePod("p", podSpec(cpu: 100)))
        let bound = try cluster.store.read(Pod.self, "default", "p")
        #expect(bound.spec.nodeName != nil)
        #expect(bound.phase == .pending)
        cluster.advance(to: .seconds(2))
        #expect(try cluster.store.read(Pod.self, "default", "p").phase == .running)
        #expect(try cluster.store.read(Pod.self, "default", "p").isReady)
        #expect(cluster.events(for: "p").contains { $0.reason == "Scheduled" })
    }

    @Test func insufficientCPUMessageIsUpstreamShaped() throws {
        var (cluster, _) = makeCluster(perZone: 2, cpu: 1000)
        try cluster.create(barePod("big", podSpec(cpu: 2000)))
        let pod = try cluster.store.read(Pod.self, "default", "big")
        #expect(pod.spec.nodeName == nil)
        let condition = pod.condition("PodScheduled")
        #expect(condition?.status == "False")
        #expect(condition?.reason == "Unschedulable")
        #expect(condition?.message == "0/6 nodes are available: 6 Insufficient cpu. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")
        let event = cluster.events(for: "big").first { $0.reason == "FailedScheduling" }
        #expect(event?.type == "Warning")
        #expect(event?.message == condition?.message)
    }

    @Test func mixedReasonsAreSortedWithCounts() throws {
        var (cluster, _) = makeCluster(perZone: 2, cpu: 1000)
        cluster.addTaint("node-a0", Taint(key: WellKnown.taintUnreachable, effect: "NoSchedule"))
        cluster.addTaint("node-a1", Taint(key: WellKnown.taintUnreachable, effect: "NoSchedule"))
        try cluster.create(barePod("big", podSpec(cpu: 2000)))
        let message = try cluster.store.read(Pod.self, "default", "big").condition("PodScheduled")?.message
        #expect(message == "0/6 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 4 Insufficient cpu. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")
    }

    @Test func resourcesAreAccountedIncrementally() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1, cpu: 1000)
        try cluster.create(barePod("a", podSpec(cpu: 600)))
        try cluster.create(barePod("b", podSpec(cpu: 600)))
        #expect(cluster.store.pods["default/a"]?.spec.nodeName == "node-10")
        #expect(cluster.store.pods["default/b"]?.spec.nodeName == nil)
        try cluster.delete(Pod.self, name: "a", options: .force)
        #expect(cluster.store.pods["default/b"]?.spec.nodeName == "node-10")
    }

    @Test func nodeSelectorAndRequiredAffinity() throws {
        var (cluster, _) = makeCluster()
        var spec = podSpec()
        spec.nodeSelector = [WellKnown.zoneLabel: "us-east-1b"]
        try cluster.create(barePod("sel", spec))
        #expect(cluster.store.pods["default/sel"].flatMap(cluster.zone(ofPod:)) == "us-east-1b")
        var spec2 = podSpec()
        spec2.affinity = Affinity(nodeAffinity: NodeAffinity(required: NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: WellKnown.zoneLabel, operator: "NotIn", values: ["us-east-1a", "us-east-1b"])]),
        ])))
        try cluster.create(barePod("aff", spec2))
        #expect(cluster.store.pods["default/aff"].flatMap(cluster.zone(ofPod:)) == "us-east-1c")
        var spec3 = podSpec()
        spec3.nodeSelector = ["disk": "ssd"]
        try cluster.create(barePod("none", spec3))
        #expect(cluster.store.pods["default/none"]?.condition("PodScheduled")?.message?.hasPrefix("0/6 nodes are available: 6 node(s) didn't match Pod's node affinity/selector.") == true)
    }

    @Test func preferredNodeAffinityIsScored() throws {
        var (cluster, _) = makeCluster()
        var spec = podSpec()
        spec.affinity = Affinity(nodeAffinity: NodeAffinity(preferred: [
            PreferredSchedulingTerm(weight: 100, preference: NodeSelectorTerm(matchExpressions: [
                NodeSelectorRequirement(key: WellKnown.zoneLabel, operator: "In", values: ["us-east-1c"])])),
        ]))
        try cluster.create(barePod("pref", spec))
        #expect(cluster.store.pods["default/pref"].flatMap(cluster.zone(ofPod:)) == "us-east-1c")
    }

    @Test func taintsAndTolerations() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 2)
        cluster.addTaint("node-10", Taint(key: "dedicated", value: "db", effect: "NoSchedule"))
        cluster.addTaint("node-11", Taint(key: "dedicated", value: "db", effect: "NoExecute"))
        try cluster.create(barePod("plain", podSpec()))
        #expect(cluster.store.pods["default/plain"]?.condition("PodScheduled")?.message?.contains("2 node(s) had untolerated taint {dedicated: db}") == true)
        var spec = podSpec()
        spec.tolerations = [Toleration(key: "dedicated", operator: "Equal", value: "db")]
        try cluster.create(barePod("tol", spec))
        #expect(cluster.store.pods["default/tol"]?.spec.nodeName != nil)
    }

    @Test func cordonedNodesAreUnschedulable() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1)
        try cluster.cordon("node-10")
        try cluster.create(barePod("p", podSpec()))
        #expect(cluster.store.pods["default/p"]?.condition("PodScheduled")?.message?.hasPrefix("0/1 nodes are available: 1 node(s) were unschedulable.") == true)
        try cluster.cordon("node-10", false)
        #expect(cluster.store.pods["default/p"]?.spec.nodeName == "node-10")
    }

    @Test func topologySpreadDoNotScheduleKeepsSkew() throws {
        var (cluster, _) = makeCluster(perZone: 2)
        var spec = podSpec()
        spec.topologySpreadConstraints = zoneSpread(["app": "web"])
        try cluster.create(deployment("web", replicas: 6, spec: spec))
        var perZone: [String: Int] = [:]
        for pod in cluster.pods() where pod.metadata.labels?["app"] == "web" { perZone[cluster.zone(ofPod: pod) ?? "", default: 0] += 1 }
        #expect(perZone == ["us-east-1a": 2, "us-east-1b": 2, "us-east-1c": 2])
    }

    @Test func topologySpreadRejectsWhenSkewWouldBreak() throws {
        var (cluster, _) = makeCluster(perZone: 1)
        var spec = podSpec()
        spec.topologySpreadConstraints = zoneSpread(["app": "web"])
        spec.nodeSelector = [WellKnown.zoneLabel: "us-east-1a"]
        // nodeAffinityPolicy Honor: only zone a counts, so two pods fit there.
        try cluster.create(deployment("web", replicas: 2, spec: spec))
        #expect(cluster.pods().filter { $0.spec.nodeName != nil }.count == 2)
        var spec2 = podSpec()
        spec2.topologySpreadConstraints = [TopologySpreadConstraint(maxSkew: 1, topologyKey: WellKnown.zoneLabel, whenUnsatisfiable: "DoNotSchedule",
                                                                    labelSelector: LabelSelector(matchLabels: ["app": "api"]), nodeAffinityPolicy: "Ignore")]
        spec2.nodeSelector = [WellKnown.zoneLabel: "us-east-1a"]
        try cluster.create(deployment("api", replicas: 2, spec: spec2))
        let pending = cluster.pods().filter { $0.metadata.labels?["app"] == "api" && $0.spec.nodeName == nil }
        #expect(pending.count == 1)
        #expect(pending.first?.condition("PodScheduled")?.message == "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    }

    @Test func minDomainsTreatsMissingDomainsAsZero() throws {
        var (cluster, _) = makeCluster(zones: ["z1", "z2"], perZone: 2)
        var spec = podSpec()
        spec.topologySpreadConstraints = [TopologySpreadConstraint(maxSkew: 1, topologyKey: WellKnown.zoneLabel, whenUnsatisfiable: "DoNotSchedule",
                                                                   labelSelector: LabelSelector(matchLabels: ["app": "web"]), minDomains: 3)]
        try cluster.create(deployment("web", replicas: 4, spec: spec))
        // Two domains < minDomains 3: global minimum is 0, so at most 1 per zone.
        #expect(cluster.pods().filter { $0.spec.nodeName != nil }.count == 2)
    }

    @Test func podAntiAffinityOnHostname() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 2)
        var spec = podSpec()
        spec.affinity = Affinity(podAntiAffinity: PodAffinity(required: [
            PodAffinityTerm(labelSelector: LabelSelector(matchLabels: ["app": "db"]), topologyKey: WellKnown.hostnameLabel),
        ]))
        try cluster.create(deployment("db", replicas: 3, spec: spec))
        let bound = cluster.pods().filter { $0.spec.nodeName != nil }
        #expect(Set(bound.compactMap(\.spec.nodeName)).count == 2)
        #expect(bound.count == 2)
        let pending = cluster.pods().first { $0.spec.nodeName == nil }
        #expect(pending?.condition("PodScheduled")?.message?.contains("2 node(s) didn't match pod anti-affinity rules") == true)
        // Symmetry: a pod matching the selector but without the term cannot land next to them either.
        try cluster.create(barePod("intruder", podSpec(), labels: ["app": "db"]))
        #expect(cluster.store.pods["default/intruder"]?.condition("PodScheduled")?.message?.contains("2 node(s) didn't satisfy existing pods anti-affinity rules") == true)
    }

    @Test func podAffinityFollowsExistingPodsZone() throws {
        var (cluster, _) = makeCluster()
        var anchorSpec = podSpec()
        anchorSpec.nodeSelector = [WellKnown.zoneLabel: "us-east-1b"]
        try cluster.create(barePod("cache", anchorSpec, labels: ["app": "cache"]))
        var spec = podSpec()
        spec.affinity = Affinity(podAffinity: PodAffinity(required: [
            PodAffinityTerm(labelSelector: LabelSelector(matchLabels: ["app": "cache"]), topologyKey: WellKnown.zoneLabel),
        ]))
        try cluster.create(deployment("web", replicas: 3, spec: spec))
        #expect(cluster.pods().filter { $0.metadata.labels?["app"] == "web" }.allSatisfy { cluster.zone(ofPod: $0) == "us-east-1b" })
        var lonely = podSpec()
        lonely.affinity = Affinity(podAffinity: PodAffinity(required: [
            PodAffinityTerm(labelSelector: LabelSelector(matchLabels: ["app": "ghost"]), topologyKey: WellKnown.zoneLabel),
        ]))
        try cluster.create(barePod("lonely", lonely, labels: ["app": "other"]))
        #expect(cluster.store.pods["default/lonely"]?.condition("PodScheduled")?.message?.contains("6 node(s) didn't match pod affinity rules") == true)
    }

    @Test func leastAllocatedSpreadsAcrossNodes() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 3)
        try cluster.create(deployment("web", replicas: 3, spec: podSpec(cpu: 500)))
        #expect(Set(cluster.pods().compactMap(\.spec.nodeName)).count == 3)
    }

    @Test func feasibleNodeSearchFollowsUpstreamFormula() {
        #expect(Scheduler.numFeasibleNodesToFind(50) == 50)
        #expect(Scheduler.numFeasibleNodesToFind(1000) == 420)
        #expect(Scheduler.numFeasibleNodesToFind(5000) == 500)
        #expect(Scheduler.numFeasibleNodesToFind(200) == 100)
    }

    @Test func waitForFirstConsumerProvisionsInChosenZone() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(StorageClass(metadata: ObjectMeta(name: "gp3"), provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer"))
        try cluster.create(PersistentVolumeClaim(metadata: ObjectMeta(name: "data"), spec: PersistentVolumeClaimSpec(storage: Quantity("10Gi"), storageClassName: "gp3")))
        #expect(cluster.store.get(PersistentVolumeClaim.self, "default", "data")?.spec.volumeName == nil)
        var spec = podSpec()
        spec.volumes = [Volume(name: "d", persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: "data"))]
        spec.nodeSelector = [WellKnown.zoneLabel: "us-east-1c"]
        try cluster.create(barePod("p", spec))
        let claim = cluster.store.get(PersistentVolumeClaim.self, "default", "data")
        #expect(claim?.status?.phase == "Bound")
        let pv = claim?.spec.volumeName.flatMap { cluster.store.get(PersistentVolume.self, "", $0) }
        #expect(pv?.spec.nodeAffinity?.required?.nodeSelectorTerms.first?.matchExpressions?.first?.values == ["us-east-1c"])
        // A second pod using the bound claim is restricted to that zone.
        var spec2 = podSpec()
        spec2.volumes = spec.volumes
        spec2.nodeSelector = [WellKnown.zoneLabel: "us-east-1a"]
        try cluster.create(barePod("q", spec2))
        #expect(cluster.store.pods["default/q"]?.condition("PodScheduled")?.message == "0/6 nodes are available: 2 node(s) had volume node affinity conflict, 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")
    }

    @Test func allowedTopologiesRestrictProvisioning() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(StorageClass(metadata: ObjectMeta(name: "gp3a"), provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer",
                                        allowedTopologies: [TopologySelectorTerm(matchLabelExpressions: [TopologySelectorLabelRequirement(key: WellKnown.zoneLabel, values: ["us-east-1a"])])]))
        try cluster.create(PersistentVolumeClaim(metadata: ObjectMeta(name: "data"), spec: PersistentVolumeClaimSpec(storage: Quantity("1Gi"), storageClassName: "gp3a")))
        var spec = podSpec()
        spec.volumes = [Volume(name: "d", persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: "data"))]
        try cluster.create(barePod("p", spec))
        #expect(cluster.store.pods["default/p"].flatMap(cluster.zone(ofPod:)) == "us-east-1a")
    }

    @Test func missingClaimIsReported() throws {
        var (cluster, _) = makeCluster()
        var spec = podSpec()
        spec.volumes = [Volume(name: "d", persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: "nope"))]
        try cluster.create(barePod("p", spec))
        #expect(cluster.store.pods["default/p"]?.condition("PodScheduled")?.message == "0/6 nodes are available: persistentvolumeclaim \"nope\" not found. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")
    }

    @Test func higherPriorityIsScheduledFirst() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1, cpu: 1000)
        try cluster.cordon("node-10")
        var low = podSpec(cpu: 800); low.priority = 1
        var high = podSpec(cpu: 800); high.priority = 100
        try cluster.create(barePod("low", low))
        try cluster.create(barePod("high", high))
        try cluster.cordon("node-10", false)
        #expect(cluster.store.pods["default/high"]?.spec.nodeName == "node-10")
        #expect(cluster.store.pods["default/low"]?.spec.nodeName == nil)
    }
}
