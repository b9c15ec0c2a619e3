import Foundation
import SimCore

/// AWS::EKS::Cluster and AWS::EKS::Nodegroup in the EKS fake: a cluster whose
/// control plane spans three of the region's zones, and managed node groups
/// backed by Auto Scaling groups (`eks-NODEGROUP-ID`) over the node group's
/// subnets, whose instances join the cluster as the EKS fake's node events say.
enum CFNEKSHandler: CFNResourceHandler {
    static let types = ["AWS::EKS::Cluster", "AWS::EKS::Nodegroup"]

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        request.type == "AWS::EKS::Cluster" ? try createCluster(request, &services) : try createNodegroup(request, &services)
    }

    static func createCluster(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        _ = try request.required("RoleArn")
        let config = try request.requiredValue("ResourcesVpcConfig").mapValue
        let subnetIds = config?["SubnetIds"]?.listValue?.compactMap(\.scalarText) ?? []
        var zones: [String] = []
        for id in subnetIds {
            guard let subnet = services.ec2.subnets[id] else { throw CFNError("InvalidParameterException", "The subnet ID '\(id)' does not exist") }
            if !zones.contains(subnet.availabilityZone) { zones.append(subnet.availabilityZone) }
        }
        // CreateCluster: "Subnets specified must be in at least two different AZs".
        guard zones.count >= 2 else {
            throw CFNError("InvalidParameterException", "Subnets specified must be in at least two different AZs")
        }
        let name = request.string("Name") ?? String(request.generatedName.prefix(100))
        guard services.eks.clusters[name] == nil else {
            throw CFNError("ResourceInUseException", "Cluster already exists with name: \(name)")
        }
        // The managed control plane runs in three of the region's zones whatever the subnets (eks/latest/userguide/disaster-recovery-resiliency.html).
        let controlPlane = Array((zones.sorted() + request.availabilityZones.filter { !zones.contains($0) }).prefix(3)).sorted()
        services.eks.createCluster(name: name, region: request.region, controlPlaneAZs: controlPlane, nodeGroups: [])
        let groupId = services.ec2.createSecurityGroup(name: "eks-cluster-sg-\(name)", region: request.region, ingress: [])
        let cluster = services.eks.clusters[name]
        let issuerId = String(String(StableHash.fnv1a64("oidc/" + name + request.region), radix: 16).uppercased())
        return .init(type: request.type, physicalId: name, attributes: [
            "Arn": .string("arn:aws:eks:\(request.region):\(request.account):cluster/\(name)"),
            "CertificateAuthorityData": .string(Data("odas-sim cluster CA of \(name)".utf8).base64EncodedString()),
            "ClusterSecurityGroupId": .string(groupId), "EncryptionConfigKeyArn": .string(""),
            "Endpoint": .string(cluster?.endpoint ?? ""), "Id": .string(name),
            "OpenIdConnectIssuerUrl": .string("https://oidc.eks.\(request.region).amazonaws.com/id/\(issuerId)"),
        ])
    }

    static func createNodegroup(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        let clusterName = try request.required("ClusterName")
        let role = try request.required("NodeRole")
        guard services.eks.clusters[clusterName] != nil else {
            throw CFNError("ResourceNotFoundException", "No cluster found for name: \(clusterName).")
        }
        let subnetIds = request.strings("Subnets")
        guard !subnetIds.isEmpty else { _ = try request.requiredValue("Subnets"); throw request.missing("Subnets") }
        var subnets: [GroupSubnet] = []
        for id in subnetIds {
            guard let subnet = services.ec2.subnets[id] else { throw CFNError("InvalidParameterException", "The subnet ID '\(id)' does not exist") }
            subnets.append(GroupSubnet(id: id, availabilityZone: subnet.availabilityZone, cidr: subnet.cidr))
        }
        let scaling = request.properties["ScalingConfig"]?.mapValue
        let minSize = scaling?["MinSize"]?.scalarText.flatMap { Int($0) } ?? 1
        let maxSize = scaling?["MaxSize"]?.scalarText.flatMap { Int($0) } ?? 2
        let desired = scaling?["DesiredSize"]?.scalarText.flatMap { Int($0) } ?? minSize
        guard minSize <= desired, desired <= maxSize else {
            throw CFNError("InvalidParameterException", "Minimum capacity \(minSize) can't be greater than desired size \(desired), and desired size can't be greater than maximum capacity \(maxSize)")
        }
        let name = request.string("NodegroupName") ?? String(request.generatedName.prefix(63))
        let groupName = "eks-\(name)-\(String(StableHash.fnv1a64(clusterName + "/" + name), radix: 16))"
        let roleName = role.split(separator: "/").last.map(String.init) ?? role
        // EKS gives the node role an instance profile of its own; the nodes use one of the role's if there is one.
        let profile = services.iam.instanceProfiles.values.filter { $0.roles.contains(roleName) }.map(\.name).min()
        let template = LaunchTemplate(instanceType: request.strings("InstanceTypes").first ?? "t3.medium", securityGroups: [], instanceProfile: profile)
        services.autoScaling.createAutoScalingGroup(name: groupName, region: request.region, subnets: subnets, minSize: minSize, maxSize: maxSize,
                                                    desiredCapacity: desired, template: template, ec2: &services.ec2, faults: request.faults,
                                                    now: request.now)
        services.eks.addNodeGroup(clusterName, autoScalingGroup: groupName)
        let id = "\(clusterName)/\(name)"
        return .init(type: request.type, physicalId: id, attributes: [
            "Arn": .string("arn:aws:eks:\(request.region):\(request.account):nodegroup/\(clusterName)/\(name)/\(String(request.generatedName.suffix(13)).lowercased())"),
            "ClusterName": .string(clusterName), "Id": .string(id), "NodegroupName": .string(name), "AutoScalingGroup": .string(groupName),
        ])
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId, !id.isEmpty else { return }
        if request.type == "AWS::EKS::Nodegroup" {
            guard let group = request.state?.attributes["AutoScalingGroup"]?.scalarText else { return }
            services.autoScaling.deleteAutoScalingGroup(group, ec2: &services.ec2)
            services.eks.removeNodeGroup(String(id.split(separator: "/").first ?? ""), autoScalingGroup: group)
            return
        }
        guard let cluster = services.eks.clusters[id] else { return }
        guard cluster.nodeGroups.isEmpty else {
            throw CFNError("ResourceInUseException", "Cluster has nodegroups attached")
        }
        services.eks.deleteCluster(id)
        if let group = services.ec2.securityGroupID(named: "eks-cluster-sg-\(id)") { try? services.ec2.deleteSecurityGroup(group) }
    }
}
