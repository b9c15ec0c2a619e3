/// The VPC family — AWS::EC2::VPC, Subnet, InternetGateway,
/// VPCGatewayAttachment, RouteTable, Route, SubnetRouteTableAssociation, EIP, NatGateway — in
/// the EC2 fake (its VPC, subnet, gateway and route records).
enum CFNNetworkHandler: CFNResourceHandler {
    static let types = ["AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment",
                        "AWS::EC2::RouteTable", "AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::EIP", "AWS::EC2::NatGateway"]

    static func ec2<T>(_ body: () throws(EC2Error) -> T) throws(CFNError) -> T {
        do { return try body() } catch { throw CFNError(error.code, error.message) }
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        switch request.type {
        case "AWS::EC2::VPC":
            let cidr = try request.required("CidrBlock")
            let vpc = try ec2 { () throws(EC2Error) in try services.ec2.createVpc(cidr: cidr, region: request.region) }
            // Every VPC has a default security group (EC2 User Guide, default security groups).
            let group = services.ec2.createSecurityGroup(name: "default", region: request.region, ingress: [])
            services.ec2.authorizeSecurityGroupIngress(group, rules: [SecurityGroupRule(ipProtocol: "-1", fromPort: 0, toPort: 65535, peer: .group(group))])
            return .init(type: request.type, physicalId: vpc.id, attributes: [
                "VpcId": .string(vpc.id), "CidrBlock": .string(vpc.cidr.description), "DefaultSecurityGroup": .string(group),
                "DefaultNetworkAcl": .string("acl-" + String(vpc.id.dropFirst(4))), "CidrBlockAssociations": .list([]), "Ipv6CidrBlocks": .list([]),
            ])
        case "AWS::EC2::Subnet":
            let vpcId = try request.required("VpcId"), cidr = try request.required("CidrBlock")
            let zone = request.string("AvailabilityZone") ?? request.availabilityZones.first ?? ""
            guard request.availabilityZones.contains(zone) else {
                throw CFNError("InvalidParameterValue", "Value (\(zone)) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: \(request.availabilityZones.joined(separator: ", ")).")
            }
            let subnet = try ec2 { () throws(EC2Error) in
                try services.ec2.createSubnet(vpcId: vpcId, cidr: cidr, availabilityZone: zone, mapPublicIpOnLaunch: request.string("MapPublicIpOnLaunch") == "true")
            }
            return .init(type: request.type, physicalId: subnet.id, attributes: [
                "SubnetId": .string(subnet.id), "AvailabilityZone": .string(zone), "AvailabilityZoneId": .string(zone), "CidrBlock": .string(subnet.cidr.description),
                "VpcId": .string(vpcId), "Ipv6CidrBlocks": .list([]), "NetworkAclAssociationId": .string("aclassoc-" + String(subnet.id.dropFirst(7))),
                "OutpostArn": .string(""),
            ])
        case "AWS::EC2::EIP":
            let address = services.ec2.allocateAddress()
            return .init(type: request.type, physicalId: address.publicIp, attributes: ["AllocationId": .string(address.allocationId), "PublicIp": .string(address.publicIp)])
        case "AWS::EC2::NatGateway":
            let subnetId = try request.required("SubnetId"), allocation = try request.required("AllocationId")
            if let zone = services.ec2.subnets[subnetId]?.availabilityZone, !request.faults.isUp(.availabilityZone(zone)) {
                throw CFNError("InsufficientCapacity", "There is not enough capacity to fulfill your request in \(zone).")
            }
            let id = try ec2 { () throws(EC2Error) in try services.ec2.createNatGateway(subnet: subnetId, allocation: allocation) }
            return .init(type: request.type, physicalId: id, attributes: ["NatGatewayId": .string(id)])
        case "AWS::EC2::InternetGateway":
            let gateway = services.ec2.createInternetGateway()
            return .init(type: request.type, physicalId: gateway.id, attributes: ["InternetGatewayId": .string(gateway.id)])
        case "AWS::EC2::VPCGatewayAttachment":
            let vpcId = try request.required("VpcId")
            guard let gateway = request.string("InternetGatewayId") else {
                throw CFNError("ValidationError", "odas-sim simulates VPCGatewayAttachment of an InternetGatewayId (VpnGatewayId is not simulated)")
            }
            try ec2 { () throws(EC2Error) in try services.ec2.attachInternetGateway(gateway, vpcId: vpcId) }
            return .init(type: request.type, physicalId: "IGW|\(vpcId)", attributes: [:])
        case "AWS::EC2::RouteTable":
            let vpcId = try request.required("VpcId")
            let table = try ec2 { () throws(EC2Error) in try services.ec2.createRouteTable(vpcId: vpcId) }
            return .init(type: request.type, physicalId: table.id, attributes: ["RouteTableId": .string(table.id)])
        case "AWS::EC2::Route":
            let table = try request.required("RouteTableId")
            let destination = request.string("DestinationCidrBlock") ?? "0.0.0.0/0"
            guard let target = request.string("GatewayId") ?? request.string("NatGatewayId") ?? request.string("VpcPeeringConnectionId") ?? request.string("InstanceId") else {
                throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: a route needs a target (GatewayId, NatGatewayId, …)")
            }
            if let gateway = request.string("GatewayId"), gateway.hasPrefix("igw-"), services.ec2.internetGateways[gateway]?.attachedVpc == nil {
                // The classic missing DependsOn on the gateway attachment (aws-attribute-dependson.html).
                throw CFNError("InvalidParameterValue", "route table \(table) and network gateway \(gateway) belong to different networks")
            }
            try ec2 { () throws(EC2Error) in try services.ec2.createRoute(table: table, destination: destination, target: target) }
            return .init(type: request.type, physicalId: "\(table)|\(destination)", attributes: [:])
        default: // AWS::EC2::SubnetRouteTableAssociation
            let table = try request.required("RouteTableId"), subnet = try request.required("SubnetId")
            let id = try ec2 { () throws(EC2Error) in try services.ec2.associateRouteTable(table, subnet: subnet) }
            return .init(type: request.type, physicalId: id, attributes: ["Id": .string(id)])
        }
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        switch request.type {
        case "AWS::EC2::VPCGatewayAttachment":
            if let gateway = request.string("InternetGatewayId") { services.ec2.detachInternetGateway(gateway) }
        case "AWS::EC2::Route":
            let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
            if parts.count == 2 { services.ec2.deleteRoute(table: parts[0], destination: parts[1]) }
        case "AWS::EC2::SubnetRouteTableAssociation":
            services.ec2.disassociateRouteTable(id)
        case "AWS::EC2::EIP":
            guard let allocation = request.state?.attributes["AllocationId"]?.scalarText else { return }
            try ec2 { () throws(EC2Error) in try services.ec2.releaseAddress(allocation) }
        case "AWS::EC2::NatGateway":
            services.ec2.deleteNatGateway(id)
        case "AWS::EC2::VPC":
            if let group = request.state?.attributes["DefaultSecurityGroup"]?.scalarText { try? services.ec2.deleteSecurityGroup(group) }
            try ec2 { () throws(EC2Error) in try services.ec2.deleteNetworkResource(id) }
        default:
            try ec2 { () throws(EC2Error) in try services.ec2.deleteNetworkResource(id) }
        }
    }
}

