import Foundation
import SimCore
import Testing
@testable import KubeSim

@Suite struct MiscTests {
    @Test func repeatedFailedSchedulingIsCountedOnOneEvent() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1, cpu: 1000)
        try cluster.create(Pod(metadata: ObjectMeta(name: "big"), spec: podSpec(cpu: 2000)))
        // Each node change retries the pod; the same message bumps the event's count.
        try cluster.addNode(name: "small-1", zone: "z1", cpu: Quantity(milli: 500))
        try cluster.addNode(name: "small-2", zone: "z1", cpu: Quantity(milli: 500))
        let events = cluster.events(for: "big").filter { $0.reason == "FailedScheduling" }
        #expect(events.count == 3)
        #expect(events.allSatisfy { $0.count == 1 })
        try cluster.cordon("small-2")
        try cluster.cordon("small-2", false)
        // Cordoning gives a new message (a new Event); uncordoning repeats an earlier one (count 2).
        let last = cluster.events(for: "big").filter { $0.reason == "FailedScheduling" }
        #expect(last.count == 4)
        #expect(last.contains { ($0.count ?? 0) > 1 })
        #expect(last.last?.involvedObject.kind == "Pod")
        #expect(try cluster.store.list(KubeEvent.self, fieldSelector: FieldSelector.parse("involvedObject.name=big,reason=FailedScheduling")).count == 4)
    }

    @Test func pendingPodRunsWhenCapacityArrives() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1, cpu: 1000)
        try cluster.create(Pod(metadata: ObjectMeta(name: "big"), spec: podSpec(cpu: 2000)))
        try cluster.addNode(name: "large", zone: "z1", cpu: Quantity(milli: 8000))
        cluster.advance(to: .seconds(5))
        #expect(cluster.store.pods["default/big"]?.spec.nodeName == "large")
        #expect(cluster.store.pods["default/big"]?.phase == .running)
    }

    @Test func recreateStrategyStopsOldPodsFirst() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(deployment("web", replicas: 3, strategy: DeploymentStrategy(type: "Recreate")))
        cluster.advance(to: .seconds(5))
        try cluster.patch(Deployment.self, name: "web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        var mixed = false
        for second in 6...30 {
            let images = Set(cluster.pods().filter { $0.isActive }.map { $0.spec.containers[0].image ?? "" })
            if images.count > 1 { mixed = true }
            cluster.advance(to: .seconds(Int64(second)))
        }
        #expect(!mixed)
        #expect(cluster.runningPods("web").count == 3)
        #expect(cluster.runningPods("web").allSatisfy { $0.spec.containers[0].image == "nginx:2" })
    }

    @Test func deletingANamespaceDeletesItsObjects() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(Namespace(metadata: ObjectMeta(name: "team")))
        var d = deployment("web", replicas: 2)
        d.metadata.namespace = "team"
        try cluster.create(d)
        cluster.advance(to: .seconds(5))
        #expect(cluster.pods(namespace: "team").count == 2)
        try cluster.delete(Namespace.self, name: "team")
        cluster.advance(to: .seconds(10))
        #expect(cluster.store.namespaces["team"] == nil)
        #expect(cluster.pods(namespace: "team").isEmpty)
        #expect(cluster.store.list(Deployment.self, namespace: "team").isEmpty)
    }

    @Test func errorsCarryAStatusObject() throws {
        var store = makeStore()
        let error = #expect(throws: KubeError.self) { try store.read(Pod.self, "default", "ghost") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(try #require(error).status), as: UTF8.self)
        #expect(json == #"{"apiVersion":"v1","code":404,"details":{"kind":"pods","name":"ghost"},"kind":"Status","message":"pods \"ghost\" not found","reason":"NotFound","status":"Failure"}"#)
    }

    @Test func objectsEncodeForKubectl() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(deployment("web", replicas: 1))
        cluster.advance(to: .seconds(5))
        let pod = try #require(cluster.runningPods("web").first)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(pod)
        let decoded = try JSONDecoder().decode(Pod.self, from: data)
        #expect(decoded == pod)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""creationTimestamp":"2025-01-01T00:00:00Z""#))
        #expect(text.contains(#""ownerReferences":[{"apiVersion":"apps\/v1","blockOwnerDeletion":true,"controller":true,"kind":"ReplicaSet""#))
        #expect(text.contains(#""phase":"Running""#))
        let node = try encoder.encode(try cluster.store.read(Node.self, "", "node-a0"))
        #expect(String(decoding: node, as: UTF8.self).contains(#""topology.kubernetes.io\/zone":"us-east-1a""#))
    }
}

