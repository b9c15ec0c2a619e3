import SimCore

/// A VPC peering connection (accepted at once: both VPCs are the account's).
public struct EC2PeeringConnection: Hashable, Sendable {
    public var id: String
    public var vpcId: String
    public var peerVpcId: String
}

/// A VPC endpoint: a gateway endpoint (S3, DynamoDB) adds a route to the
/// service's prefix list in its route tables; an interface endpoint puts a
/// network interface in each subnet and has DNS names of its own.
public struct EC2VPCEndpoint: Hashable, Sendable {
    public var id: String
    public var vpcId: String
    public var serviceName: String
    /// `Gateway` or `Interface`.
    public var type: String
    public var routeTableIds: [String]
    public var subnetIds: [String]
    public var networkInterfaceIds: [String]
    public var dnsEntries: [String]
    public var createdAt: SimInstant
}

extension EC2Service {
    /// CreateVpcPeeringConnection between two of the account's VPCs (in one
    /// region or two); the VPC blocks may not overlap.
    public mutating func createPeeringConnection(vpcId: String, peerVpcId: String) throws(EC2Error) -> String {
        guard let vpc = vpcs[vpcId] else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(vpcId)' does not exist") }
        guard let other = vpcs[peerVpcId] else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(peerVpcId)' does not exist") }
        guard vpcId != peerVpcId else { throw EC2Error(code: "InvalidParameterValue", message: "A VPC cannot be peered with itself") }
        if vpc.cidr.contains(other.cidr.address) || other.cidr.contains(vpc.cidr.address) {
            throw EC2Error(code: "InvalidVpcPeeringConnection.Overlapping",
                           message: "The CIDR '\(other.cidr)' of the peer VPC overlaps with the CIDR '\(vpc.cidr)' of the requester VPC")
        }
        let id = hexID("pcx-", digits: 17)
        peeringConnections[id] = EC2PeeringConnection(id: id, vpcId: vpcId, peerVpcId: peerVpcId)
        if vpc.region != other.region { self.peer(vpc.region, other.region) }
        return id
    }

    /// DeleteVpcPeeringConnection: the regions stay peered while another connection joins them.
    public mutating func deletePeeringConnection(_ id: String) {
        guard let connection = peeringConnections.removeValue(forKey: id),
              let a = vpcs[connection.vpcId]?.region, let b = vpcs[connection.peerVpcId]?.region else { return }
        let still = peeringConnections.values.contains { other in
            Set([vpcs[other.vpcId]?.region, vpcs[other.peerVpcId]?.region].compactMap { $0 }) == Set([a, b])
        }
        if !still { peerings.remove([a, b].sorted()) }
    }

    /// CreateVpcEndpoint for `com.amazonaws.REGION.SERVICE` of the VPC's own region.
    public mutating func createVPCEndpoint(vpcId: String, serviceName: String, type: String, routeTableIds: [String], subnetIds: [String],
                                           now: SimInstant) throws(EC2Error) -> EC2VPCEndpoint {
        guard let vpc = vpcs[vpcId] else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(vpcId)' does not exist") }
        let parts = serviceName.split(separator: ".")
        guard parts.count >= 4, parts[0] == "com", parts[1] == "amazonaws", parts[2] == vpc.region else {
            throw EC2Error(code: "InvalidServiceName", message: "The Vpc Endpoint Service '\(serviceName)' does not exist")
        }
        let service = parts[3...].joined(separator: ".")
        guard ["Gateway", "Interface"].contains(type) else {
            throw EC2Error(code: "InvalidParameter", message: "Endpoint type (\(type)) does not match available service types ([Gateway, Interface]).")
        }
        if type == "Gateway" {
            guard ["s3", "dynamodb"].contains(service) else {
                throw EC2Error(code: "InvalidParameter", message: "Endpoint type (Gateway) does not match available service types ([Interface]).")
            }
            for table in routeTableIds where routeTables[table] == nil {
                throw EC2Error(code: "InvalidRouteTableId.NotFound", message: "The routeTable ID '\(table)' does not exist")
            }
        } else {
            guard !subnetIds.isEmpty else { throw EC2Error(code: "InvalidParameter", message: "An interface endpoint needs at least one subnet") }
            let zones = subnetIds.compactMap { subnets[$0]?.availabilityZone }
            guard zones.count == subnetIds.count else {
                throw EC2Error(code: "InvalidSubnetID.NotFound", message: "The subnet ID '\(subnetIds.first { subnets[$0] == nil } ?? "")' does not exist")
            }
            guard Set(zones).count == zones.count else {
                throw EC2Error(code: "DuplicateSubnetsInSameZone", message: "Found another VPC endpoint subnet in the availability zone of \(subnetIds.last ?? "")")
            }
        }
        let id = hexID("vpce-", digits: 17)
        var interfaces: [String] = []
        for subnet in subnetIds where type == "Interface" {
            if let block = subnets[subnet]?.cidr { _ = allocatePrivateAddress(subnet: subnet, subnetCIDR: block) }
            interfaces.append(hexID("eni-", digits: 17))
        }
        let suffix = String(id.dropFirst(5).prefix(8))
        // Interface endpoints' regional DNS name: vpce-ID-SUFFIX.SERVICE.REGION.vpce.amazonaws.com.
        let dns = type == "Interface" ? ["\(id)-\(suffix).\(service).\(vpc.region).vpce.amazonaws.com"] : []
        let endpoint = EC2VPCEndpoint(id: id, vpcId: vpcId, serviceName: serviceName, type: type, routeTableIds: routeTableIds,
                                      subnetIds: type == "Interface" ? subnetIds : [], networkInterfaceIds: interfaces, dnsEntries: dns, createdAt: now)
        vpcEndpoints[id] = endpoint
        for table in routeTableIds where type == "Gateway" { routeTables[table]?.routes["pl-\(service)"] = id }
        return endpoint
    }

    /// DeleteVpcEndpoints (a gateway endpoint's routes go with it).
    public mutating func deleteVPCEndpoint(_ id: String) {
        guard let endpoint = vpcEndpoints.removeValue(forKey: id) else { return }
        for table in endpoint.routeTableIds {
            let kept = routeTables[table]?.routes.filter { $0.value != id } ?? [:]
            routeTables[table]?.routes = kept
        }
    }
}
