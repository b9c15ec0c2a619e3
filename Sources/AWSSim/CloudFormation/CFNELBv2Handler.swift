import SimCore

/// AWS::ElasticLoadBalancingV2::LoadBalancer, TargetGroup and Listener in the
/// ELBv2 fake. A load balancer gets a node (an address) in each of its subnets;
/// its creation time on the virtual clock stands for provisioning, so it is
/// active when CloudFormation reports it complete.
enum CFNELBv2Handler: CFNResourceHandler {
    static let types = ["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup",
                        "AWS::ElasticLoadBalancingV2::Listener"]

    static func elb<T>(_ body: () throws(ELBv2Error) -> T) throws(CFNError) -> T {
        do { return try body() } catch { throw CFNError(error.code, error.message, status: error.status) }
    }

    /// A generated name within ELB's 32 characters: `stack-Logical-SUFFIX`, the prefix cut.
    static func generatedName(_ request: CFNResourceRequest) -> String {
        let suffix = String(request.generatedName.suffix(13))
        let prefix = String(request.generatedName.dropLast(14).prefix(18)).trimmingCharacters(in: "-")
        return prefix + "-" + suffix
    }

    /// `Tags: [{Key, Value}]` as a dictionary.
    static func tags(_ request: CFNResourceRequest) -> [String: String] {
        var out: [String: String] = [:]
        for tag in request.properties["Tags"]?.listValue ?? [] {
            if let key = tag.mapValue?["Key"]?.scalarText { out[key] = tag.mapValue?["Value"]?.scalarText ?? "" }
        }
        return out
    }

    /// `LoadBalancerAttributes` / `TargetGroupAttributes: [{Key, Value}]`, one value.
    static func attribute(_ request: CFNResourceRequest, _ property: String, _ key: String) -> String? {
        request.properties[property]?.listValue?.first { $0.mapValue?["Key"]?.scalarText == key }?.mapValue?["Value"]?.scalarText
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        switch request.type {
        case "AWS::ElasticLoadBalancingV2::TargetGroup": return try createTargetGroup(request, &services)
        case "AWS::ElasticLoadBalancingV2::Listener": return try createListener(request, &services)
        default: return try createLoadBalancer(request, &services)
        }
    }

    static func createLoadBalancer(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        var subnetIds = request.strings("Subnets")
        subnetIds += (request.properties["SubnetMappings"]?.listValue ?? []).compactMap { $0.mapValue?["SubnetId"]?.scalarText }
        var zones: [ELBv2Zone] = []
        for id in subnetIds {
            guard let subnet = services.ec2.subnets[id] else { throw CFNError("SubnetNotFound", "The subnet ID '\(id)' is not valid") }
            zones.append(ELBv2Zone(subnet: id, availabilityZone: subnet.availabilityZone,
                                   address: services.ec2.allocatePrivateAddress(subnet: id, subnetCIDR: subnet.cidr)))
        }
        let type = request.string("Type") ?? "application"
        let name = request.string("Name") ?? generatedName(request)
        let balancer = try elb { () throws(ELBv2Error) in
            try services.elbv2.createLoadBalancer(name: name, type: type, scheme: request.string("Scheme") ?? "internet-facing",
                                                  region: request.region, subnets: zones, securityGroups: request.strings("SecurityGroups"),
                                                  tags: tags(request), provisioning: .zero, now: request.now)
        }
        if type == "network", let crossZone = attribute(request, "LoadBalancerAttributes", "load_balancing.cross_zone.enabled") {
            try elb { () throws(ELBv2Error) in try services.elbv2.setCrossZone(balancer.arn, crossZone == "true") }
        }
        return .init(type: request.type, physicalId: balancer.arn, attributes: [
            "CanonicalHostedZoneID": .string(balancer.canonicalHostedZoneId), "DNSName": .string(balancer.dnsName),
            "LoadBalancerArn": .string(balancer.arn), "LoadBalancerFullName": .string(balancer.fullName),
            "LoadBalancerName": .string(balancer.name), "SecurityGroups": .list(balancer.securityGroups.map(CFNValue.string)),
        ])
    }

