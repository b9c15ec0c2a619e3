import Foundation
import SimCore
import Testing
@testable import KubeSim

/// Node ports of NodePort and LoadBalancer Services, and the load balancer
/// status a cloud controller writes.
@Suite struct ServiceNodePortTests {
    func service(_ name: String, type: String = "LoadBalancer", nodePort: Int32? = nil) -> Service {
        var port = ServicePort(port: 12050)
        port.nodePort = nodePort
        return Service(metadata: ObjectMeta(name: name), spec: ServiceSpec(selector: ["app": name], ports: [port], type: type))
    }

    @Test func nodePortsAreAllocatedFromTheDefaultRange() throws {
        var store = makeStore()
        let a = try store.create(service("a"), now: .zero)
        let b = try store.create(service("b", type: "NodePort"), now: .zero)
        let c = try store.create(service("c", type: "ClusterIP"), now: .zero)
        #expect(a.spec?.ports?.first?.nodePort == 30000)
        #expect(b.spec?.ports?.first?.nodePort == 30001)
        #expect(c.spec?.ports?.first?.nodePort == nil, "ClusterIP Services have no node port")
    }

    @Test func aTakenOrOutOfRangeNodePortIsInvalid() throws {
        var store = makeStore()
        _ = try store.create(service("a", nodePort: 31000), now: .zero)
        let taken = #expect(throws: KubeError.self) { try store.create(service("b", nodePort: 31000), now: .zero) }
        #expect(taken?.message.contains("provided port is already allocated") == true, "\(taken?.message ?? "")")
        let outside = #expect(throws: KubeError.self) { try store.create(service("c", nodePort: 80), now: .zero) }
        #expect(outside?.message.contains("The range of valid ports is 30000-32767") == true, "\(outside?.message ?? "")")
    }

    @Test func anUpdateKeepsTheNodePortAndTheLoadBalancerStatus() throws {
        var store = makeStore()
        _ = try store.create(service("a"), now: .zero)
        store.setLoadBalancerIngress(namespace: "default", name: "a", [LoadBalancerIngress(hostname: "k8s-default-a-0123456789.elb.us-west-2.amazonaws.com")])
        var changed = service("a")
        changed.metadata.labels = ["tier": "api"]
        let updated = try store.update(changed, now: .seconds(1))
        #expect(updated.spec?.ports?.first?.nodePort == 30000, "kubectl apply without nodePort keeps the allocated one")
        #expect(updated.status?.loadBalancer?.ingress?.first?.hostname?.hasSuffix(".elb.us-west-2.amazonaws.com") == true)
    }

    @Test func kubectlShowsTheLoadBalancerOrPending() throws {
        let pending: [String: Any] = ["metadata": ["name": "a"], "spec": ["type": "LoadBalancer", "clusterIP": "10.96.0.10",
                                                                           "ports": [["port": 12050, "nodePort": 30000]]]]
        #expect(KubeTables.cells(.service, pending, now: .zero)[3] as? String == "<pending>")
        #expect(KubeTables.cells(.service, pending, now: .zero)[4] as? String == "12050:30000/TCP")
        var ready = pending
        ready["status"] = ["loadBalancer": ["ingress": [["hostname": "k8s-a.elb.us-west-2.amazonaws.com"]]]]
        #expect(KubeTables.cells(.service, ready, now: .zero)[3] as? String == "k8s-a.elb.us-west-2.amazonaws.com")
    }
}
