import SimCore

/// A VPC (one IPv4 block).
public struct EC2VPC: Hashable, Sendable {
    public var id: String
    public var region: String
    public var cidr: IPv4Block

    public init(id: String, region: String, cidr: IPv4Block) {
        self.id = id
        self.region = region
        self.cidr = cidr
    }
}

/// A subnet of a VPC in one AZ.
public struct EC2Subnet: Hashable, Sendable {
    public var id: String
    public var vpcId: String
    public var region: String
    public var availabilityZone: String
    public var cidr: IPv4Block
    public var mapPublicIpOnLaunch: Bool

    public init(id: String, vpcId: String, region: String, availabilityZone: String, cidr: IPv4Block, mapPublicIpOnLaunch: Bool) {
        self.id = id
        self.vpcId = vpcId
        self.region = region
        self.availabilityZone = availabilityZone
        self.cidr = cidr
        self.mapPublicIpOnLaunch = mapPublicIpOnLaunch
    }
}

public struct EC2InternetGateway: Hashable, Sendable {
    public var id: String
    public var attachedVpc: String?
}

/// A route table: its routes (destination → target id) and the subnets associated with it.
public struct EC2RouteTable: Hashable, Sendable {
    public var id: String
    public var vpcId: String
    public var routes: [String: String] = [:]
    /// Association id → subnet id.
    public var associations: [String: String] = [:]
}

/// VPCs, subnets, gateways and routes, with EC2's checks (EC2 API Reference:
/// CreateVpc /16–/28, CreateSubnet inside the VPC and overlapping no other
/// subnet, DependencyViolation while something still uses a resource). A
/// subnet is public while its route table sends 0.0.0.0/0 to an attached
/// internet gateway — what the reachability query reads.
extension EC2Service {
    /// Records a VPC or subnet that exists outside the API (the scenario's topology).
    public mutating func register(vpc: EC2VPC) { vpcs[vpc.id] = vpc }
    public mutating func register(subnet: EC2Subnet) { subnets[subnet.id] = subnet }

    public mutating func createVpc(cidr text: String, region: String) throws(EC2Error) -> EC2VPC {
        guard let cidr = IPv4Block(text), (16...28).contains(cidr.prefixLength) else {
            throw EC2Error(code: "InvalidVpc.Range", message: "The CIDR '\(text)' is invalid.")
        }
        let vpc = EC2VPC(id: hexID("vpc-", digits: 17), region: region, cidr: cidr)
        vpcs[vpc.id] = vpc
        return vpc
    }

    public mutating func createSubnet(vpcId: String, cidr text: String, availabilityZone: String, mapPublicIpOnLaunch: Bool) throws(EC2Error) -> EC2Subnet {
        guard let vpc = vpcs[vpcId] else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(vpcId)' does not exist") }
        guard let cidr = IPv4Block(text), (16...28).contains(cidr.prefixLength), vpc.cidr.contains(cidr.address),
              vpc.cidr.prefixLength <= cidr.prefixLength else {
            throw EC2Error(code: "InvalidSubnet.Range", message: "The CIDR '\(text)' is invalid.")
        }
        if let clash = subnets.values.filter({ $0.vpcId == vpcId }).sorted(by: { $0.id < $1.id }).first(where: { $0.cidr.overlaps(cidr) }) {
            throw EC2Error(code: "InvalidSubnet.Conflict", message: "The CIDR '\(text)' conflicts with another subnet (\(clash.id))")
        }
        let subnet = EC2Subnet(id: hexID("subnet-", digits: 17), vpcId: vpcId, region: vpc.region, availabilityZone: availabilityZone,
                               cidr: cidr, mapPublicIpOnLaunch: mapPublicIpOnLaunch)
        subnets[subnet.id] = subnet
        return subnet
    }

    public mutating func createInternetGateway() -> EC2InternetGateway {
        let gateway = EC2InternetGateway(id: hexID("igw-", digits: 17), attachedVpc: nil)
        internetGateways[gateway.id] = gateway
        return gateway
    }

    public mutating func attachInternetGateway(_ id: String, vpcId: String) throws(EC2Error) {
        guard internetGateways[id] != nil else { throw EC2Error(code: "InvalidInternetGatewayID.NotFound", message: "The internetGateway ID '\(id)' does not exist") }
        guard vpcs[vpcId] != nil else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(vpcId)' does not exist") }
        internetGateways[id]?.attachedVpc = vpcId
        refreshPublicSubnets()
    }

    public mutating func detachInternetGateway(_ id: String) {
        internetGateways[id]?.attachedVpc = nil
        refreshPublicSubnets()
    }

    public mutating func createRouteTable(vpcId: String) throws(EC2Error) -> EC2RouteTable {
        guard vpcs[vpcId] != nil else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(vpcId)' does not exist") }
        let table = EC2RouteTable(id: hexID("rtb-", digits: 17), vpcId: vpcId)
        routeTables[table.id] = table
        return table
    }

