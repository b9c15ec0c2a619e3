import Foundation
import SimCore
import Testing
@testable import KubeSim

@Suite struct ControllerTests {
    @Test func replicaSetKeepsReplicasAndIgnoresTerminatingPods() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(deployment("web", replicas: 3))
        cluster.advance(to: .seconds(5))
        #expect(cluster.runningPods("web").count == 3)
        let victim = try #require(cluster.runningPods("web").first)
        // A pod that is Terminating (grace period) is replaced at once.
        try cluster.delete(Pod.self, name: victim.metadata.nameOrEmpty)
        let active = cluster.pods().filter { $0.metadata.labels?["app"] == "web" && $0.isActive }
        #expect(active.count == 3)
        cluster.advance(to: .seconds(10))
        #expect(cluster.runningPods("web").count == 3)
        #expect(cluster.store.pods[victim.ref.key] == nil)
        let rs = try #require(cluster.store.replicaSets.sorted.first)
        #expect(rs.metadata.name?.hasPrefix("web-") == true)
        #expect(rs.status?.readyReplicas == 3)
        #expect(cluster.store.deployments["default/web"]?.status?.availableReplicas == 3)
    }

    @Test func scalingUpAndDown() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(deployment("web", replicas: 2))
        cluster.advance(to: .seconds(5))
        try cluster.patch(Deployment.self, name: "web") { $0.spec.replicas = 5 }
        cluster.advance(to: .seconds(10))
        #expect(cluster.runningPods("web").count == 5)
        try cluster.patch(Deployment.self, name: "web") { $0.spec.replicas = 1 }
        cluster.advance(to: .seconds(15))
        let left = cluster.pods().filter { $0.metadata.labels?["app"] == "web" }
        #expect(left.count == 1)
    }

    @Test func rollingUpdateRespectsMaxSurgeAndMaxUnavailable() throws {
        var (cluster, _) = makeCluster(perZone: 4)
        let strategy = DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxUnavailable: .int(1), maxSurge: .int(2)))
        try cluster.create(deployment("web", replicas: 8, strategy: strategy))
        cluster.advance(to: .seconds(5))
        #expect(cluster.runningPods("web").count == 8)
        try cluster.patch(Deployment.self, name: "web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        var sawSurge = false
        for second in 6...120 {
            let pods = cluster.pods().filter { $0.metadata.labels?["app"] == "web" && $0.isActive }
            #expect(pods.count <= 8 + 2, "more than replicas + maxSurge at \(second)s")
            #expect(pods.filter(\.isReady).count >= 8 - 1, "fewer than replicas − maxUnavailable ready at \(second)s")
            if pods.count == 10 { sawSurge = true }
            cluster.advance(to: .seconds(Int64(second)))
        }
        #expect(sawSurge)
        let pods = cluster.runningPods("web")
        #expect(pods.count == 8)
        #expect(pods.allSatisfy { $0.spec.containers[0].image == "nginx:2" })
        #expect(cluster.store.replicaSets.count == 2)
        let d = try cluster.store.read(Deployment.self, "default", "web")
        #expect(d.status?.updatedReplicas == 8)
        #expect(d.status?.conditions?.first { $0.type == "Available" }?.status == "True")
    }

    @Test func defaultStrategyIs25Percent() throws {
        var (cluster, _) = makeCluster(perZone: 4)
        try cluster.create(deployment("web", replicas: 4))
        cluster.advance(to: .seconds(5))
        try cluster.patch(Deployment.self, name: "web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        for second in 6...60 {
            let pods = cluster.pods().filter { $0.metadata.labels?["app"] == "web" && $0.isActive }
            // 25 % of 4: surge 1 (rounded up), unavailable 1 (rounded down).
            #expect(pods.count <= 5)
            #expect(pods.filter(\.isReady).count >= 3)
            cluster.advance(to: .seconds(Int64(second)))
        }
        #expect(cluster.runningPods("web").allSatisfy { $0.spec.containers[0].image == "nginx:2" })
    }

    @Test func deletingDeploymentCascades() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(deployment("web", replicas: 3))
        cluster.advance(to: .seconds(5))
        try cluster.delete(Deployment.self, name: "web")
        cluster.advance(to: .seconds(10))
        #expect(cluster.store.replicaSets.count == 0)
        #expect(cluster.pods().isEmpty)
    }

    @Test func endpointsFollowReadiness() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(Service(metadata: ObjectMeta(name: "web"), spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(port: 80, targetPort: .int(8080))])))
        try cluster.create(deployment("web", replicas: 3))
        #expect(cluster.readyEndpointCount(service: "web") == 0)
        cluster.advance(to: .seconds(5))
        #expect(cluster.readyEndpointCount(service: "web") == 3)
        let slice = try cluster.store.read(EndpointSlice.self, "default", "web-0")
        #expect(slice.endpoints?.allSatisfy { $0.zone != nil && $0.nodeName != nil } == true)
        #expect(slice.ports?.first?.port == 8080)
        let pod = try #require(cluster.runningPods("web").first)
        cluster.setPodReady(pod.ref.key, false, reason: "ReadinessProbeFailed")
        cluster.advance(to: .seconds(6))
        #expect(cluster.readyEndpointCount(service: "web") == 2)
        try cluster.delete(Service.self, name: "web")
        #expect(cluster.store.get(Endpoints.self, "default", "web") == nil)
        #expect(cluster.endpointSlices(service: "web").isEmpty)
    }

    @Test func endpointSlicesHoldAtMostOneHundredEndpoints() throws {
        var (cluster, _) = makeCluster(perZone: 10)
        try cluster.create(Service(metadata: ObjectMeta(name: "web"), spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(port: 80)])))
        try cluster.create(deployment("web", replicas: 250))
        cluster.advance(to: .seconds(5))
        let slices = cluster.endpointSlices(service: "web")
        #expect(slices.map { $0.endpoints?.count ?? 0 } == [100, 100, 50])
        #expect(cluster.readyEndpointCount(service: "web") == 250)
        #expect(cluster.store.get(Endpoints.self, "default", "web")?.subsets?.first?.addresses?.count == 250)
    }

    @Test func statefulSetCreatesInOrderWithStableClaims() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(StorageClass(metadata: ObjectMeta(name: "gp3"), provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer"))
        try cluster.create(statefulSet("db", replicas: 3))
        #expect(cluster.pods().map(\.metadata.nameOrEmpty) == ["db-0"])
        cluster.advance(to: .seconds(3))
        #expect(cluster.pods().map(\.metadata.nameOrEmpty) == ["db-0", "db-1"])
        cluster.advance(to: .seconds(10))
        #expect(cluster.runningPods("db").map(\.metadata.nameOrEmpty) == ["db-0", "db-1", "db-2"])
        let claims = cluster.store.persistentVolumeClaims.sorted.map(\.metadata.nameOrEmpty)
        #expect(claims == ["data-db-0", "data-db-1", "data-db-2"])
        #expect(cluster.store.persistentVolumeClaims.sorted.allSatisfy { $0.status?.phase == "Bound" })
        #expect(cluster.store.statefulSets["default/db"]?.status?.readyReplicas == 3)
    }

    @Test func statefulSetPodInDeadZoneStaysPendingOnVolumeAffinity() throws {
        var (cluster, faults) = makeCluster()
        try cluster.create(StorageClass(metadata: ObjectMeta(name: "gp3"), provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer"))
        var sts = statefulSet("db", replicas: 3)
        sts.spec.template.spec.topologySpreadConstraints = zoneSpread(["app": "db"])
        try cluster.create(sts)
        cluster.advance(to: .seconds(20))
        let victim = try #require(cluster.runningPods("db").first { cluster.zone(ofPod: $0) == "us-east-1a" })
        var f = faults
        f.apply(.outage(.availabilityZone("us-east-1a")))
        cluster.setFaults(f)
        cluster.advance(to: .seconds(500))
        // Evicted, but Terminating on the unreachable node: no replacement with the same identity.
        #expect(cluster.store.pods[victim.ref.key]?.metadata.deletionTimestamp != nil)
        #expect(cluster.store.statefulSets["default/db"]?.status?.readyReplicas == 2)
        try cluster.delete(Pod.self, name: victim.metadata.nameOrEmpty, options: .force)
        cluster.advance(to: .seconds(510))
        let recreated = try cluster.store.read(Pod.self, "default", victim.metadata.nameOrEmpty)
        #expect(recreated.spec.nodeName == nil)
        let message = recreated.condition("PodScheduled")?.message ?? ""
        #expect(message.contains("volume node affinity conflict"))
        #expect(message.hasPrefix("0/6 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 4 node(s) had volume node affinity conflict."))
    }

    @Test func daemonSetRunsOnEveryNodeAndSurvivesUnreachable() throws {
        var (cluster, faults) = makeCluster()
        let ds = DaemonSet(metadata: ObjectMeta(name: "agent"),
                           spec: DaemonSetSpec(selector: LabelSelector(matchLabels: ["app": "agent"]),
                                               template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "agent"]), spec: podSpec())))
        try cluster.create(ds)
        cluster.advance(to: .seconds(5))
        #expect(Set(cluster.runningPods("agent").compactMap(\.spec.nodeName)).count == 6)
        try cluster.addNode(name: "node-extra", zone: "us-east-1b", region: "us-east-1")
        cluster.advance(to: .seconds(10))
        #expect(cluster.runningPods("agent").count == 7)
        var f = faults
        f.apply(.outage(.availabilityZone("us-east-1a")))
        cluster.setFaults(f)
        cluster.advance(to: .seconds(600))
        let terminatingAgents = cluster.pods().filter { $0.metadata.labels?["app"] == "agent" && $0.metadata.deletionTimestamp != nil }
        #expect(terminatingAgents.isEmpty)
        let status = try cluster.store.read(DaemonSet.self, "default", "agent").status
        #expect(status?.currentNumberScheduled == 7)
        #expect(status?.numberReady == 5)
    }

    @Test func jobRunsToCompletion() throws {
        var (cluster, _) = makeCluster()
        var spec = podSpec()
        spec.restartPolicy = "Never"
        let job = Job(metadata: ObjectMeta(name: "batch"),
                      spec: JobSpec(completions: 3, parallelism: 2, template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "batch"]), spec: spec)))
        try cluster.create(job)
        #expect(cluster.pods().count == 2)
        cluster.advance(to: .seconds(40))
        #expect(cluster.store.jobs["default/batch"]?.status?.succeeded == 2)
        cluster.advance(to: .seconds(100))
        let status = cluster.store.jobs["default/batch"]?.status
        #expect(status?.succeeded == 3)
        #expect(status?.conditions?.first?.type == "Complete")
        #expect(cluster.pods(phase: .succeeded).count == 3)
    }

    @Test func jobWithoutRestartPolicyIsInvalid() {
        var (cluster, _) = makeCluster()
        let job = Job(metadata: ObjectMeta(name: "batch"), spec: JobSpec(template: PodTemplateSpec(spec: podSpec())))
        let error = #expect(throws: KubeError.self) { try cluster.create(job) }
        #expect(error?.message == "Job.batch \"batch\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"")
    }

    @Test func pdbBlocksEvictionWith429() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(deployment("web", replicas: 3))
        try cluster.create(PodDisruptionBudget(metadata: ObjectMeta(name: "web-pdb"),
                                               spec: PodDisruptionBudgetSpec(minAvailable: .int(3), selector: LabelSelector(matchLabels: ["app": "web"]))))
        cluster.advance(to: .seconds(5))
        let status = try cluster.store.read(PodDisruptionBudget.self, "default", "web-pdb").status
        #expect(status?.currentHealthy == 3)
        #expect(status?.desiredHealthy == 3)
        #expect(status?.disruptionsAllowed == 0)
        let pod = try #require(cluster.runningPods("web").first)
        let error = #expect(throws: KubeError.self) { try cluster.evict(name: pod.metadata.nameOrEmpty) }
        #expect(error?.reason == .tooManyRequests)
        #expect(error?.code == 429)
        #expect(error?.message == "Cannot evict pod as it would violate the pod's disruption budget.")
        #expect(error?.causes.first?.message == "The disruption budget web-pdb needs 3 healthy pods and has 3 currently")
        try cluster.patch(PodDisruptionBudget.self, name: "web-pdb") { $0.spec.minAvailable = .int(2) }
        #expect(cluster.store.podDisruptionBudgets["default/web-pdb"]?.status?.disruptionsAllowed == 1)
        try cluster.evict(name: pod.metadata.nameOrEmpty)
        #expect(cluster.store.pods[pod.ref.key]?.metadata.deletionTimestamp != nil)
    }

    @Test func drainEvictsRespectingBudgetsAndSkipsDaemonSets() throws {
        var (cluster, _) = makeCluster(zones: ["z1"], perZone: 2)
        try cluster.create(deployment("web", replicas: 2))
        try cluster.create(DaemonSet(metadata: ObjectMeta(name: "agent"),
                                     spec: DaemonSetSpec(selector: LabelSelector(matchLabels: ["app": "agent"]),
                                                         template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "agent"]), spec: podSpec()))))
        try cluster.create(PodDisruptionBudget(metadata: ObjectMeta(name: "web-pdb"),
                                               spec: PodDisruptionBudgetSpec(maxUnavailable: .int(0), selector: LabelSelector(matchLabels: ["app": "web"]))))
        cluster.advance(to: .seconds(5))
        let outcomes = try cluster.drain("node-10")
        #expect(cluster.store.nodes["node-10"]?.isUnschedulable == true)
        #expect(outcomes.contains { $0.skipped })
        #expect(outcomes.contains { $0.error?.reason == .tooManyRequests })
        try cluster.patch(PodDisruptionBudget.self, name: "web-pdb") { $0.spec.maxUnavailable = .int(1) }
        let retry = try cluster.drain("node-10")
        #expect(retry.allSatisfy { $0.error == nil })
        cluster.advance(to: .seconds(15))
        #expect(cluster.pods(onNode: "node-10").allSatisfy { $0.metadata.labels?["app"] == "agent" })
        #expect(cluster.runningPods("web").allSatisfy { $0.spec.nodeName == "node-11" })
    }

    @Test func applyManifestCreatesThenUpdates() throws {
        var (cluster, _) = makeCluster()
        let json = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},"spec":{"containers":[{"name":"c","image":"api:1"}]}}}}"#
        try cluster.apply(json: Data(json.utf8))
        cluster.advance(to: .seconds(5))
        #expect(cluster.runningPods("api").count == 2)
        try cluster.apply(json: Data(json.replacingOccurrences(of: "\"replicas\":2", with: "\"replicas\":4").utf8))
        cluster.advance(to: .seconds(10))
        #expect(cluster.runningPods("api").count == 4)
        #expect(cluster.store.deployments["default/api"]?.metadata.generation == 2)
    }
}

func statefulSet(_ name: String, replicas: Int32) -> StatefulSet {
    let labels = ["app": name]
    let claim = PersistentVolumeClaim(metadata: ObjectMeta(name: "data"), spec: PersistentVolumeClaimSpec(storage: Quantity("10Gi"), storageClassName: "gp3"))
    return StatefulSet(metadata: ObjectMeta(name: name),
                       spec: StatefulSetSpec(replicas: replicas, selector: LabelSelector(matchLabels: labels),
                                             template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: podSpec()),
                                             serviceName: name, volumeClaimTemplates: [claim]))
}
