import Foundation
import Testing
import SimCore
@testable import AWSSim

/// Stacks on virtual time: creation in dependency order and in parallel,
/// AWS's event sequence, rollback that leaves the fakes clean, OnFailure,
/// DeletionPolicy, exports, wait-condition signals and their timeout.
@Suite struct CloudFormationStackTests {
    /// A CloudFormation service and the fakes it creates in, driven by an event loop.
    struct Driver {
        var cfn = CloudFormationService(account: "123456789012", random: SimRandom(seed: 7).stream("cfn"))
        var services = CFNServices(s3: S3Service(random: SimRandom(seed: 7).stream("s3")), iam: IAMService(account: "123456789012"),
                                   kms: KMSService(account: "123456789012"), ec2: EC2Service(random: SimRandom(seed: 7).stream("ec2")),
                                   rds: RDSService(random: SimRandom(seed: 7).stream("rds")),
                                   autoScaling: AutoScalingService(random: SimRandom(seed: 7).stream("asg")),
                                   route53: Route53Service(random: SimRandom(seed: 7).stream("route53")))
        var loop = EventLoop<CFNEvent>()
        var faults = FaultModel()

        init() {
            cfn.availabilityZones = ["us-west-2": ["us-west-2a", "us-west-2b", "us-west-2c"]]
            faults.addRegion("us-west-2")
            for az in ["us-west-2a", "us-west-2b", "us-west-2c"] { faults.addAvailabilityZone(az, region: "us-west-2") }
        }

        mutating func create(_ body: String, name: String = "odas", parameters: [String: String] = [:], onFailure: String? = nil,
                             capabilities: [String] = ["CAPABILITY_IAM"], timeout: Int? = nil) throws -> String {
            var request = CloudFormationService.CreateStackRequest(stackName: name, templateBody: body, region: "us-west-2")
            request.parameters = parameters
            request.onFailure = onFailure
            request.capabilities = capabilities
            request.timeoutInMinutes = timeout
            let id = try cfn.createStack(request, now: loop.now)
            drain()
            return id
        }

        /// Runs until nothing is scheduled (or `until`; a day by default).
        mutating func drain(until limit: SimInstant? = nil) {
            let until = limit ?? loop.now + .hours(24)
            while true {
                for (at, event) in cfn.outbox { _ = loop.schedule(event, at: at) }
                cfn.outbox.removeAll()
                guard let (_, event) = loop.next(until: until) else { return }
                cfn.handle(event, services: &services, faults: faults, now: loop.now)
            }
        }

        func stack(_ name: String) -> CFNStack? { cfn.stack(name) }
        func events(_ name: String) -> [String] {
            (cfn.stack(name)?.events ?? []).map { "\($0.logicalResourceId) \($0.resourceStatus)\($0.resourceStatusReason.map { " \($0)" } ?? "")" }
        }
    }

    static let prerequisites = """
        AWSTemplateFormatVersion: "2010-09-09"
        Description: ODAS prerequisites - log bucket with its KMS key, the node role and instance profile, the nodes' security group.
        Parameters:
          Environment: {Type: String, Default: prod, AllowedValues: [prod, dev]}
          AdminCidr: {Type: String, Default: 10.20.250.0/24}
          DbPassword: {Type: String, NoEcho: true, Default: not-a-real-password}
        Conditions:
          IsProd: !Equals [!Ref Environment, prod]
        Resources:
          LogKey:
            Type: AWS::KMS::Key
            Properties: {Description: !Sub "${AWS::StackName} log key"}
          LogKeyAlias:
            Type: AWS::KMS::Alias
            Properties: {AliasName: !Sub "alias/${AWS::StackName}-logs", TargetKeyId: !Ref LogKey}
          LogBucket:
            Type: AWS::S3::Bucket
            Properties:
              VersioningConfiguration: {Status: !If [IsProd, Enabled, Suspended]}
              BucketEncryption:
                ServerSideEncryptionConfiguration:
                  - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt LogKey.Arn}
          NodeRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]
              Policies:
                - PolicyName: write-logs
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement: [{Effect: Allow, Action: ["s3:PutObject"], Resource: !Sub "${LogBucket.Arn}/*"}]
          NodeProfile:
            Type: AWS::IAM::InstanceProfile
            Properties: {Roles: [!Ref NodeRole]}
          NodeGroup:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: ODAS nodes
              SecurityGroupIngress:
                - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AdminCidr}
          NodeToNode:
            Type: AWS::EC2::SecurityGroupIngress
            Properties: {GroupId: !GetAtt NodeGroup.GroupId, IpProtocol: "-1", SourceSecurityGroupId: !GetAtt NodeGroup.GroupId}
        Outputs:
          LogBucketName:
            Value: !Ref LogBucket
            Export: {Name: !Sub "${AWS::StackName}-LogBucket"}
          NodeProfileArn: {Value: !GetAtt NodeProfile.Arn}
        """

