import SimCore

/// Where traffic may come from or go to in a security group rule.
public enum SecurityGroupPeer: Hashable, Sendable, CustomStringConvertible {
    case cidr(IPv4Block)
    /// Members of another (or the same) security group, by group id.
    case group(String)

    public var description: String {
        switch self {
        case .cidr(let block): return block.description
        case .group(let id): return id
        }
    }
}

/// One rule: TCP ports (inclusive) or all traffic, to or from a peer.
public struct SecurityGroupRule: Hashable, Sendable, CustomStringConvertible {
    /// `tcp`, `udp` or `-1` (all).
    public var ipProtocol: String
    public var fromPort: Int
    public var toPort: Int
    public var peer: SecurityGroupPeer

    public init(ipProtocol: String = "tcp", fromPort: Int, toPort: Int, peer: SecurityGroupPeer) {
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        self.peer = peer
    }

    public var description: String {
        let ports = ipProtocol == "-1" ? "all traffic" : (fromPort == toPort ? "\(ipProtocol)/\(fromPort)" : "\(ipProtocol)/\(fromPort)-\(toPort)")
        return "\(ports) \(peer)"
    }

    func allows(port: Int) -> Bool { ipProtocol == "-1" || (fromPort...toPort).contains(port) }
}

/// A security group (stateful: replies are always allowed).
public struct SecurityGroup: Hashable, Sendable {
    public var id: String
    public var name: String
    public var region: String
    public var ingress: [SecurityGroupRule]
    /// AWS's default egress rule allows all outbound traffic.
    public var egress: [SecurityGroupRule]
}

/// An EC2 API error: its code and message, as the Query API returns them.
public struct EC2Error: Error, Equatable, Sendable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// EC2 instance states (DescribeInstances `State.Name`).
public enum InstanceState: String, Hashable, Sendable {
    case pending, running, stopping, stopped, terminated
}

/// An EC2 instance.
public struct EC2Instance: Hashable, Sendable {
    public var id: String
    /// The Name tag; also its host name in the fault model.
    public var name: String
    public var instanceType: String
    public var region: String
    public var availabilityZone: String
    public var subnet: String
    public var privateIPAddress: String
    public var ipValue: UInt32
    public var securityGroups: [String]
    public var instanceProfile: String?
    public var state: InstanceState

    /// DescribeInstances `PrivateDnsName`, and the hostname kubeadm names its
    /// node after: `ip-10-20-0-5.us-west-2.compute.internal`, `ip-….ec2.internal`
    /// in us-east-1 (EC2 User Guide, "Amazon EC2 instance hostname types").
    public var privateDNSName: String {
        let domain = region == "us-east-1" ? "ec2.internal" : "\(region).compute.internal"
        return "ip-" + privateIPAddress.replacingOccurrences(of: ".", with: "-") + "." + domain
    }
}

/// The answer to "can X reach Y on port P?", with the rule (or the missing
/// rule) that decides it — the basis for checking that admin and service
/// access are split (VPC Reachability Analyzer answers the same question).
public struct ReachabilityVerdict: Equatable, Sendable {
    public var allowed: Bool
    public var explanation: String
}

