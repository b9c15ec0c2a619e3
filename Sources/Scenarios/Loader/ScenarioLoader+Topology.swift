import Foundation
import SimCore
import Yams
import AWSSim

/// `topology:` — regions, AZs, VPCs and subnets, hosts.
extension ScenarioLoader {
    static func readTopology(_ node: SourceNode, _ d: inout Diagnostics) -> Topology? {
        guard var reader = MappingReader(node, allowedKeys: ["regions", "vpc", "hosts"], what: "a topology",
                                         diagnostics: &d) else { return nil }
        var regions: [Topology.Region] = []
        var seenNames: Set<String> = []
        if let list = reader.required("regions", &d).flatMap({ Read.list($0, &d, what: "regions") }) {
            if list.isEmpty { d.error(node, "topology needs at least one region") }
            for item in list {
                guard var r = MappingReader(item, allowedKeys: ["name", "azs", "vpc"], what: "a region",
                                            diagnostics: &d) else { continue }
                let regionName = r.required("name", &d).flatMap { readRegionName($0, &d) }
                var azs: [String] = []
                if let azList = r.required("azs", &d, hint: "the region's availability zones, e.g. [us-west-2a, us-west-2b]")
                    .flatMap({ Read.list($0, &d, what: "availability zones") }) {
                    if azList.isEmpty, let azNode = r.child("azs") { d.error(azNode, "a region needs at least one availability zone") }
                    for azNode in azList {
                        guard let az = Read.name(azNode, &d, what: "an availability zone name") else { continue }
                        if let regionName, !(az.hasPrefix(regionName) && az.count == regionName.count + 1
                                              && az.last.map({ $0.isLetter && $0.isLowercase }) == true) {
                            d.error(azNode, "availability zone \"\(az)\" does not belong to region \(regionName); AZ names are the region name plus one letter, e.g. \(regionName)a")
                            continue
                        }
                        guard seenNames.insert(az).inserted else {
                            d.error(azNode, "availability zone \"\(az)\" is listed twice")
                            continue
                        }
                        azs.append(az)
                    }
                }
                let vpc = r.child("vpc").flatMap { readVPC($0, azs: azs, &d) }
                r.reportUnknownKeys(&d)
                guard let regionName else { continue }
                guard seenNames.insert(regionName).inserted else {
                    d.error(item, "region \"\(regionName)\" is listed twice")
                    continue
                }
                regions.append(Topology.Region(name: regionName, availabilityZones: azs, vpc: vpc))
            }
        }
        if let vpcNode = reader.child("vpc"), !regions.isEmpty {
            if regions[0].vpc != nil {
                d.error(vpcNode, "the first region already has a vpc; give topology.vpc or regions[0].vpc, not both")
            } else {
                regions[0].vpc = readVPC(vpcNode, azs: regions[0].availabilityZones, &d)
            }
        }
        var hosts: [Topology.Host] = []
        if let list = reader.child("hosts").flatMap({ Read.list($0, &d, what: "hosts") }) {
            let probe = Topology(regions: regions, hosts: [])
            for item in list {
                guard var h = MappingReader(item, allowedKeys: ["name", "az", "subnet"], what: "a host",
                                            diagnostics: &d) else { continue }
                let hostName = h.required("name", &d).flatMap { Read.label($0, &d, what: "a host name") }
                var placement: FaultDomain?
                if let subnetNode = h.child("subnet"), let subnet = Read.name(subnetNode, &d) {
                    if probe.subnets.contains(where: { $0.id == subnet }) {
                        placement = .subnet(subnet)
                    } else {
                        d.error(subnetNode, unknownMessage("subnet", subnet, probe.subnets.map(\.id)))
                    }
                } else if let azNode = h.required("az", &d, hint: "the availability zone the host runs in"),
                          let az = Read.name(azNode, &d) {
                    if probe.availabilityZones.contains(az) {
                        placement = .availabilityZone(az)
                    } else {
                        d.error(azNode, unknownMessage("availability zone", az, probe.availabilityZones))
                    }
                }
                h.reportUnknownKeys(&d)
                guard let hostName, let placement else { continue }
                guard seenNames.insert(hostName).inserted else {
                    d.error(item, "name \"\(hostName)\" is already used by another region, AZ or host")
                    continue
                }
                hosts.append(Topology.Host(name: hostName, placement: placement))
            }
        }
        reader.reportUnknownKeys(&d)
        return Topology(regions: regions, hosts: hosts)
    }

