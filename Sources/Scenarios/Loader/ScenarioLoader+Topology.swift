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
                let hostName = h.required("name", &d).flatMap { Read.name($0, &d, what: "a host name") }
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
        guard var v = MappingReader(node, allowedKeys: ["cidr", "publicAZs"], what: "a vpc", diagnostics: &d) else { return nil }
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
        return Topology.VPC(cidr: cidr, subnets: zip(azs, subnets).map { az, subnet in
            Topology.Subnet(id: "subnet-\(az)", availabilityZone: az, cidr: subnet, isPublic: publicAZs.contains(az))
        })
    }
}
