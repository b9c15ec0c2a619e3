import Testing
import SimCore
@testable import AWSSim

/// The rest of the EC2/VPC family (network ACLs, VPC endpoints and peering,
/// security-group egress), launch configurations, EKS clusters and node
/// groups, and Aurora global clusters, each created in its fake and gone
/// with the stack.
@Suite struct CloudFormationConnectivityTests {
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
          Routes:
            Type: AWS::EC2::RouteTable
            Properties: {VpcId: !Ref Vpc}
          Acl:
            Type: AWS::EC2::NetworkAcl
            Properties: {VpcId: !Ref Vpc}
          AclPlanner:
            Type: AWS::EC2::NetworkAclEntry
            Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 10.60.0.0/16, PortRange: {From: 12050, To: 12050}}
          AclReplies:
            Type: AWS::EC2::NetworkAclEntry
            Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Egress: true, Protocol: 6, RuleAction: allow, CidrBlock: 10.60.0.0/16, PortRange: {From: 1024, To: 65535}}
          AclOnA:
            Type: AWS::EC2::SubnetNetworkAclAssociation
            Properties: {SubnetId: !Ref SubnetA, NetworkAclId: !Ref Acl}
          S3Endpoint:
            Type: AWS::EC2::VPCEndpoint
            Properties: {VpcId: !Ref Vpc, ServiceName: !Sub "com.amazonaws.${AWS::Region}.s3", RouteTableIds: [!Ref Routes]}
          KMSEndpoint:
            Type: AWS::EC2::VPCEndpoint
            Properties: {VpcId: !Ref Vpc, VpcEndpointType: Interface, ServiceName: !Sub "com.amazonaws.${AWS::Region}.kms", SubnetIds: [!Ref SubnetA, !Ref SubnetB]}
          Nodes:
            Type: AWS::EC2::SecurityGroup
            Properties: {GroupDescription: nodes, VpcId: !Ref Vpc, SecurityGroupEgress: []}
          NodesToS3:
            Type: AWS::EC2::SecurityGroupEgress
            Properties: {GroupId: !Ref Nodes, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
          Legacy:
            Type: AWS::AutoScaling::LaunchConfiguration
            Properties: {ImageId: ami-0abcdef1234567890, InstanceType: m5.large, SecurityGroups: [!Ref Nodes]}
          LegacyGroup:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties: {LaunchConfigurationName: !Ref Legacy, MinSize: "1", MaxSize: "2", VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]}
          ClusterRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: eks.amazonaws.com}, Action: "sts:AssumeRole"}]}
          Cluster:
            Type: AWS::EKS::Cluster
            Properties: {Name: odas, RoleArn: !GetAtt ClusterRole.Arn, ResourcesVpcConfig: {SubnetIds: [!Ref SubnetA, !Ref SubnetB]}}
          Workers:
            Type: AWS::EKS::Nodegroup
            Properties: {ClusterName: !Ref Cluster, NodeRole: !GetAtt ClusterRole.Arn, Subnets: [!Ref SubnetA, !Ref SubnetB],
                         ScalingConfig: {MinSize: 2, MaxSize: 4, DesiredSize: 2}, InstanceTypes: [m5.2xlarge]}
          Catalog:
            Type: AWS::RDS::DBCluster
            Properties: {Engine: aurora-mysql, DBClusterIdentifier: odas-catalog}
          Global:
            Type: AWS::RDS::GlobalCluster
            Properties: {GlobalClusterIdentifier: odas-global, SourceDBClusterIdentifier: !Ref Catalog}
        Outputs:
          Endpoint: {Value: !GetAtt Cluster.Endpoint}
          KMSDns: {Value: !Select [1, !Split [":", !Select [0, !GetAtt KMSEndpoint.DnsEntries]]]}
        """

    @Test func everyTypeIsCreatedInItsFakeAndDeletedWithTheStack() throws {
        var driver = CloudFormationStackTests.Driver()
        _ = try driver.create(Self.template)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas").joined(separator: "\n"))")
        let ec2 = driver.services.ec2
        let acl = try #require(stack.resources["Acl"]?.physicalId)
        #expect(ec2.networkAcls[acl]?.entries.count == 2)
        let subnetA = try #require(stack.resources["SubnetA"]?.physicalId)
        #expect(ec2.networkAclAssociations[subnetA] == acl)
        let routes = try #require(stack.resources["Routes"]?.physicalId)
        #expect(ec2.routeTables[routes]?.routes["pl-s3"] == stack.resources["S3Endpoint"]?.physicalId, "a gateway endpoint routes the prefix list")
        let kmsId = try #require(stack.resources["KMSEndpoint"]?.physicalId)
        let kms = try #require(ec2.vpcEndpoints[kmsId])
        #expect(kms.networkInterfaceIds.count == 2)
        #expect(stack.outputs.first { $0.key == "KMSDns" }?.value.hasSuffix(".kms.us-west-2.vpce.amazonaws.com") == true)
        let nodes = try #require(stack.resources["Nodes"]?.physicalId)
        #expect(ec2.securityGroups[nodes]?.egress.map(\.fromPort) == [443])
        let legacy = try #require(stack.resources["LegacyGroup"]?.physicalId)
        #expect(driver.services.autoScaling.groups[legacy]?.template.instanceType == "m5.large")
        #expect(driver.services.autoScaling.groups[legacy]?.template.securityGroups == [nodes])
        let cluster = try #require(driver.services.eks.clusters["odas"])
        #expect(cluster.controlPlaneAZs == ["us-west-2a", "us-west-2b", "us-west-2c"])
        #expect(stack.outputs.first { $0.key == "Endpoint" }?.value == cluster.endpoint)
        let workers = try #require(cluster.nodeGroups.first)
        #expect(driver.services.autoScaling.groups[workers]?.desiredCapacity == 2)
        #expect(driver.services.autoScaling.groups[workers]?.template.instanceType == "m5.2xlarge")
        #expect(driver.services.rds.globalClusters["odas-global"] == "odas-catalog")

        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil, "\(driver.events("odas").joined(separator: "\n"))")
        let after = driver.services
        #expect(after.ec2.networkAcls.isEmpty && after.ec2.networkAclAssociations.isEmpty && after.ec2.vpcEndpoints.isEmpty)
        #expect(after.eks.clusters.isEmpty && after.autoScaling.groups.isEmpty)
        #expect(after.rds.globalClusters.isEmpty)
    }

    @Test func peeringRefusesOverlappingBlocksAndJoinsDisjointOnes() throws {
        let peering = """
            Parameters:
              PeerCidr: {Type: String}
            Resources:
              Left:
                Type: AWS::EC2::VPC
                Properties: {CidrBlock: 10.70.0.0/16}
              Right:
                Type: AWS::EC2::VPC
                Properties: {CidrBlock: !Ref PeerCidr}
              Peering:
                Type: AWS::EC2::VPCPeeringConnection
                Properties: {VpcId: !Ref Left, PeerVpcId: !Ref Right}
            """
        var driver = CloudFormationStackTests.Driver()
        _ = try driver.create(peering, parameters: ["PeerCidr": "10.70.128.0/17"])
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.events("odas").contains { $0.hasPrefix("Peering CREATE_FAILED The CIDR '10.70.128.0/17' of the peer VPC overlaps") }, "\(driver.events("odas"))")
        _ = try driver.create(peering, name: "joined", parameters: ["PeerCidr": "10.71.0.0/16"])
        let stack = try #require(driver.stack("joined"))
        #expect(stack.status == .createComplete)
        let peeringId = try #require(stack.resources["Peering"]?.physicalId)
        #expect(driver.services.ec2.peeringConnections[peeringId] != nil)
    }

    @Test func aSecondaryClusterInAnotherRegionJoinsTheGlobalDatabase() throws {
        var driver = CloudFormationStackTests.Driver()
        driver.cfn.availabilityZones["us-east-1"] = ["us-east-1a", "us-east-1b"]
        driver.faults.addRegion("us-east-1")
        for az in ["us-east-1a", "us-east-1b"] { driver.faults.addAvailabilityZone(az, region: "us-east-1") }
        _ = try driver.create("""
            Resources:
              Catalog:
                Type: AWS::RDS::DBCluster
                Properties: {Engine: aurora-mysql, DBClusterIdentifier: odas-catalog}
              Global:
                Type: AWS::RDS::GlobalCluster
                Properties: {GlobalClusterIdentifier: odas-global, SourceDBClusterIdentifier: !Ref Catalog}
            """)
        #expect(driver.stack("odas")?.status == .createComplete)
        let secondary = CloudFormationService.CreateStackRequest(stackName: "odas-east", templateBody: """
            Resources:
              Replica:
                Type: AWS::RDS::DBCluster
                Properties: {Engine: aurora-mysql, DBClusterIdentifier: odas-catalog-east, GlobalClusterIdentifier: odas-global}
            """, region: "us-east-1")
        _ = try driver.cfn.createStack(secondary, now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas-east")?.status == .createComplete, "\(driver.events("odas-east"))")
        #expect(driver.services.rds.instances["odas-catalog"]?.globalSecondaryRegion == "us-east-1")
        // The global cluster cannot go while the secondary is a member; it can after.
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas")?.status == .deleteFailed, "\(driver.events("odas"))")
        #expect(driver.events("odas").contains("Global DELETE_FAILED Global Cluster odas-global is not empty"))
        try driver.cfn.deleteStack("odas-east", now: driver.loop.now)
        driver.drain()
        #expect(driver.services.rds.instances["odas-catalog"]?.globalSecondaryRegion == nil)
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil && driver.services.rds.globalClusters.isEmpty, "\(driver.events("odas").joined(separator: "\n"))")
    }
}