    public mutating func createRoute(table: String, destination: String, target: String) throws(EC2Error) {
        guard routeTables[table] != nil else { throw EC2Error(code: "InvalidRouteTableID.NotFound", message: "The routeTable ID '\(table)' does not exist") }
        guard routeTables[table]?.routes[destination] == nil else {
            throw EC2Error(code: "RouteAlreadyExists", message: "The route identified by \(destination) already exists.")
        }
        routeTables[table]?.routes[destination] = target
        refreshPublicSubnets()
    }

    public mutating func deleteRoute(table: String, destination: String) {
        routeTables[table]?.routes[destination] = nil
        refreshPublicSubnets()
    }

    public mutating func associateRouteTable(_ table: String, subnet: String) throws(EC2Error) -> String {
        guard routeTables[table] != nil else { throw EC2Error(code: "InvalidRouteTableID.NotFound", message: "The routeTable ID '\(table)' does not exist") }
        guard subnets[subnet] != nil else { throw EC2Error(code: "InvalidSubnetID.NotFound", message: "The subnet ID '\(subnet)' does not exist") }
        let id = hexID("rtbassoc-", digits: 17)
        routeTables[table]?.associations[id] = subnet
        refreshPublicSubnets()
        return id
    }

    public mutating func disassociateRouteTable(_ association: String) {
        for id in routeTables.keys.sorted() { routeTables[id]?.associations[association] = nil }
        refreshPublicSubnets()
    }

    /// AllocateAddress (domain vpc): an address from the documentation range 198.51.100.0/24 (RFC 5737).
    public mutating func allocateAddress() -> (allocationId: String, publicIp: String) {
        let id = hexID("eipalloc-", digits: 17)
        let address = "198.51.100.\(elasticIPs.count % 254 + 1)"
        elasticIPs[id] = address
        return (id, address)
    }

    public mutating func releaseAddress(_ id: String) throws(EC2Error) {
        guard elasticIPs[id] != nil else { throw EC2Error(code: "InvalidAllocationID.NotFound", message: "The allocation ID '\(id)' does not exist") }
        if natGateways.values.contains(where: { $0.allocation == id }) {
            throw EC2Error(code: "InvalidIPAddress.InUse", message: "The address with allocation id [\(id)] is in use")
        }
        elasticIPs[id] = nil
    }

    /// CreateNatGateway in a subnet with an Elastic IP.
    public mutating func createNatGateway(subnet: String, allocation: String) throws(EC2Error) -> String {
        guard subnets[subnet] != nil else { throw EC2Error(code: "InvalidSubnetID.NotFound", message: "The subnet ID '\(subnet)' does not exist") }
        guard elasticIPs[allocation] != nil else { throw EC2Error(code: "InvalidAllocationID.NotFound", message: "The allocation ID '\(allocation)' does not exist") }
        let id = hexID("nat-", digits: 17)
        natGateways[id] = (subnet, allocation)
        return id
    }

    public mutating func deleteNatGateway(_ id: String) { natGateways[id] = nil }

    /// Deletes a VPC, subnet, gateway or route table, refusing while something depends on it.
    public mutating func deleteNetworkResource(_ id: String) throws(EC2Error) {
        let dependency = EC2Error(code: "DependencyViolation", message: "The \(kind(of: id)) '\(id)' has dependencies and cannot be deleted.")
        if vpcs[id] != nil {
            if subnets.values.contains(where: { $0.vpcId == id }) || internetGateways.values.contains(where: { $0.attachedVpc == id })
                || routeTables.values.contains(where: { $0.vpcId == id }) { throw dependency }
            vpcs[id] = nil
        } else if subnets[id] != nil {
            if instances.values.contains(where: { $0.subnet == id && $0.state != .terminated })
                || routeTables.values.contains(where: { $0.associations.values.contains(id) })
                || natGateways.values.contains(where: { $0.subnet == id }) { throw dependency }
            subnets[id] = nil
        } else if let gateway = internetGateways[id] {
            if gateway.attachedVpc != nil { throw dependency }
            internetGateways[id] = nil
        } else if let table = routeTables[id] {
            if !table.associations.isEmpty { throw dependency }
            routeTables[id] = nil
        }
        refreshPublicSubnets()
    }

    func kind(of id: String) -> String {
        id.hasPrefix("vpc-") ? "vpc" : id.hasPrefix("subnet-") ? "subnet" : id.hasPrefix("igw-") ? "internetGateway" : "routeTable"
    }

    /// Subnets of route tables with a default route to an attached internet gateway are public.
    mutating func refreshPublicSubnets() {
        for table in routeTables.values {
            let target = table.routes["0.0.0.0/0"]
            let toInternet = target.map { internetGateways[$0]?.attachedVpc == table.vpcId } ?? false
            for subnet in table.associations.values {
                if toInternet { publicSubnets.insert(subnet) } else { publicSubnets.remove(subnet) }
            }
        }
    }
}
