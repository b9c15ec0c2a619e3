/// What the EC2 adapter needs of the topology (VPCs and subnets are the
/// scenario's, derived before any instance exists).
public struct EC2TopologyView: Sendable {
    public struct Zone: Sendable {
        public var name: String
        public var region: String
        public var isUp: Bool
        public init(name: String, region: String, isUp: Bool) {
            self.name = name
            self.region = region
            self.isUp = isUp
        }
    }
    public struct VPC: Sendable {
        public var id: String
        public var region: String
        public var cidr: String
        public init(id: String, region: String, cidr: String) {
            self.id = id
            self.region = region
            self.cidr = cidr
        }
    }
    public struct Subnet: Sendable {
        public var id: String
        public var vpcId: String
        public var availabilityZone: String
        public var cidr: String
        public init(id: String, vpcId: String, availabilityZone: String, cidr: String) {
            self.id = id
            self.vpcId = vpcId
            self.availabilityZone = availabilityZone
            self.cidr = cidr
        }
    }
    public var zones: [Zone]
    public var vpcs: [VPC]
    public var subnets: [Subnet]

    public init(zones: [Zone], vpcs: [VPC], subnets: [Subnet]) {
        self.zones = zones
        self.vpcs = vpcs
        self.subnets = subnets
    }
}

/// The EC2 Query API for the describe calls the aws CLI makes
/// (`describe-availability-zones/vpcs/subnets/security-groups/instances`).
public enum EC2QueryAdapter {
    public static func handle(_ query: QueryRequest, ec2: EC2Service, topology: EC2TopologyView, region: String,
                              requestId: String) -> WireResponse {
        guard let action = query.action else {
            return QueryResponse.ec2Error(code: "MissingAction", message: "The request must contain the parameter Action.", requestId: requestId)
        }
        switch action {
        case "DescribeAvailabilityZones":
            let zones = topology.zones.filter { $0.region == region }.enumerated().map { index, zone in
                XMLElement("item", children: [
                    .leaf("zoneName", zone.name), .leaf("zoneId", "\(regionCode(region))-az\(index + 1)"),
                    .leaf("zoneState", zone.isUp ? "available" : "impaired"), .leaf("regionName", region),
                    .leaf("zoneType", "availability-zone"), .leaf("optInStatus", "opt-in-not-required"),
                ])
            }
            return QueryResponse.ec2(action: action, children: [XMLElement("availabilityZoneInfo", children: zones)], requestId: requestId)
        case "DescribeVpcs":
            let vpcs = topology.vpcs.filter { $0.region == region }.map { vpc in
                XMLElement("item", children: [.leaf("vpcId", vpc.id), .leaf("state", "available"), .leaf("cidrBlock", vpc.cidr),
                                              .leaf("isDefault", "false"), .leaf("ownerId", "123456789012")])
            }
            return QueryResponse.ec2(action: action, children: [XMLElement("vpcSet", children: vpcs)], requestId: requestId)
        case "DescribeSubnets":
            let zoneNames = Set(topology.zones.filter { $0.region == region }.map(\.name))
            let subnets = topology.subnets.filter { zoneNames.contains($0.availabilityZone) }.map { subnet in
                XMLElement("item", children: [.leaf("subnetId", subnet.id), .leaf("vpcId", subnet.vpcId), .leaf("state", "available"),
                                              .leaf("cidrBlock", subnet.cidr), .leaf("availabilityZone", subnet.availabilityZone)])
            }
            return QueryResponse.ec2(action: action, children: [XMLElement("subnetSet", children: subnets)], requestId: requestId)
        case "DescribeSecurityGroups":
            // GroupId.N / GroupName.N select groups; one that does not exist is an error, as on AWS.
            let ids = Set(query.list("GroupId")), names = Set(query.list("GroupName"))
            let inRegion = ec2.securityGroups.values.filter { $0.region == region }
            if let missing = ids.sorted().first(where: { id in !inRegion.contains { $0.id == id } }) {
                return QueryResponse.ec2Error(code: "InvalidGroup.NotFound", message: "The security group '\(missing)' does not exist", requestId: requestId)
            }
            if let missing = names.sorted().first(where: { name in !inRegion.contains { $0.name == name } }) {
                return QueryResponse.ec2Error(code: "InvalidGroup.NotFound", message: "The security group '\(missing)' does not exist in default VPC", requestId: requestId)
            }
            let selected = inRegion.filter { (ids.isEmpty && names.isEmpty) || ids.contains($0.id) || names.contains($0.name) }
            let groups = selected.sorted { $0.name < $1.name }.map { group in
                XMLElement("item", children: [
                    .leaf("groupId", group.id), .leaf("groupName", group.name), .leaf("groupDescription", group.name),
                    .leaf("ownerId", "123456789012"),
                    XMLElement("ipPermissions", children: group.ingress.map { permission($0, ec2: ec2) }),
                    XMLElement("ipPermissionsEgress", children: group.egress.map { permission($0, ec2: ec2) }),
                ])
            }
            return QueryResponse.ec2(action: action, children: [XMLElement("securityGroupInfo", children: groups)], requestId: requestId)
        case "DescribeInstances":
            let wanted = Set(query.list("InstanceId"))
            let instances = ec2.instances.values.filter { $0.region == region && (wanted.isEmpty || wanted.contains($0.id)) }
                .sorted { $0.name < $1.name }
            if let missing = wanted.subtracting(instances.map(\.id)).sorted().first {
                return QueryResponse.ec2Error(code: "InvalidInstanceID.NotFound", message: "The instance ID '\(missing)' does not exist",
                                              requestId: requestId)
            }
            let reservations = instances.map { instance in
                XMLElement("item", children: [
                    .leaf("reservationId", "r-" + instance.id.dropFirst(2)), .leaf("ownerId", "123456789012"),
                    XMLElement("instancesSet", children: [XMLElement("item", children: [
                        .leaf("instanceId", instance.id), .leaf("imageId", "ami-0odassim00000000"),
                        XMLElement("instanceState", children: [.leaf("code", String(stateCode(instance.state))),
                                                               .leaf("name", instance.state.rawValue)]),
                        .leaf("privateIpAddress", instance.privateIPAddress), .leaf("instanceType", instance.instanceType),
                        XMLElement("placement", children: [.leaf("availabilityZone", instance.availabilityZone)]),
                        .leaf("subnetId", instance.subnet),
                        .leaf("vpcId", topology.subnets.first { $0.id == instance.subnet }?.vpcId ?? ""),
                        XMLElement("groupSet", children: instance.securityGroups.map { id in
                            XMLElement("item", children: [.leaf("groupId", id), .leaf("groupName", ec2.securityGroups[id]?.name ?? "")])
                        }),
                        XMLElement("tagSet", children: [XMLElement("item", children: [.leaf("key", "Name"), .leaf("value", instance.name)])]),
                    ] + (instance.instanceProfile.map { [XMLElement("iamInstanceProfile", children: [
                        .leaf("arn", "arn:aws:iam::123456789012:instance-profile/\($0)"),
                    ])] } ?? []))]),
                ])
            }
            return QueryResponse.ec2(action: action, children: [XMLElement("reservationSet", children: reservations)], requestId: requestId)
        default:
            return QueryResponse.ec2Error(code: "InvalidAction", message: "The action \(action) is not valid for this web service (not simulated yet).",
                                          requestId: requestId)
        }
    }