    @Test func aStackIsCreatedInDependencyOrderAndInParallel() throws {
        var driver = Driver()
        _ = try driver.create(Self.prerequisites)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas").joined(separator: "\n"))")
        // The fakes hold what the template declared.
        let bucketName = try #require(stack.outputs.first { $0.key == "LogBucketName" }?.value)
        #expect(bucketName.hasPrefix("odas-logbucket-"))
        let bucket = try #require(driver.services.s3.buckets[bucketName])
        #expect(bucket.versioning == .enabled)
        #expect(bucket.encryption?.algorithm == "aws:kms")
        #expect(bucket.encryption?.kmsMasterKeyID == stack.resources["LogKey"]?.state?.attributes["Arn"]?.scalarText)
        let roleName = try #require(stack.resources["NodeRole"]?.physicalId)
        #expect(driver.services.iam.roles[roleName]?.permissions.inlinePolicies.map(\.name) == ["write-logs"])
        let profile = try #require(stack.resources["NodeProfile"]?.physicalId)
        #expect(driver.services.iam.instanceProfiles[profile]?.roles == [roleName])
        let group = try #require(stack.resources["NodeGroup"]?.physicalId)
        #expect(driver.services.ec2.securityGroups[group]?.ingress.count == 2)
        #expect(driver.services.kms.aliases["us-west-2"]?["alias/odas-logs"] != nil)
        #expect(driver.cfn.exports["us-west-2"]?["odas-LogBucket"]?.value == bucketName)
        // AWS's sequence per resource; independent resources start together, dependents after their dependencies.
        let events = stack.events
        #expect(driver.events("odas").first == "odas CREATE_IN_PROGRESS User Initiated")
        #expect(driver.events("odas").last == "odas CREATE_COMPLETE")
        func at(_ id: String, _ status: String, _ reason: String? = nil) -> SimInstant? {
            events.first { $0.logicalResourceId == id && $0.resourceStatus == status && (reason == nil || $0.resourceStatusReason == reason) }?.timestamp
        }
        for id in ["LogKey", "NodeGroup"] { #expect(at(id, "CREATE_IN_PROGRESS") == .zero, "\(id) starts at once") }
        #expect(try #require(at("LogBucket", "CREATE_IN_PROGRESS")) == at("LogKey", "CREATE_COMPLETE"))
        #expect(try #require(at("NodeRole", "CREATE_IN_PROGRESS")) >= at("LogBucket", "CREATE_COMPLETE") ?? .zero)
        let profileTime = try #require(at("NodeProfile", "CREATE_COMPLETE")) - (at("NodeProfile", "CREATE_IN_PROGRESS") ?? .zero)
        #expect(profileTime >= .seconds(60) && profileTime <= .seconds(130), "an instance profile takes about two minutes")
        #expect(events.filter { $0.logicalResourceId == "LogBucket" }.map { $0.resourceStatusReason ?? "-" } == ["-", "Resource creation Initiated", "-"])
        #expect(stack.describedParameters.first { $0.key == "DbPassword" }?.value == "****")
    }

    @Test func theSameSeedGivesTheSameEvents() throws {
        var a = Driver(), b = Driver()
        _ = try a.create(Self.prerequisites)
        _ = try b.create(Self.prerequisites)
        #expect(a.stack("odas")?.events == b.stack("odas")?.events)
        #expect(a.stack("odas")?.stackId == b.stack("odas")?.stackId)
    }

    /// The prerequisites with the security group's rule broken: it fails after the key, role and bucket exist.
    static let failing = prerequisites.replacingOccurrences(of: "CidrIp: !Ref AdminCidr", with: "CidrIp: 10.20.250.0/33")