    /// AWS region names: `<area>-<direction>-<number>`, e.g. `us-west-2`, `ap-southeast-1`.
    static func readRegionName(_ node: SourceNode, _ d: inout Diagnostics) -> String? {
        guard let name = Read.name(node, &d, what: "a region name") else { return nil }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        let valid = parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLowercase || $0.isNumber } }
            && parts.last.map { $0.allSatisfy(\.isNumber) } == true
        guard valid else {
            d.error(node, "\"\(name.prefix(60))\" is not an AWS region name such as us-west-2 or eu-central-1")
            return nil
        }
        return name
    }

    static func readVPC(_ node: SourceNode, azs: [String], _ d: inout Diagnostics) -> Topology.VPC? {
        guard var v = MappingReader(node, allowedKeys: ["cidr", "publicAZs", "subnets"], what: "a vpc", diagnostics: &d) else { return nil }
        defer { v.reportUnknownKeys(&d) }
        guard let cidrNode = v.required("cidr", &d, hint: "the VPC's IPv4 block, e.g. 10.20.0.0/16"),
              let cidr = Read.string(cidrNode, &d) else { return nil }
        guard let block = IPv4Block(cidr), (16...24).contains(block.prefixLength) else {
            d.error(cidrNode, "\"\(cidr.prefix(40))\" is not a VPC IPv4 block; use a network address with a prefix from /16 to /24, e.g. 10.20.0.0/16")
            return nil
        }
        guard let subnets = block.subnets(count: azs.count) else {
            d.error(cidrNode, "VPC block \(cidr) is too small for one subnet per AZ (\(azs.count))")
            return nil
        }
        var publicAZs: Set<String> = []
        if let publicNode = v.child("publicAZs"), let items = Read.list(publicNode, &d, what: "public AZs") {
            for item in items {
                guard let az = Read.string(item, &d) else { continue }
                if azs.contains(az) { publicAZs.insert(az) } else { d.error(item, unknownMessage("availability zone of this region", az, azs)) }
            }
        }
        var all = zip(azs, subnets).map { az, subnet in
            Topology.Subnet(id: "subnet-\(az)", availabilityZone: az, cidr: subnet, isPublic: publicAZs.contains(az))
        }
        if let list = v.child("subnets").flatMap({ Read.list($0, &d, what: "subnets") }) {
            for item in list {
                if let subnet = readSubnet(item, vpc: block, azs: azs, existing: all, &d) { all.append(subnet) }
            }
        }
        return Topology.VPC(cidr: cidr, subnets: all)
    }

    /// An extra subnet of the VPC beside the one derived per AZ (EMR's own
    /// subnet, an admin subnet): `{name, az, cidr, public}`, inside the VPC's
    /// block and overlapping no other subnet.
    static func readSubnet(_ item: SourceNode, vpc: IPv4Block, azs: [String], existing: [Topology.Subnet],
                           _ d: inout Diagnostics) -> Topology.Subnet? {
        guard var s = MappingReader(item, allowedKeys: ["name", "az", "cidr", "public"], what: "a subnet", diagnostics: &d) else { return nil }
        defer { s.reportUnknownKeys(&d) }
        let name = s.required("name", &d, hint: "e.g. emr-2b").flatMap { Read.name($0, &d, what: "a subnet name") }
        if let name, existing.contains(where: { $0.id == name }), let nameNode = s.child("name") {
            d.error(nameNode, "subnet \(name) is defined twice")
            return nil
        }
        var az: String?
        if let azNode = s.required("az", &d), let text = Read.string(azNode, &d) {
            if azs.contains(text) { az = text } else { d.error(azNode, unknownMessage("availability zone of this region", text, azs)) }
        }
        var cidr: String?
        if let cidrNode = s.required("cidr", &d, hint: "a block inside the VPC's, e.g. 10.20.128.0/24"), let text = Read.string(cidrNode, &d) {
            if let block = IPv4Block(text), (vpc.prefixLength...28).contains(block.prefixLength), vpc.contains(block.address) {
                if let other = existing.first(where: { IPv4Block($0.cidr).map(block.overlaps) == true }) {
                    d.error(cidrNode, "\(text) overlaps subnet \(other.id) (\(other.cidr))")
                } else {
                    cidr = block.description
                }
            } else {
                d.error(cidrNode, "\"\(text.prefix(40))\" is not a block inside the VPC's \(vpc) of at most /28 (AWS's smallest subnet)")
            }
        }
        let isPublic = s.child("public").flatMap { Read.bool($0, &d) } ?? false
        guard let name, let az, let cidr else { return nil }
        return Topology.Subnet(id: name, availabilityZone: az, cidr: cidr, isPublic: isPublic)
    }
}
