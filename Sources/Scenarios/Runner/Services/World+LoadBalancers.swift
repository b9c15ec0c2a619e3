import AWSSim
import KubeSim
import ODASModel
import SimCore

/// Load balancers in the world: ELB's health checks on the event loop, what
/// the load balancers' DNS names answer (published to Route 53), and, on
/// EKS, the AWS Load Balancer Controller: every `LoadBalancer` Service gets a
/// network load balancer with a node in each of the node group's subnets,
/// the cluster's nodes as instance targets on the Service's node ports, and
/// its DNS name in `status.loadBalancer` and in the Route 53 aliases that name the Service.
extension World {
    /// The tags the controller puts on its load balancers (kubernetes-sigs/aws-load-balancer-controller).
    static let serviceStackTag = "service.k8s.aws/stack"
    static let clusterTag = "elbv2.k8s.aws/cluster"

    mutating func handleELBv2(_ event: ELBv2Event) {
        let ec2 = self.ec2, faults = self.faults
        // What listens on the nodes: kube-proxy on each cluster node forwards an
        // ODAS Service's port to a ready endpoint, and refuses it while there is none.
        let nodes = Set(kube?.store.nodes.sortedKeys ?? [])
        var serving: [String: Bool] = [:]
        for group in elbv2.targetGroups.values {
            guard let component = odasComponent(of: group) else { continue }
            serving[group.arn] = !odasEndpoints(component).isEmpty
        }
        elbv2.handle(event, now: loop.now) { target, group in
            guard Self.targetAnswers(target, ec2: ec2, faults: faults) else { return false }
            guard let answering = serving[group.arn] else { return true }
            // (EKS nodes are named after their instances, kubeadm's after the private DNS name.)
            return answering && ec2.instances[target.id].map { nodes.contains($0.name) || nodes.contains($0.privateDNSName) } == true
        }
        drainELBv2()
    }

    /// A target's instance is running and its host is up (whether something
    /// listens on the port is ``handleELBv2(_:)``'s to say).
    static func targetAnswers(_ target: ELBv2Target, ec2: EC2Service, faults: FaultModel) -> Bool {
        guard let instance = ec2.instances[target.id] else { return false }
        return instance.state == .running && faults.isUp(.host(instance.name))
    }

    /// The ODAS component a target group reaches on the nodes: the Service the
    /// controller made it for, or the component whose port it forwards to.
    func odasComponent(of group: ELBv2TargetGroup) -> ODASComponent? {
        guard let primary = odasClusters.first else { return nil }
        if let key = group.tags[Self.serviceStackTag] {
            return ODASComponent.allCases.first { primary.deployment.namespace + "/" + $0.objectName == key }
        }
        return ODASComponent.allCases.first { $0.port == group.port && $0.serviceType == "LoadBalancer" }
    }

    /// Schedules ELB's work, reports its changes, and publishes every load
    /// balancer's DNS answer (TTL 60 s: "Elastic Load Balancing DNS names have
    /// a TTL of 60 seconds", ELB User Guide, "Load balancer DNS name").
    mutating func drainELBv2() {
        for item in elbv2.outbox { loop.schedule(.elbv2(item.event), at: item.at) }
        elbv2.outbox.removeAll()
        for notice in elbv2.notices {
            trace.record("elbv2", "change", at: loop.now, ["change": .string(notice)])
            timeline.append(TimelineEntry(at: loop.now, kind: "elbv2", text: notice))
        }
        let changed = !elbv2.notices.isEmpty
        elbv2.notices.removeAll()
        defer { if changed { observeInstall(.loadBalancersChanged) } }
        for arn in elbv2.loadBalancers.keys.sorted() {
            guard let balancer = elbv2.loadBalancers[arn] else { continue }
            for zone in balancer.zones where !faults.contains(.host(zone.address)) && faults.contains(.subnet(zone.subnet)) {
                faults.addHost(zone.address, in: .subnet(zone.subnet))
            }
            let answer = elbv2.dnsAnswer(balancer.dnsName)
            route53.publish(balancer.dnsName, answer.map { Route53Service.ManagedName(addresses: $0.addresses, healthy: $0.healthy, ttl: .seconds(60)) })
        }
    }

