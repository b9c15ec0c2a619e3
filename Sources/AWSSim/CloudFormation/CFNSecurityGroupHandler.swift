/// AWS::EC2::SecurityGroup (with its inline rules),
/// AWS::EC2::SecurityGroupIngress and SecurityGroupEgress, in the EC2 fake.
enum CFNSecurityGroupHandler: CFNResourceHandler {
    static let types = ["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"]

    /// `{IpProtocol, FromPort, ToPort, CidrIp | SourceSecurityGroupId | DestinationSecurityGroupId}`.
    static func rule(_ value: CFNValue, _ request: CFNResourceRequest) throws(CFNError) -> SecurityGroupRule {
        // `.null`: the rule is the resource's own properties (AWS::EC2::SecurityGroupIngress).
        guard let fields = value == .null ? request.properties : value.mapValue else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: a rule must be an object")
        }
        let proto = fields["IpProtocol"]?.scalarText ?? "tcp"
        let ipProtocol = proto == "-1" || proto.lowercased() == "all" ? "-1" : proto.lowercased()
        let from = Int(fields["FromPort"]?.scalarText ?? "") ?? 0
        let to = Int(fields["ToPort"]?.scalarText ?? "") ?? (ipProtocol == "-1" ? 65535 : from)
        let peer: SecurityGroupPeer
        if let cidr = fields["CidrIp"]?.scalarText {
            guard let block = IPv4Block(cidr) else { throw CFNError("InvalidParameterValue", "CIDR block \(cidr) is malformed") }
            peer = .cidr(block)
        } else if let group = fields["SourceSecurityGroupId"]?.scalarText ?? fields["DestinationSecurityGroupId"]?.scalarText {
            peer = .group(group)
        } else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: a rule needs CidrIp or SourceSecurityGroupId")
        }
        return SecurityGroupRule(ipProtocol: ipProtocol, fromPort: ipProtocol == "-1" ? 0 : from, toPort: ipProtocol == "-1" ? 65535 : to, peer: peer)
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        if request.type == "AWS::EC2::SecurityGroupIngress" || request.type == "AWS::EC2::SecurityGroupEgress" {
            let group = try request.required("GroupId")
            guard services.ec2.securityGroups[group] != nil else {
                throw CFNError("InvalidGroup.NotFound", "The security group '\(group)' does not exist")
            }
            let added = try rule(.null, request)
            if request.type == "AWS::EC2::SecurityGroupEgress" {
                services.ec2.authorizeSecurityGroupEgress(group, rules: [added])
            } else {
                services.ec2.authorizeSecurityGroupIngress(group, rules: [added])
            }
            let id = "sgr-" + String(request.generatedName.suffix(13)).lowercased()
            return .init(type: request.type, physicalId: id, attributes: ["Id": .string(id)])
        }
        _ = try request.required("GroupDescription")
        var ingress: [SecurityGroupRule] = []
        for item in request.properties["SecurityGroupIngress"]?.listValue ?? [] { ingress.append(try rule(item, request)) }
        var egress: [SecurityGroupRule]?
        if let items = request.properties["SecurityGroupEgress"]?.listValue {
            var rules: [SecurityGroupRule] = []
            for item in items { rules.append(try rule(item, request)) }
            egress = rules
        }
        let name = request.string("GroupName") ?? request.generatedName
        let id = services.ec2.createSecurityGroup(name: name, region: request.region, ingress: ingress, egress: egress)
        return .init(type: request.type, physicalId: id, attributes: ["GroupId": .string(id), "VpcId": .string(request.string("VpcId") ?? "")])
    }

    /// A group's inline rules change in place ("Update requires: No interruption").
    static func updatableProperties(_ type: String) -> Set<String> {
        type == "AWS::EC2::SecurityGroup" ? ["SecurityGroupIngress", "SecurityGroupEgress", "Tags"] : ["Tags", "Description"]
    }

    /// The old inline rules are revoked and the new ones authorized (rules of
    /// separate SecurityGroupIngress resources stay); without SecurityGroupEgress
    /// the group has the default allow-all egress again.
    static func update(_ request: CFNResourceRequest, previous: CFNMap, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        guard let state = request.state else { throw CFNError("InternalFailure", "\(request.logicalId) has no physical resource to update") }
        guard request.type == "AWS::EC2::SecurityGroup" else { return state }
        var old = request
        old.properties = previous
        var revoked: [SecurityGroupRule] = [], authorized: [SecurityGroupRule] = []
        for item in previous["SecurityGroupIngress"]?.listValue ?? [] { revoked.append(try rule(item, old)) }
        for item in request.properties["SecurityGroupIngress"]?.listValue ?? [] { authorized.append(try rule(item, request)) }
        services.ec2.revokeSecurityGroupIngress(state.physicalId, rules: revoked.filter { !authorized.contains($0) })
        services.ec2.authorizeSecurityGroupIngress(state.physicalId, rules: authorized.filter { !revoked.contains($0) })
        let allowAll = IPv4Block("0.0.0.0/0").map { [SecurityGroupRule(ipProtocol: "-1", fromPort: 0, toPort: 65535, peer: .cidr($0))] } ?? []
        var oldEgress: [SecurityGroupRule] = [], newEgress: [SecurityGroupRule] = []
        if let items = previous["SecurityGroupEgress"]?.listValue { for item in items { oldEgress.append(try rule(item, old)) } } else { oldEgress = allowAll }
        if let items = request.properties["SecurityGroupEgress"]?.listValue { for item in items { newEgress.append(try rule(item, request)) } } else { newEgress = allowAll }
        services.ec2.revokeSecurityGroupEgress(state.physicalId, rules: oldEgress.filter { !newEgress.contains($0) })
        services.ec2.authorizeSecurityGroupEgress(state.physicalId, rules: newEgress.filter { !oldEgress.contains($0) })
        return state
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        if request.type == "AWS::EC2::SecurityGroupIngress" || request.type == "AWS::EC2::SecurityGroupEgress" {
            guard let group = request.string("GroupId"), let added = try? rule(.null, request) else { return }
            if request.type == "AWS::EC2::SecurityGroupEgress" {
                services.ec2.revokeSecurityGroupEgress(group, rules: [added])
            } else {
                services.ec2.revokeSecurityGroupIngress(group, rules: [added])
            }
            return
        }
        do { try services.ec2.deleteSecurityGroup(id) } catch {
            if error.code == "InvalidGroup.NotFound" { return }
            throw CFNError(error.code, error.message)
        }
    }
}

/// AWS::CloudFormation::WaitConditionHandle and WaitCondition: the handle is
/// a URL signals go to; the condition completes when its signals arrive (the
/// engine counts them) or fails when its Timeout passes.
enum CFNWaitConditionHandler: CFNResourceHandler {
    static let types = ["AWS::CloudFormation::WaitConditionHandle", "AWS::CloudFormation::WaitCondition"]

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        if request.type == "AWS::CloudFormation::WaitConditionHandle" {
            let url = "https://cloudformation-waitcondition-\(request.region).s3.\(request.region).amazonaws.com/\(request.stackName)/\(request.logicalId)"
            return .init(type: request.type, physicalId: url, attributes: [:])
        }
        return .init(type: request.type, physicalId: request.generatedName, attributes: ["Data": .string("{}")])
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {}
}
