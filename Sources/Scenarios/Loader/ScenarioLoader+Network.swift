import Foundation
import SimCore
import Yams
import AWSSim

/// `network:` and `compute:` — security groups, peering, instances, Auto Scaling groups, EKS.
extension ScenarioLoader {
    /// `network.securityGroups[]`: name, region (default the first), ingress
    /// and egress rules `{port | ports: a-b, protocol: tcp|udp|all, from|to: CIDR | sg:<name>}`.
    static func readSecurityGroups(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> [NetworkSpec.SecurityGroup] {
        guard var n = MappingReader(node, allowedKeys: ["securityGroups", "peering"], what: "a network section", diagnostics: &d) else { return [] }
        defer { n.reportUnknownKeys(&d) }
        _ = n.child("peering")
        guard let list = n.child("securityGroups").flatMap({ Read.list($0, &d, what: "security groups") }) else { return [] }
        var groups: [NetworkSpec.SecurityGroup] = []
        var nodes: [SourceNode] = []
        let regions = context.topology.regions.map(\.name)
        for item in list {
            guard var g = MappingReader(item, allowedKeys: ["name", "region", "ingress", "egress"], what: "a security group",
                                        diagnostics: &d) else { continue }
            let name = g.required("name", &d).flatMap { Read.name($0, &d, what: "a security group name") }
            var region = regions.first ?? ""
            if let regionNode = g.child("region"), let text = Read.string(regionNode, &d) {
                if regions.contains(text) { region = text } else { d.error(regionNode, unknownMessage("region", text, regions)) }
            }
            let ingress = g.child("ingress").map { readRules($0, peerKey: "from", &d) } ?? []
            let egress = g.child("egress").map { readRules($0, peerKey: "to", &d) }
            g.reportUnknownKeys(&d)
            guard let name else { continue }
            if groups.contains(where: { $0.name == name }) { d.error(item, "security group \(name) is defined twice"); continue }
            groups.append(NetworkSpec.SecurityGroup(name: name, region: region, ingress: ingress, egress: egress))
            nodes.append(item)
        }
        // Group references must name a group.
        for (group, item) in zip(groups, nodes) {
            for rule in group.ingress + (group.egress ?? []) where rule.peer.hasPrefix("sg:") {
                let target = String(rule.peer.dropFirst(3))
                if !groups.contains(where: { $0.name == target }) {
                    d.error(item, "security group \(group.name) refers to unknown security group \(target); defined: \(groups.map(\.name).joined(separator: ", "))")
                }
            }
        }
        return groups
    }

    /// `network.peering[]`: `[regionA, regionB]` pairs; both need a vpc, and
    /// their blocks must not overlap (VPC peering refuses overlapping CIDRs).
    static func readPeerings(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> [[String]] {
        guard case .mapping(let pairs) = node.value,
              let peeringNode = pairs.first(where: { if case .scalar("peering", _, _) = $0.key.value { return true }; return false })?.value,
              let items = Read.list(peeringNode, &d, what: "peerings") else { return [] }
        var result: [[String]] = []
        for item in items {
            guard let names = Read.list(item, &d, what: "a pair of regions") else { continue }
            let regions = names.compactMap { Read.string($0, &d) }
            guard regions.count == 2, regions[0] != regions[1] else {
                d.error(item, "a peering names two different regions, e.g. [us-west-2, us-east-1]")
                continue
            }
            let vpcs = regions.map { name in context.topology.regions.first { $0.name == name }?.vpc }
            guard let first = vpcs[0], let second = vpcs[1] else {
                d.error(item, "both regions of a peering need a vpc (regions[].vpc.cidr)")
                continue
            }
            if let a = IPv4Block(first.cidr), let b = IPv4Block(second.cidr), a.overlaps(b) {
                d.error(item, "VPC peering needs non-overlapping CIDR blocks: \(first.cidr) (\(regions[0])) overlaps \(second.cidr) (\(regions[1]))")
                continue
            }
            result.append(regions.sorted())
        }
        return result
    }

    static func readRules(_ node: SourceNode, peerKey: String, _ d: inout Diagnostics) -> [NetworkSpec.Rule] {
        guard let items = Read.list(node, &d, what: "rules") else { return [] }
        var rules: [NetworkSpec.Rule] = []
        for item in items {
            guard var r = MappingReader(item, allowedKeys: ["port", "ports", "protocol", peerKey], what: "a rule",
                                        diagnostics: &d) else { continue }
            var ipProtocol = "tcp"
            if let protocolNode = r.child("protocol"), let text = Read.string(protocolNode, &d) {
                switch text {
                case "tcp", "udp": ipProtocol = text
                case "all", "-1": ipProtocol = "-1"
                default: d.error(protocolNode, "protocol is tcp, udp or all")
                }
            }
            var range: (Int, Int)?
            if let portNode = r.child("port") {
                range = Read.integer(portNode, &d, range: 0...65535, what: "a port").map { (Int($0), Int($0)) }
            } else if let portsNode = r.child("ports"), let text = Read.string(portsNode, &d) {
                let parts = text.split(separator: "-").compactMap { Int($0) }
                if parts.count == 2, parts[0] <= parts[1], parts[1] <= 65535, parts[0] >= 0 { range = (parts[0], parts[1]) }
                else { d.error(portsNode, "ports is a range such as 13050-13051") }
            } else if ipProtocol == "-1" {
                range = (0, 65535)
            } else {
                d.error(item, "a rule needs port or ports (or protocol: all)")
            }
            var peer: String?
            if let peerNode = r.required(peerKey, &d, hint: "a CIDR block such as 10.0.0.0/8, or sg:<group name>"),
               let text = Read.string(peerNode, &d) {
                if text.hasPrefix("sg:") || IPv4Block(text) != nil { peer = text } else {
                    d.error(peerNode, "\"\(text.prefix(40))\" is neither a CIDR block (10.0.0.0/8) nor sg:<group name>")
                }
            }
            r.reportUnknownKeys(&d)
            guard let range, let peer else { continue }
            rules.append(NetworkSpec.Rule(ipProtocol: ipProtocol, fromPort: range.0, toPort: range.1, peer: peer))
        }
        return rules
    }

    /// `compute.instances[]`: name, az or subnet (in a region with a vpc), type, securityGroups, instanceProfile.
    static func readInstances(_ node: SourceNode, _ context: Context, _ groups: [NetworkSpec.SecurityGroup],
                              _ d: inout Diagnostics) -> [NetworkSpec.Instance] {
        guard var c = MappingReader(node, allowedKeys: ["instances", "autoScalingGroups", "eks"], what: "a compute section",
                                    diagnostics: &d) else { return [] }
        _ = c.child("autoScalingGroups")
        _ = c.child("eks")
        defer { c.reportUnknownKeys(&d) }
        guard let list = c.child("instances").flatMap({ Read.list($0, &d, what: "instances") }) else { return [] }
        var instances: [NetworkSpec.Instance] = []
        let subnets = context.topology.subnets
        for item in list {
            guard var i = MappingReader(item, allowedKeys: ["name", "az", "subnet", "type", "securityGroups", "instanceProfile"],
                                        what: "an instance", diagnostics: &d) else { continue }
            let name = i.required("name", &d).flatMap { Read.name($0, &d, what: "an instance name") }
            var subnet: Topology.Subnet?
            if let subnetNode = i.child("subnet"), let text = Read.string(subnetNode, &d) {
                subnet = subnets.first { $0.id == text }
                if subnet == nil { d.error(subnetNode, unknownMessage("subnet", text, subnets.map(\.id))) }
            } else if let azNode = i.required("az", &d, hint: "the AZ (its region needs a vpc)"), let text = Read.string(azNode, &d) {
                subnet = subnets.first { $0.availabilityZone == text }
                if subnet == nil {
                    d.error(azNode, context.topology.availabilityZones.contains(text)
                        ? "AZ \(text) has no subnet: give its region a vpc (regions[].vpc.cidr)"
                        : unknownMessage("availability zone", text, context.topology.availabilityZones))
                }
            }
            let type = i.child("type").flatMap { Read.string($0, &d) } ?? "m5.xlarge"
            let memberOf = i.child("securityGroups").map { readGroupNames($0, groups, &d) } ?? []
            let profile = i.child("instanceProfile").flatMap { Read.string($0, &d) }
            i.reportUnknownKeys(&d)
            guard let name, let subnet else { continue }
            if context.topology.domain(named: name) != nil || instances.contains(where: { $0.name == name }) {
                d.error(item, "name \"\(name)\" is already used by a region, AZ, subnet, host or instance")
                continue
            }
            instances.append(NetworkSpec.Instance(name: name, type: type, availabilityZone: subnet.availabilityZone,
                                                  subnet: subnet.id, securityGroups: memberOf, instanceProfile: profile))
        }
        return instances
    }

    /// A list of security group names, each one defined in `network`.
    static func readGroupNames(_ node: SourceNode, _ groups: [NetworkSpec.SecurityGroup], _ d: inout Diagnostics) -> [String] {
        guard let items = Read.list(node, &d, what: "security groups") else { return [] }
        return items.compactMap { groupNode in
            guard let text = Read.string(groupNode, &d) else { return nil }
            guard groups.contains(where: { $0.name == text }) else {
                d.error(groupNode, unknownMessage("security group", text, groups.map(\.name)))
                return nil
            }
            return text
        }
    }

    /// `compute.autoScalingGroups[]`: name, azs (each needs a subnet), min, max, desired, type, securityGroups, instanceProfile.
    static func readAutoScalingGroups(_ node: SourceNode, _ context: Context, _ groups: [NetworkSpec.SecurityGroup],
                                      _ d: inout Diagnostics) -> [NetworkSpec.AutoScalingGroup] {
        guard let list = Read.list(node, &d, what: "Auto Scaling groups") else { return [] }
        var result: [NetworkSpec.AutoScalingGroup] = []
        for item in list {
            guard var g = MappingReader(item, allowedKeys: ["name", "azs", "min", "max", "desired", "type", "securityGroups", "instanceProfile"],
                                        what: "an Auto Scaling group", diagnostics: &d) else { continue }
            let name = g.required("name", &d).flatMap { Read.name($0, &d, what: "a group name") }
            var azs: [String] = []
            if let azNode = g.required("azs", &d, hint: "the AZs to spread over"), let items = Read.list(azNode, &d, what: "AZs") {
                for azItem in items {
                    guard let az = Read.string(azItem, &d) else { continue }
                    if context.topology.subnets.contains(where: { $0.availabilityZone == az }) { azs.append(az) } else {
                        d.error(azItem, context.topology.availabilityZones.contains(az)
                            ? "AZ \(az) has no subnet: give its region a vpc" : unknownMessage("availability zone", az, context.topology.availabilityZones))
                    }
                }
            }
            let minSize = g.child("min").flatMap { Read.integer($0, &d, range: 0...1000, what: "a minimum size") }.map { Int($0) } ?? 1
            let maxSize = g.child("max").flatMap { Read.integer($0, &d, range: 1...1000, what: "a maximum size") }.map { Int($0) } ?? max(minSize, 1)
            let desired = g.child("desired").flatMap { Read.integer($0, &d, range: 0...1000, what: "a desired capacity") }.map { Int($0) } ?? minSize
            if !(minSize <= desired && desired <= maxSize) {
                d.error(item, "an Auto Scaling group needs min ≤ desired ≤ max (got \(minSize), \(desired), \(maxSize))")
            }
            let type = g.child("type").flatMap { Read.string($0, &d) } ?? "m5.xlarge"
            let memberOf = g.child("securityGroups").map { readGroupNames($0, groups, &d) } ?? []
            let profile = g.child("instanceProfile").flatMap { Read.string($0, &d) }
            g.reportUnknownKeys(&d)
            guard let name, !azs.isEmpty else { continue }
            result.append(NetworkSpec.AutoScalingGroup(name: name, availabilityZones: azs, minSize: minSize, maxSize: maxSize,
                                                       desiredCapacity: desired, type: type, securityGroups: memberOf,
                                                       instanceProfile: profile))
        }
        return result
    }

    /// `compute.eks`: name, region (default the first), controlPlaneAZs (default the region's first three), nodeGroups.
    static func readEKS(_ node: SourceNode, _ context: Context, _ groups: [NetworkSpec.AutoScalingGroup],
                        _ d: inout Diagnostics) -> NetworkSpec.EKSCluster? {
        guard var e = MappingReader(node, allowedKeys: ["name", "region", "controlPlaneAZs", "nodeGroups"], what: "an EKS cluster",
                                    diagnostics: &d) else { return nil }
        defer { e.reportUnknownKeys(&d) }
        let name = e.required("name", &d).flatMap { Read.name($0, &d, what: "a cluster name") }
        var region = context.topology.regions.first
        if let regionNode = e.child("region"), let text = Read.string(regionNode, &d) {
            region = context.topology.regions.first { $0.name == text }
            if region == nil { d.error(regionNode, unknownMessage("region", text, context.topology.regions.map(\.name))) }
        }
        var controlPlane = Array((region?.availabilityZones ?? []).prefix(3))
        if let azNode = e.child("controlPlaneAZs"), let items = Read.list(azNode, &d, what: "AZs") {
            controlPlane = items.compactMap { item in
                guard let az = Read.string(item, &d) else { return nil }
                guard region?.availabilityZones.contains(az) == true else {
                    d.error(item, unknownMessage("availability zone", az, region?.availabilityZones ?? []))
                    return nil
                }
                return az
            }
        }
        var nodeGroups: [String] = []
        if let groupsNode = e.child("nodeGroups"), let items = Read.list(groupsNode, &d, what: "node groups") {
            for item in items {
                guard let text = Read.string(item, &d) else { continue }
                if groups.contains(where: { $0.name == text }) { nodeGroups.append(text) } else {
                    d.error(item, unknownMessage("Auto Scaling group", text, groups.map(\.name)))
                }
            }
        }
        guard let name, let region else { return nil }
        return NetworkSpec.EKSCluster(name: name, region: region.name, controlPlaneAZs: controlPlane, nodeGroups: nodeGroups)
    }
}
