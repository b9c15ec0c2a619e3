/// AWS::EC2::LaunchTemplate (kept as the stack's record of LaunchTemplateData)
/// and AWS::AutoScaling::AutoScalingGroup over subnets of the EC2 fake, in the
/// Auto Scaling fake: the group launches its desired capacity balanced across
/// the zones that are up (launches into a zone that is down fail and go
/// elsewhere, as Auto Scaling does); with a CreationPolicy, each instance
/// whose user data calls cfn-signal signals after booting.
enum CFNAutoScalingHandler: CFNResourceHandler {
    static let types = ["AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration", "AWS::AutoScaling::AutoScalingGroup"]

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        if request.type == "AWS::EC2::LaunchTemplate" {
            guard let data = request.properties["LaunchTemplateData"]?.mapValue else {
                _ = try request.requiredValue("LaunchTemplateData")
                return .init(type: request.type, physicalId: "", attributes: [:])
            }
            let id = "lt-" + String(request.generatedName.suffix(13)).lowercased() + "0000"
            return .init(type: request.type, physicalId: id, attributes: [
                "LaunchTemplateId": .string(id), "DefaultVersionNumber": .string("1"), "LatestVersionNumber": .string("1"),
                "LaunchTemplateData": .map(data),
            ])
        }
        if request.type == "AWS::AutoScaling::LaunchConfiguration" {
            _ = try request.required("ImageId")
            let type = try request.required("InstanceType")
            let name = request.string("LaunchConfigurationName") ?? request.generatedName
            // Kept in LaunchTemplateData's shape, so a group reads either the same way.
            var data = CFNMap([("InstanceType", .string(type)), ("SecurityGroupIds", .list(request.strings("SecurityGroups").map(CFNValue.string)))])
            if let profile = request.string("IamInstanceProfile") { data["IamInstanceProfile"] = .map(CFNMap([("Name", .string(profile))])) }
            if let userData = request.properties["UserData"] { data["UserData"] = userData }
            return .init(type: request.type, physicalId: name, attributes: ["LaunchTemplateData": .map(data)])
        }
        let name = request.string("AutoScalingGroupName") ?? request.generatedName
        guard services.autoScaling.groups[name] == nil else { throw CFNError("AlreadyExists", "AutoScalingGroup by this name already exists - A group with the name \(name) already exists") }
        guard let minSize = Int(request.string("MinSize") ?? ""), let maxSize = Int(request.string("MaxSize") ?? ""), minSize <= maxSize else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: MinSize and MaxSize are required, MinSize ≤ MaxSize")
        }
        let desired = Int(request.string("DesiredCapacity") ?? "") ?? minSize
        let subnetIds = request.strings("VPCZoneIdentifier")
        guard !subnetIds.isEmpty else {
            throw CFNError("ValidationError", "odas-sim simulates groups in VPC subnets: VPCZoneIdentifier is required")
        }
        let subnets = try groupSubnets(subnetIds, services)
        let data: CFNMap
        if let configuration = request.string("LaunchConfigurationName") {
            guard let found = request.stackResources.values.first(where: { $0.type == "AWS::AutoScaling::LaunchConfiguration" && $0.physicalId == configuration })?
                .attributes["LaunchTemplateData"]?.mapValue else {
                throw CFNError("ValidationError", "Launch configuration name not found - Launch configuration \(configuration) not found")
            }
            data = found
        } else {
            guard let templateId = request.properties["LaunchTemplate"]?.mapValue?["LaunchTemplateId"]?.scalarText,
                  let found = launchTemplateData(templateId, request) else {
                throw CFNError("ValidationError", "odas-sim simulates groups with a LaunchTemplate (LaunchTemplateId and Version) or a LaunchConfigurationName of the same stack")
            }
            data = found
        }
        let template = launchTemplate(data)
        let targetGroups = request.strings("TargetGroupARNs")
        if targetGroups.contains(where: { services.elbv2.targetGroups[$0] == nil }) {
            throw CFNError("ValidationError", "Provided Target Groups may not be valid. Please ensure they exist and try again.")
        }
        services.autoScaling.createAutoScalingGroup(name: name, region: request.region, subnets: subnets, minSize: minSize, maxSize: maxSize,
                                                    desiredCapacity: desired, template: template, targetGroupARNs: targetGroups,
                                                    ec2: &services.ec2, faults: request.faults,
                                                    now: request.now)
        return .init(type: request.type, physicalId: name, attributes: [:])
    }

    /// In place: a launch template's data (a new version), a group's sizes,
    /// launch template version and target groups (the type reference's
    /// "Update requires: No interruption").
    static func updatableProperties(_ type: String) -> Set<String> {
        switch type {
        case "AWS::EC2::LaunchTemplate": return ["LaunchTemplateData", "Tags", "TagSpecifications"]
        case "AWS::AutoScaling::AutoScalingGroup":
            return ["MinSize", "MaxSize", "DesiredCapacity", "LaunchTemplate", "TargetGroupARNs", "VPCZoneIdentifier", "Tags"]
        default: return ["Tags"]
        }
    }

    static func update(_ request: CFNResourceRequest, previous: CFNMap, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        guard var state = request.state else { throw CFNError("InternalFailure", "\(request.logicalId) has no physical resource to update") }
        if request.type == "AWS::EC2::LaunchTemplate" {
            // A change of LaunchTemplateData is a new version, made the latest and the default.
            let version = String((Int(state.attributes["LatestVersionNumber"]?.scalarText ?? "1") ?? 1) + 1)
            state.attributes["LatestVersionNumber"] = .string(version)
            state.attributes["DefaultVersionNumber"] = .string(version)
            if let data = request.properties["LaunchTemplateData"] { state.attributes["LaunchTemplateData"] = data }
            return state
        }
        guard request.type == "AWS::AutoScaling::AutoScalingGroup", let group = services.autoScaling.groups[state.physicalId] else { return state }
        guard let minSize = Int(request.string("MinSize") ?? ""), let maxSize = Int(request.string("MaxSize") ?? ""), minSize <= maxSize else {
            throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: MinSize and MaxSize are required, MinSize ≤ MaxSize")
        }
        let desired = Int(request.string("DesiredCapacity") ?? "") ?? group.desiredCapacity
        var template = group.template
        if let templateId = request.properties["LaunchTemplate"]?.mapValue?["LaunchTemplateId"]?.scalarText, let data = launchTemplateData(templateId, request) {
            template = launchTemplate(data)
        }
        let targetGroups = request.strings("TargetGroupARNs")
        if targetGroups.contains(where: { services.elbv2.targetGroups[$0] == nil }) {
            throw CFNError("ValidationError", "Provided Target Groups may not be valid. Please ensure they exist and try again.")
        }
        // Attaching a target group registers the group's instances; detaching one deregisters them.
        let running = group.instances.compactMap { services.ec2.instances[$0] }.filter { $0.state == .running || $0.state == .pending }
        for arn in targetGroups where !group.targetGroupARNs.contains(arn) {
            try? services.elbv2.registerTargets(arn, running.map { ($0.id, nil, $0.availabilityZone) })
        }
        for arn in group.targetGroupARNs where !targetGroups.contains(arn) {
            try? services.elbv2.deregisterTargets(arn, ids: running.map(\.id), now: request.now)
        }
        services.autoScaling.setTargetGroups(state.physicalId, targetGroups)
        let subnets = try groupSubnets(request.strings("VPCZoneIdentifier"), services)
        services.autoScaling.updateAutoScalingGroup(state.physicalId, minSize: minSize, maxSize: maxSize, desiredCapacity: desired, template: template,
                                                    subnets: subnets, ec2: &services.ec2, faults: request.faults, now: request.now)
        return state
    }

    /// A group's subnets, each of which must exist.
    static func groupSubnets(_ ids: [String], _ services: CFNServices) throws(CFNError) -> [GroupSubnet] {
        var subnets: [GroupSubnet] = []
        for id in ids {
            guard let subnet = services.ec2.subnets[id] else { throw CFNError("ValidationError", "The subnet ID '\(id)' does not exist") }
            subnets.append(GroupSubnet(id: id, availabilityZone: subnet.availabilityZone, cidr: subnet.cidr))
        }
        return subnets
    }

    /// What a group launches, from LaunchTemplateData (or a launch configuration kept in its shape).
    static func launchTemplate(_ data: CFNMap) -> LaunchTemplate {
        var profile = data["IamInstanceProfile"]?.mapValue?["Name"]?.scalarText ?? data["IamInstanceProfile"]?.mapValue?["Arn"]?.scalarText
        if let named = profile, named.hasPrefix("arn:") { profile = named.split(separator: "/").last.map(String.init) }
        return LaunchTemplate(instanceType: data["InstanceType"]?.scalarText ?? "m5.large",
                              securityGroups: data["SecurityGroupIds"]?.listValue?.compactMap(\.scalarText) ?? [], instanceProfile: profile)
    }

    /// The LaunchTemplateData of a template this stack created.
    static func launchTemplateData(_ id: String, _ request: CFNResourceRequest) -> CFNMap? {
        request.stackResources.values.first { $0.type == "AWS::EC2::LaunchTemplate" && $0.physicalId == id }?.attributes["LaunchTemplateData"]?.mapValue
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId, request.type == "AWS::AutoScaling::AutoScalingGroup" else { return }
        // (Launch templates and configurations are the stack's records; nothing to delete in the fakes.)
        services.autoScaling.deleteAutoScalingGroup(id, ec2: &services.ec2)
    }
}
