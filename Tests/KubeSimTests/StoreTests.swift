import Foundation
import SimCore
import Testing
@testable import KubeSim

func makeStore(seed: UInt64 = 1) -> ObjectStore { ObjectStore(random: SimRandom(seed: seed).stream("kube")) }

func simplePod(_ name: String, labels: [String: String] = ["app": "web"], namespace: String = "default") -> Pod {
    Pod(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
        spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))
}

func simpleDeployment(_ name: String, replicas: Int32 = 3, labels: [String: String] = ["app": "web"]) -> Deployment {
    Deployment(metadata: ObjectMeta(name: name),
               spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: labels),
                                    template: PodTemplateSpec(metadata: ObjectMeta(labels: labels),
                                                              spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))))
}

@Suite struct StoreTests {
    @Test func createAssignsUIDResourceVersionAndTimestamp() throws {
        var store = makeStore()
        let a = try store.create(simplePod("a"), now: .seconds(5))
        let b = try store.create(simplePod("b"), now: .seconds(6))
        #expect(a.metadata.uid?.count == 36)
        #expect(a.metadata.uid != b.metadata.uid)
        #expect(Int64(a.metadata.resourceVersion ?? "") ?? 0 < Int64(b.metadata.resourceVersion ?? "") ?? 0)
        #expect(a.metadata.creationTimestamp?.description == "2025-01-01T00:00:05Z")
        #expect(a.metadata.namespace == "default")
        var again = makeStore()
        #expect(try again.create(simplePod("a"), now: .seconds(5)).metadata.uid == a.metadata.uid)
    }

    @Test func duplicateCreateIsAlreadyExists() throws {
        var store = makeStore()
        try store.create(simplePod("a"), now: .zero)
        #expect(throws: KubeError.alreadyExists(.pod, "a")) { try store.create(simplePod("a"), now: .zero) }
    }

    @Test func missingNamespaceIsNotFound() {
        var store = makeStore()
        let error = #expect(throws: KubeError.self) { try store.create(simplePod("a", namespace: "nope"), now: .zero) }
        #expect(error?.reason == .notFound)
        #expect(error?.message == "namespaces \"nope\" not found")
    }

    @Test func deploymentWithoutSelectorIsInvalidWithUpstreamMessage() {
        var store = makeStore()
        var d = simpleDeployment("x")
        d.spec.selector = nil
        let error = #expect(throws: KubeError.self) { try store.create(d, now: .zero) }
        #expect(error?.reason == .invalid)
        #expect(error?.code == 422)
        #expect(error?.message == "Deployment.apps \"x\" is invalid: spec.selector: Required value")
    }

    @Test func badNamesAreInvalid() {
        var store = makeStore()
        let error = #expect(throws: KubeError.self) { try store.create(simplePod("Bad_Name"), now: .zero) }
        #expect(error?.message.hasPrefix("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain") == true)
        let svc = Service(metadata: ObjectMeta(name: "1abc"), spec: ServiceSpec(selector: [:], ports: [ServicePort(port: 80)]))
        let svcError = #expect(throws: KubeError.self) { try store.create(svc, now: .zero) }
        #expect(svcError?.message.contains("DNS-1035") == true)
        let ns = Namespace(metadata: ObjectMeta(name: "a.b"))
        #expect(throws: KubeError.self) { try store.create(ns, now: .zero) }
    }

    @Test func selectorNotMatchingTemplateIsInvalid() {
        var store = makeStore()
        var d = simpleDeployment("x")
        d.spec.selector = LabelSelector(matchLabels: ["app": "other"])
        let error = #expect(throws: KubeError.self) { try store.create(d, now: .zero) }
        #expect(error?.message == "Deployment.apps \"x\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`")
    }

    @Test func multipleErrorsAreBracketed() {
        var store = makeStore()
        var d = simpleDeployment("x", replicas: -1)
        d.spec.template.spec.containers = []
        let error = #expect(throws: KubeError.self) { try store.create(d, now: .zero) }
        #expect(error?.message == "Deployment.apps \"x\" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.containers: Required value]")
    }

    @Test func staleResourceVersionIsConflict() throws {
        var store = makeStore()
        var pod = try store.create(simplePod("a"), now: .zero)
        var first = pod
        first.metadata.labels = ["app": "v2"]
        try store.update(first, now: .zero)
        pod.metadata.labels = ["app": "v3"]
        let error = #expect(throws: KubeError.self) { try store.update(pod, now: .zero) }
        #expect(error?.reason == .conflict)
    }

    @Test func generationBumpsOnlyOnSpecChange() throws {
        var store = makeStore()
        var d = try store.create(simpleDeployment("d"), now: .zero)
        d.metadata.annotations = ["a": "b"]
        d = try store.update(d, now: .zero)
        #expect(d.metadata.generation == 1)
        d.spec.replicas = 5
        d = try store.update(d, now: .zero)
        #expect(d.metadata.generation == 2)
    }