    static func createTargetGroup(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        let proto = try request.required("Protocol")
        guard let port = Int(try request.required("Port")) else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/Port: expected type: Integer")
        }
        let group = try elb { () throws(ELBv2Error) in
            try services.elbv2.createTargetGroup(name: request.string("Name") ?? generatedName(request), protocol: proto, port: port,
                                                 vpcId: request.string("VpcId"), region: request.region,
                                                 targetType: request.string("TargetType") ?? "instance",
                                                 intervalSeconds: request.string("HealthCheckIntervalSeconds").flatMap { Int($0) },
                                                 healthyThreshold: request.string("HealthyThresholdCount").flatMap { Int($0) },
                                                 unhealthyThreshold: request.string("UnhealthyThresholdCount").flatMap { Int($0) },
                                                 tags: tags(request), now: request.now)
        }
        var targets: [(id: String, port: Int?, availabilityZone: String)] = []
        for target in request.properties["Targets"]?.listValue ?? [] {
            guard let id = target.mapValue?["Id"]?.scalarText else { continue }
            guard let instance = services.ec2.instances[id], instance.state == .running || group.targetType == "ip" else {
                throw CFNError("InvalidTarget", "The following targets are not in a running state and cannot be registered: '\(id)'")
            }
            targets.append((id, target.mapValue?["Port"]?.scalarText.flatMap { Int($0) }, instance.availabilityZone))
        }
        if !targets.isEmpty { try elb { () throws(ELBv2Error) in try services.elbv2.registerTargets(group.arn, targets) } }
        let fullName = group.arn.components(separatedBy: ":").last ?? group.name
        return .init(type: request.type, physicalId: group.arn, attributes: [
            "LoadBalancerArns": .list([]), "TargetGroupArn": .string(group.arn), "TargetGroupFullName": .string(fullName),
            "TargetGroupName": .string(group.name),
        ])
    }

    static func createListener(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        let balancer = try request.required("LoadBalancerArn")
        guard let port = Int(try request.required("Port")) else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/Port: expected type: Integer")
        }
        let actions = request.properties["DefaultActions"]?.listValue ?? []
        guard let forward = actions.first(where: { $0.mapValue?["Type"]?.scalarText == "forward" })?.mapValue else {
            _ = try request.requiredValue("DefaultActions")
            throw CFNError("ValidationError", "odas-sim simulates listeners whose default action is forward (to one target group)")
        }
        let targetGroup = forward["TargetGroupArn"]?.scalarText
            ?? forward["ForwardConfig"]?.mapValue?["TargetGroups"]?.listValue?.first?.mapValue?["TargetGroupArn"]?.scalarText
        guard let targetGroup else { throw CFNError("ValidationError", "A forward action needs a TargetGroupArn") }
        let defaultProtocol = services.elbv2.loadBalancers[balancer]?.type == "network" ? "TCP" : "HTTP"
        let listener = try elb { () throws(ELBv2Error) in
            try services.elbv2.createListener(loadBalancer: balancer, port: port, protocol: request.string("Protocol") ?? defaultProtocol,
                                              targetGroup: targetGroup)
        }
        return .init(type: request.type, physicalId: listener.arn, attributes: ["ListenerArn": .string(listener.arn)])
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let arn = request.state?.physicalId, !arn.isEmpty else { return }
        switch request.type {
        case "AWS::ElasticLoadBalancingV2::TargetGroup": try elb { () throws(ELBv2Error) in try services.elbv2.deleteTargetGroup(arn) }
        case "AWS::ElasticLoadBalancingV2::Listener": services.elbv2.deleteListener(arn)
        default: services.elbv2.deleteLoadBalancer(arn)
        }
    }
}