    /// The controller's reconcile of the primary cluster (EKS only): load
    /// balancers for new `LoadBalancer` Services, targets following the
    /// cluster's nodes, and the Route 53 aliases of the scenario that name a Service.
    mutating func reconcileServiceLoadBalancers() {
        guard let eks = scenario.network.eks, let cluster = kube else { return }
        let services = cluster.store.services.sorted.filter { $0.spec?.type == "LoadBalancer" }
        let nodes = cluster.store.nodes.sortedKeys
        let fingerprint = services.map { "\($0.ref.key)@\($0.metadata.resourceVersion ?? "")" }.joined(separator: ",") + "|" + nodes.joined(separator: ",")
        guard fingerprint != loadBalancerFingerprint else { return }
        loadBalancerFingerprint = fingerprint
        let instanceByNode = Dictionary(ec2.instances.values.map { ($0.name, $0) }, uniquingKeysWith: { a, b in a.id < b.id ? a : b })
        let targets = nodes.compactMap { instanceByNode[$0] }.filter { $0.state == .running }
        for service in services {
            let key = service.metadata.namespaceOrEmpty + "/" + service.metadata.nameOrEmpty
            let balancer = serviceLoadBalancer(key, cluster: eks.name) ?? createServiceLoadBalancer(service, key: key, cluster: eks)
            guard let balancer else { continue }
            if service.status?.loadBalancer?.ingress?.first?.hostname != balancer.dnsName {
                _ = updateKube(0) { $0.setLoadBalancerIngress(namespace: service.metadata.namespaceOrEmpty, name: service.metadata.nameOrEmpty,
                                                              [LoadBalancerIngress(hostname: balancer.dnsName)]) }
            }
            for group in elbv2.targetGroups(of: balancer) { syncTargets(group, with: targets) }
            upsertServiceAliases(key: key, dnsName: balancer.dnsName)
        }
        drainELBv2()
    }

    /// The load balancer the controller made for the Service `namespace/name` of an EKS cluster.
    func serviceLoadBalancer(_ key: String, cluster: String) -> ELBv2LoadBalancer? {
        elbv2.loadBalancers.values.filter { $0.tags[Self.serviceStackTag] == key && $0.tags[Self.clusterTag] == cluster }.min { $0.arn < $1.arn }
    }

