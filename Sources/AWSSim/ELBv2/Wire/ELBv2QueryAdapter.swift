import SimCore

/// The Elastic Load Balancing (v2) Query API for the calls users make of
/// load balancers a stack or the AWS Load Balancer Controller created:
/// `aws elbv2 describe-load-balancers`, `describe-target-groups`,
/// `describe-target-health` (the health the simulated checks found),
/// `describe-listeners`, and `register-targets` / `deregister-targets`.
/// Shapes and error codes follow the ELBv2 API Reference (2015-12-01).
public enum ELBv2QueryAdapter {
    static let namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

    /// `subnetVPCs`: the VPC of each subnet a load balancer may be in (the scenario's and the stacks').
    public static func handle(_ query: QueryRequest, elbv2: inout ELBv2Service, ec2: EC2Service, subnetVPCs: [String: String], region: String,
                              now: SimInstant, requestId: String, epochUnixMilliseconds: Int64) -> WireResponse {
        guard let action = query.action else {
            return QueryResponse.error(code: "MissingAction", message: "The request must contain the parameter Action.", requestId: requestId)
        }
        let time = { (instant: SimInstant) in HTTPDate.iso8601(unixMilliseconds: epochUnixMilliseconds + instant.nanosecondsSinceStart / 1_000_000) }
        func result(_ children: [XMLElement]) -> WireResponse {
            QueryResponse.result(action: action, namespace: namespace, children: children, requestId: requestId)
        }
        let inRegion = { (arn: String) in arn.contains(":\(region):") }
        do throws(ELBv2Error) {
            switch action {
            case "DescribeLoadBalancers":
                let arns = query.list("LoadBalancerArns"), names = query.list("Names")
                let all = elbv2.loadBalancers.values.filter { inRegion($0.arn) }.sorted { $0.name < $1.name }
                let selected = all.filter { (arns.isEmpty && names.isEmpty) || arns.contains($0.arn) || names.contains($0.name) }
                if selected.count < Set(arns + names).count {
                    let missing = (names.filter { name in !all.contains { $0.name == name } } + arns.filter { arn in !all.contains { $0.arn == arn } })
                    throw ELBv2Error("LoadBalancerNotFound", "Load balancers '[\(missing.joined(separator: ", "))]' not found")
                }
                return result([XMLElement("LoadBalancers", children: selected.map { loadBalancer($0, subnetVPCs: subnetVPCs, time: time) })])
            case "DescribeTargetGroups":
                let arns = query.list("TargetGroupArns"), names = query.list("Names")
                var all = elbv2.targetGroups.values.filter { inRegion($0.arn) }.sorted { $0.name < $1.name }
                if let balancer = query["LoadBalancerArn"] {
                    guard elbv2.loadBalancers[balancer] != nil else { throw ELBv2Service.loadBalancerNotFound }
                    all = all.filter { elbv2.loadBalancerArns(of: $0.arn).contains(balancer) }
                }
                let selected = all.filter { (arns.isEmpty && names.isEmpty) || arns.contains($0.arn) || names.contains($0.name) }
                if selected.count < Set(arns + names).count { throw ELBv2Service.targetGroupNotFound }
                return result([XMLElement("TargetGroups", children: selected.map { targetGroup($0, elbv2: elbv2) })])
            case "DescribeTargetHealth":
                guard let arn = query["TargetGroupArn"], let group = elbv2.targetGroups[arn] else { throw ELBv2Service.targetGroupNotFound }
                let wanted = targets(query)
                let described = group.targets.filter { target in wanted.isEmpty || wanted.contains { $0.id == target.id } }
                if let unknown = wanted.first(where: { item in !group.targets.contains { $0.id == item.id } }), ec2.instances[unknown.id] == nil {
                    throw ELBv2Error("InvalidTarget", "The following targets are not valid instances: '\(unknown.id)'")
                }
                return result([XMLElement("TargetHealthDescriptions", children: described.map(health))])
            case "DescribeListeners":
                let arns = query.list("ListenerArns")
                if let balancer = query["LoadBalancerArn"], elbv2.loadBalancers[balancer] == nil { throw ELBv2Service.loadBalancerNotFound }
                let selected = elbv2.listeners.values.filter { listener in
                    inRegion(listener.arn) && (query["LoadBalancerArn"].map { $0 == listener.loadBalancerArn } ?? true)
                        && (arns.isEmpty || arns.contains(listener.arn))
                }.sorted { ($0.loadBalancerArn, $0.port) < ($1.loadBalancerArn, $1.port) }
                if !arns.isEmpty, selected.count < Set(arns).count { throw ELBv2Error("ListenerNotFound", "One or more listeners not found") }
                return result([XMLElement("Listeners", children: selected.map(listener))])
            case "RegisterTargets":
                guard let arn = query["TargetGroupArn"], let group = elbv2.targetGroups[arn] else { throw ELBv2Service.targetGroupNotFound }
                var registered: [(id: String, port: Int?, availabilityZone: String)] = []
                for target in targets(query) {
                    guard let instance = ec2.instances[target.id], group.targetType == "instance" else {
                        throw ELBv2Error("InvalidTarget", "The following targets are not valid instances: '\(target.id)'")
                    }
                    guard instance.state == .running else {
                        throw ELBv2Error("InvalidTarget", "The following targets are not in a running state and cannot be registered: '\(target.id)'")
                    }
                    registered.append((target.id, target.port, instance.availabilityZone))
                }
                try elbv2.registerTargets(arn, registered)
                return result([])
            case "DeregisterTargets":
                guard let arn = query["TargetGroupArn"], let group = elbv2.targetGroups[arn] else { throw ELBv2Service.targetGroupNotFound }
                let ids = targets(query).map(\.id)
                if let unknown = ids.first(where: { id in !group.targets.contains { $0.id == id } }) {
                    throw ELBv2Error("InvalidTarget", "The following targets are not registered in target group: '\(unknown)'")
                }
                try elbv2.deregisterTargets(arn, ids: ids, now: now)
                return result([])
            default:
                return QueryResponse.error(code: "InvalidAction", message: "The action \(action) is not valid for this web service (not simulated yet).",
                                           requestId: requestId)
            }
        } catch {
            return QueryResponse.error(code: error.code, message: error.message, status: error.status, requestId: requestId)
        }
    }