    static func permission(_ rule: SecurityGroupRule, ec2: EC2Service) -> XMLElement {
        var children: [XMLElement] = [.leaf("ipProtocol", rule.ipProtocol)]
        if rule.ipProtocol != "-1" {
            children += [.leaf("fromPort", String(rule.fromPort)), .leaf("toPort", String(rule.toPort))]
        }
        switch rule.peer {
        case .cidr(let block):
            children += [XMLElement("ipRanges", children: [XMLElement("item", children: [.leaf("cidrIp", block.description)])]),
                         XMLElement("groups", children: [])]
        case .group(let id):
            children += [XMLElement("groups", children: [XMLElement("item", children: [
                .leaf("groupId", id), .leaf("groupName", ec2.securityGroups[id]?.name ?? ""), .leaf("userId", "123456789012"),
            ])]), XMLElement("ipRanges", children: [])]
        }
        return XMLElement("item", children: children)
    }

    /// DescribeInstances state codes (API reference: InstanceState).
    static func stateCode(_ state: InstanceState) -> Int {
        switch state {
        case .pending: return 0
        case .running: return 16
        case .stopping: return 64
        case .stopped: return 80
        case .terminated: return 48
        }
    }

    /// `us-west-2` → `usw2`, as zone ids are written.
    static func regionCode(_ region: String) -> String {
        let parts = region.split(separator: "-")
        guard parts.count == 3 else { return region }
        return String(parts[0]) + String(parts[1].prefix(1)) + String(parts[2])
    }
}