/// AWS::EC2::Instance in a subnet of the EC2 fake: launching into an AZ that
/// is down fails for lack of capacity (as FIS's AZ power interruption makes
/// launches fail); with a CreationPolicy, the engine has the instance's user
/// data send its cfn-signal when it has booted (``CloudFormationService``).
enum CFNInstanceHandler: CFNResourceHandler {
    static let types = ["AWS::EC2::Instance"]

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        _ = try request.required("ImageId")
        let subnetId = try request.required("SubnetId")
        guard let subnet = services.ec2.subnets[subnetId] else {
            throw CFNError("InvalidSubnetID.NotFound", "The subnet ID '\(subnetId)' does not exist")
        }
        if !request.faults.isUp(.availabilityZone(subnet.availabilityZone)) {
            throw CFNError("InsufficientInstanceCapacity", "We currently do not have sufficient capacity in the Availability Zone you requested (\(subnet.availabilityZone)).")
        }
        let groups = request.strings("SecurityGroupIds")
        for group in groups where services.ec2.securityGroups[group] == nil {
            throw CFNError("InvalidGroup.NotFound", "The security group '\(group)' does not exist")
        }
        var profile = request.string("IamInstanceProfile")
        if let named = profile, named.hasPrefix("arn:") { profile = named.split(separator: "/").last.map(String.init) }
        if let named = profile, services.iam.instanceProfiles[named] == nil {
            throw CFNError("InvalidParameterValue", "Value (\(named)) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
        }
        // Its host name in the fault model: the stack and logical id (unique, unlike Name tags).
        let name = "\(request.stackName)-\(request.logicalId)"
        let id = services.ec2.runInstance(name: name, type: request.string("InstanceType") ?? "m5.large", region: request.region,
                                          availabilityZone: subnet.availabilityZone, subnet: subnetId, subnetCIDR: subnet.cidr,
                                          securityGroups: groups, instanceProfile: profile)
        let instance = services.ec2.instances[id]
        let ip = instance?.privateIPAddress ?? ""
        let isPublic = services.ec2.publicSubnets.contains(subnetId) && subnet.mapPublicIpOnLaunch
        let publicIp = isPublic ? "54.\(Int(instance?.ipValue ?? 0) >> 16 & 255).\(Int(instance?.ipValue ?? 0) >> 8 & 255).\(Int(instance?.ipValue ?? 0) & 255)" : ""
        return .init(type: request.type, physicalId: id, attributes: [
            "InstanceId": .string(id), "AvailabilityZone": .string(subnet.availabilityZone), "PrivateIp": .string(ip),
            "PrivateDnsName": .string(instance?.privateDNSName ?? ""),
            "PublicIp": .string(publicIp),
            "PublicDnsName": .string(publicIp.isEmpty ? "" : "ec2-\(publicIp.replacingOccurrences(of: ".", with: "-")).\(request.region).compute.amazonaws.com"),
            "VpcId": .string(subnet.vpcId),
        ])
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        services.ec2.setState(id, .terminated)
    }
}