@Suite struct RobustnessTests {
    @Test func absurdValuesDoNotCrash() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1)
        var huge = podSpec()
        huge.containers[0].resources = ResourceRequirements(requests: ["cpu": try #require(Quantity("99999999999999Ei")),
                                                                         "memory": try #require(Quantity("1e38"))])
        try cluster.create(Pod(metadata: ObjectMeta(name: "huge"), spec: huge))
        #expect(cluster.store.pods["default/huge"]?.condition("PodScheduled")?.message?.contains("Insufficient cpu") == true)
        let bad = DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxUnavailable: .string("9223372036854775807%"), maxSurge: .int(Int.max)))
        let error = #expect(throws: KubeError.self) { try cluster.create(deployment("bad", replicas: 2, strategy: bad)) }
        #expect(error?.reason == .invalid)
        let strategy = DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxUnavailable: .int(1), maxSurge: .int(Int.max)))
        try cluster.create(deployment("surge", replicas: 2, strategy: strategy))
        var toleration = podSpec()
        toleration.tolerations = [Toleration(key: "x", operator: "Exists", effect: "NoExecute", tolerationSeconds: Int64.max)]
        toleration.terminationGracePeriodSeconds = Int64.max
        try cluster.create(Pod(metadata: ObjectMeta(name: "odd"), spec: toleration))
        try cluster.delete(Pod.self, name: "odd")
        cluster.advance(to: .seconds(30))
        #expect(cluster.runningPods("surge").count == 2)
        #expect((IntOrString.string("9223372036854775807%").scaled(total: 10, roundUp: true) ?? 0) <= 1 << 30)
    }

    @Test func parallelStatefulSetCreatesInBursts() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 1)
        var sts = StatefulSet(metadata: ObjectMeta(name: "wide"),
                              spec: StatefulSetSpec(replicas: 2_000, selector: LabelSelector(matchLabels: ["app": "wide"]),
                                                    template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "wide"]), spec: podSpec()),
                                                    podManagementPolicy: "Parallel"))
        sts.spec.replicas = 2_000
        try cluster.create(sts)
        // One node holds 110 pods; the rest stay Pending, none of it hangs.
        #expect(cluster.pods().count == 2_000)
        #expect(cluster.pods().filter { $0.spec.nodeName != nil }.count == 110)
    }

    @Test func garbageManifestsAreRejected() {
        for text in ["", "{", "null", "[]", #"{"kind":"Pod","metadata":{"name":5}}"#, #"{"kind":"Node","metadata":{"creationTimestamp":"yesterday"}}"#] {
            #expect(throws: (any Error).self) { try AnyKubeObject.decode(json: Data(text.utf8)) }
        }
    }
}

@Suite struct VolumeAndWatchTests {
    @Test func immediateClassProvisionsInFirstAllowedZone() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(StorageClass(metadata: ObjectMeta(name: "io2"), provisioner: "ebs.csi.aws.com", volumeBindingMode: "Immediate",
                                        allowedTopologies: [TopologySelectorTerm(matchLabelExpressions: [TopologySelectorLabelRequirement(key: WellKnown.zoneLabel, values: ["us-east-1b"])])]))
        try cluster.create(PersistentVolumeClaim(metadata: ObjectMeta(name: "data"), spec: PersistentVolumeClaimSpec(storage: Quantity("5Gi"), storageClassName: "io2")))
        let claim = try cluster.store.read(PersistentVolumeClaim.self, "default", "data")
        #expect(claim.status?.phase == "Bound")
        var spec = podSpec()
        spec.volumes = [Volume(name: "d", persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: "data"))]
        try cluster.create(Pod(metadata: ObjectMeta(name: "p"), spec: spec))
        #expect(cluster.store.pods["default/p"].flatMap(cluster.zone(ofPod:)) == "us-east-1b")
    }

    @Test func aWatcherSeesAPodsLifeInOrder() throws {
        var (cluster, _) = makeCluster()
        let start = cluster.store.resourceVersion
        try cluster.create(Pod(metadata: ObjectMeta(name: "p"), spec: podSpec()))
        cluster.advance(to: .seconds(5))
        try cluster.delete(Pod.self, name: "p")
        cluster.advance(to: .seconds(10))
        let events = try cluster.store.watchEvents(since: start, kind: .pod)
        #expect(events.first?.type == .added)
        #expect(events.last?.type == .deleted)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.resourceVersion < $1.resourceVersion })
        let phases = events.compactMap { event -> String? in
            if case .pod(let pod) = event.object { return pod.status?.phase?.rawValue } else { return nil }
        }
        #expect(phases.contains("Pending") && phases.contains("Running"))
        #expect(events.contains { if case .pod(let pod) = $0.object { return pod.metadata.deletionTimestamp != nil && $0.type == .modified } else { return false } })
    }
}