    /// A network load balancer (internal unless the Service's
    /// `aws-load-balancer-scheme` annotation says internet-facing, the
    /// controller's default) over the node group's subnets, one target group
    /// and listener per Service port, targets on the port's node port.
    mutating func createServiceLoadBalancer(_ service: Service, key: String, cluster: NetworkSpec.EKSCluster) -> ELBv2LoadBalancer? {
        var subnets: [ELBv2Zone] = []
        for group in cluster.nodeGroups.compactMap({ autoScaling.groups[$0] }) {
            for subnet in group.subnets where !subnets.contains(where: { $0.availabilityZone == subnet.availabilityZone }) {
                subnets.append(ELBv2Zone(subnet: subnet.id, availabilityZone: subnet.availabilityZone,
                                         address: ec2.allocatePrivateAddress(subnet: subnet.id, subnetCIDR: subnet.cidr)))
            }
        }
        let namespace = service.metadata.namespaceOrEmpty, name = service.metadata.nameOrEmpty
        // The controller's names: k8s-NAMESPACE-NAME-HASH, each part cut to 8 characters.
        let hash = String(String(StableHash.fnv1a64(cluster.name + "/" + key), radix: 16).prefix(10))
        let lbName = "k8s-\(namespace.prefix(8))-\(name.prefix(8))-\(hash)".replacingOccurrences(of: "--", with: "-")
        let scheme = service.metadata.annotations?["service.beta.kubernetes.io/aws-load-balancer-scheme"] ?? "internal"
        let tags = [Self.serviceStackTag: key, Self.clusterTag: cluster.name, "service.k8s.aws/resource": "LoadBalancer"]
        let provisioning = installDuration("elbv2." + key, .seconds(120)...(.seconds(240)))
        do {
            let balancer = try elbv2.createLoadBalancer(name: lbName, type: "network", scheme: scheme, region: cluster.region, subnets: subnets,
                                                        tags: tags, provisioning: provisioning, now: loop.now)
            for (index, port) in (service.spec?.ports ?? []).enumerated() {
                let group = try elbv2.createTargetGroup(name: "k8s-\(namespace.prefix(8))-\(name.prefix(8))-\(index)\(hash.prefix(6))",
                                                        protocol: port.protocol ?? "TCP", port: Int(port.nodePort ?? port.port), vpcId: nil,
                                                        region: cluster.region, tags: tags, now: loop.now)
                _ = try elbv2.createListener(loadBalancer: balancer.arn, port: Int(port.port), protocol: port.protocol ?? "TCP", targetGroup: group.arn)
            }
            trace.record("elbv2", "create-load-balancer", at: loop.now, [
                "service": .string(key), "name": .string(balancer.name), "dns": .string(balancer.dnsName),
                "zones": .string(balancer.zones.map { $0.availabilityZone }.joined(separator: ",")),
            ])
            timeline.append(TimelineEntry(at: loop.now, kind: "elbv2",
                                          text: "Service \(key): network load balancer \(balancer.name) provisioning in \(balancer.zones.map(\.availabilityZone).joined(separator: ", "))"))
            return balancer
        } catch {
            trace.record("elbv2", "create-load-balancer-failed", at: loop.now, ["service": .string(key), "error": .string(error.code)])
            timeline.append(TimelineEntry(at: loop.now, kind: "elbv2", text: "Service \(key): no load balancer: \(error.code): \(error.message)"))
            return nil
        }
    }

    /// Registers the cluster's running nodes and deregisters those that left.
    mutating func syncTargets(_ group: ELBv2TargetGroup, with instances: [EC2Instance]) {
        let wanted = Set(instances.map(\.id))
        let gone = group.targets.filter { !wanted.contains($0.id) && $0.state != .draining }.map(\.id)
        if !gone.isEmpty { try? elbv2.deregisterTargets(group.arn, ids: gone, now: loop.now) }
        let new = instances.filter { instance in !group.targets.contains { $0.id == instance.id && $0.state != .draining } }
        if !new.isEmpty { try? elbv2.registerTargets(group.arn, new.map { ($0.id, nil, $0.availabilityZone) }) }
    }

    /// The scenario's records whose alias names this Service (`alias: odas/odas-planner`) become Route 53 aliases of its load balancer.
    mutating func upsertServiceAliases(key: String, dnsName: String) {
        guard let dns = scenario.dns, let primary = odasClusters.first else { return }
        for record in dns.records where record.aliasesServiceLoadBalancer {
            guard let alias = record.alias, let component = ODASComponent.allCases.first(where: { primary.serviceTarget($0) == alias }),
                  key == primary.deployment.namespace + "/" + component.objectName else { continue }
            let aliased = record.route53Record(target: dnsName, aliasTarget: dnsName)
            guard !route53.records.contains(aliased) else { continue }
            route53.upsert(aliased)
            trace.record("route53", "alias-load-balancer", at: loop.now, ["record": .string(record.name), "dns": .string(dnsName)])
        }
    }
}

/// A client's connection through a Service's load balancer (``PlannerLocator``).
extension World {
    /// Why the primary cluster's LoadBalancer Services are not reachable through
    /// their load balancers yet (none provisioned, provisioning, no healthy
    /// target), or nil when every one answers in DNS with a healthy zone.
    func serviceLoadBalancersPending() -> String? {
        guard let eks = scenario.network.eks, let cluster = kube else { return nil }
        for service in cluster.store.services.sorted where service.spec?.type == "LoadBalancer" {
            let key = service.metadata.namespaceOrEmpty + "/" + service.metadata.nameOrEmpty
            guard let balancer = serviceLoadBalancer(key, cluster: eks.name) else {
                return "Service \(key) has no load balancer yet"
            }
            guard balancer.state == "active" else { return "load balancer \(balancer.name) is \(balancer.state)" }
            guard elbv2.dnsAnswer(balancer.dnsName)?.healthy == true else { return "load balancer \(balancer.name) has no healthy target yet" }
        }
        return nil
    }