    /// `Targets.member.N.Id` and `.Port`, in N order.
    static func targets(_ query: QueryRequest) -> [(id: String, port: Int?)] {
        var items: [Int: (id: String?, port: Int?)] = [:]
        for (name, value) in query.parameters where name.hasPrefix("Targets.member.") {
            let parts = name.dropFirst("Targets.member.".count).split(separator: ".")
            guard parts.count == 2, let index = Int(parts[0]) else { continue }
            if parts[1] == "Id" { items[index, default: (nil, nil)].id = value }
            if parts[1] == "Port" { items[index, default: (nil, nil)].port = Int(value) }
        }
        return items.keys.sorted().compactMap { key in items[key].flatMap { item in item.id.map { ($0, item.port) } } }
    }

    static func loadBalancer(_ balancer: ELBv2LoadBalancer, subnetVPCs: [String: String], time: (SimInstant) -> String) -> XMLElement {
        let vpc = balancer.zones.first.flatMap { subnetVPCs[$0.subnet] } ?? ""
        return XMLElement("member", children: [
            .leaf("LoadBalancerArn", balancer.arn), .leaf("DNSName", balancer.dnsName), .leaf("CanonicalHostedZoneId", balancer.canonicalHostedZoneId),
            .leaf("CreatedTime", time(balancer.createdAt)), .leaf("LoadBalancerName", balancer.name), .leaf("Scheme", balancer.scheme),
            .leaf("VpcId", vpc), XMLElement("State", children: [.leaf("Code", balancer.state)]), .leaf("Type", balancer.type),
            XMLElement("AvailabilityZones", children: balancer.zones.map { zone in
                XMLElement("member", children: [
                    .leaf("ZoneName", zone.availabilityZone), .leaf("SubnetId", zone.subnet),
                    XMLElement("LoadBalancerAddresses", children: [XMLElement("member", children: [.leaf("PrivateIPv4Address", zone.address)])]),
                ])
            }),
            XMLElement("SecurityGroups", children: balancer.securityGroups.map { .leaf("member", $0) }),
            .leaf("IpAddressType", "ipv4"),
        ])
    }

    static func targetGroup(_ group: ELBv2TargetGroup, elbv2: ELBv2Service) -> XMLElement {
        var children: [XMLElement] = [
            .leaf("TargetGroupArn", group.arn), .leaf("TargetGroupName", group.name), .leaf("Protocol", group.protocol),
            .leaf("Port", String(group.port)),
        ]
        if let vpc = group.vpcId { children.append(.leaf("VpcId", vpc)) }
        children += [
            .leaf("HealthCheckProtocol", group.protocol.hasPrefix("HTTP") ? group.protocol : "TCP"), .leaf("HealthCheckPort", "traffic-port"),
            .leaf("HealthCheckEnabled", "true"), .leaf("HealthCheckIntervalSeconds", String(group.healthCheckIntervalSeconds)),
            .leaf("HealthCheckTimeoutSeconds", "10"), .leaf("HealthyThresholdCount", String(group.healthyThresholdCount)),
            .leaf("UnhealthyThresholdCount", String(group.unhealthyThresholdCount)),
            XMLElement("LoadBalancerArns", children: elbv2.loadBalancerArns(of: group.arn).map { .leaf("member", $0) }),
            .leaf("TargetType", group.targetType), .leaf("IpAddressType", "ipv4"),
        ]
        return XMLElement("member", children: children)
    }

    /// A target's health as DescribeTargetHealth reports it (reason codes and descriptions from the API Reference's TargetHealth).
    static func health(_ target: ELBv2Target) -> XMLElement {
        var state: [XMLElement] = [.leaf("State", target.state.rawValue)]
        if let reason = target.reason {
            let description: String
            switch reason {
            case "Elb.RegistrationInProgress": description = "Target registration is in progress"
            case "Target.FailedHealthChecks": description = "Health checks failed"
            case "Target.DeregistrationInProgress": description = "Target deregistration is in progress"
            default: description = reason
            }
            state += [.leaf("Reason", reason), .leaf("Description", description)]
        }
        return XMLElement("member", children: [
            XMLElement("Target", children: [.leaf("Id", target.id), .leaf("Port", String(target.port))]),
            .leaf("HealthCheckPort", String(target.port)), XMLElement("TargetHealth", children: state),
        ])
    }

    static func listener(_ listener: ELBv2Listener) -> XMLElement {
        XMLElement("member", children: [
            .leaf("ListenerArn", listener.arn), .leaf("LoadBalancerArn", listener.loadBalancerArn), .leaf("Port", String(listener.port)),
            .leaf("Protocol", listener.protocol),
            XMLElement("DefaultActions", children: [XMLElement("member", children: [.leaf("Type", "forward"), .leaf("TargetGroupArn", listener.targetGroupArn)])]),
        ])
    }
}
