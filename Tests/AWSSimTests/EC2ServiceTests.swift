import Testing
@testable import AWSSim
import SimCore

@Suite struct EC2ServiceTests {
    func world() throws -> EC2Service {
        var ec2 = EC2Service(random: SimRandom(seed: 1))
        let service = ec2.createSecurityGroup(name: "svc", region: "us-west-2", ingress: [])
        let client = ec2.createSecurityGroup(name: "client", region: "us-west-2", ingress: [])
        let locked = ec2.createSecurityGroup(name: "locked", region: "us-west-2", ingress: [])
        ec2.authorizeSecurityGroupIngress(service, rules: [SecurityGroupRule(fromPort: 12050, toPort: 12050, peer: .group(client))])
        ec2.replaceSecurityGroupEgress(locked, rules: [])
        let subnet = try #require(IPv4Block("10.20.0.0/20"))
        ec2.runInstance(name: "node", type: "m5.xlarge", region: "us-west-2", availabilityZone: "us-west-2a", subnet: "s",
                        subnetCIDR: subnet, securityGroups: [service], instanceProfile: nil)
        ec2.runInstance(name: "emr", type: "m5.xlarge", region: "us-west-2", availabilityZone: "us-west-2a", subnet: "s",
                        subnetCIDR: subnet, securityGroups: [client], instanceProfile: nil)
        ec2.runInstance(name: "jail", type: "t3.micro", region: "us-west-2", availabilityZone: "us-west-2a", subnet: "s",
                        subnetCIDR: subnet, securityGroups: [locked],
                        instanceProfile: nil)
        return ec2
    }

    @Test func instancesGetTheNextFreeAddressOfTheirSubnet() throws {
        let ec2 = try world()
        #expect(ec2.instance(named: "node")?.privateIPAddress == "10.20.0.4") // AWS reserves .0-.3
        #expect(ec2.instance(named: "emr")?.privateIPAddress == "10.20.0.5")
        #expect(ec2.instance(named: "node")?.id.hasPrefix("i-") == true)
    }

    @Test func aGroupReferenceAdmitsMembersOnlyOnItsPort() throws {
        let ec2 = try world()
        let node = try #require(ec2.instance(named: "node")), emr = try #require(ec2.instance(named: "emr"))
        let allowed = ec2.reachability(from: emr, to: node, port: 12050)
        #expect(allowed.allowed)
        #expect(allowed.explanation.contains("ingress svc: tcp/12050 sg:client"))
        let refused = ec2.reachability(from: emr, to: node, port: 22)
        #expect(!refused.allowed)
        #expect(refused.explanation.contains("no ingress rule of svc allows tcp/22"))
        #expect(!ec2.reachability(from: node, to: emr, port: 12050).allowed) // not symmetric
    }

    @Test func missingEgressIsNamedToo() throws {
        let ec2 = try world()
        let node = try #require(ec2.instance(named: "node")), jail = try #require(ec2.instance(named: "jail"))
        let verdict = ec2.reachability(from: jail, to: node, port: 12050)
        #expect(!verdict.allowed)
        #expect(verdict.explanation.hasPrefix("no egress rule of locked"))
    }

    @Test func externalAddressesNeedACIDRRule() throws {
        var ec2 = try world()
        let node = try #require(ec2.instance(named: "node"))
        let anywhere = try #require(IPv4Block("203.0.113.9"))
        ec2.routeToInternetGateway(subnet: "s")
        #expect(!ec2.reachability(fromAddress: anywhere, to: node, port: 12050).allowed)
        let group = try #require(ec2.securityGroupID(named: "svc"))
        ec2.authorizeSecurityGroupIngress(group, rules: [SecurityGroupRule(fromPort: 8083, toPort: 8083, peer: .cidr(.anywhere))])
        #expect(ec2.reachability(fromAddress: anywhere, to: node, port: 8083).allowed)
    }

    @Test func instancesStopWithTheirAZAndStartWhenItReturns() throws {
        var ec2 = try world()
        var faults = FaultModel()
        faults.addAvailabilityZone("us-west-2a", region: "us-west-2")
        for name in ["node", "emr", "jail"] { faults.addHost(name, in: .availabilityZone("us-west-2a")) }
        let outage = faults.apply(.outage(.availabilityZone("us-west-2a")))
        ec2.faultsChanged(faults)
        #expect(ec2.instance(named: "node")?.state == .stopped)
        faults.lift(outage)
        ec2.faultsChanged(faults)
        #expect(ec2.instance(named: "node")?.state == .running)
        #expect(ec2.notices.count == 6)
    }

    @Test func blocksContainAndOverlap() throws {
        let vpc = try #require(IPv4Block("10.20.0.0/16")), other = try #require(IPv4Block("10.21.0.0/16"))
        #expect(vpc.overlaps(try #require(IPv4Block("10.20.5.0/24"))))
        #expect(!vpc.overlaps(other))
        #expect(IPv4Block("10.20.0.1/16") == nil) // host bits set
    }
}

@Suite struct VPCRoutingTests {
    @Test func privateSubnetsHaveNoRouteFromTheInternetAndPeeringJoinsVPCs() throws {
        var ec2 = EC2Service(random: SimRandom(seed: 3))
        let open = ec2.createSecurityGroup(name: "open", region: "us-west-2", ingress: [])
        ec2.authorizeSecurityGroupIngress(open, rules: [SecurityGroupRule(ipProtocol: "-1", fromPort: 0, toPort: 65535, peer: .cidr(.anywhere))])
        let eastGroup = ec2.createSecurityGroup(name: "open-east", region: "us-east-1", ingress: [])
        ec2.authorizeSecurityGroupIngress(eastGroup, rules: [SecurityGroupRule(ipProtocol: "-1", fromPort: 0, toPort: 65535, peer: .cidr(.anywhere))])
        ec2.runInstance(name: "west", type: "t3.micro", region: "us-west-2", availabilityZone: "us-west-2a", subnet: "w",
                        subnetCIDR: try #require(IPv4Block("10.20.0.0/20")), securityGroups: [open], instanceProfile: nil)
        ec2.runInstance(name: "east", type: "t3.micro", region: "us-east-1", availabilityZone: "us-east-1a", subnet: "e",
                        subnetCIDR: try #require(IPv4Block("10.30.0.0/20")), securityGroups: [eastGroup], instanceProfile: nil)
        let west = try #require(ec2.instance(named: "west")), east = try #require(ec2.instance(named: "east"))
        let internet = try #require(IPv4Block("203.0.113.1"))
        #expect(ec2.reachability(fromAddress: internet, to: west, port: 22).explanation.contains("is private"))
        ec2.routeToInternetGateway(subnet: "w")
        #expect(ec2.reachability(fromAddress: internet, to: west, port: 22).allowed)
        #expect(ec2.reachability(from: west, to: east, port: 443).explanation.contains("VPC peering is not configured"))
        ec2.peer("us-west-2", "us-east-1")
        #expect(ec2.reachability(from: west, to: east, port: 443).allowed)
    }
}
