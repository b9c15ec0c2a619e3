@testable import AWSSim
import SimCore
import Testing

/// Stack updates: in place, by replacement, added and removed resources, the
/// cleanup, a failed update's rollback, and UPDATE change sets.
@Suite struct CloudFormationUpdateTests {
    typealias Driver = CloudFormationStackTests.Driver

    static let template = """
        Parameters:
          NodeCount: {Type: Number, Default: 2}
          SubnetCidr: {Type: String, Default: 10.70.0.0/24}
          AdminCidr: {Type: String, Default: 10.70.250.0/24}
        Resources:
          Vpc:
            Type: AWS::EC2::VPC
            Properties: {CidrBlock: 10.70.0.0/16}
          SubnetA:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: !Ref SubnetCidr, AvailabilityZone: !Select [0, !GetAZs ""]}
          SubnetB:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: 10.70.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          Admin:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: admin ports
              VpcId: !Ref Vpc
              SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AdminCidr}]
          Bastion:
            Type: AWS::EC2::Instance
            Properties: {ImageId: ami-0abcdef1234567890, SubnetId: !Ref SubnetA, SecurityGroupIds: [!GetAtt Admin.GroupId]}
          Template:
            Type: AWS::EC2::LaunchTemplate
            Properties:
              LaunchTemplateData: {ImageId: ami-0abcdef1234567890, InstanceType: m5.large}
          Nodes:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties:
              MinSize: !Ref NodeCount
              MaxSize: "6"
              DesiredCapacity: !Ref NodeCount
              VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
              LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}
          Logs:
            Type: AWS::S3::Bucket
            Properties: {BucketName: odas-update-logs}
        Outputs:
          Subnet: {Value: !Ref SubnetA, Export: {Name: odas-subnet}}
        """

    static func created() throws -> Driver {
        var driver = Driver()
        _ = try driver.create(template)
        #expect(driver.stack("odas")?.status == .createComplete, "\(driver.events("odas"))")
        return driver
    }

    static func update(_ driver: inout Driver, _ body: String = template, parameters: [String: String] = [:],
                       previous: Set<String> = []) throws {
        var request = CloudFormationService.CreateStackRequest(stackName: "odas", templateBody: body, region: "us-west-2")
        request.parameters = parameters
        request.usePreviousValues = previous
        _ = try driver.cfn.updateStack(request, now: driver.loop.now)
        driver.drain()
    }

    /// The events since the last stack-level `User Initiated` one.
    static func lastUpdate(_ driver: Driver) -> [String] {
        let events = driver.events("odas")
        guard let start = events.lastIndex(of: "odas UPDATE_IN_PROGRESS User Initiated") else { return [] }
        return Array(events[start...])
    }