    @Test func listIsSortedAndFiltered() throws {
        var store = makeStore()
        for name in ["c", "a", "b"] { try store.create(simplePod(name, labels: ["app": name == "b" ? "db" : "web"]), now: .zero) }
        #expect(store.list(Pod.self).map(\.metadata.name) == ["a", "b", "c"])
        #expect(store.list(Pod.self, labelSelector: try Selector.parse("app=web")).map(\.metadata.name) == ["a", "c"])
        #expect(store.list(Pod.self, fieldSelector: try FieldSelector.parse("metadata.name=b")).map(\.metadata.name) == ["b"])
    }

    @Test func finalizersKeepObjectUntilRemoved() throws {
        var store = makeStore()
        var cm = ConfigMap(metadata: ObjectMeta(name: "cm", finalizers: ["example.com/hold"]))
        cm = try store.create(cm, now: .zero)
        let kept = try store.delete(ConfigMap.self, "default", "cm", now: .seconds(3))
        #expect(kept?.metadata.deletionTimestamp == KubeTime(.seconds(3)))
        #expect(store.get(ConfigMap.self, "default", "cm") != nil)
        guard var current = store.get(ConfigMap.self, "default", "cm") else { Issue.record("gone too early"); return }
        current.metadata.finalizers = ["example.com/other"]
        #expect(throws: KubeError.self) { try store.update(current, now: .seconds(4)) }
        current.metadata.finalizers = []
        try store.update(current, now: .seconds(4))
        #expect(store.get(ConfigMap.self, "default", "cm") == nil)
    }

    @Test func garbageCollectorDeletesDependentsInBackground() throws {
        var store = makeStore()
        let owner = try store.create(ConfigMap(metadata: ObjectMeta(name: "owner")), now: .zero)
        let ref = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid ?? "")
        try store.create(ConfigMap(metadata: ObjectMeta(name: "child", ownerReferences: [ref])), now: .zero)
        try store.delete(ConfigMap.self, "default", "owner", now: .zero)
        #expect(store.get(ConfigMap.self, "default", "child") != nil)
        store.collectGarbage(now: .zero)
        #expect(store.get(ConfigMap.self, "default", "child") == nil)
    }

    @Test func orphanPropagationKeepsDependents() throws {
        var store = makeStore()
        let owner = try store.create(ConfigMap(metadata: ObjectMeta(name: "owner")), now: .zero)
        let ref = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid ?? "")
        try store.create(ConfigMap(metadata: ObjectMeta(name: "child", ownerReferences: [ref])), now: .zero)
        try store.delete(ConfigMap.self, "default", "owner", now: .zero, options: DeleteOptions(propagationPolicy: .orphan))
        store.collectGarbage(now: .zero)
        #expect(store.get(ConfigMap.self, "default", "child")?.metadata.ownerReferences == nil)
    }

    @Test func watchLogReplaysSinceResourceVersion() throws {
        var store = makeStore()
        let start = store.resourceVersion
        try store.create(simplePod("a"), now: .zero)
        var pod = try store.read(Pod.self, "default", "a")
        pod.metadata.labels = ["x": "y"]
        try store.update(pod, now: .zero)
        try store.delete(Pod.self, "default", "a", now: .zero)
        let events = try store.watchEvents(since: start, kind: .pod)
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events.map(\.resourceVersion) == [start + 1, start + 2, start + 3])
        #expect(try store.watchEvents(since: start + 2).count == 1)
    }

    @Test func watchLogExpiresOldVersions() throws {
        var store = ObjectStore(random: SimRandom(seed: 1), watchLogCapacity: 3)
        for i in 0..<10 { try store.create(simplePod("p\(i)"), now: .zero) }
        let error = #expect(throws: KubeError.self) { try store.watchEvents(since: 1) }
        #expect(error?.reason == .expired)
    }

    @Test func generateNameIsDeterministic() throws {
        var a = makeStore(), b = makeStore()
        var pod = simplePod("")
        pod.metadata.name = nil
        pod.metadata.generateName = "web-"
        let x = try a.create(pod, now: .zero), y = try b.create(pod, now: .zero)
        #expect(x.metadata.name == y.metadata.name)
        #expect(x.metadata.name?.count == 9)
    }
}

@Suite struct SelectorTests {
    @Test func parsesStringForm() throws {
        let s = try Selector.parse("a=b,c!=d,e in (x,y),!f")
        #expect(s.matches(["a": "b", "e": "x"]))
        #expect(!s.matches(["a": "b", "e": "x", "f": "1"]))
        #expect(!s.matches(["a": "b", "c": "d", "e": "y"]))
        #expect(!s.matches(["a": "b", "e": "z"]))
        #expect(try Selector.parse("e notin (x)").matches([:]))
        #expect(try Selector.parse("g").matches(["g": ""]))
    }

    @Test func badStringIsBadRequest() {
        let error = #expect(throws: KubeError.self) { try Selector.parse("a in x") }
        #expect(error?.reason == .badRequest)
    }