/// EC2 and VPC of the simulated account: security groups, instances that
/// stop with their AZ (like FIS `aws:ec2:stop-instances` in the AZ power
/// interruption) and start again when it returns, and the reachability query.
public struct EC2Service: Sendable {
    public internal(set) var securityGroups: [String: SecurityGroup] = [:]
    public internal(set) var instances: [String: EC2Instance] = [:]
    var nextAddress: [String: UInt32] = [:]
    /// Subnets whose route table sends 0.0.0.0/0 to an internet gateway.
    public internal(set) var publicSubnets: Set<String> = []
    /// VPC peering connections, as sorted region pairs (one VPC per region).
    public internal(set) var peerings: Set<[String]> = []
    /// VPCs, subnets, internet gateways and route tables by id (EC2Service+Network).
    public internal(set) var vpcs: [String: EC2VPC] = [:]
    public internal(set) var subnets: [String: EC2Subnet] = [:]
    public internal(set) var internetGateways: [String: EC2InternetGateway] = [:]
    public internal(set) var routeTables: [String: EC2RouteTable] = [:]
    /// Elastic IP allocations (allocation id → public address) and NAT gateways (id → subnet, allocation).
    public internal(set) var elasticIPs: [String: String] = [:]
    public internal(set) var natGateways: [String: (subnet: String, allocation: String)] = [:]
    /// Network ACLs by id, and the subnets associated with one (subnet → ACL id; others use the default ACL).
    public internal(set) var networkAcls: [String: EC2NetworkAcl] = [:]
    public internal(set) var networkAclAssociations: [String: String] = [:]
    /// VPC peering connections by id (EC2Service+Endpoints) and VPC endpoints by id.
    public internal(set) var peeringConnections: [String: EC2PeeringConnection] = [:]
    public internal(set) var vpcEndpoints: [String: EC2VPCEndpoint] = [:]
    var random: SimRandom
    public var notices: [String] = []

    public init(random: SimRandom) { self.random = random }

    mutating func hexID(_ prefix: String, digits: Int) -> String {
        var text = ""
        while text.count < digits { text += String(random.next(), radix: 16) }
        return prefix + String(text.prefix(digits))
    }

    /// CreateSecurityGroup with its rules; egress defaults to all traffic.
    @discardableResult
    public mutating func createSecurityGroup(name: String, region: String, ingress: [SecurityGroupRule],
                                             egress: [SecurityGroupRule]? = nil) -> String {
        let id = hexID("sg-", digits: 17)
        securityGroups[id] = SecurityGroup(id: id, name: name, region: region, ingress: ingress,
                                           egress: egress ?? [SecurityGroupRule(ipProtocol: "-1", fromPort: 0, toPort: 65535,
                                                                               peer: .cidr(.anywhere))])
        return id
    }

    /// AuthorizeSecurityGroupIngress: adds inbound rules.
    public mutating func authorizeSecurityGroupIngress(_ id: String, rules: [SecurityGroupRule]) {
        securityGroups[id]?.ingress += rules
    }

    /// RevokeSecurityGroupIngress: removes rules equal to `rules`.
    public mutating func revokeSecurityGroupIngress(_ id: String, rules: [SecurityGroupRule]) {
        securityGroups[id]?.ingress.removeAll { rules.contains($0) }
    }

    /// AuthorizeSecurityGroupEgress: adds outbound rules.
    public mutating func authorizeSecurityGroupEgress(_ id: String, rules: [SecurityGroupRule]) {
        securityGroups[id]?.egress += rules
    }

    /// RevokeSecurityGroupEgress: removes outbound rules equal to `rules`.
    public mutating func revokeSecurityGroupEgress(_ id: String, rules: [SecurityGroupRule]) {
        securityGroups[id]?.egress.removeAll { rules.contains($0) }
    }

    /// DeleteSecurityGroup: refused while an instance uses the group or another group's rule names it
    /// (DependencyViolation, EC2 API Reference).
    public mutating func deleteSecurityGroup(_ id: String) throws(EC2Error) {
        guard securityGroups[id] != nil else {
            throw EC2Error(code: "InvalidGroup.NotFound", message: "The security group '\(id)' does not exist")
        }
        let inUse = instances.values.contains { $0.securityGroups.contains(id) && $0.state != .terminated }
        let referenced = securityGroups.values.contains { group in
            group.id != id && (group.ingress + group.egress).contains { $0.peer == .group(id) }
        }
        guard !inUse, !referenced else {
            throw EC2Error(code: "DependencyViolation", message: "resource \(id) has a dependent object")
        }
        securityGroups[id] = nil
    }

