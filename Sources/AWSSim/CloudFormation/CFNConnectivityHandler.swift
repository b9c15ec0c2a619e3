/// AWS::EC2::NetworkAcl, NetworkAclEntry and SubnetNetworkAclAssociation
/// (the reachability query evaluates them, statelessly), and
/// AWS::EC2::VPCPeeringConnection and VPCEndpoint, in the EC2 fake.
enum CFNConnectivityHandler: CFNResourceHandler {
    static let types = ["AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation",
                        "AWS::EC2::VPCPeeringConnection", "AWS::EC2::VPCEndpoint"]

    static func ec2<T>(_ body: () throws(EC2Error) -> T) throws(CFNError) -> T {
        do { return try body() } catch { throw CFNError(error.code, error.message) }
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        switch request.type {
        case "AWS::EC2::NetworkAcl":
            let vpc = try request.required("VpcId")
            let id = try ec2 { () throws(EC2Error) in try services.ec2.createNetworkAcl(vpcId: vpc) }
            return .init(type: request.type, physicalId: id, attributes: ["Id": .string(id)])
        case "AWS::EC2::NetworkAclEntry":
            let entry = try Self.entry(request)
            let acl = try request.required("NetworkAclId")
            try ec2 { () throws(EC2Error) in try services.ec2.createNetworkAclEntry(acl, entry) }
            let id = "\(acl)|\(entry.egress ? "egress" : "ingress")|\(entry.ruleNumber)"
            return .init(type: request.type, physicalId: id, attributes: ["Id": .string(id)])
        case "AWS::EC2::SubnetNetworkAclAssociation":
            let subnet = try request.required("SubnetId"), acl = try request.required("NetworkAclId")
            let id = try ec2 { () throws(EC2Error) in try services.ec2.associateNetworkAcl(acl, subnet: subnet) }
            return .init(type: request.type, physicalId: id, attributes: ["AssociationId": .string(id)])
        case "AWS::EC2::VPCPeeringConnection":
            let vpc = try request.required("VpcId"), peer = try request.required("PeerVpcId")
            if let region = request.string("PeerRegion"), let actual = services.ec2.vpcs[peer]?.region, region != actual {
                throw CFNError("InvalidVpcID.NotFound", "The vpc ID '\(peer)' does not exist in \(region)")
            }
            let id = try ec2 { () throws(EC2Error) in try services.ec2.createPeeringConnection(vpcId: vpc, peerVpcId: peer) }
            return .init(type: request.type, physicalId: id, attributes: ["Id": .string(id)])
        default:
            let vpc = try request.required("VpcId"), service = try request.required("ServiceName")
            let endpoint = try ec2 { () throws(EC2Error) in
                try services.ec2.createVPCEndpoint(vpcId: vpc, serviceName: service, type: request.string("VpcEndpointType") ?? "Gateway",
                                                   routeTableIds: request.strings("RouteTableIds"), subnetIds: request.strings("SubnetIds"),
                                                   now: request.now)
            }
            // DnsEntries are "HOSTEDZONEID:NAME" strings (Fn::Select and Fn::Split them in templates).
            return .init(type: request.type, physicalId: endpoint.id, attributes: [
                "Id": .string(endpoint.id), "CreationTimestamp": .string(endpoint.createdAt.description),
                "DnsEntries": .list(endpoint.dnsEntries.map { .string("Z1YSA3EXCYUU9Z:" + $0) }),
                "NetworkInterfaceIds": .list(endpoint.networkInterfaceIds.map(CFNValue.string)),
            ])
        }
    }

    /// A NetworkAclEntry's properties: protocol `-1`, `6` or `17` (numbers, as the API takes them).
    static func entry(_ request: CFNResourceRequest) throws(CFNError) -> EC2NetworkAcl.Entry {
        guard let number = Int(try request.required("RuleNumber")) else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/RuleNumber: expected type: Integer")
        }
        let proto = try request.required("Protocol")
        guard ["-1", "6", "17", "1"].contains(proto) else {
            throw CFNError("InvalidParameterValue", "Invalid value '\(proto)' for protocol: odas-sim simulates -1, 1, 6 and 17")
        }
        let action = try request.required("RuleAction")
        guard action == "allow" || action == "deny" else {
            throw CFNError("InvalidParameterValue", "Invalid value '\(action)' for ruleAction. It must be one of allow, deny")
        }
        guard let cidr = IPv4Block(try request.required("CidrBlock")) else {
            throw CFNError("InvalidParameterValue", "Value (\(request.string("CidrBlock") ?? "")) for parameter cidrBlock is invalid. This is not a valid CIDR block.")
        }
        var ports = 0...65535
        if proto == "6" || proto == "17" {
            let range = request.properties["PortRange"]?.mapValue
            guard let from = range?["From"]?.scalarText.flatMap({ Int($0) }), let to = range?["To"]?.scalarText.flatMap({ Int($0) }), from <= to else {
                throw CFNError("InvalidParameterValue", "TCP and UDP entries need a PortRange with From ≤ To")
            }
            ports = from...to
        }
        return EC2NetworkAcl.Entry(ruleNumber: number, egress: request.string("Egress") == "true", protocol: proto, allow: action == "allow",
                                   cidr: cidr, ports: ports)
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId, !id.isEmpty else { return }
        switch request.type {
        case "AWS::EC2::NetworkAcl": try ec2 { () throws(EC2Error) in try services.ec2.deleteNetworkAcl(id) }
        case "AWS::EC2::NetworkAclEntry":
            let parts = id.split(separator: "|")
            if parts.count == 3, let number = Int(parts[2]) {
                services.ec2.deleteNetworkAclEntry(String(parts[0]), ruleNumber: number, egress: parts[1] == "egress")
            }
        case "AWS::EC2::SubnetNetworkAclAssociation":
            if let subnet = request.string("SubnetId") { services.ec2.disassociateNetworkAcl(subnet: subnet) }
        case "AWS::EC2::VPCPeeringConnection": services.ec2.deletePeeringConnection(id)
        default: services.ec2.deleteVPCEndpoint(id)
        }
    }
}
