import Testing
@testable import AWSSim
import SimCore

/// Network ACLs in the reachability query: numbered rules, first match
/// decides, the implicit deny, statelessness (the reply needs the ephemeral
/// ports), and no filtering inside one subnet.
@Suite struct NetworkACLTests {
    /// An EMR instance in one subnet and an ODAS node in another, the node's group admitting EMR on 12050.
    func world() throws -> (EC2Service, node: EC2Instance, emr: EC2Instance, acl: String) {
        var ec2 = EC2Service(random: SimRandom(seed: 1))
        let vpc = try ec2.createVpc(cidr: "10.20.0.0/16", region: "us-west-2")
        let nodes = try #require(IPv4Block("10.20.0.0/24")), clients = try #require(IPv4Block("10.20.1.0/24"))
        ec2.register(subnet: EC2Subnet(id: "subnet-nodes", vpcId: vpc.id, region: "us-west-2", availabilityZone: "us-west-2a", cidr: nodes, mapPublicIpOnLaunch: false))
        ec2.register(subnet: EC2Subnet(id: "subnet-emr", vpcId: vpc.id, region: "us-west-2", availabilityZone: "us-west-2b", cidr: clients, mapPublicIpOnLaunch: false))
        let service = ec2.createSecurityGroup(name: "svc", region: "us-west-2", ingress: [SecurityGroupRule(fromPort: 12050, toPort: 12050, peer: .cidr(clients))])
        let client = ec2.createSecurityGroup(name: "client", region: "us-west-2", ingress: [])
        let node = ec2.runInstance(name: "node", type: "m5.xlarge", region: "us-west-2", availabilityZone: "us-west-2a", subnet: "subnet-nodes",
                                   subnetCIDR: nodes, securityGroups: [service], instanceProfile: nil)
        let emr = ec2.runInstance(name: "emr", type: "m5.xlarge", region: "us-west-2", availabilityZone: "us-west-2b", subnet: "subnet-emr",
                                  subnetCIDR: clients, securityGroups: [client], instanceProfile: nil)
        let acl = try ec2.createNetworkAcl(vpcId: vpc.id)
        return (ec2, try #require(ec2.instances[node]), try #require(ec2.instances[emr]), acl)
    }

    func entry(_ number: Int, egress: Bool, allow: Bool = true, cidr: String, ports: ClosedRange<Int>) throws -> EC2NetworkAcl.Entry {
        EC2NetworkAcl.Entry(ruleNumber: number, egress: egress, protocol: "6", allow: allow, cidr: try #require(IPv4Block(cidr)), ports: ports)
    }

    @Test func theDefaultACLAllowsAndAnEmptyOneDeniesEverything() throws {
        var (ec2, node, emr, acl) = try world()
        #expect(ec2.reachability(from: emr, to: node, port: 12050).allowed, "subnets without an ACL of their own use the default, which allows all")
        _ = try ec2.associateNetworkAcl(acl, subnet: "subnet-nodes")
        let verdict = ec2.reachability(from: emr, to: node, port: 12050)
        #expect(!verdict.allowed)
        #expect(verdict.explanation.contains("has no inbound rule for tcp/12050 with 10.20.1.4 (the * rule denies it)"), "\(verdict.explanation)")
    }

    @Test func theReplyNeedsTheEphemeralPorts() throws {
        var (ec2, node, emr, acl) = try world()
        _ = try ec2.associateNetworkAcl(acl, subnet: "subnet-nodes")
        try ec2.createNetworkAclEntry(acl, entry(100, egress: false, cidr: "10.20.1.0/24", ports: 12050...12050))
        let noReply = ec2.reachability(from: emr, to: node, port: 12050)
        #expect(!noReply.allowed && noReply.explanation.contains("outbound") && noReply.explanation.hasSuffix("(the reply)"), "\(noReply.explanation)")
        // Only part of Linux's ephemeral range: replies to the rest are dropped.
        try ec2.createNetworkAclEntry(acl, entry(100, egress: true, cidr: "10.20.1.0/24", ports: 49152...65535))
        #expect(!ec2.reachability(from: emr, to: node, port: 12050).allowed)
        try ec2.createNetworkAclEntry(acl, entry(110, egress: true, cidr: "10.20.1.0/24", ports: 1024...65535))
        #expect(ec2.reachability(from: emr, to: node, port: 12050).allowed)
    }

    @Test func theLowestMatchingRuleDecides() throws {
        var (ec2, node, emr, acl) = try world()
        _ = try ec2.associateNetworkAcl(acl, subnet: "subnet-nodes")
        try ec2.createNetworkAclEntry(acl, entry(90, egress: false, allow: false, cidr: "10.20.1.4/32", ports: 0...65535))
        try ec2.createNetworkAclEntry(acl, entry(100, egress: false, cidr: "10.20.0.0/16", ports: 0...65535))
        try ec2.createNetworkAclEntry(acl, entry(100, egress: true, cidr: "10.20.0.0/16", ports: 0...65535))
        let verdict = ec2.reachability(from: emr, to: node, port: 12050)
        #expect(!verdict.allowed && verdict.explanation.contains("inbound rule 90 denies tcp/12050 with 10.20.1.4"), "\(verdict.explanation)")
        let taken = #expect(throws: EC2Error.self) { try ec2.createNetworkAclEntry(acl, entry(90, egress: false, cidr: "0.0.0.0/0", ports: 0...65535)) }
        #expect(taken?.code == "NetworkAclEntryAlreadyExists")
        ec2.deleteNetworkAclEntry(acl, ruleNumber: 90, egress: false)
        #expect(ec2.reachability(from: emr, to: node, port: 12050).allowed)
        #expect((try? ec2.deleteNetworkAcl(acl)) == nil, "an associated ACL cannot be deleted")
        ec2.disassociateNetworkAcl(subnet: "subnet-nodes")
        try ec2.deleteNetworkAcl(acl)
    }

    @Test func trafficInsideOneSubnetIsNotFiltered() throws {
        var (ec2, node, _, acl) = try world()
        _ = try ec2.associateNetworkAcl(acl, subnet: "subnet-nodes")
        let block = try #require(IPv4Block("10.20.0.0/24"))
        let id = ec2.runInstance(name: "n2", type: "m5.xlarge", region: "us-west-2", availabilityZone: "us-west-2a", subnet: "subnet-nodes",
                                 subnetCIDR: block, securityGroups: node.securityGroups, instanceProfile: nil)
        let neighbour = try #require(ec2.instances[id])
        ec2.authorizeSecurityGroupIngress(node.securityGroups[0], rules: [SecurityGroupRule(fromPort: 12050, toPort: 12050, peer: .group(node.securityGroups[0]))])
        #expect(ec2.reachability(from: neighbour, to: node, port: 12050).allowed)
    }
}