    /// Replaces the outbound rules (RevokeSecurityGroupEgress of the default
    /// all-traffic rule, then AuthorizeSecurityGroupEgress).
    public mutating func replaceSecurityGroupEgress(_ id: String, rules: [SecurityGroupRule]) {
        securityGroups[id]?.egress = rules
    }

    /// The id of the group named `name`.
    public func securityGroupID(named name: String) -> String? {
        securityGroups.values.filter { $0.name == name }.map(\.id).sorted().first
    }

    /// RunInstances (one instance) in a subnet whose block is `subnetCIDR`;
    /// the private address is the next free one (AWS reserves the first four).
    @discardableResult
    public mutating func runInstance(name: String, type: String, region: String, availabilityZone: String, subnet: String,
                                     subnetCIDR: IPv4Block, securityGroups groups: [String], instanceProfile: String?) -> String {
        let id = hexID("i-", digits: 17)
        let offset = nextAddressOffset(subnet)
        instances[id] = EC2Instance(id: id, name: name, instanceType: type, region: region, availabilityZone: availabilityZone,
                                    subnet: subnet, privateIPAddress: subnetCIDR.address(at: offset),
                                    ipValue: subnetCIDR.address &+ offset, securityGroups: groups,
                                    instanceProfile: instanceProfile, state: .running)
        return id
    }

    /// The next free private address of a subnet for a network interface that
    /// is not an instance's (a load balancer's node, a VPC endpoint).
    public mutating func allocatePrivateAddress(subnet: String, subnetCIDR: IPv4Block) -> String {
        subnetCIDR.address(at: nextAddressOffset(subnet))
    }

    /// The offset of the subnet's next free address (AWS reserves the first four) and takes it.
    mutating func nextAddressOffset(_ subnet: String) -> UInt32 {
        let offset = nextAddress[subnet] ?? 4
        nextAddress[subnet] = offset + 1
        return offset
    }

    /// A route 0.0.0.0/0 → internet gateway in the subnet's route table (a public subnet).
    public mutating func routeToInternetGateway(subnet: String) { publicSubnets.insert(subnet) }

    /// CreateVpcPeeringConnection (accepted) between the VPCs of two regions.
    public mutating func peer(_ a: String, _ b: String) { peerings.insert([a, b].sorted()) }

    /// Sets an instance's state (Auto Scaling launches and terminations).
    public mutating func setState(_ id: String, _ state: InstanceState) {
        instances[id]?.state = state
    }

    /// The instance named `name`.
    public func instance(named name: String) -> EC2Instance? { instances.values.first { $0.name == name } }

    /// Instances stop with their AZ and start again when it returns.
    public mutating func faultsChanged(_ faults: FaultModel) {
        for id in instances.keys.sorted() {
            guard let instance = instances[id], instance.state == .running || instance.state == .stopped else { continue }
            let up = faults.isUp(.host(instance.name))
            if !up, instance.state == .running {
                instances[id]?.state = .stopped
                notices.append("instance \(instance.name) (\(id)) stopped")
            } else if up, instance.state == .stopped {
                instances[id]?.state = .running
                notices.append("instance \(instance.name) (\(id)) running again")
            }
        }
    }

    /// Can the instance `from` open a TCP connection to `to` on `port`?
    /// Both must be running and in the same VPC (region; peering is not
    /// modelled); the source's egress and the destination's ingress must
    /// each have a rule admitting the other side.
    public func reachability(from source: EC2Instance, to destination: EC2Instance, port: Int) -> ReachabilityVerdict {
        guard source.region == destination.region || peerings.contains([source.region, destination.region].sorted()) else {
            return ReachabilityVerdict(allowed: false, explanation: "no route: \(source.name) and \(destination.name) are in different VPCs and VPC peering is not configured")
        }
        guard let out = rule(in: source.securityGroups, outbound: true, admitting: destination, port: port) else {
            return ReachabilityVerdict(allowed: false, explanation: "no egress rule of \(groupNames(source.securityGroups)) allows tcp/\(port) to \(destination.name) (\(destination.privateIPAddress))")
        }
        guard let into = rule(in: destination.securityGroups, outbound: false, admittingIP: source.ipValue,
                              groups: source.securityGroups, port: port) else {
            return ReachabilityVerdict(allowed: false, explanation: "no ingress rule of \(groupNames(destination.securityGroups)) allows tcp/\(port) from \(source.name) (\(source.privateIPAddress))")
        }
        if let denial = networkAclVerdict(fromSubnet: source.subnet, address: source.ipValue, toSubnet: destination.subnet,
                                          address: destination.ipValue, port: port) {
            return ReachabilityVerdict(allowed: false, explanation: denial)
        }
        return ReachabilityVerdict(allowed: true, explanation: "egress \(out.group): \(describe(out.rule)); ingress \(into.group): \(describe(into.rule))")
    }