    /// Why the load balancers a stack created do not answer yet (provisioning,
    /// no healthy target), or nil when each has a healthy zone in DNS.
    func stackLoadBalancersPending(_ stack: CFNStack) -> String? {
        for (_, resource) in stack.resources.sorted(by: { $0.key < $1.key }) where resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer" {
            guard let arn = resource.physicalId, let balancer = elbv2.loadBalancers[arn] else { continue }
            guard balancer.state == "active" else { return "load balancer \(balancer.name) is \(balancer.state)" }
            guard elbv2.dnsAnswer(balancer.dnsName)?.healthy == true else { return "load balancer \(balancer.name) has no healthy target yet" }
        }
        return nil
    }

    /// The ODAS cluster and component whose Service a load balancer serves:
    /// the Service the AWS Load Balancer Controller made it for (its tag), or,
    /// for one a stack or a script made in front of the ODAS nodes (Okera's
    /// EC2 layout: every node answers each service's port), the component
    /// whose port the listener on `listenerPort` forwards to, on instances that
    /// are the primary cluster's nodes.
    func odasService(of balancer: ELBv2LoadBalancer, listenerPort: Int) -> (cluster: Int, component: ODASComponent)? {
        guard let primary = odasClusters.first else { return nil }
        if let key = balancer.tags[Self.serviceStackTag] {
            guard let component = ODASComponent.allCases.first(where: { primary.deployment.namespace + "/" + $0.objectName == key }) else { return nil }
            return (0, component)
        }
        guard let nodes = kube?.store.nodes else { return nil }
        let forwarded = Set(elbv2.listeners.values.filter { $0.loadBalancerArn == balancer.arn && $0.port == listenerPort }.map(\.targetGroupArn))
        for group in elbv2.targetGroups(of: balancer) where forwarded.contains(group.arn) {
            guard let component = ODASComponent.allCases.first(where: { $0.port == group.port && $0.serviceType == "LoadBalancer" }),
                  group.targets.contains(where: { ec2.instances[$0.id].map { nodes[$0.privateDNSName] != nil || nodes[$0.name] != nil } ?? false }) else { continue }
            return (0, component)
        }
        return nil
    }

    /// Where a new connection to a load balancer node goes: a target in the
    /// node's zone (cross-zone load balancing off), or why it fails — the node
    /// is down with its zone (a timeout), or it has no target to send to (a reset).
    func loadBalancerTarget(address: String, port: Int, random: inout SimRandom) -> Result<(balancer: ELBv2LoadBalancer, target: ELBv2Target), PlannerLookupFailure> {
        guard let (balancer, zone) = elbv2.node(at: address) else {
            return .failure(PlannerLookupFailure("\(address) is no load balancer's node"))
        }
        guard faults.isUp(.host(address)) else {
            return .failure(PlannerLookupFailure("load balancer \(balancer.name): its node \(address) in \(zone.availabilityZone) does not answer (connect timeout)"))
        }
        let targets = elbv2.routableTargets(loadBalancer: balancer.arn, zone: zone.availabilityZone, port: port)
        guard !targets.isEmpty else {
            return .failure(PlannerLookupFailure("load balancer \(balancer.name): no healthy target in \(zone.availabilityZone) (connection reset)"))
        }
        let target = targets[Int(random.next(upperBound: UInt64(targets.count)))]
        guard Self.targetAnswers(target, ec2: ec2, faults: faults) else {
            return .failure(PlannerLookupFailure("load balancer \(balancer.name): target \(target.id) in \(target.availabilityZone) does not answer (not yet failed its health checks)"))
        }
        return .success((balancer, target))
    }
}