    @Test func aParameterChangeUpdatesTheGroupInPlace() throws {
        var driver = try Self.created()
        let group = try #require(driver.stack("odas")?.resources["Nodes"]?.physicalId)
        try Self.update(&driver, parameters: ["NodeCount": "4"])
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateComplete, "\(driver.events("odas"))")
        #expect(Self.lastUpdate(driver) == ["odas UPDATE_IN_PROGRESS User Initiated", "Nodes UPDATE_IN_PROGRESS", "Nodes UPDATE_COMPLETE",
                                            "odas UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "odas UPDATE_COMPLETE"])
        #expect(stack.resources["Nodes"]?.physicalId == group && stack.resources["Nodes"]?.status == .updateComplete)
        #expect(stack.parameters.first { $0.key == "NodeCount" }?.value == "4" && stack.lastUpdatedTime != nil)
        let scaled = try #require(driver.services.autoScaling.groups[group])
        #expect(scaled.desiredCapacity == 4 && scaled.instances.count == 4)
        // Smaller again: the group terminates from its fullest zones, newest first, and stays balanced.
        try Self.update(&driver, parameters: ["NodeCount": "2"])
        let shrunk = try #require(driver.services.autoScaling.groups[group])
        #expect(shrunk.instances.count == 2)
        #expect(Set(shrunk.instances.compactMap { driver.services.ec2.instances[$0]?.availabilityZone }).count == 2)
        #expect(driver.services.autoScaling.notices.contains { if case .terminated(_, _, _, let reason) = $0 { return reason == "desired capacity changed from 4 to 2" }; return false })
    }

    @Test func nothingToChangeIsRefusedAsAWSRefusesIt() throws {
        var driver = try Self.created()
        #expect(throws: CFNError("ValidationError", "No updates are to be performed.")) { try Self.update(&driver) }
        let request = CloudFormationService.CreateStackRequest(stackName: "odas", templateBody: Self.template, region: "us-west-2")
        let ids = try driver.cfn.createChangeSet(name: "again", type: "UPDATE", description: nil, request, now: driver.loop.now)
        let changeSet = try #require(driver.cfn.changeSets[ids.changeSetId])
        #expect(changeSet.status == "FAILED" && changeSet.executionStatus == "UNAVAILABLE")
        #expect(changeSet.statusReason == "The submitted information didn't contain changes. Submit different information to create a change set.")
        #expect(throws: CFNError.self) { try driver.cfn.executeChangeSet(ids.changeSetId, stack: nil, disableRollback: nil, now: driver.loop.now) }
    }

    @Test func aReplacementCreatesTheNewResourceFirstAndDeletesTheOldInTheCleanup() throws {
        var driver = try Self.created()
        let before = try #require(driver.stack("odas"))
        let oldSubnet = try #require(before.resources["SubnetA"]?.physicalId)
        let oldBastion = try #require(before.resources["Bastion"]?.physicalId)
        try Self.update(&driver, parameters: ["SubnetCidr": "10.70.2.0/24"])
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateComplete, "\(driver.events("odas"))")
        let events = Self.lastUpdate(driver)
        #expect(events.contains("SubnetA UPDATE_IN_PROGRESS Requested update requires the creation of a new physical resource; hence creating one."))
        let newSubnet = try #require(stack.resources["SubnetA"]?.physicalId)
        #expect(newSubnet != oldSubnet && driver.services.ec2.subnets[newSubnet]?.cidr.description == "10.70.2.0/24")
        // Its dependents follow: the instance moves to the new subnet (a replacement), the group is updated in place.
        #expect(stack.resources["Bastion"]?.physicalId != oldBastion)
        #expect(events.contains("Nodes UPDATE_COMPLETE"))
        // The cleanup deletes the old ones, dependents first, under their old physical ids.
        let cleanup = try #require(stack.events.lastIndex { $0.resourceStatus == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" })
        let deleted = stack.events[cleanup...].filter { $0.resourceStatus == "DELETE_COMPLETE" }.map(\.physicalResourceId)
        #expect(deleted == [oldBastion, oldSubnet])
        #expect(driver.services.ec2.subnets[oldSubnet] == nil && driver.services.ec2.instances[oldBastion]?.state == .terminated)
        #expect(stack.outputs.first { $0.key == "Subnet" }?.value == newSubnet)
        #expect(driver.cfn.exports["us-west-2"]?["odas-subnet"]?.value == newSubnet)
    }

    @Test func securityGroupRulesChangeInPlace() throws {
        var driver = try Self.created()
        let group = try #require(driver.stack("odas")?.resources["Admin"]?.physicalId)
        try Self.update(&driver, parameters: ["AdminCidr": "10.70.251.0/24"])
        #expect(driver.stack("odas")?.resources["Admin"]?.physicalId == group)
        let rules = try #require(driver.services.ec2.securityGroups[group]?.ingress)
        #expect(rules.map { "\($0.peer)" }.joined().contains("10.70.251.0/24") && !rules.map { "\($0.peer)" }.joined().contains("10.70.250.0/24"))
    }

    @Test func addedAndRemovedResources() throws {
        var driver = try Self.created()
        let bucketGone = Self.template.replacingOccurrences(of: "  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: odas-update-logs}\n", with: """
              Staging:
                Type: AWS::S3::Bucket
                Properties: {BucketName: odas-update-staging}

            """)
        #expect(bucketGone != Self.template)
        try Self.update(&driver, bucketGone)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateComplete, "\(driver.events("odas"))")
        #expect(Self.lastUpdate(driver).contains("Staging CREATE_COMPLETE") && Self.lastUpdate(driver).contains("Logs DELETE_COMPLETE"))
        #expect(stack.resources["Logs"] == nil && driver.services.s3.buckets["odas-update-logs"] == nil)
        #expect(driver.services.s3.buckets["odas-update-staging"] != nil)
    }

    @Test func aCustomNamedResourceCannotBeReplacedAndTheUpdateRollsBack() throws {
        var driver = try Self.created()
        let group = try #require(driver.stack("odas")?.resources["Nodes"]?.physicalId)
        let renamed = Self.template.replacingOccurrences(of: "Properties: {BucketName: odas-update-logs}",
                                                         with: "Properties: {BucketName: odas-update-logs, ObjectLockEnabled: true}")
        try Self.update(&driver, renamed, parameters: ["NodeCount": "3"])
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateRollbackComplete, "\(driver.events("odas"))")
        let events = Self.lastUpdate(driver)
        #expect(events.contains("Logs UPDATE_FAILED CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename odas-update-logs and update the stack again."))
        #expect(events.contains("odas UPDATE_ROLLBACK_IN_PROGRESS The following resource(s) failed to update: [Logs]. "))
        #expect(events.suffix(2) == ["odas UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "odas UPDATE_ROLLBACK_COMPLETE"])
        // What the update did in place is undone; the previous template and parameters are the stack's again.
        #expect(driver.services.autoScaling.groups[group]?.desiredCapacity == 2)
        #expect(stack.parameters.first { $0.key == "NodeCount" }?.value == "2" && stack.template.body == Self.template)
        #expect(driver.services.s3.buckets["odas-update-logs"] != nil)
        // It can be updated again.
        try Self.update(&driver, parameters: ["NodeCount": "3"])
        #expect(driver.stack("odas")?.status == .updateComplete)
    }

    @Test func aFailedAdditionIsDeletedByTheRollback() throws {
        var driver = try Self.created()
        let broken = Self.template.replacingOccurrences(of: "Outputs:", with: """
              Extra:
                Type: AWS::S3::Bucket
                Properties: {BucketName: odas-update-extra}
              Rule:
                Type: AWS::EC2::SecurityGroupIngress
                DependsOn: Extra
                Properties: {GroupId: sg-0000000000000000, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
            Outputs:
            """)
        try Self.update(&driver, broken)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateRollbackComplete, "\(driver.events("odas"))")
        #expect(Self.lastUpdate(driver).contains("odas UPDATE_ROLLBACK_IN_PROGRESS The following resource(s) failed to create: [Rule]. "))
        #expect(Self.lastUpdate(driver).contains("Extra DELETE_COMPLETE"))
        #expect(driver.services.s3.buckets["odas-update-extra"] == nil && stack.resources["Extra"] == nil)
    }

    @Test func theStackMustBeSettledAndTypesCannotChange() throws {
        var driver = Driver()
        var request = CloudFormationService.CreateStackRequest(stackName: "odas", templateBody: Self.template, region: "us-west-2")
        _ = try driver.cfn.createStack(request, now: driver.loop.now)
        let busy = #expect(throws: CFNError.self) { _ = try driver.cfn.updateStack(request, now: driver.loop.now) }
        #expect(busy?.message.hasSuffix("is in CREATE_IN_PROGRESS state and can not be updated.") == true, "\(busy?.message ?? "")")
        driver.drain()
        request.templateBody = Self.template.replacingOccurrences(of: "Type: AWS::S3::Bucket", with: "Type: AWS::KMS::Key")
        let retyped = #expect(throws: CFNError.self) { _ = try driver.cfn.updateStack(request, now: driver.loop.now) }
        #expect(retyped?.message == "Update of resource type is not permitted. The new template modifies resource type of the following resources: [Logs]")
        var missing = request
        missing.stackName = "nope"
        #expect(throws: CFNError("ValidationError", "Stack [nope] does not exist")) { _ = try driver.cfn.updateStack(missing, now: driver.loop.now) }
    }

    @Test func usePreviousValueKeepsAParameter() throws {
        var driver = try Self.created()
        try Self.update(&driver, parameters: ["NodeCount": "3"])
        try Self.update(&driver, parameters: ["AdminCidr": "10.70.252.0/24"], previous: ["NodeCount"])
        let stack = try #require(driver.stack("odas"))
        #expect(stack.parameters.first { $0.key == "NodeCount" }?.value == "3")
        #expect(stack.parameters.first { $0.key == "AdminCidr" }?.value == "10.70.252.0/24")
        #expect(driver.services.autoScaling.groups[stack.resources["Nodes"]?.physicalId ?? ""]?.desiredCapacity == 3)
    }

    @Test func anUpdateChangeSetListsItsChanges() throws {
        var driver = try Self.created()
        let body = Self.template.replacingOccurrences(of: "InstanceType: m5.large", with: "InstanceType: m5.xlarge")
            .replacingOccurrences(of: "  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: odas-update-logs}\n", with: "")
        var request = CloudFormationService.CreateStackRequest(stackName: "odas", templateBody: body, region: "us-west-2")
        request.parameters = ["SubnetCidr": "10.70.3.0/24"]
        let ids = try driver.cfn.createChangeSet(name: "resize", type: "UPDATE", description: "bigger nodes", request, now: driver.loop.now)
        let changes = try #require(driver.cfn.changeSets[ids.changeSetId]?.changes)
        let summary = changes.map { "\($0.action.rawValue) \($0.logicalId) \($0.replacement ?? "-") \($0.properties.joined(separator: ","))" }
        #expect(summary.contains("Modify SubnetA True CidrBlock"))
        #expect(summary.contains("Modify Bastion Conditional "))
        #expect(summary.contains("Modify Template False LaunchTemplateData"))
        #expect(summary.contains("Remove Logs - "))
        #expect(driver.stack("odas")?.status == .createComplete, "a change set changes nothing until it is executed")
        try driver.cfn.executeChangeSet("resize", stack: "odas", disableRollback: nil, now: driver.loop.now)
        driver.drain()
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateComplete, "\(driver.events("odas"))")
        #expect(stack.resources["Template"]?.state?.attributes["LatestVersionNumber"] == .string("2"))
        #expect(driver.services.autoScaling.groups[stack.resources["Nodes"]?.physicalId ?? ""]?.template.instanceType == "m5.xlarge")
        #expect(driver.services.s3.buckets["odas-update-logs"] == nil)
    }

    @Test func anExportInUseCannotChange() throws {
        var driver = try Self.created()
        let importer = """
            Resources:
              Extra:
                Type: AWS::EC2::Instance
                Properties: {ImageId: ami-0abcdef1234567890, SubnetId: !ImportValue odas-subnet}
            """
        _ = try driver.create(importer, name: "consumer")
        #expect(driver.stack("consumer")?.status == .createComplete)
        try Self.update(&driver, parameters: ["SubnetCidr": "10.70.4.0/24"])
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .updateRollbackComplete, "\(driver.events("odas"))")
        #expect(Self.lastUpdate(driver).contains("odas UPDATE_ROLLBACK_IN_PROGRESS Cannot update export odas-subnet as it is in use by consumer."))
        // The rollback deleted the replacement subnet: the stack's subnet is the one the consumer uses.
        let subnet = try #require(stack.resources["SubnetA"]?.physicalId)
        #expect(driver.cfn.exports["us-west-2"]?["odas-subnet"]?.value == subnet && driver.services.ec2.subnets[subnet] != nil)
        #expect(driver.services.ec2.subnets.count == 2)
    }

    @Test func anExportNameAnotherStackHasFailsTheUpdate() throws {
        var driver = try Self.created()
        _ = try driver.create("Resources:\n  B: {Type: AWS::S3::Bucket}\nOutputs:\n  N: {Value: !Ref B, Export: {Name: taken}}\n", name: "other")
        let clashing = Self.template + "\n  Vpc: {Value: !Ref Vpc, Export: {Name: taken}}\n"
        try Self.update(&driver, clashing)
        #expect(driver.stack("odas")?.status == .updateRollbackComplete, "\(driver.events("odas"))")
        #expect(Self.lastUpdate(driver).contains("odas UPDATE_ROLLBACK_IN_PROGRESS Export with name taken is already exported by stack other"))
        #expect(driver.cfn.exports["us-west-2"]?["taken"]?.stackId == driver.stack("other")?.stackId)
    }

    @Test func updatesAreDeterministic() throws {
        func run() throws -> [String] {
            var driver = try Self.created()
            try Self.update(&driver, parameters: ["SubnetCidr": "10.70.5.0/24", "NodeCount": "3"])
            return driver.stack("odas")?.events.map { "\($0.timestamp.nanosecondsSinceStart) \($0.logicalResourceId) \($0.physicalResourceId) \($0.resourceStatus)" } ?? []
        }
        #expect(try run() == run())
    }
}
