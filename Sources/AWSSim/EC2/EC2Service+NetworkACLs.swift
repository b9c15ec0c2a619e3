import SimCore

/// A network ACL: numbered, stateless rules for each direction, evaluated
/// lowest number first; the first rule that matches decides, and traffic no
/// rule matches is denied (the `*` rule). Subnets not associated with one use
/// the VPC's default ACL, which allows everything (vpc/latest/userguide/vpc-network-acls.html).
public struct EC2NetworkAcl: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var ruleNumber: Int
        public var egress: Bool
        /// `-1` (all), `6` (TCP), `17` (UDP).
        public var `protocol`: String
        public var allow: Bool
        public var cidr: IPv4Block
        public var ports: ClosedRange<Int>

        public init(ruleNumber: Int, egress: Bool, protocol: String, allow: Bool, cidr: IPv4Block, ports: ClosedRange<Int>) {
            self.ruleNumber = ruleNumber
            self.egress = egress
            self.protocol = `protocol`
            self.allow = allow
            self.cidr = cidr
            self.ports = ports
        }

        func matches(tcpPort port: Int, peer: UInt32) -> Bool {
            (self.protocol == "-1" || self.protocol == "6") && ports.contains(port) && cidr.contains(peer)
        }
    }

    public var id: String
    public var vpcId: String
    public var entries: [Entry] = []
}

extension EC2Service {
    /// The ephemeral ports a Linux client's reply comes back to (32768–60999,
    /// `net.ipv4.ip_local_port_range`); a stateless ACL must admit them
    /// ("Ephemeral ports", vpc-network-acls.html).
    static let ephemeralPorts = 32768...60999

    /// CreateNetworkAcl: no rules yet, so it denies everything.
    public mutating func createNetworkAcl(vpcId: String) throws(EC2Error) -> String {
        guard vpcs[vpcId] != nil else { throw EC2Error(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(vpcId)' does not exist") }
        let id = hexID("acl-", digits: 17)
        networkAcls[id] = EC2NetworkAcl(id: id, vpcId: vpcId)
        return id
    }

    /// CreateNetworkAclEntry: rule numbers 1–32766, one per number and direction.
    public mutating func createNetworkAclEntry(_ aclId: String, _ entry: EC2NetworkAcl.Entry) throws(EC2Error) {
        guard var acl = networkAcls[aclId] else {
            throw EC2Error(code: "InvalidNetworkAclID.NotFound", message: "The networkAcl ID '\(aclId)' does not exist")
        }
        guard (1...32766).contains(entry.ruleNumber) else {
            throw EC2Error(code: "InvalidParameterValue", message: "Invalid value '\(entry.ruleNumber)' for ruleNumber. It must be between 1 and 32766")
        }
        if acl.entries.contains(where: { $0.ruleNumber == entry.ruleNumber && $0.egress == entry.egress }) {
            throw EC2Error(code: "NetworkAclEntryAlreadyExists", message: "The network acl entry identified by \(entry.ruleNumber) already exists.")
        }
        acl.entries.append(entry)
        acl.entries.sort { $0.ruleNumber < $1.ruleNumber }
        networkAcls[aclId] = acl
    }

    /// DeleteNetworkAclEntry.
    public mutating func deleteNetworkAclEntry(_ aclId: String, ruleNumber: Int, egress: Bool) {
        networkAcls[aclId]?.entries.removeAll { $0.ruleNumber == ruleNumber && $0.egress == egress }
    }

    /// ReplaceNetworkAclAssociation: the subnet now uses `aclId`; the association id.
    public mutating func associateNetworkAcl(_ aclId: String, subnet: String) throws(EC2Error) -> String {
        guard networkAcls[aclId] != nil else {
            throw EC2Error(code: "InvalidNetworkAclID.NotFound", message: "The networkAcl ID '\(aclId)' does not exist")
        }
        guard subnets[subnet] != nil else { throw EC2Error(code: "InvalidSubnetID.NotFound", message: "The subnet ID '\(subnet)' does not exist") }
        networkAclAssociations[subnet] = aclId
        return "aclassoc-" + String(StableHash.fnv1a64(aclId + subnet), radix: 16).prefix(17)
    }

    /// The subnet goes back to the VPC's default ACL.
    public mutating func disassociateNetworkAcl(subnet: String) { networkAclAssociations[subnet] = nil }

    /// DeleteNetworkAcl: refused while a subnet uses it.
    public mutating func deleteNetworkAcl(_ aclId: String) throws(EC2Error) {
        if networkAclAssociations.values.contains(aclId) {
            throw EC2Error(code: "DependencyViolation", message: "The networkAcl '\(aclId)' has dependencies and cannot be deleted.")
        }
        networkAcls[aclId] = nil
    }

    /// The first rule of the subnet's ACL matching TCP traffic on `port` with
    /// `peer` (nil: the default ACL allows it); a denial names the rule.
    func networkAclDenial(subnet: String, egress: Bool, peer: UInt32, ports: ClosedRange<Int>) -> String? {
        guard let aclId = networkAclAssociations[subnet], let acl = networkAcls[aclId] else { return nil }
        let rules = acl.entries.filter { $0.egress == egress }
        // Every port of the range must be allowed: check its ends and each rule boundary inside it.
        var probes: Set<Int> = [ports.lowerBound, ports.upperBound]
        for rule in rules {
            for port in [rule.ports.lowerBound - 1, rule.ports.lowerBound, rule.ports.upperBound, rule.ports.upperBound + 1] where ports.contains(port) {
                probes.insert(port)
            }
        }
        let direction = egress ? "outbound" : "inbound"
        let peerText = IPv4Block.format(peer, 32).replacingOccurrences(of: "/32", with: "")
        let range = ports.count == 1 ? "tcp/\(ports.lowerBound)" : "tcp/\(ports.lowerBound)-\(ports.upperBound)"
        for port in probes.sorted() {
            guard let rule = rules.first(where: { $0.matches(tcpPort: port, peer: peer) }) else {
                return "network ACL \(aclId) of \(subnet) has no \(direction) rule for \(range) with \(peerText) (the * rule denies it)"
            }
            if !rule.allow { return "network ACL \(aclId) of \(subnet): \(direction) rule \(rule.ruleNumber) denies tcp/\(port) with \(peerText)" }
        }
        return nil
    }

    /// Why the network ACLs on the way stop a TCP connection between two
    /// subnets, or nil. ACLs are stateless: the request needs the source's
    /// outbound and the destination's inbound rule, the reply the
    /// destination's outbound and the source's inbound rule for the client's
    /// ephemeral ports. Traffic inside one subnet is not filtered.
    func networkAclVerdict(fromSubnet source: String?, address from: UInt32, toSubnet destination: String, address to: UInt32, port: Int) -> String? {
        guard source != destination else { return nil }
        let ephemeral = Self.ephemeralPorts
        if let source, let denial = networkAclDenial(subnet: source, egress: true, peer: to, ports: port...port) { return denial }
        if let denial = networkAclDenial(subnet: destination, egress: false, peer: from, ports: port...port) { return denial }
        if let denial = networkAclDenial(subnet: destination, egress: true, peer: from, ports: ephemeral) { return denial + " (the reply)" }
        if let source, let denial = networkAclDenial(subnet: source, egress: false, peer: to, ports: ephemeral) { return denial + " (the reply)" }
        return nil
    }
}