    /// Can traffic from outside the instances (an address or block) reach `to` on `port`?
    public func reachability(fromAddress block: IPv4Block, to destination: EC2Instance, port: Int) -> ReachabilityVerdict {
        guard publicSubnets.contains(destination.subnet) else {
            return ReachabilityVerdict(allowed: false, explanation: "no route from \(block): \(destination.subnet) is private (its route table has no route to an internet gateway)")
        }
        for groupID in destination.securityGroups.sorted() {
            guard let group = securityGroups[groupID] else { continue }
            for rule in group.ingress where rule.allows(port: port) {
                if case .cidr(let allowed) = rule.peer, allowed.contains(block.address), allowed.prefixLength <= block.prefixLength {
                    if let denial = networkAclVerdict(fromSubnet: nil, address: block.address, toSubnet: destination.subnet,
                                                      address: destination.ipValue, port: port) {
                        return ReachabilityVerdict(allowed: false, explanation: denial)
                    }
                    return ReachabilityVerdict(allowed: true, explanation: "ingress \(group.name): \(describe(rule))")
                }
            }
        }
        return ReachabilityVerdict(allowed: false, explanation: "no ingress rule of \(groupNames(destination.securityGroups)) allows tcp/\(port) from \(block)")
    }

    /// The rules of `groups` (ids) that admit `port`, inbound or outbound,
    /// with the name of the group holding each, in group-id order.
    public func rules(of groups: [String], outbound: Bool, allowing port: Int) -> [(group: String, rule: SecurityGroupRule)] {
        var found: [(group: String, rule: SecurityGroupRule)] = []
        for groupID in groups.sorted() {
            guard let group = securityGroups[groupID] else { continue }
            for rule in (outbound ? group.egress : group.ingress) where rule.allows(port: port) {
                found.append((group.name, rule))
            }
        }
        return found
    }

    /// A rule as people read it: group references by name.
    public func describe(_ rule: SecurityGroupRule) -> String {
        guard case .group(let id) = rule.peer, let name = securityGroups[id]?.name else { return rule.description }
        var named = rule
        named.peer = .group("sg:\(name)")
        return named.description
    }

    func groupNames(_ ids: [String]) -> String {
        ids.compactMap { securityGroups[$0]?.name }.sorted().joined(separator: ", ")
    }

    func rule(in groups: [String], outbound: Bool, admitting peer: EC2Instance, port: Int) -> (group: String, rule: SecurityGroupRule)? {
        rule(in: groups, outbound: outbound, admittingIP: peer.ipValue, groups: peer.securityGroups, port: port)
    }

    func rule(in groups: [String], outbound: Bool, admittingIP ip: UInt32, groups peerGroups: [String],
              port: Int) -> (group: String, rule: SecurityGroupRule)? {
        for groupID in groups.sorted() {
            guard let group = securityGroups[groupID] else { continue }
            for rule in (outbound ? group.egress : group.ingress) where rule.allows(port: port) {
                switch rule.peer {
                case .cidr(let block) where block.contains(ip): return (group.name, rule)
                case .group(let id) where peerGroups.contains(id): return (group.name, rule)
                default: continue
                }
            }
        }
        return nil
    }
}
