import SimCore

/// A resource type the engine creates: what `Ref` returns, its `Fn::GetAtt`
/// attributes (the type's documented return values,
/// AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html),
/// how long creation takes on virtual time, and where that number comes from.
public struct CFNResourceType: Sendable {
    public var name: String
    /// What `Ref` returns, as the type's reference page says.
    public var ref: String
    public var attributes: [String]
    /// Creation time on the virtual clock: a seeded draw in this range.
    public var creation: ClosedRange<SimDuration>
    /// The source of `creation` (docs/fidelity.md, CloudFormation).
    public var durationSource: String
    /// IAM resources need CAPABILITY_IAM (CAPABILITY_NAMED_IAM with a custom name).
    public var isIAM: Bool = false
    /// The name property that, when set, needs CAPABILITY_NAMED_IAM.
    public var nameProperty: String? = nil

}

/// A creation time range in seconds.
func span(_ low: Int64, _ high: Int64) -> ClosedRange<SimDuration> { SimDuration.seconds(low)...SimDuration.seconds(high) }

/// The resource types odas-sim simulates. Anything else is refused when the
/// template is validated, with the types named; nothing is skipped silently.
public enum CFNResourceTypes {
    static let quick = "no AWS figure published; seconds, as observed (model assumption)"

    public static let all: [String: CFNResourceType] = {
        var types: [CFNResourceType] = [
            // EC2 and VPC
            .init(name: "AWS::EC2::VPC", ref: "the VPC id", attributes: ["CidrBlock", "CidrBlockAssociations", "DefaultNetworkAcl", "DefaultSecurityGroup", "Ipv6CidrBlocks", "VpcId"],
                  creation: span(2, 15), durationSource: quick),
            .init(name: "AWS::EC2::Subnet", ref: "the subnet id", attributes: ["AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "Ipv6CidrBlocks", "NetworkAclAssociationId", "OutpostArn", "SubnetId", "VpcId"],
                  creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::InternetGateway", ref: "the gateway id", attributes: ["InternetGatewayId"], creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::VPCGatewayAttachment", ref: "the attachment id", attributes: [], creation: span(10, 20), durationSource: quick),
            .init(name: "AWS::EC2::RouteTable", ref: "the route table id", attributes: ["RouteTableId"], creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::Route", ref: "the route id", attributes: [], creation: span(2, 30), durationSource: quick),
            .init(name: "AWS::EC2::SubnetRouteTableAssociation", ref: "the association id", attributes: ["Id"], creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::NatGateway", ref: "the NAT gateway id", attributes: ["NatGatewayId"], creation: span(60, 180),
                  durationSource: "no AWS figure published; one to three minutes as commonly observed (model assumption)"),
            .init(name: "AWS::EC2::EIP", ref: "the public IP address", attributes: ["AllocationId", "PublicIp"], creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::SecurityGroup", ref: "the group id", attributes: ["GroupId", "VpcId"], creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::SecurityGroupIngress", ref: "the rule id", attributes: ["Id"], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::EC2::SecurityGroupEgress", ref: "the rule id", attributes: ["Id"], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::EC2::Instance", ref: "the instance id", attributes: ["AvailabilityZone", "InstanceId", "PrivateDnsName", "PrivateIp", "PublicDnsName", "PublicIp", "VpcId"],
                  creation: span(30, 60), durationSource: "until the instance is running: tens of seconds (EC2 instance lifecycle; model assumption)"),
            .init(name: "AWS::EC2::LaunchTemplate", ref: "the launch template id", attributes: ["DefaultVersionNumber", "LatestVersionNumber", "LaunchTemplateId"],
                  creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::EC2::VPCPeeringConnection", ref: "the peering connection id", attributes: ["Id"], creation: span(5, 30), durationSource: quick),
            .init(name: "AWS::EC2::VPCEndpoint", ref: "the endpoint id", attributes: ["CreationTimestamp", "DnsEntries", "Id", "NetworkInterfaceIds"],
                  creation: span(30, 120), durationSource: "interface endpoints take a minute or two to become available (model assumption)"),
            .init(name: "AWS::EC2::NetworkAcl", ref: "the network ACL id", attributes: ["Id"], creation: span(2, 10), durationSource: quick),
            .init(name: "AWS::EC2::NetworkAclEntry", ref: "the entry id", attributes: ["Id"], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::EC2::SubnetNetworkAclAssociation", ref: "the association id", attributes: ["AssociationId"], creation: span(1, 5), durationSource: quick),
            // Auto Scaling
            .init(name: "AWS::AutoScaling::AutoScalingGroup", ref: "the group name", attributes: [], creation: span(30, 90),
                  durationSource: "the group and its first launches; with a CreationPolicy, until the signals (model assumption)"),
            .init(name: "AWS::AutoScaling::LaunchConfiguration", ref: "the launch configuration name", attributes: [], creation: span(1, 5), durationSource: quick),
            // IAM
            .init(name: "AWS::IAM::Role", ref: "the role name", attributes: ["Arn", "RoleId"], creation: span(2, 15), durationSource: quick, isIAM: true, nameProperty: "RoleName"),
            .init(name: "AWS::IAM::Policy", ref: "the policy id", attributes: ["Id"], creation: span(2, 15), durationSource: quick, isIAM: true),
            .init(name: "AWS::IAM::RolePolicy", ref: "the policy id", attributes: [], creation: span(2, 15), durationSource: quick, isIAM: true),
            .init(name: "AWS::IAM::ManagedPolicy", ref: "the policy ARN", attributes: ["PolicyArn", "PolicyId"], creation: span(2, 15), durationSource: quick,
                  isIAM: true, nameProperty: "ManagedPolicyName"),
            .init(name: "AWS::IAM::InstanceProfile", ref: "the instance profile name", attributes: ["Arn"], creation: span(60, 130),
                  durationSource: "CloudFormation waits for the profile to propagate: about two minutes, as commonly observed (model assumption)",
                  isIAM: true, nameProperty: "InstanceProfileName"),
            .init(name: "AWS::IAM::User", ref: "the user name", attributes: ["Arn"], creation: span(2, 15), durationSource: quick, isIAM: true, nameProperty: "UserName"),
            .init(name: "AWS::IAM::Group", ref: "the group name", attributes: ["Arn"], creation: span(2, 15), durationSource: quick, isIAM: true, nameProperty: "GroupName"),
            // S3 and KMS
            .init(name: "AWS::S3::Bucket", ref: "the bucket name", attributes: ["Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"],
                  creation: span(2, 25), durationSource: quick),
            .init(name: "AWS::S3::BucketPolicy", ref: "the bucket name", attributes: [], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::KMS::Key", ref: "the key id", attributes: ["Arn", "KeyId"], creation: span(5, 30), durationSource: quick),
            .init(name: "AWS::KMS::Alias", ref: "the alias name", attributes: [], creation: span(1, 5), durationSource: quick),
            // RDS
            .init(name: "AWS::RDS::DBInstance", ref: "the DB instance identifier",
                  attributes: ["DBInstanceArn", "DbiResourceId", "Endpoint.Address", "Endpoint.HostedZoneId", "Endpoint.Port"],
                  creation: span(480, 720),
                  durationSource: "single-AZ: about ten minutes (model assumption); Multi-AZ: \"roughly 20 minutes or more\" (AWS Administration Cookbook; no official figure)"),
            .init(name: "AWS::RDS::DBCluster", ref: "the DB cluster identifier",
                  attributes: ["DBClusterArn", "DBClusterResourceId", "Endpoint.Address", "Endpoint.Port", "ReadEndpoint.Address"],
                  creation: span(300, 600), durationSource: "no AWS figure published; five to ten minutes (model assumption)"),
            .init(name: "AWS::RDS::DBSubnetGroup", ref: "the subnet group name", attributes: [], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::RDS::DBParameterGroup", ref: "the parameter group name", attributes: [], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::RDS::DBClusterParameterGroup", ref: "the parameter group name", attributes: [], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::RDS::GlobalCluster", ref: "the global cluster identifier", attributes: [], creation: span(30, 90), durationSource: quick),
            // Route 53
            .init(name: "AWS::Route53::HostedZone", ref: "the hosted zone id", attributes: ["Id", "NameServers"], creation: span(30, 60),
                  durationSource: "until the change is INSYNC, under a minute (Route 53 GetChange; model assumption)"),
            .init(name: "AWS::Route53::RecordSet", ref: "the record name", attributes: [], creation: span(30, 60),
                  durationSource: "until the change is INSYNC, under a minute (Route 53 GetChange; model assumption)"),
            .init(name: "AWS::Route53::RecordSetGroup", ref: "the record set group name", attributes: [], creation: span(30, 60),
                  durationSource: "until the change is INSYNC, under a minute (Route 53 GetChange; model assumption)"),
            .init(name: "AWS::Route53::HealthCheck", ref: "the health check id", attributes: ["HealthCheckId"], creation: span(2, 10), durationSource: quick),
            // EKS
            .init(name: "AWS::EKS::Cluster", ref: "the cluster name",
                  attributes: ["Arn", "CertificateAuthorityData", "ClusterSecurityGroupId", "EncryptionConfigKeyArn", "Endpoint", "Id", "OpenIdConnectIssuerUrl"],
                  creation: span(600, 900), durationSource: "\"Cluster creation typically takes between 10 and 15 minutes\" (EKS API Reference, CreateCluster, earlier revision)"),
            .init(name: "AWS::EKS::Nodegroup", ref: "clusterName/nodegroupName", attributes: ["Arn", "ClusterName", "Id", "NodegroupName"],
                  creation: span(150, 300), durationSource: "no AWS figure published; a few minutes until the nodes join (model assumption)"),
            // Elastic Load Balancing v2
            .init(name: "AWS::ElasticLoadBalancingV2::LoadBalancer", ref: "the load balancer ARN",
                  attributes: ["CanonicalHostedZoneID", "DNSName", "LoadBalancerArn", "LoadBalancerFullName", "LoadBalancerName", "SecurityGroups"],
                  creation: span(120, 240), durationSource: "provisioning to active takes a few minutes (model assumption)"),
            .init(name: "AWS::ElasticLoadBalancingV2::TargetGroup", ref: "the target group ARN",
                  attributes: ["LoadBalancerArns", "TargetGroupArn", "TargetGroupFullName", "TargetGroupName"], creation: span(1, 5), durationSource: quick),
            .init(name: "AWS::ElasticLoadBalancingV2::Listener", ref: "the listener ARN", attributes: ["ListenerArn"], creation: span(1, 5), durationSource: quick),
            // CloudFormation
            .init(name: "AWS::CloudFormation::WaitConditionHandle", ref: "the presigned URL signals are sent to", attributes: [], creation: span(1, 2), durationSource: quick),
            .init(name: "AWS::CloudFormation::WaitCondition", ref: "the wait condition's name", attributes: ["Data"], creation: span(1, 2),
                  durationSource: "until its signals arrive or its Timeout passes"),
            .init(name: "AWS::CloudFormation::Stack", ref: "the nested stack's id", attributes: [], creation: span(5, 10),
                  durationSource: "the nested stack's own creation"),
        ]
        types.sort { $0.name < $1.name }
        return Dictionary(uniqueKeysWithValues: types.map { ($0.name, $0) })
    }()

    /// Whether `attribute` is a return value of `type` (a nested stack's `Outputs.Name` always is).
    public static func supports(_ type: String, attribute: String) -> Bool {
        if type == "AWS::CloudFormation::Stack" { return attribute.hasPrefix("Outputs.") }
        return all[type]?.attributes.contains(attribute) == true
    }
}