    @Test func matchExpressions() {
        let s = Selector(LabelSelector(matchLabels: ["app": "web"], matchExpressions: [
            LabelSelectorRequirement(key: "tier", operator: "In", values: ["a", "b"]),
            LabelSelectorRequirement(key: "env", operator: "NotIn", values: ["prod"]),
            LabelSelectorRequirement(key: "x", operator: "Exists"),
            LabelSelectorRequirement(key: "y", operator: "DoesNotExist"),
        ]))
        #expect(s.matches(["app": "web", "tier": "a", "x": "1"]))
        #expect(!s.matches(["app": "web", "tier": "a", "x": "1", "env": "prod"]))
        #expect(!s.matches(["app": "web", "tier": "a", "x": "1", "y": "1"]))
        #expect(!Selector(nil as LabelSelector?).matches([:]))
        #expect(Selector(LabelSelector()).matches(["any": "thing"]))
    }

    @Test func nodeSelectorGtLt() {
        let gt = NodeSelectorRequirement(key: "cores", operator: "Gt", values: ["4"])
        #expect(NodeMatching.matches(gt, labels: ["cores": "8"]))
        #expect(!NodeMatching.matches(gt, labels: ["cores": "2"]))
        #expect(!NodeMatching.matches(gt, labels: ["cores": "many"]))
        let lt = NodeSelectorRequirement(key: "cores", operator: "Lt", values: ["4"])
        #expect(NodeMatching.matches(lt, labels: ["cores": "2"]))
    }

    @Test func fieldSelectorsKubectlSends() throws {
        var pod = simplePod("a")
        pod.spec.nodeName = "n1"
        pod.status = PodStatus(phase: .running)
        let f = try FieldSelector.parse("spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed")
        #expect(f.matches(pod.erased))
        #expect(!(try FieldSelector.parse("spec.nodeName=n2")).matches(pod.erased))
        #expect(throws: KubeError.self) { try FieldSelector.parse("spec.bogus=1") }
    }
}

@Suite struct CodableTests {
    @Test func realManifestDecodesIgnoringUnknownFields() throws {
        let json = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"},"unknownField":1},
         "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
           "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
           "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx",
             "resources":{"requests":{"cpu":"250m","memory":"64Mi"}},"livenessProbe":{"httpGet":{"path":"/"}}}],
             "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"web"}}}]}}}}
        """
        let d = try JSONDecoder().decode(Deployment.self, from: Data(json.utf8))
        #expect(d.spec.replicas == 3)
        #expect(d.spec.strategy?.rollingUpdate?.maxSurge == .string("25%"))
        #expect(d.spec.strategy?.rollingUpdate?.maxUnavailable == .int(1))
        #expect(d.spec.template.spec.containers[0].resources?.requests?["cpu"]?.milliValue == 250)
        #expect(d.spec.template.spec.containers[0].resources?.requests?["memory"]?.value == Int64(67_108_864))
        let any = try AnyKubeObject.decode(json: Data(json.utf8))
        #expect(any.kind == .deployment)
    }

    @Test func encodingOmitsNil() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(simplePod("a")), as: UTF8.self)
        #expect(text == #"{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"web"},"name":"a","namespace":"default"},"spec":{"containers":[{"image":"nginx","name":"c"}]}}"#)
    }

    @Test func timesRoundTrip() throws {
        let t = KubeTime(.seconds(3600 * 24 * 40 + 61))
        #expect(t.description == "2025-02-10T00:01:01Z")
        #expect(KubeTime(rfc3339: t.description) == t)
        #expect(KubeTime(rfc3339: "2025-01-01T01:00:00+01:00") == KubeTime(.zero))
        #expect(KubeTime(rfc3339: "garbage") == nil)
        #expect(KubeTime(.milliseconds(1500)).description == "2025-01-01T00:00:01.500000Z")
    }

    @Test func quantities() {
        #expect(Quantity("500m")?.milliValue == 500)
        #expect(Quantity("2")?.milliValue == 2000)
        #expect(Quantity("1Gi")?.value == 1 << 30)
        #expect(Quantity("1.5G")?.value == 1_500_000_000)
        #expect(Quantity("1e3")?.value == 1000)
        #expect(Quantity("abc") == nil)
        #expect(Quantity("") == nil)
        #expect(Quantity("99999999999999999999Ei")?.milliValue == .max)
    }

    @Test func malformedJSONThrowsNotCrashes() {
        #expect(throws: (any Error).self) { try AnyKubeObject.decode(json: Data("{\"kind\":\"Pod\"}".utf8)) }
        #expect(throws: (any Error).self) { try AnyKubeObject.decode(json: Data("{\"kind\":\"Gizmo\",\"metadata\":{}}".utf8)) }
        #expect(throws: (any Error).self) { try AnyKubeObject.decode(json: Data("[1,2".utf8)) }
    }
}
