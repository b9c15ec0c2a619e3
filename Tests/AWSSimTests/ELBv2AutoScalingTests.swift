@testable import AWSSim
import SimCore
import Testing

/// Auto Scaling groups with TargetGroupARNs, and Route 53 aliases of a load
/// balancer, as a stack creates them.
@Suite struct ELBv2AutoScalingTests {
    static let template = """
        Resources:
          Vpc:
            Type: AWS::EC2::VPC
            Properties: {CidrBlock: 10.60.0.0/16}
          SubnetA:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: 10.60.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
          SubnetB:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: 10.60.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          Balancer:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties: {Type: network, Scheme: internal, Subnets: [!Ref SubnetA, !Ref SubnetB]}
          Targets:
            Type: AWS::ElasticLoadBalancingV2::TargetGroup
            Properties: {Protocol: TCP, Port: 12050, VpcId: !Ref Vpc}
          Listener:
            Type: AWS::ElasticLoadBalancingV2::Listener
            Properties:
              LoadBalancerArn: !Ref Balancer
              Port: 12050
              DefaultActions: [{Type: forward, TargetGroupArn: !Ref Targets}]
          Template:
            Type: AWS::EC2::LaunchTemplate
            Properties:
              LaunchTemplateData: {ImageId: ami-0abcdef1234567890, InstanceType: m5.large}
          Nodes:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties:
              MinSize: "2"
              MaxSize: "4"
              VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
              TargetGroupARNs: [TARGET_GROUPS]
              LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}
          Zone:
            Type: AWS::Route53::HostedZone
            Properties:
              Name: odas.example.com
              VPCs: [{VPCId: !Ref Vpc, VPCRegion: !Ref "AWS::Region"}]
          Planner:
            Type: AWS::Route53::RecordSet
            Properties:
              HostedZoneId: !Ref Zone
              Name: planner.odas.example.com
              Type: A
              AliasTarget:
                DNSName: ALIAS_NAME
                HostedZoneId: ALIAS_ZONE
                EvaluateTargetHealth: true
        """

    static func body(targetGroups: String = "!Ref Targets", aliasName: String = "!GetAtt Balancer.DNSName",
                     aliasZone: String = "!GetAtt Balancer.CanonicalHostedZoneID") -> String {
        template.replacingOccurrences(of: "TARGET_GROUPS", with: targetGroups).replacingOccurrences(of: "ALIAS_NAME", with: aliasName)
            .replacingOccurrences(of: "ALIAS_ZONE", with: aliasZone)
    }

    /// Applies what the group did to the load balancer, as the world does.
    static func follow(_ driver: inout CloudFormationStackTests.Driver) {
        for notice in driver.services.autoScaling.notices {
            driver.services.elbv2.follow(notice, groups: driver.services.autoScaling.groups, now: driver.loop.now)
        }
        driver.services.autoScaling.notices.removeAll()
    }

    @Test func theGroupRegistersWhatItLaunchesAndDrainsWhatItTerminates() throws {
        var driver = CloudFormationStackTests.Driver()
        _ = try driver.create(Self.body())
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        Self.follow(&driver)
        let groupName = try #require(stack.resources["Nodes"]?.physicalId)
        let arn = try #require(stack.resources["Targets"]?.physicalId)
        let instances = try #require(driver.services.autoScaling.groups[groupName]?.instances)
        #expect(instances.count == 2)
        let targets = try #require(driver.services.elbv2.targetGroups[arn]?.targets)
        #expect(targets.map(\.id).sorted() == instances.sorted())
        #expect(targets.allSatisfy { $0.state == .initial && $0.port == 12050 })
        #expect(Set(targets.map(\.availabilityZone)) == ["us-west-2a", "us-west-2b"])

        // Deleting the group terminates its instances: each drains for the deregistration delay.
        driver.services.autoScaling.deleteAutoScalingGroup(groupName, ec2: &driver.services.ec2)
        Self.follow(&driver)
        let after = try #require(driver.services.elbv2.targetGroups[arn]?.targets)
        #expect(after.count == 2 && after.allSatisfy { $0.state == .draining && $0.reason == "Target.DeregistrationInProgress" })
        #expect(driver.services.elbv2.notices.contains { $0.contains("draining (terminated by auto scaling \(groupName))") })
    }

    @Test func aTargetGroupThatDoesNotExistFailsTheGroup() throws {
        var driver = CloudFormationStackTests.Driver()
        let missing = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/nope/0123456789abcdef"
        _ = try driver.create(Self.body(targetGroups: missing))
        let reasons = driver.events("odas").joined(separator: "\n")
        #expect(reasons.contains("Provided Target Groups may not be valid. Please ensure they exist and try again."), "\(reasons)")
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.services.autoScaling.groups.isEmpty && driver.services.elbv2.targetGroups.isEmpty)
    }

    @Test func aRecordAliasesTheLoadBalancerOnlyInItsCanonicalZone() throws {
        var driver = CloudFormationStackTests.Driver()
        _ = try driver.create(Self.body())
        let balancer = try #require(driver.services.elbv2.loadBalancers.values.first)
        let record = try #require(driver.services.route53.records.first { $0.name == "planner.odas.example.com" })
        #expect(record.aliasTarget == balancer.dnsName.lowercased() && record.evaluateTargetHealth)

        var wrongZone = CloudFormationStackTests.Driver()
        _ = try wrongZone.create(Self.body(aliasZone: "Z0000000000000"))
        let reasons = wrongZone.events("odas").joined(separator: "\n")
        #expect(reasons.contains("but the alias target name does not lie within the target zone"), "\(reasons)")

        var elsewhere = CloudFormationStackTests.Driver()
        _ = try elsewhere.create(Self.body(aliasName: "www.example.org"))
        #expect(elsewhere.events("odas").joined(separator: "\n").contains("www.example.org is neither"))

        // Templates ask for both address families with dualstack.; the alias is the load balancer's name.
        var dualstack = CloudFormationStackTests.Driver()
        _ = try dualstack.create(Self.body(aliasName: "!Sub \"dualstack.${Balancer.DNSName}\""))
        let dual = try #require(dualstack.services.elbv2.loadBalancers.values.first)
        #expect(dualstack.services.route53.records.first { $0.name == "planner.odas.example.com" }?.aliasTarget == dual.dnsName.lowercased())
    }
}
