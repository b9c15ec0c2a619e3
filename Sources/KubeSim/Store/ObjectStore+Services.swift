/// Node ports and load balancer status of Services.
extension ObjectStore {
    /// The default `--service-node-port-range` (kube-apiserver reference).
    static let nodePortRange: ClosedRange<Int32> = 30000...32767

    /// Gives every port of a NodePort or LoadBalancer Service a node port:
    /// one it asked for (in range and unused), the one it had (`keeping`, an
    /// update that leaves it out), else the lowest free one — as the API
    /// server's allocator does ("provided port is already allocated").
    mutating func allocateNodePorts(_ service: inout Service, keeping existing: Service?) throws(KubeError) {
        guard let type = service.spec?.type, type == "NodePort" || type == "LoadBalancer", var ports = service.spec?.ports else { return }
        let name = service.metadata.nameOrEmpty
        let key = service.ref.key
        var used = Set(services.items.filter { $0.key != key }.values.flatMap { $0.spec?.ports ?? [] }.compactMap(\.nodePort))
        for index in ports.indices {
            let field = "spec.ports[\(index)].nodePort"
            if let wanted = ports[index].nodePort, wanted != 0 {
                guard Self.nodePortRange.contains(wanted) else {
                    throw KubeError.invalid(.service, name, [.invalid(field, String(wanted),
                        "provided port is not in the valid range. The range of valid ports is \(Self.nodePortRange.lowerBound)-\(Self.nodePortRange.upperBound)")])
                }
                guard !used.contains(wanted) else {
                    throw KubeError.invalid(.service, name, [.invalid(field, String(wanted), "provided port is already allocated")])
                }
                used.insert(wanted)
                continue
            }
            let previous = existing?.spec?.ports?.first { $0.port == ports[index].port && $0.protocol == ports[index].protocol }?.nodePort
            if let previous, !used.contains(previous) {
                ports[index].nodePort = previous
            } else {
                guard let free = Self.nodePortRange.first(where: { !used.contains($0) }) else {
                    throw KubeError.invalid(.service, name, [.invalid(field, "0", "range is full")])
                }
                ports[index].nodePort = free
            }
            used.insert(ports[index].nodePort ?? 0)
        }
        service.spec?.ports = ports
    }

    /// Records the load balancer a cloud controller provisioned for a
    /// Service (`status.loadBalancer.ingress`); nil clears it.
    public mutating func setLoadBalancerIngress(namespace: String, name: String, _ ingress: [LoadBalancerIngress]?) {
        modify(Service.self, namespace, name) { service in
            service.status = ingress.map { ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: $0)) }
        }
    }
}