    @Test func aFailedCreateRollsBackAndLeavesTheFakesClean() throws {
        var driver = Driver()
        _ = try driver.create(Self.failing)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .rollbackComplete, "\(driver.events("odas"))")
        let events = driver.events("odas")
        #expect(events.contains("NodeGroup CREATE_FAILED CIDR block 10.20.250.0/33 is malformed"))
        #expect(events.contains("LogKey CREATE_FAILED Resource creation cancelled"), "the key was in flight: \(events)")
        #expect(events.contains("odas ROLLBACK_IN_PROGRESS The following resource(s) failed to create: [NodeGroup]. Rollback requested by user."))
        #expect(events.last == "odas ROLLBACK_COMPLETE")
        #expect(events.contains("LogKey DELETE_COMPLETE"))
        // Nothing is left behind: no bucket, role, profile or group; the key is pending deletion (KMS never deletes at once).
        #expect(driver.services.s3.buckets.isEmpty)
        #expect(driver.services.iam.roles.isEmpty && driver.services.iam.instanceProfiles.isEmpty)
        #expect(driver.services.ec2.securityGroups.isEmpty)
        #expect(driver.services.kms.keys.values.allSatisfy { $0.state == .pendingDeletion })
        // A corrected template under the same name can be created only after the failed stack is deleted.
        #expect(throws: CFNError.self) { _ = try driver.create(Self.prerequisites) }
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil)
        _ = try driver.create(Self.prerequisites)
        #expect(driver.stack("odas")?.status == .createComplete)
    }

    @Test func onFailureDoNothingKeepsAndDeleteRemoves() throws {
        var keep = Driver()
        _ = try keep.create(Self.failing, onFailure: "DO_NOTHING")
        #expect(keep.stack("odas")?.status == .createFailed)
        #expect(keep.events("odas").last == "odas CREATE_FAILED The following resource(s) failed to create: [NodeGroup]. ")
        #expect(!keep.services.kms.keys.isEmpty, "DO_NOTHING keeps what was created")
        var remove = Driver()
        let id = try remove.create(Self.failing, onFailure: "DELETE")
        #expect(remove.cfn.stacks[id]?.status == .deleteComplete)
        #expect(remove.stack("odas") == nil, "a deleted stack is found by id only")
        #expect(remove.services.iam.roles.isEmpty)
    }

    @Test func retainedResourcesSurviveDeletionAndFullBucketsFailIt() throws {
        var driver = Driver()
        let retained = Self.prerequisites.replacingOccurrences(of: "  LogBucket:\n    Type: AWS::S3::Bucket\n",
                                                               with: "  LogBucket:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n")
        _ = try driver.create(retained)
        let bucket = try #require(driver.stack("odas")?.resources["LogBucket"]?.physicalId)
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.cfn.stacks.values.first?.events.contains { $0.logicalResourceId == "LogBucket" && $0.resourceStatus == "DELETE_SKIPPED" } == true)
        #expect(driver.services.s3.buckets[bucket] != nil, "Retain keeps the bucket")
        #expect(driver.cfn.exports["us-west-2"]?.isEmpty ?? true)

        var full = Driver()
        _ = try full.create(Self.prerequisites)
        let name = try #require(full.stack("odas")?.resources["LogBucket"]?.physicalId)
        _ = try full.services.s3.putObject(bucket: name, key: "audit/1.log", body: Array("x".utf8), now: full.loop.now)
        try full.cfn.deleteStack("odas", now: full.loop.now)
        full.drain()
        #expect(full.stack("odas")?.status == .deleteFailed)
        #expect(full.events("odas").contains("LogBucket DELETE_FAILED The bucket you tried to delete is not empty"))
        #expect(full.events("odas").last == "odas DELETE_FAILED The following resource(s) failed to delete: [LogBucket]. ")
    }

    static let consumer = """
        Resources:
          Reader:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}
              Description: !Sub ["reads ${Bucket}", {Bucket: !ImportValue odas-LogBucket}]
        """

    @Test func exportsAreUniqueAndBlockDeletingTheirStack() throws {
        var driver = Driver()
        _ = try driver.create(Self.prerequisites)
        #expect(throws: CFNError.self) { _ = try driver.create(Self.consumer.replacingOccurrences(of: "odas-LogBucket", with: "nope"), name: "reader") }
        _ = try driver.create(Self.consumer, name: "reader")
        #expect(driver.stack("reader")?.status == .createComplete)
        let role = try #require(driver.stack("reader")?.resources["Reader"]?.physicalId)
        #expect(driver.services.iam.roles[role]?.description.hasPrefix("reads odas-logbucket-") == true)
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas")?.status == .deleteFailed)
        #expect(driver.stack("odas")?.statusReason == "Export odas-LogBucket cannot be deleted as it is in use by reader")
        // A second stack exporting the same name fails and rolls back.
        _ = try driver.create(Self.prerequisites.replacingOccurrences(of: "Name: !Sub \"${AWS::StackName}-LogBucket\"", with: "Name: odas-LogBucket"),
                              name: "copy")
        #expect(driver.stack("copy")?.status == .rollbackComplete)
        #expect(driver.events("copy").contains("copy ROLLBACK_IN_PROGRESS Export with name odas-LogBucket is already exported by stack odas Rollback requested by user."))
    }

    static let waiting = """
        Resources:
          Handle: {Type: AWS::CloudFormation::WaitConditionHandle}
          Installed:
            Type: AWS::CloudFormation::WaitCondition
            Properties: {Handle: !Ref Handle, Timeout: 300, Count: 1}
        """

    @Test func waitConditionsCompleteOnTheirSignalOrFailAtTheirTimeout() throws {
        var timeout = Driver()
        _ = try timeout.create(Self.waiting)
        #expect(timeout.stack("odas")?.status == .rollbackComplete)
        let failed = try #require(timeout.stack("odas")?.events.first { $0.resourceStatus == "CREATE_FAILED" })
        #expect(failed.resourceStatusReason == "Failed to receive 1 resource signal(s) within the specified duration")
        #expect(failed.timestamp >= .zero + .seconds(300))

        var signalled = Driver()
        var request = CloudFormationService.CreateStackRequest(stackName: "odas", templateBody: Self.waiting, region: "us-west-2")
        request.capabilities = []
        _ = try signalled.cfn.createStack(request, now: .zero)
        signalled.drain(until: .zero + .seconds(60))
        try signalled.cfn.signalResource("odas", logicalId: "Installed", uniqueId: "i-0abc", success: true, now: signalled.loop.now)
        signalled.drain()
        #expect(signalled.stack("odas")?.status == .createComplete)
        #expect(signalled.events("odas").contains("Installed CREATE_IN_PROGRESS Received SUCCESS signal with UniqueId i-0abc"))
    }

    @Test func createStackRefusesBeforeCreatingAnything() throws {
        var driver = Driver()
        do { _ = try driver.create(Self.prerequisites, capabilities: []); Issue.record("accepted") } catch let error as CFNError {
            #expect(error.code == "InsufficientCapabilitiesException" && error.message == "Requires capabilities : [CAPABILITY_IAM]")
        }
        do { _ = try driver.create(Self.prerequisites, name: "1odas"); Issue.record("accepted") } catch let error as CFNError {
            #expect(error.message.contains("at 'stackName' failed to satisfy constraint"))
        }
        do { _ = try driver.create(Self.prerequisites, parameters: ["Environment": "test"]); Issue.record("accepted") } catch let error as CFNError {
            #expect(error.message == "Parameter 'Environment' must be one of AllowedValues")
        }
        #expect(driver.cfn.stacks.isEmpty && driver.services.iam.roles.isEmpty)
        _ = try driver.create(Self.prerequisites)
        do { _ = try driver.create(Self.prerequisites); Issue.record("accepted") } catch let error as CFNError {
            #expect(error.code == "AlreadyExistsException" && error.message == "Stack [odas] already exists")
        }
    }

    @Test func aStackTimeoutFailsTheCreate() throws {
        var driver = Driver()
        _ = try driver.create(Self.waiting.replacingOccurrences(of: "Timeout: 300", with: "Timeout: 3600"), timeout: 5)
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.events("odas").contains("odas ROLLBACK_IN_PROGRESS Stack creation time exceeded the specified timeout. Rollback requested by user."))
    }

    static let database = """
        Parameters:
          MultiAZ: {Type: String, Default: "true", AllowedValues: ["true", "false"]}
        Resources:
          SubnetGroup:
            Type: AWS::RDS::DBSubnetGroup
            Properties: {DBSubnetGroupDescription: ODAS subnets, SubnetIds: [subnet-a, subnet-b]}
          Params:
            Type: AWS::RDS::DBParameterGroup
            Properties: {Description: ODAS catalog, Family: mysql8.0, Parameters: {max_connections: 500}}
          Catalog:
            Type: AWS::RDS::DBInstance
            DeletionPolicy: Snapshot
            Properties:
              DBInstanceIdentifier: odas-catalog
              Engine: mysql
              DBInstanceClass: db.r6g.large
              AllocatedStorage: 100
              MultiAZ: !Ref MultiAZ
              AvailabilityZone: us-west-2a
              DBSubnetGroupName: !Ref SubnetGroup
              DBParameterGroupName: !Ref Params
              MasterUsername: okera
              MasterUserPassword: not-a-real-password
        Outputs:
          Url: {Value: !Sub "jdbc:mysql://${Catalog.Endpoint.Address}:${Catalog.Endpoint.Port}/okera"}
        """

    @Test func aMultiAZDatabaseTakesAboutTwentyMinutesAndLeavesASnapshot() throws {
        var driver = Driver()
        _ = try driver.create(Self.database)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        let instance = try #require(driver.services.rds.instances["odas-catalog"])
        #expect(instance.multiAZ && instance.primaryAZ == "us-west-2a" && instance.standbyAZ == "us-west-2b")
        #expect(stack.outputs.first?.value == "jdbc:mysql://\(instance.endpoint):3306/okera")
        let started = try #require(stack.events.first { $0.logicalResourceId == "Catalog" }?.timestamp)
        let done = try #require(stack.events.first { $0.logicalResourceId == "Catalog" && $0.resourceStatus == "CREATE_COMPLETE" }?.timestamp)
        #expect(done - started >= .minutes(18) && done - started <= .minutes(25), "roughly 20 minutes or more for Multi-AZ")
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.services.rds.instances.isEmpty)
        #expect(driver.services.rds.snapshots["odas-catalog-snapshot"]?.instanceIdentifier == "odas-catalog")
    }

    @Test func aDatabaseInAZoneThatIsDownFailsToCreate() throws {
        var driver = Driver()
        _ = driver.faults.apply(.outage(.availabilityZone("us-west-2a")))
        _ = try driver.create(Self.database)
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.events("odas").contains("Catalog CREATE_FAILED Cannot create a database instance because there is not enough capacity available in the Availability Zone us-west-2a."))
        #expect(driver.services.rds.instances.isEmpty)
    }

    static let network = """
        Parameters:
          VpcCidr: {Type: String, Default: 10.40.0.0/16}
        Resources:
          Vpc:
            Type: AWS::EC2::VPC
            Properties: {CidrBlock: !Ref VpcCidr, EnableDnsHostnames: true}
          Gateway: {Type: AWS::EC2::InternetGateway}
          Attachment:
            Type: AWS::EC2::VPCGatewayAttachment
            Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
          PublicSubnet:
            Type: AWS::EC2::Subnet
            Properties:
              VpcId: !Ref Vpc
              CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
              AvailabilityZone: !Select [0, !GetAZs ""]
              MapPublicIpOnLaunch: true
          PrivateSubnet:
            Type: AWS::EC2::Subnet
            Properties:
              VpcId: !Ref Vpc
              CidrBlock: !Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
              AvailabilityZone: !Select [1, !GetAZs ""]
          PublicRoutes:
            Type: AWS::EC2::RouteTable
            Properties: {VpcId: !Ref Vpc}
          DefaultRoute:
            Type: AWS::EC2::Route
            DependsOn: Attachment
            Properties: {RouteTableId: !Ref PublicRoutes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}
          PublicAssociation:
            Type: AWS::EC2::SubnetRouteTableAssociation
            Properties: {SubnetId: !Ref PublicSubnet, RouteTableId: !Ref PublicRoutes}
          Bastion:
            Type: AWS::EC2::Instance
            DependsOn: [DefaultRoute, PublicAssociation]
            CreationPolicy:
              ResourceSignal: {Count: 1, Timeout: PT10M}
            Properties:
              ImageId: ami-0abcdef1234567890
              InstanceType: t3.micro
              SubnetId: !Ref PublicSubnet
              SecurityGroupIds: [!GetAtt Vpc.DefaultSecurityGroup]
              UserData:
                Fn::Base64: !Sub |
                  #!/bin/bash -xe
                  /opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource Bastion --region ${AWS::Region}
                  /opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Bastion --region ${AWS::Region}
        Outputs:
          BastionIp: {Value: !GetAtt Bastion.PublicIp}
        """

    @Test func aVPCWithAPublicSubnetAndASignallingInstance() throws {
        var driver = Driver()
        _ = try driver.create(Self.network)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        let subnet = try #require(stack.resources["PublicSubnet"]?.physicalId)
        #expect(driver.services.ec2.subnets[subnet]?.cidr.description == "10.40.0.0/24")
        #expect(driver.services.ec2.subnets[subnet]?.availabilityZone == "us-west-2a")
        #expect(driver.services.ec2.publicSubnets.contains(subnet), "the route to the attached gateway makes it public")
        #expect(stack.outputs.first?.value.hasPrefix("54.") == true)
        #expect(driver.events("odas").contains { $0.hasPrefix("Bastion CREATE_IN_PROGRESS Received SUCCESS signal with UniqueId i-") })
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil, "\(driver.cfn.stacks.values.first.map { $0.events.map { "\($0.logicalResourceId) \($0.resourceStatus) \($0.resourceStatusReason ?? "")" } } ?? [])")
        #expect(driver.services.ec2.vpcs.isEmpty && driver.services.ec2.subnets.isEmpty && driver.services.ec2.internetGateways.isEmpty)
        #expect(driver.services.ec2.instances.values.allSatisfy { $0.state == .terminated })
    }

    @Test func aRouteWithoutDependsOnTheAttachmentFailsAsOnAWS() throws {
        var driver = Driver()
        // Without DependsOn, the route races the attachment; here the attachment waits for a slow instance profile, so the route loses.
        let slow = """
              Role:
                Type: AWS::IAM::Role
                Properties: {AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}}
              Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}
              Attachment:
                Type: AWS::EC2::VPCGatewayAttachment
                DependsOn: Profile
            """
        let template = Self.network.replacingOccurrences(of: "    DependsOn: Attachment\n", with: "")
            .replacingOccurrences(of: "  Attachment:\n    Type: AWS::EC2::VPCGatewayAttachment\n", with: slow + "\n")
        #expect(template != Self.network && template.contains("DependsOn: Profile"))
        _ = try driver.create(template)
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.events("odas").contains { $0.hasPrefix("DefaultRoute CREATE_FAILED route table rtb-") && $0.contains("belong to different networks") })
        #expect(driver.services.ec2.vpcs.isEmpty)
    }

    @Test func anAZOutageWhileTheInstanceBootsMeansNoSignalAndARollback() throws {
        var driver = Driver()
        var request = CloudFormationService.CreateStackRequest(stackName: "odas", templateBody: Self.network, region: "us-west-2")
        request.capabilities = []
        _ = try driver.cfn.createStack(request, now: .zero)
        // Run until the instance is running and booting, then lose its zone.
        while driver.stack("odas")?.resources["Bastion"]?.state == nil {
            for (at, event) in driver.cfn.outbox { _ = driver.loop.schedule(event, at: at) }
            driver.cfn.outbox.removeAll()
            guard let (_, event) = driver.loop.next(until: .zero + .hours(1)) else { break }
            driver.cfn.handle(event, services: &driver.services, faults: driver.faults, now: driver.loop.now)
        }
        _ = driver.faults.apply(.outage(.availabilityZone("us-west-2a")))
        driver.drain()
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.events("odas").contains("Bastion CREATE_FAILED Failed to receive 1 resource signal(s) within the specified duration"))
        #expect(driver.services.ec2.vpcs.isEmpty && driver.services.ec2.subnets.isEmpty)
        // A second attempt while the zone is down fails at once: no capacity in us-west-2a.
        _ = try driver.create(Self.network, name: "again")
        #expect(driver.events("again").contains("Bastion CREATE_FAILED We currently do not have sufficient capacity in the Availability Zone you requested (us-west-2a)."))
    }

    static let nodes = """
        Resources:
          Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.50.0.0/16}}
          SubnetA: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.50.0.0/20, AvailabilityZone: us-west-2a}}
          SubnetB: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.50.16.0/20, AvailabilityZone: us-west-2b}}
          SubnetC: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.50.32.0/20, AvailabilityZone: us-west-2c}}
          NodeTemplate:
            Type: AWS::EC2::LaunchTemplate
            Properties:
              LaunchTemplateData:
                ImageId: ami-0abcdef1234567890
                InstanceType: m5.2xlarge
                SecurityGroupIds: [!GetAtt Vpc.DefaultSecurityGroup]
                UserData:
                  Fn::Base64: !Sub |
                    #!/bin/bash
                    /opt/okera/install.sh && /opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Nodes --region ${AWS::Region}
          Nodes:
            Type: AWS::AutoScaling::AutoScalingGroup
            CreationPolicy:
              ResourceSignal: {Count: 3, Timeout: PT15M}
            Properties:
              MinSize: "3"
              MaxSize: "6"
              DesiredCapacity: "3"
              VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB, !Ref SubnetC]
              LaunchTemplate: {LaunchTemplateId: !Ref NodeTemplate, Version: !GetAtt NodeTemplate.LatestVersionNumber}
        """

    @Test func anAutoScalingGroupSignalsOncePerInstanceAndAvoidsAZoneThatIsDown() throws {
        var driver = Driver()
        _ = try driver.create(Self.nodes)
        #expect(driver.stack("odas")?.status == .createComplete, "\(driver.events("odas"))")
        let group = try #require(driver.stack("odas")?.resources["Nodes"]?.physicalId)
        let instances = try #require(driver.services.autoScaling.groups[group]?.instances)
        #expect(Set(instances.compactMap { driver.services.ec2.instances[$0]?.availabilityZone }) == ["us-west-2a", "us-west-2b", "us-west-2c"])
        #expect(driver.events("odas").filter { $0.hasPrefix("Nodes CREATE_IN_PROGRESS Received SUCCESS signal") }.count == 3)
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.services.autoScaling.groups.isEmpty && driver.services.ec2.vpcs.isEmpty)

        var impaired = Driver()
        _ = impaired.faults.apply(.outage(.availabilityZone("us-west-2a")))
        _ = try impaired.create(Self.nodes)
        #expect(impaired.stack("odas")?.status == .createComplete, "the group launches elsewhere: \(impaired.events("odas"))")
        let launched = try #require(impaired.services.autoScaling.groups.values.first?.instances)
        #expect(launched.count == 3 && launched.allSatisfy { impaired.services.ec2.instances[$0]?.availabilityZone != "us-west-2a" })
    }

    @Test func route53RecordsAndHealthChecksNameTheStacksInstances() throws {
        let dns = Self.network.replacingOccurrences(of: "Outputs:", with: """
              Zone:
                Type: AWS::Route53::HostedZone
                Properties: {Name: odas.example.com.}
              BastionCheck:
                Type: AWS::Route53::HealthCheck
                Properties:
                  HealthCheckConfig: {Type: TCP, IPAddress: !GetAtt Bastion.PrivateIp, Port: 22, RequestInterval: 10, FailureThreshold: 2}
              BastionRecord:
                Type: AWS::Route53::RecordSet
                Properties:
                  HostedZoneId: !Ref Zone
                  Name: bastion.odas.example.com.
                  Type: A
                  TTL: "60"
                  ResourceRecords: [!GetAtt Bastion.PrivateIp]
                  HealthCheckId: !Ref BastionCheck
                  Failover: PRIMARY
                  SetIdentifier: primary
            Outputs:
            """)
        var driver = Driver()
        _ = try driver.create(dns)
        #expect(driver.stack("odas")?.status == .createComplete, "\(driver.events("odas"))")
        let record = try #require(driver.services.route53.records.first { $0.name == "bastion.odas.example.com" })
        #expect(record.target == "odas-Bastion", "the A record answers for the instance's host")
        #expect(record.routing == .failover(primary: true) && record.healthCheck != nil)
        let check = try #require(record.healthCheck.flatMap { driver.services.route53.healthChecks[$0] })
        #expect(check.target == .host("odas-Bastion") && check.requestInterval == .seconds(10))
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil, "\(driver.cfn.stacks.values.first?.events.suffix(6).map { "\($0.logicalResourceId) \($0.resourceStatus) \($0.resourceStatusReason ?? "")" } ?? [])")
        #expect(driver.services.route53.zone == nil && driver.services.route53.records.isEmpty && driver.services.route53.healthChecks.isEmpty)
    }

    @Test func awsTypedParametersAreCheckedAfterCreateStackReturns() throws {
        let template = """
            Parameters:
              Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
            Resources:
              Group: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: !Join [",", !Ref Subnets]}}
            """
        var driver = Driver()
        // CreateStack itself succeeds; the check is the stack's first event after "User Initiated".
        let id = try driver.create(template, parameters: ["Subnets": "subnet-0missing"])
        #expect(driver.cfn.stacks[id]?.status == .rollbackComplete)
        #expect(driver.events("odas").contains("odas ROLLBACK_IN_PROGRESS Parameter validation failed: parameter value subnet-0missing for parameter name Subnets does not exist. Rollback requested by user."))
        driver.services.ec2.register(subnet: EC2Subnet(id: "subnet-us-west-2a", vpcId: "vpc-1", region: "us-west-2", availabilityZone: "us-west-2a",
                                                       cidr: IPv4Block(address: 0x0A140000, prefixLength: 20), mapPublicIpOnLaunch: false))
        _ = try driver.create(template, name: "good", parameters: ["Subnets": "subnet-us-west-2a"])
        #expect(driver.stack("good")?.status == .createComplete)
    }

    @Test func aNATGatewayGivesThePrivateSubnetItsDefaultRoute() throws {
        let nat = Self.network.replacingOccurrences(of: "Outputs:", with: """
              NatAddress:
                Type: AWS::EC2::EIP
                DependsOn: Attachment
                Properties: {Domain: vpc}
              Nat:
                Type: AWS::EC2::NatGateway
                Properties: {SubnetId: !Ref PublicSubnet, AllocationId: !GetAtt NatAddress.AllocationId}
              PrivateRoutes: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
              PrivateDefault:
                Type: AWS::EC2::Route
                Properties: {RouteTableId: !Ref PrivateRoutes, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
              PrivateAssociation:
                Type: AWS::EC2::SubnetRouteTableAssociation
                Properties: {SubnetId: !Ref PrivateSubnet, RouteTableId: !Ref PrivateRoutes}
            Outputs:
            """)
        var driver = Driver()
        _ = try driver.create(nat)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        let natTime = try #require(stack.events.first { $0.logicalResourceId == "Nat" && $0.resourceStatus == "CREATE_COMPLETE" }?.timestamp)
            - (stack.events.first { $0.logicalResourceId == "Nat" }?.timestamp ?? .zero)
        #expect(natTime >= .seconds(60) && natTime <= .seconds(180), "a NAT gateway takes minutes")
        let privateSubnet = try #require(stack.resources["PrivateSubnet"]?.physicalId)
        #expect(!driver.services.ec2.publicSubnets.contains(privateSubnet), "a route through NAT does not make a subnet public")
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil)
        #expect(driver.services.ec2.natGateways.isEmpty && driver.services.ec2.elasticIPs.isEmpty && driver.services.ec2.vpcs.isEmpty)
    }

    @Test func usersAndGroupsAreCreatedAndDeletedWithTheirPolicies() throws {
        let template = """
            Resources:
              Analysts:
                Type: AWS::IAM::Group
                Properties:
                  Policies: [{PolicyName: read, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}}]
              Alice:
                Type: AWS::IAM::User
                Properties: {UserName: alice, Groups: [!Ref Analysts], ManagedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}
            Outputs:
              AliceArn: {Value: !GetAtt Alice.Arn}
            """
        var driver = Driver()
        _ = try driver.create(template, capabilities: ["CAPABILITY_NAMED_IAM"])
        #expect(driver.stack("odas")?.status == .createComplete, "\(driver.events("odas"))")
        #expect(driver.stack("odas")?.outputs.first?.value == "arn:aws:iam::123456789012:user/alice")
        let group = try #require(driver.stack("odas")?.resources["Analysts"]?.physicalId)
        #expect(driver.services.iam.groups[group]?.members == ["alice"])
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.services.iam.users.isEmpty && driver.services.iam.groups.isEmpty)
    }

    static let parent = """
        Parameters:
          Child: {Type: String, Default: network.yaml}
        Resources:
          Network:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: !Sub "https://templates.s3.us-west-2.amazonaws.com/${Child}"
              Parameters: {VpcCidr: 10.60.0.0/16}
          Logs:
            Type: AWS::S3::Bucket
            Properties:
              Tags: [{Key: subnet, Value: !GetAtt Network.Outputs.PublicSubnetId}]
        """

    @Test func nestedStacksComeFromS3AndShareTheirOutputs() throws {
        var driver = Driver()
        try driver.services.s3.createBucket("templates", region: "us-west-2")
        let child = Self.network.replacingOccurrences(of: "Outputs:", with: "Outputs:\n  PublicSubnetId: {Value: !Ref PublicSubnet}")
        _ = try driver.services.s3.putObject(bucket: "templates", key: "network.yaml", body: Array(child.utf8), now: .zero)
        _ = try driver.services.s3.putObject(bucket: "templates", key: "broken.yaml",
                                             body: Array(Self.network.replacingOccurrences(of: "CidrBlock: !Select [1,", with: "CidrBlock: !Select [0,").utf8), now: .zero)
        _ = try driver.create(Self.parent)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        let nestedId = try #require(stack.resources["Network"]?.physicalId)
        let nested = try #require(driver.cfn.stacks[nestedId])
        #expect(nested.stackName.hasPrefix("odas-Network-") && nested.status == .createComplete && nested.parent?.stackId == stack.stackId)
        let subnet = try #require(nested.outputs.first { $0.key == "PublicSubnetId" }?.value)
        let bucket = try #require(stack.resources["Logs"]?.physicalId)
        #expect(driver.services.s3.buckets[bucket]?.tags?["subnet"] == subnet)
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.cfn.stacks[nestedId]?.status == .deleteComplete && driver.stack("odas") == nil)
        #expect(driver.services.ec2.vpcs.isEmpty)

        // A nested stack that fails rolls back, and so does its parent.
        _ = try driver.create(Self.parent, name: "second", parameters: ["Child": "broken.yaml"])
        #expect(driver.stack("second")?.status == .rollbackComplete, "\(driver.events("second"))")
        #expect(driver.events("second").contains { $0.hasPrefix("Network CREATE_FAILED Embedded stack arn:aws:cloudformation:us-west-2:123456789012:stack/second-Network-")
            && $0.contains("was not successfully created: The following resource(s) failed to create: [P") }, "\(driver.events("second"))")
        #expect(driver.services.ec2.vpcs.isEmpty)
        // A missing template fails the resource with S3's words.
        _ = try driver.create(Self.parent, name: "third", parameters: ["Child": "missing.yaml"])
        #expect(driver.events("third").contains("Network CREATE_FAILED S3 error: The specified key does not exist."))
    }

    /// The shipped ODAS template (templates/odas.yaml) deploys against the fakes.
    @Test func theShippedODASTemplateDeploysAndDeletes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let body = try String(contentsOf: root.appendingPathComponent("templates/odas.yaml"), encoding: .utf8)
        var driver = Driver()
        _ = try driver.create(body, parameters: ["DBPassword": "not-a-real-password"])
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas").suffix(8))")
        let nodes = try #require(driver.services.autoScaling.groups[stack.resources["Nodes"]?.physicalId ?? ""]?.instances)
        #expect(Set(nodes.compactMap { driver.services.ec2.instances[$0]?.availabilityZone }).count == 3, "one node per zone")
        let database = try #require(driver.services.rds.instances.values.first)
        #expect(database.multiAZ && database.primaryAZ == "us-west-2a")
        #expect(stack.outputs.first { $0.key == "CatalogJdbcUrl" }?.value == "jdbc:mysql://\(database.endpoint):3306/okera")
        let end = try #require(stack.events.last?.timestamp)
        #expect(end > .zero + .minutes(18) && end < .zero + .minutes(60), "the Multi-AZ database dominates; under the waiter's hour")
        #expect(stack.describedParameters.first { $0.key == "DBPassword" }?.value == "****")
        // The service names alias the network load balancer in the external subnets; the group feeds its target groups.
        let balancer = try #require(driver.services.elbv2.loadBalancers.values.first)
        #expect(balancer.scheme == "internal" && balancer.zones.count == 3)
        #expect(driver.services.route53.zone?.name == "odas.internal")
        for name in ["planner.odas.internal", "rest.odas.internal"] {
            #expect(driver.services.route53.records.first { $0.name == name }?.aliasTarget == balancer.dnsName.lowercased(), "\(name)")
        }
        let group = try #require(driver.services.autoScaling.groups[stack.resources["Nodes"]?.physicalId ?? ""])
        #expect(group.targetGroupARNs.sorted() == [stack.resources["PlannerTargetGroup"]?.physicalId, stack.resources["RestTargetGroup"]?.physicalId].compactMap { $0 }.sorted())
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.stack("odas") == nil, "\(driver.cfn.stacks.values.first?.events.suffix(5).map { "\($0.logicalResourceId) \($0.resourceStatus) \($0.resourceStatusReason ?? "")" } ?? [])")
        #expect(driver.services.ec2.vpcs.isEmpty && driver.services.rds.instances.isEmpty && driver.services.rds.snapshots.count == 1)
        #expect(driver.services.elbv2.loadBalancers.isEmpty && driver.services.route53.records.isEmpty)
    }
}
