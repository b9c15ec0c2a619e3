import Foundation
import SimCore
import Yams
import AWSSim

/// Loads and validates scenario files.
///
/// Loading composes the YAML into nodes (which keep their line and column),
/// reads each section with ``MappingReader`` and then checks references
/// between sections. Every problem becomes a ``ScenarioError`` naming file,
/// line, column and key path; the loader never crashes on input and reports
/// all problems it can find in one pass.
public enum ScenarioLoader {
    /// Files larger than this are rejected before parsing.
    public static let maximumFileSize = 4 * 1024 * 1024
    /// Upper bound on a workload's rate, to keep histories bounded.
    public static let maximumRatePerSecond = 1_000.0

    static let topLevelKeys = ["name", "description", "seed", "duration", "topology", "buckets", "workload",
                               "faults", "expect", "expectFailure", "iam", "database", "dns", "network", "compute",
                               "kubernetes"]

    /// Loads the scenario at `path`.
    public static func load(path: String) throws(ScenarioErrors) -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioErrors([fileError(path, "no such file")])
        }
        guard !isDirectory.boolValue else {
            throw ScenarioErrors([fileError(path, "is a directory, not a scenario file")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioErrors([fileError(path, "cannot be read (check its permissions)")])
        }
        return try load(data: data, file: path)
    }

    /// Loads a scenario from bytes; `file` names it in errors.
    public static func load(data: Data, file: String) throws(ScenarioErrors) -> Scenario {
        guard data.count <= maximumFileSize else {
            throw ScenarioErrors([fileError(file, "is \(data.count) bytes; scenario files may be at most \(maximumFileSize) bytes")])
        }
        let bytes = [UInt8](data)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let (line, column, offset, byte) = firstInvalidUTF8(bytes)
            throw ScenarioErrors([ScenarioError(file: file, line: line, column: column, keyPath: "",
                                                message: "file is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(offset)); save it as UTF-8")])
        }
        if text.contains("\u{0}") {
            let offset = bytes.firstIndex(of: 0) ?? 0
            let (line, column) = lineAndColumn(bytes, offset: offset)
            throw ScenarioErrors([ScenarioError(file: file, line: line, column: column, keyPath: "",
                                                message: "file contains a NUL byte; scenario files are YAML text")])
        }
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw ScenarioErrors([ScenarioError(file: file, line: 1, column: 1, keyPath: "",
                                                    message: "the file is empty; a scenario needs at least name, duration and topology (see docs/scenario-format.md)")])
            }
            root = composed
        } catch let errors as ScenarioErrors {
            throw errors
        } catch {
            throw ScenarioErrors([yamlError(error, file: file)])
        }
        var diagnostics = Diagnostics(file: file)
        let scenario = read(SourceNode(root, path: ""), file: file, &diagnostics)
        if let scenario, diagnostics.errors.isEmpty { return scenario }
        throw ScenarioErrors(diagnostics.errors)
    }

    // MARK: Sections

    static func read(_ root: SourceNode, file: String, _ d: inout Diagnostics) -> Scenario? {
        guard var top = MappingReader(root, allowedKeys: topLevelKeys, what: "a scenario", diagnostics: &d) else {
            return nil
        }
        let name = top.required("name", &d).flatMap { Read.name($0, &d, what: "a scenario name") }
        let description = top.child("description").flatMap { Read.string($0, &d) } ?? ""
        let seed = top.child("seed").flatMap { Read.integer($0, &d, range: 0...UInt64.max, what: "a seed") } ?? 1
        let duration = top.required("duration", &d, hint: "how much simulated time the run lasts, e.g. 2h")
            .flatMap { Read.duration($0, &d, allowZero: false) }
        let topology = top.required("topology", &d, hint: "the regions and AZs the run has")
            .flatMap { readTopology($0, &d) }
        var context = Context(topology: topology ?? Topology(regions: [], hosts: []), duration: duration)
        var network = NetworkSpec()
        if let networkNode = top.child("network") {
            network.securityGroups = readSecurityGroups(networkNode, context, &d)
            network.peerings = readPeerings(networkNode, context, &d)
        }
        if let computeNode = top.child("compute") {
            network.instances = readInstances(computeNode, context, network.securityGroups, &d)
            if case .mapping(let pairs) = computeNode.value {
                for pair in pairs {
                    guard case .scalar(let key, _, _) = pair.key.value else { continue }
                    if key == "autoScalingGroups" { network.autoScalingGroups = readAutoScalingGroups(pair.value, context, network.securityGroups, &d) }
                    if key == "eks" { network.eks = readEKS(pair.value, context, network.autoScalingGroups, &d) }
                }
            }
            // Instances are hosts of the topology: fault targets, workload clients, DNS targets.
            for instance in network.instances {
                context.topology.hosts.append(Topology.Host(name: instance.name, placement: .subnet(instance.subnet)))
            }
        }
        var kubernetes: KubernetesSpec?
        if let kubeNode = top.child("kubernetes") {
            kubernetes = readKubernetes(kubeNode, context, scenarioFile: file, hasEKS: network.eks != nil, &d)
            // Nodes are hosts of the topology: fault targets and workload clients.
            for node in kubernetes?.nodes ?? [] where !context.topology.hosts.contains(where: { $0.name == node.name }) {
                context.topology.hosts.append(Topology.Host(name: node.name, placement: .availabilityZone(node.availabilityZone)))
            }
        }
        let kubeServices = (kubernetes?.manifests ?? []).flatMap(\.objects).filter { $0.kind == .service }
            .map { "\($0.metadata.namespace ?? "default")/\($0.metadata.nameOrEmpty)" }
        let fullTopology = context.topology
        let buckets = top.child("buckets").map { readBuckets($0, context, &d) } ?? []
        let database = top.child("database").flatMap { readDatabase($0, context, &d) }
        let dns = top.child("dns").flatMap { readDNS($0, context, &d) }
        let bucketNames = buckets.flatMap { [$0.name] + ($0.replicaBucket.map { [$0] } ?? []) }
        let (users, roles) = top.child("iam").map { readIAM($0, bucketNames: bucketNames, &d) } ?? ([], [])
        if !roles.isEmpty, let computeNode = top.child("compute") {
            // With roles declared, every instance profile must be one of theirs.
            let profiles = roles.map(\.instanceProfile)
            let named = network.instances.compactMap(\.instanceProfile) + network.autoScalingGroups.compactMap(\.instanceProfile)
            for profile in Set(named).sorted() where !profiles.contains(profile) {
                d.error(computeNode, unknownMessage("instance profile", profile, profiles))
            }
        }
        let workloads = top.child("workload").map { readWorkloads($0, context, buckets, database, dns, network,
                                                                   IdentityNames(users: users.map(\.name), roles: roles.map(\.name)),
                                                                   kubeServices: kubeServices, &d) } ?? []
        let faults = top.child("faults").map { readFaults($0, context, database, dns, kubeNodes: kubernetes?.nodes.map(\.name) ?? [], &d) } ?? []
        var expectations = top.child("expect").map { readExpectations($0, workloads, &d) } ?? Expectations()
        if let expectNode = top.child("expect"), case .mapping(let pairs) = expectNode.value {
            for pair in pairs {
                guard case .scalar(let key, _, _) = pair.key.value else { continue }
                if key == "reachability" { expectations.reachability = readReachability(pair.value, network, &d) }
                if key == "capacity" {
                    guard case .mapping(let entries) = pair.value.value else {
                        d.error(pair.value, "expected a mapping from Auto Scaling group to time, e.g. capacity: {odas-nodes: 10m}")
                        continue
                    }
                    for entry in entries {
                        guard let group = Read.string(entry.key, &d) else { continue }
                        guard network.autoScalingGroups.contains(where: { $0.name == group }) else {
                            d.error(entry.key, unknownMessage("Auto Scaling group", group, network.autoScalingGroups.map(\.name)))
                            continue
                        }
                        if let target = Read.duration(entry.value, &d) { expectations.capacity.append((group, target)) }
                    }
                }
            }
        }
        let expectFailure = top.child("expectFailure").map { readExpectFailure($0, expectations, &d) } ?? []
        top.reportUnknownKeys(&d)
        guard let name, let duration, topology != nil else { return nil }
        var scenario = Scenario(file: file, name: name, description: description, seed: seed, duration: duration,
                                topology: fullTopology, buckets: buckets, workloads: workloads, faults: faults,
                                expectations: expectations, expectFailure: expectFailure, iamUsers: users, iamRoles: roles,
                                database: database, dns: dns, network: network)
        scenario.kubernetes = kubernetes
        return scenario
    }

    struct Context {
        var topology: Topology
        var duration: SimDuration?

        func domain(named name: String) -> FaultDomain? { topology.domain(named: name) }
        var allDomainNames: [String] { topology.domainNames }
    }

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

    static func readBuckets(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> [BucketSpec] {
        guard let list = Read.list(node, &d, what: "buckets") else { return [] }
        var buckets: [BucketSpec] = []
        var names: Set<String> = []
        let regionNames = context.topology.regions.map(\.name)
        for item in list {
            guard var b = MappingReader(item, allowedKeys: ["name", "region", "objects", "objectSize", "replicateTo",
                                                            "replicaBucket", "replicationTimeControl", "policy", "replicaPolicy"],
                                        what: "a bucket", diagnostics: &d) else { continue }
            let nameNode = b.required("name", &d)
            var name = nameNode.flatMap { Read.string($0, &d, what: "a bucket name") }
            if let n = name, let nameNode, !S3Bucket.isValidName(n) {
                d.error(nameNode, "\"\(n.prefix(70))\" is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit")
                name = nil
            }
            var region: String?
            if let regionNode = b.required("region", &d), let r = Read.string(regionNode, &d) {
                if regionNames.contains(r) { region = r } else { d.error(regionNode, unknownMessage("region", r, regionNames)) }
            }
            let objects = b.child("objects").flatMap { Read.integer($0, &d, range: 0...100_000, what: "an object count") } ?? 0
            let size = b.child("objectSize").flatMap { Read.integer($0, &d, range: 0...1_048_576, what: "an object size in bytes") } ?? 1024
            var replicateTo: String?
            if let node = b.child("replicateTo"), let r = Read.string(node, &d) {
                if !regionNames.contains(r) {
                    d.error(node, unknownMessage("region", r, regionNames))
                } else if r == region {
                    d.error(node, "replicateTo must name another region than the bucket's own (\(r))")
                } else {
                    replicateTo = r
                }
            }
            var replicaBucket: String?
            if let node = b.child("replicaBucket"), let r = Read.string(node, &d, what: "a bucket name") {
                if replicateTo == nil, b.child("replicateTo") == nil {
                    d.error(node, "replicaBucket needs replicateTo (the replica's region)")
                } else if !S3Bucket.isValidName(r) {
                    d.error(node, "\"\(r.prefix(70))\" is not a valid S3 bucket name")
                } else {
                    replicaBucket = r
                }
            }
            if replicateTo != nil, replicaBucket == nil, let name, let replicateTo {
                replicaBucket = "\(name)-\(replicateTo)"
            }
            let rtc = b.child("replicationTimeControl").flatMap { Read.bool($0, &d) } ?? false
            let policy = b.child("policy").flatMap { readPolicy($0, &d) }
            var replicaPolicy: String?
            if let node = b.child("replicaPolicy") {
                if replicateTo == nil { d.error(node, "replicaPolicy needs replicateTo (a replica)") }
                replicaPolicy = readPolicy(node, &d)
            }
            b.reportUnknownKeys(&d)
            guard let name, let region else { continue }
            for bucketName in [name] + (replicaBucket.map { [$0] } ?? []) where !names.insert(bucketName).inserted {
                d.error(item, "bucket name \"\(bucketName)\" is used twice (bucket names are global)")
            }
            buckets.append(BucketSpec(name: name, region: region, objects: Int(objects), objectSize: Int(size),
                                      replicateTo: replicateTo, replicaBucket: replicaBucket,
                                      replicationTimeControl: rtc, policy: policy, replicaPolicy: replicaPolicy))
        }
        return buckets
    }

    /// `database:` — one RDS instance: identifier, engine (mysql), region,
    /// primaryAZ, and multiAZ (with an optional standbyAZ, default the region's
    /// next AZ).
    static func readDatabase(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> DatabaseSpec? {
        guard var r = MappingReader(node, allowedKeys: ["identifier", "engine", "region", "primaryAZ", "multiAZ", "standbyAZ",
                                                        "readerAZs", "globalSecondary"],
                                    what: "a database", diagnostics: &d) else { return nil }
        defer { r.reportUnknownKeys(&d) }
        var identifier: String?
        if let idNode = r.required("identifier", &d), let text = Read.string(idNode, &d, what: "a DB instance identifier") {
            // 1–63 letters, digits or hyphens; first a letter; no trailing or double hyphen (CreateDBInstance).
            let valid = (1...63).contains(text.count) && text.first?.isLetter == true && !text.hasSuffix("-")
                && !text.contains("--") && text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "-") && $0.isASCII }
            if valid { identifier = text.lowercased() } else {
                d.error(idNode, "\"\(text.prefix(60))\" is not a DB instance identifier: 1 to 63 letters, digits or hyphens, starting with a letter")
            }
        }
        var engine = "mysql"
        if let engineNode = r.child("engine"), let text = Read.string(engineNode, &d) {
            if text == "mysql" || text == "aurora-mysql" { engine = text } else {
                d.error(engineNode, "engine \"\(text.prefix(40))\" is not simulated; use mysql or aurora-mysql")
            }
        }
        let regions = context.topology.regions
        var region: Topology.Region? = nil
        if let regionNode = r.required("region", &d), let text = Read.string(regionNode, &d) {
            if let found = regions.first(where: { $0.name == text }) { region = found } else {
                d.error(regionNode, unknownMessage("region", text, regions.map(\.name)))
            }
        }
        var primaryAZ: String?
        if let azNode = r.required("primaryAZ", &d, hint: "the AZ of the primary"), let text = Read.string(azNode, &d), let region {
            if region.availabilityZones.contains(text) { primaryAZ = text } else {
                d.error(azNode, unknownMessage("availability zone of \(region.name)", text, region.availabilityZones))
            }
        }
        let multiAZ = r.child("multiAZ").flatMap { Read.bool($0, &d) } ?? false
        var standbyAZ: String?
        if let standbyNode = r.child("standbyAZ"), let text = Read.string(standbyNode, &d), let region {
            if !multiAZ { d.error(standbyNode, "standbyAZ needs multiAZ: true") }
            else if !region.availabilityZones.contains(text) {
                d.error(standbyNode, unknownMessage("availability zone of \(region.name)", text, region.availabilityZones))
            } else if text == primaryAZ {
                d.error(standbyNode, "the standby must be in another AZ than the primary (\(text))")
            } else { standbyAZ = text }
        } else if multiAZ, let region, let primaryAZ {
            standbyAZ = region.availabilityZones.first { $0 != primaryAZ }
            if standbyAZ == nil { d.error(node, "multiAZ needs a second availability zone in \(region.name)") }
        }
        var readerAZs: [String] = []
        if let readersNode = r.child("readerAZs"), let items = Read.list(readersNode, &d, what: "reader AZs") {
            if engine != "aurora-mysql" { d.error(readersNode, "readerAZs applies to engine aurora-mysql; a mysql instance has multiAZ") }
            for item in items {
                guard let az = Read.string(item, &d), let region else { continue }
                if !region.availabilityZones.contains(az) {
                    d.error(item, unknownMessage("availability zone of \(region.name)", az, region.availabilityZones))
                } else if az == primaryAZ || readerAZs.contains(az) {
                    d.error(item, "reader AZ \(az) repeats the writer's or another reader's AZ")
                } else { readerAZs.append(az) }
            }
        }
        if engine == "aurora-mysql", r.child("multiAZ") != nil {
            d.error(r.child("multiAZ") ?? node, "an Aurora cluster is made highly available by readerAZs, not multiAZ")
        }
        var globalRegion: String?
        var globalAZ: String?
        if let globalNode = r.child("globalSecondary"), let text = Read.string(globalNode, &d, what: "a region") {
            if engine != "aurora-mysql" {
                d.error(globalNode, "globalSecondary (Aurora Global Database) needs engine aurora-mysql")
            } else if let secondary = regions.first(where: { $0.name == text }), secondary.name != region?.name {
                globalRegion = secondary.name
                globalAZ = secondary.availabilityZones.first
            } else {
                d.error(globalNode, text == region?.name ? "globalSecondary must be another region" : unknownMessage("region", text, regions.map(\.name)))
            }
        }
        guard let identifier, let region, let primaryAZ, !multiAZ || standbyAZ != nil else { return nil }
        return DatabaseSpec(identifier: identifier, engine: engine, region: region.name, primaryAZ: primaryAZ,
                            standbyAZ: engine == "aurora-mysql" ? nil : standbyAZ, readerAZs: readerAZs,
                            globalSecondaryRegion: globalRegion, globalSecondaryAZ: globalAZ)
    }

    /// `dns:` — a hosted zone, record sets (simple, failover PRIMARY/SECONDARY,
    /// weighted) whose targets are topology names, and health checks.
    static func readDNS(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> DNSSpec? {
        guard var r = MappingReader(node, allowedKeys: ["zone", "private", "records", "healthChecks"], what: "a dns section",
                                    diagnostics: &d) else { return nil }
        defer { r.reportUnknownKeys(&d) }
        var zone: String?
        if let zoneNode = r.required("zone", &d, hint: "the hosted zone, e.g. odas.example.com"), let text = Read.string(zoneNode, &d) {
            let labels = text.lowercased().split(separator: ".", omittingEmptySubsequences: false)
            if labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) {
                zone = text.lowercased()
            } else { d.error(zoneNode, "\"\(text.prefix(60))\" is not a DNS zone name such as odas.example.com") }
        }
        var checks: [DNSSpec.HealthCheck] = []
        if let list = r.child("healthChecks").flatMap({ Read.list($0, &d, what: "health checks") }) {
            for item in list {
                guard var h = MappingReader(item, allowedKeys: ["name", "target", "interval", "failureThreshold"],
                                            what: "a health check", diagnostics: &d) else { continue }
                let name = h.required("name", &d).flatMap { Read.name($0, &d, what: "a health check name") }
                var target: FaultDomain?
                if let targetNode = h.required("target", &d), let text = Read.string(targetNode, &d) {
                    target = context.domain(named: text)
                    if target == nil { d.error(targetNode, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames)) }
                }
                var interval = SimDuration.seconds(30)
                if let intervalNode = h.child("interval"), let value = Read.duration(intervalNode, &d) {
                    // Route 53 offers standard (30 s) and fast (10 s) intervals (HealthCheckConfig.RequestInterval).
                    if value == .seconds(30) || value == .seconds(10) { interval = value } else {
                        d.error(intervalNode, "a Route 53 request interval is 30s (standard) or 10s (fast)")
                    }
                }
                let threshold = h.child("failureThreshold").flatMap { Read.integer($0, &d, range: 1...10, what: "a failure threshold") } ?? 3
                h.reportUnknownKeys(&d)
                guard let name, let target else { continue }
                if checks.contains(where: { $0.name == name }) { d.error(item, "health check \(name) is defined twice"); continue }
                checks.append(DNSSpec.HealthCheck(name: name, target: target, interval: interval, failureThreshold: Int(threshold)))
            }
        }
        var records: [DNSSpec.Record] = []
        var recordNodes: [SourceNode] = []
        if let list = r.child("records").flatMap({ Read.list($0, &d, what: "records") }) {
            for item in list {
                guard var rec = MappingReader(item, allowedKeys: ["name", "type", "ttl", "target", "alias", "evaluateTargetHealth",
                                                                  "failover", "weight", "healthCheck"],
                                              what: "a record", diagnostics: &d) else { continue }
                var name: String?
                if let nameNode = rec.required("name", &d), let text = Read.string(nameNode, &d) {
                    if let zone, text.lowercased() == zone || text.lowercased().hasSuffix("." + zone) { name = text.lowercased() }
                    else { d.error(nameNode, "record \(text.prefix(60)) is not in the zone \(zone ?? "")") }
                }
                let type = rec.child("type").flatMap { Read.string($0, &d) } ?? "A"
                if !["A", "AAAA", "CNAME"].contains(type), let typeNode = rec.child("type") {
                    d.error(typeNode, "record type \(type.prefix(20)) is not simulated; use A, AAAA or CNAME")
                }
                let ttl = rec.child("ttl").flatMap { Read.duration($0, &d) } ?? .seconds(300)
                var target: String?
                var alias: String?
                if let aliasNode = rec.child("alias"), let text = Read.string(aliasNode, &d) {
                    if rec.child("target") != nil { d.error(aliasNode, "a record has a target or an alias, not both") }
                    if let zone, text.lowercased().hasSuffix("." + zone) || text.lowercased() == zone {
                        alias = text.lowercased()
                        target = ""
                    } else { d.error(aliasNode, "alias \(text.prefix(60)) must name a record of the zone \(zone ?? "")") }
                } else if let targetNode = rec.required("target", &d, hint: "the topology name the record points at (or alias: another record)"),
                   let text = Read.string(targetNode, &d) {
                    if context.domain(named: text) != nil { target = text } else {
                        d.error(targetNode, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames))
                    }
                }
                let evaluate = rec.child("evaluateTargetHealth").flatMap { Read.bool($0, &d) } ?? false
                var failover: String?
                if let failoverNode = rec.child("failover"), let text = Read.string(failoverNode, &d) {
                    if text == "PRIMARY" || text == "SECONDARY" { failover = text } else {
                        d.error(failoverNode, "failover is PRIMARY or SECONDARY")
                    }
                }
                let weight = rec.child("weight").flatMap { Read.integer($0, &d, range: 0...255, what: "a weight") }.map { Int($0) }
                if failover != nil, weight != nil { d.error(item, "a record has failover or weight routing, not both") }
                var healthCheck: String?
                if let checkNode = rec.child("healthCheck"), let text = Read.string(checkNode, &d) {
                    if checks.contains(where: { $0.name == text }) { healthCheck = text } else {
                        d.error(checkNode, unknownMessage("health check", text, checks.map(\.name)))
                    }
                }
                rec.reportUnknownKeys(&d)
                guard let name, let target else { continue }
                records.append(DNSSpec.Record(name: name, type: type, ttl: ttl, target: target, failover: failover,
                                              weight: weight, healthCheck: healthCheck, alias: alias,
                                              evaluateTargetHealth: evaluate))
                recordNodes.append(item)
            }
        }
        for (record, item) in zip(records, recordNodes) where record.alias != nil {
            if !records.contains(where: { $0.name == record.alias && $0.alias == nil }) {
                d.error(item, "alias \(record.alias ?? "") names no record of the zone (aliases of aliases are not simulated)")
            }
        }
        let isPrivate = r.child("private").flatMap { Read.bool($0, &d) } ?? false
        guard let zone else { return nil }
        return DNSSpec(zone: zone, records: records, healthChecks: checks,
                       privateRegion: isPrivate ? context.topology.regions.first?.name : nil)
    }

    /// The IAM users and roles a workload's `principal` may name.
    struct IdentityNames {
        var users: [String]
        var roles: [String]
    }

    static func readWorkloads(_ node: SourceNode, _ context: Context, _ buckets: [BucketSpec], _ database: DatabaseSpec?,
                              _ dns: DNSSpec?, _ network: NetworkSpec, _ identities: IdentityNames,
                              kubeServices: [String], _ d: inout Diagnostics) -> [WorkloadSpec] {
        guard let list = Read.list(node, &d, what: "workloads") else { return [] }
        var workloads: [WorkloadSpec] = []
        var names: Set<String> = []
        let kinds = WorkloadKind.allCases.map(\.rawValue)
        for item in list {
            guard var w = MappingReader(item, allowedKeys: ["name", "kind", "from", "rate", "bucket", "database", "record", "endpoint", "failover",
                                                            "failoverAfter", "timeout", "start", "stop", "principal", "external", "service"],
                                        what: "a workload", diagnostics: &d) else { continue }
            let name = w.required("name", &d).flatMap { Read.name($0, &d, what: "a workload name") }
            var kind: WorkloadKind?
            if let kindNode = w.required("kind", &d, hint: "one of \(kinds.joined(separator: ", "))"),
               let text = Read.string(kindNode, &d) {
                kind = WorkloadKind(rawValue: text)
                if kind == nil { d.error(kindNode, unknownMessage("workload kind", text, kinds)) }
            }
            var from: FaultDomain? = context.topology.regions.first.map { .region($0.name) }
            if let fromNode = w.child("from"), let text = Read.string(fromNode, &d) {
                from = context.domain(named: text)
                if from == nil { d.error(fromNode, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames)) }
            }
            let rate = w.required("rate", &d, hint: "operations per second or minute, e.g. 5/s")
                .flatMap { Read.rate($0, &d, maximumPerSecond: maximumRatePerSecond) }
            var bucket: BucketSpec?
            var target: String?
            if kind == .http {
                if let serviceNode = w.required("service", &d, hint: "the Kubernetes Service it calls, name or namespace/name"),
                   let text = Read.string(serviceNode, &d) {
                    let qualified = text.contains("/") ? text : "default/\(text)"
                    if kubeServices.contains(qualified) { target = qualified }
                    else if kubeServices.isEmpty { d.error(serviceNode, "http calls a Service, but the kubernetes section's manifests define none") }
                    else { d.error(serviceNode, unknownMessage("Service", qualified, kubeServices)) }
                }
            } else if kind == .eksAPI {
                if let cluster = network.eks { target = cluster.name } else { d.error(item, "eks-api needs compute.eks") }
            } else if kind == .dnsResolve {
                if let recordNode = w.required("record", &d, hint: "the DNS name to resolve"), let text = Read.string(recordNode, &d) {
                    let names = dns?.records.map(\.name) ?? []
                    if names.contains(text.lowercased()) { target = text.lowercased() } else {
                        d.error(recordNode, unknownMessage("record", text, Array(Set(names)).sorted()))
                    }
                }
            } else if kind?.usesDatabase == true {
                if let dbNode = w.child("database"), let text = Read.string(dbNode, &d), text.lowercased() != database?.identifier {
                    d.error(dbNode, unknownMessage("database", text, database.map { [$0.identifier] } ?? []))
                } else if let database {
                    target = database.identifier
                } else {
                    d.error(item, "\(kind?.rawValue ?? "") needs the scenario's database section")
                }
            } else if let bucketNode = w.required("bucket", &d, hint: "the bucket the workload reads or writes"),
                      let text = Read.string(bucketNode, &d) {
                bucket = buckets.first { $0.name == text }
                if bucket == nil { d.error(bucketNode, unknownMessage("bucket", text, buckets.map(\.name))) }
                if let bucket, kind == .s3Get, bucket.objects == 0 {
                    d.error(bucketNode, "s3-get reads preloaded objects, but bucket \(text) has objects: 0; give it objects: N")
                }
                target = bucket?.name
            }
            var failover = false
            if let node = w.child("failover"), let value = Read.bool(node, &d) {
                failover = value
                if value, kind?.usesDatabase == true {
                    d.error(node, "failover applies to S3 workloads; the database fails over by itself (Multi-AZ)")
                } else if value, let bucket, bucket.replicaBucket == nil {
                    d.error(node, "failover needs a replica, but bucket \(bucket.name) has no replicateTo")
                }
            }
            var readerEndpoint = false
            if let endpointNode = w.child("endpoint"), let text = Read.string(endpointNode, &d) {
                if kind != .dbRead || database?.isAurora != true {
                    d.error(endpointNode, "endpoint applies to db-read on an aurora-mysql database")
                } else if text == "reader" { readerEndpoint = true } else if text != "cluster" {
                    d.error(endpointNode, "endpoint is cluster (the writer) or reader")
                }
            }
            let failoverAfter = w.child("failoverAfter").flatMap { Read.integer($0, &d, range: 1...1000, what: "a count of consecutive failures") } ?? 3
            let timeout = w.child("timeout").flatMap { Read.duration($0, &d, allowZero: false) } ?? .seconds(5)
            let start = w.child("start").flatMap { Read.duration($0, &d) } ?? .zero
            let stop = w.child("stop").flatMap { Read.duration($0, &d) }
            if let stopNode = w.child("stop"), let stop, let duration = context.duration {
                if stop <= start { d.error(stopNode, "stop (\(stop)) must come after start (\(start))") }
                else if stop > duration { d.error(stopNode, "stop (\(stop)) is after the end of the run (\(duration))") }
            }
            if let startNode = w.child("start"), let duration = context.duration, start >= duration {
                d.error(startNode, "start (\(start)) is not inside the run (duration \(duration))")
            }
            var principal: WorkloadPrincipal?
            if let principalNode = w.child("principal"), let text = Read.string(principalNode, &d) {
                let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
                if parts.count == 2, parts[0] == "role", identities.roles.contains(parts[1]) { principal = .role(parts[1]) }
                else if parts.count == 2, parts[0] == "user", identities.users.contains(parts[1]) { principal = .user(parts[1]) }
                else {
                    d.error(principalNode, unknownMessage("principal", text, identities.roles.map { "role/\($0)" } + identities.users.map { "user/\($0)" }))
                }
                if kind.map({ $0 != .s3Get && $0 != .s3Put }) == true {
                    d.error(principalNode, "principal applies to S3 workloads (s3-get, s3-put)")
                }
            }
            let external = w.child("external").flatMap { Read.bool($0, &d) } ?? false
            w.reportUnknownKeys(&d)
            guard let name, let kind, let from, let rate, let target else { continue }
            guard names.insert(name).inserted else {
                d.error(item, "workload name \"\(name)\" is used twice")
                continue
            }
            workloads.append(WorkloadSpec(name: name, kind: kind, from: from, ratePerSecond: rate, target: target,
                                          failover: failover, failoverAfter: Int(failoverAfter), timeout: timeout,
                                          readerEndpoint: readerEndpoint, start: start, stop: stop, principal: principal,
                                          external: external))
        }
        return workloads
    }

    static func readFaults(_ node: SourceNode, _ context: Context, _ database: DatabaseSpec?, _ dns: DNSSpec?,
                           kubeNodes: [String], _ d: inout Diagnostics) -> [FaultSpec] {
        guard let list = Read.list(node, &d, what: "faults") else { return [] }
        var faults: [FaultSpec] = []
        var names: Set<String> = []
        let actions = FaultAction.allCases.map(\.rawValue)
        let topology = context.topology
        for (index, item) in list.enumerated() {
            guard var f = MappingReader(item, allowedKeys: ["name", "action", "target", "peers", "latency", "at", "duration"],
                                        what: "a fault", diagnostics: &d) else { continue }
            let name = f.child("name").flatMap { Read.name($0, &d, what: "a fault name") } ?? "fault-\(index + 1)"
            var action: FaultAction?
            if let actionNode = f.required("action", &d, hint: "one of \(actions.joined(separator: ", "))"),
               let text = Read.string(actionNode, &d) {
                action = FaultAction(rawValue: text)
                if action == nil { d.error(actionNode, unknownMessage("fault action", text, actions)) }
            }
            var target: FaultDomain?
            if let targetNode = f.required("target", &d, hint: "the region, AZ, subnet or host the fault hits"),
               let text = Read.string(targetNode, &d) {
                switch action {
                case .azOutage:
                    if topology.availabilityZones.contains(text) { target = .availabilityZone(text) }
                    else { d.error(targetNode, unknownMessage("availability zone", text, topology.availabilityZones)) }
                case .regionOutage:
                    if topology.regions.contains(where: { $0.name == text }) { target = .region(text) }
                    else { d.error(targetNode, unknownMessage("region", text, topology.regions.map(\.name))) }
                case .hostCrash:
                    if topology.hosts.contains(where: { $0.name == text }) { target = .host(text) }
                    else if topology.hosts.isEmpty { d.error(targetNode, "unknown host \"\(text.prefix(60))\"; the topology declares no hosts (topology.hosts)") }
                    else { d.error(targetNode, unknownMessage("host", text, topology.hosts.map(\.name))) }
                case .nodeCrash:
                    if kubeNodes.contains(text) { target = .host(text) }
                    else if kubeNodes.isEmpty { d.error(targetNode, "node-crash needs the kubernetes section's nodes") }
                    else { d.error(targetNode, unknownMessage("Kubernetes node", text, kubeNodes)) }
                case .dnsHealthCheckFailure:
                    let names = dns?.healthChecks.map(\.name) ?? []
                    if names.contains(text) { target = .host(text) } else { d.error(targetNode, unknownMessage("health check", text, names)) }
                case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover:
                    if action != .dbPrimaryCrash, text.lowercased() == database?.identifier, database?.globalSecondaryRegion == nil {
                        d.error(targetNode, "\(action?.rawValue ?? "") needs an Aurora Global Database (database.globalSecondary)")
                    } else if text.lowercased() == database?.identifier { target = .host(text.lowercased()) }
                    else { d.error(targetNode, unknownMessage("database", text, database.map { [$0.identifier] } ?? [])) }
                case .networkPartition, .networkLatency, nil:
                    target = context.domain(named: text)
                    if target == nil { d.error(targetNode, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames)) }
                }
            }
            var peers: [FaultDomain]?
            if let peersNode = f.child("peers") {
                if action != .networkPartition {
                    d.error(peersNode, "peers applies only to network-partition")
                } else if let items = Read.list(peersNode, &d, what: "peer domains") {
                    if items.isEmpty { d.error(peersNode, "peers is empty; omit it to cut the target off from everything else") }
                    peers = items.compactMap { peer in
                        guard let text = Read.string(peer, &d) else { return nil }
                        guard let domain = context.domain(named: text) else {
                            d.error(peer, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames))
                            return nil
                        }
                        return domain
                    }
                }
            }
            var latency: SimDuration?
            if let latencyNode = f.child("latency") {
                if action != .networkLatency { d.error(latencyNode, "latency applies only to network-latency") }
                else { latency = Read.duration(latencyNode, &d, allowZero: false) }
            } else if action == .networkLatency {
                d.error(item, "network-latency needs latency, the added one-way delay (e.g. 200ms)")
            }
            let atNode = f.required("at", &d, hint: "when the fault starts, e.g. 20m")
            let at = atNode.flatMap { Read.duration($0, &d) }
            let durationNode = f.child("duration")
            if let durationNode, let action, action.isInstant {
                d.error(durationNode, "\(action.rawValue) is an instant event (RDS then fails over, restarts or promotes); it takes no duration")
            }
            let length = action?.isInstant == true ? nil : durationNode.flatMap { Read.duration($0, &d, allowZero: false) }
            if let at, let atNode, let runLength = context.duration {
                if at >= runLength {
                    d.error(atNode, "fault starts at \(at), outside the run (duration \(runLength))")
                } else if let length, let durationNode, at + length > runLength {
                    d.error(durationNode, "fault ends at \(at + length), after the run ends at \(runLength); shorten it or omit duration to last until the end")
                }
            }
            f.reportUnknownKeys(&d)
            guard let action, let target, let at else { continue }
            guard names.insert(name).inserted else {
                d.error(item, "fault name \"\(name)\" is used twice")
                continue
            }
            faults.append(FaultSpec(name: name, action: action, target: target, peers: peers, latency: latency,
                                    at: at, duration: length))
        }
        return faults
    }

    /// A policy document: a managed policy ARN, or a document written as YAML (or JSON text).
    static func readPolicy(_ policyNode: SourceNode, _ d: inout Diagnostics) -> String? {
        var text: String?
        if case .scalar(let value, _, _) = policyNode.value {
            if value.hasPrefix("arn:") {
                text = ManagedPolicies.documents[value]
                if text == nil { d.error(policyNode, unknownMessage("managed policy", value, ManagedPolicies.documents.keys.sorted())) }
            } else { text = value }
        } else {
            text = JSONFromNode.render(policyNode)
        }
        guard let text else { return nil }
        do { _ = try PolicyDocument.parse(text); return text } catch {
            d.error(policyNode, error.description)
            return nil
        }
    }

    static func readPolicies(_ reader: inout MappingReader, _ d: inout Diagnostics) -> [String] {
        guard let list = reader.child("policies").flatMap({ Read.list($0, &d, what: "policies") }) else { return [] }
        return list.compactMap { readPolicy($0, &d) }
    }

    /// IAM's size quotas (characters without white space), as LimitExceeded would report them.
    static func checkPolicySize(_ policies: [String], limit: Int, what: String, _ node: SourceNode, _ d: inout Diagnostics) {
        let size = policies.map { $0.unicodeScalars.filter { !$0.properties.isWhitespace }.count }.reduce(0, +)
        if size > limit { d.error(node, "LimitExceeded: \(what) total \(size) characters; IAM allows \(limit)") }
    }

    /// The trust policy of EC2 instances (`trust: ec2`), as the IAM console writes it.
    static let ec2TrustPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

    /// `iam`: `users` (people and tools with access keys; ids 16 to 128
    /// uppercase letters and digits, AKIA… on AWS; secrets at least 8
    /// characters) and `roles` (trust, policies, permissionsBoundary,
    /// instanceProfile, buckets).
    static func readIAM(_ node: SourceNode, bucketNames: [String], _ d: inout Diagnostics) -> (users: [IAMUserSpec], roles: [IAMRoleSpec]) {
        guard var iam = MappingReader(node, allowedKeys: ["users", "roles"], what: "an iam section", diagnostics: &d) else { return ([], []) }
        var users: [IAMUserSpec] = []
        var keys: Set<String> = []
        if let list = iam.child("users").flatMap({ Read.list($0, &d, what: "IAM users") }) {
            for item in list {
                guard var u = MappingReader(item, allowedKeys: ["name", "accessKeyId", "secretAccessKey", "policies"], what: "an IAM user",
                                            diagnostics: &d) else { continue }
                let name = u.required("name", &d).flatMap { Read.name($0, &d, what: "a user name") }
                var accessKeyId: String?
                if let keyNode = u.required("accessKeyId", &d), let key = Read.string(keyNode, &d) {
                    if (16...128).contains(key.count), key.allSatisfy({ ($0.isUppercase || $0.isNumber) && $0.isASCII }) {
                        accessKeyId = key
                    } else {
                        d.error(keyNode, "an access key id is 16 to 128 uppercase letters and digits, e.g. AKIAIOSFODNN7EXAMPLE")
                    }
                }
                var secret: String?
                if let secretNode = u.required("secretAccessKey", &d), let text = Read.string(secretNode, &d) {
                    if text.count >= 8, !text.contains(where: { $0.isWhitespace }) { secret = text }
                    else { d.error(secretNode, "a secret access key is at least 8 characters without spaces") }
                }
                let policies = readPolicies(&u, &d)
                checkPolicySize(policies, limit: IAMService.userInlineSize, what: "a user's inline policies", item, &d)
                u.reportUnknownKeys(&d)
                guard let name, let accessKeyId, let secret else { continue }
                guard keys.insert(accessKeyId).inserted else {
                    d.error(item, "access key id \(accessKeyId) is used twice")
                    continue
                }
                if users.contains(where: { $0.name == name }) { d.error(item, "user name \"\(name)\" is used twice"); continue }
                users.append(IAMUserSpec(name: name, accessKeyId: accessKeyId, secretAccessKey: secret, policies: policies))
            }
        }
        var roles: [IAMRoleSpec] = []
        if let list = iam.child("roles").flatMap({ Read.list($0, &d, what: "IAM roles") }) {
            for item in list {
                guard var r = MappingReader(item, allowedKeys: ["name", "trust", "policies", "permissionsBoundary", "instanceProfile", "buckets"],
                                            what: "an IAM role", diagnostics: &d) else { continue }
                let name = r.required("name", &d).flatMap { Read.name($0, &d, what: "a role name") }
                var trust: String?
                if let trustNode = r.required("trust", &d, hint: "ec2 (instances may assume it) or a trust policy document") {
                    if case .scalar(let value, _, _) = trustNode.value, value == "ec2" { trust = ec2TrustPolicy }
                    else if let text = readPolicy(trustNode, &d) {
                        if let document = try? PolicyDocument.parse(text), document.statements.contains(where: { $0.principals == nil }) {
                            d.error(trustNode, "MalformedPolicyDocument: Has prohibited field Resource or missing Principal (a trust policy names who may assume the role)")
                        } else { trust = text }
                    }
                }
                let policies = readPolicies(&r, &d)
                checkPolicySize(policies, limit: IAMService.roleInlineSize, what: "a role's inline policies", item, &d)
                if let trust { checkPolicySize([trust], limit: IAMService.trustPolicySize, what: "a trust policy", item, &d) }
                let boundary = r.child("permissionsBoundary").flatMap { readPolicy($0, &d) }
                let profile = r.child("instanceProfile").flatMap { Read.name($0, &d, what: "an instance profile name") }
                var buckets: [String]?
                if let list = r.child("buckets").flatMap({ Read.list($0, &d, what: "bucket names") }) {
                    buckets = []
                    for bucketNode in list {
                        guard let bucket = Read.string(bucketNode, &d) else { continue }
                        if bucketNames.contains(bucket) { buckets?.append(bucket) }
                        else { d.error(bucketNode, unknownMessage("bucket", bucket, bucketNames)) }
                    }
                }
                r.reportUnknownKeys(&d)
                guard let name, let trust else { continue }
                if roles.contains(where: { $0.name == name }) { d.error(item, "role name \"\(name)\" is used twice"); continue }
                roles.append(IAMRoleSpec(name: name, trustPolicy: trust, policies: policies, permissionsBoundary: boundary,
                                         instanceProfile: profile ?? name, buckets: buckets))
            }
        }
        iam.reportUnknownKeys(&d)
        return (users, roles)
    }

    static func readExpectations(_ node: SourceNode, _ workloads: [WorkloadSpec], _ d: inout Diagnostics) -> Expectations {
        var expectations = Expectations()
        guard var e = MappingReader(node, allowedKeys: ["rto", "rpo", "availability", "invariants", "reachability", "capacity"],
                                    what: "expectations", diagnostics: &d) else { return expectations }
        let names = workloads.map(\.name)
        for key in ["rto", "rpo", "availability"] {
            guard let section = e.child(key) else { continue }
            guard case .mapping(let pairs) = section.value else {
                d.error(section, "expected a mapping from workload name to target, e.g. \(key): {emr-reads: \(key == "availability" ? "99.9%" : "5m")}, found \(section.kindDescription)")
                continue
            }
            var seen: Set<String> = []
            for pair in pairs {
                guard let workload = Read.string(pair.key, &d, what: "a workload name") else { continue }
                guard let spec = workloads.first(where: { $0.name == workload }) else {
                    d.error(pair.key, unknownMessage("workload", workload, names))
                    continue
                }
                guard seen.insert(workload).inserted else {
                    d.error(pair.key, "workload \(workload) is listed twice under \(key)")
                    continue
                }
                switch key {
                case "rto":
                    if let target = Read.duration(pair.value, &d) { expectations.rto.append((workload, target)) }
                case "rpo":
                    guard spec.kind.writes else {
                        d.error(pair.key, "rpo applies to workloads that write; \(workload) is \(spec.kind.rawValue)")
                        continue
                    }
                    if let target = Read.duration(pair.value, &d) { expectations.rpo.append((workload, target)) }
                default:
                    if let target = Read.percentage(pair.value, &d) { expectations.availability.append((workload, target)) }
                }
            }
        }
        if let list = e.child("invariants").flatMap({ Read.list($0, &d, what: "invariants") }) {
            let known = Invariant.allCases.map(\.rawValue)
            for item in list {
                guard let text = Read.string(item, &d, what: "an invariant name") else { continue }
                if let invariant = Invariant(rawValue: text) {
                    if !expectations.invariants.contains(invariant) { expectations.invariants.append(invariant) }
                } else if let waiting = Invariant.planned[text] {
                    d.error(item, "invariant \(text) is part of the format but not available yet: it \(waiting); available: \(known.joined(separator: ", "))")
                } else {
                    d.error(item, unknownMessage("invariant", text, known + Invariant.planned.keys.sorted()))
                }
            }
        }
        _ = e.child("reachability") // read with the network: readReachability
        _ = e.child("capacity")
        e.reportUnknownKeys(&d)
        return expectations
    }

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

    /// `expect.reachability[]`: `{from: instance | address | CIDR, to: instance, port, allowed}`.
    static func readReachability(_ node: SourceNode, _ network: NetworkSpec, _ d: inout Diagnostics) -> [NetworkSpec.Reachability] {
        guard let items = Read.list(node, &d, what: "reachability checks") else { return [] }
        let names = network.instances.map(\.name)
        var checks: [NetworkSpec.Reachability] = []
        for item in items {
            guard var r = MappingReader(item, allowedKeys: ["from", "to", "port", "allowed"], what: "a reachability check",
                                        diagnostics: &d) else { continue }
            var from: String?
            if let fromNode = r.required("from", &d), let text = Read.string(fromNode, &d) {
                if names.contains(text) || IPv4Block(text) != nil { from = text } else {
                    d.error(fromNode, unknownMessage("instance (or an address or CIDR block)", text, names))
                }
            }
            var to: String?
            if let toNode = r.required("to", &d), let text = Read.string(toNode, &d) {
                if names.contains(text) { to = text } else { d.error(toNode, unknownMessage("instance", text, names)) }
            }
            let port = r.required("port", &d).flatMap { Read.integer($0, &d, range: 0...65535, what: "a port") }
            let allowed = r.required("allowed", &d, hint: "true if the connection must work, false if it must be refused")
                .flatMap { Read.bool($0, &d) }
            r.reportUnknownKeys(&d)
            guard let from, let to, let port, let allowed else { continue }
            checks.append(NetworkSpec.Reachability(from: from, to: to, port: Int(port), allowed: allowed))
        }
        return checks
    }

    static func readExpectFailure(_ node: SourceNode, _ expectations: Expectations, _ d: inout Diagnostics) -> [String] {
        guard let list = Read.list(node, &d, what: "expectations that must fail") else { return [] }
        let ids = expectations.ids
        let kinds = ["rto", "rpo", "availability", "invariant", "reachability", "capacity"]
        var result: [String] = []
        for item in list {
            guard let text = Read.string(item, &d, what: "an expectation id") else { continue }
            let matchesKind = kinds.contains(text) && ids.contains { $0.hasPrefix(text + "/") }
            let matchesInvariant = Invariant(rawValue: text).map { ids.contains("invariant/\($0.rawValue)") } ?? false
            guard ids.contains(text) || matchesKind || matchesInvariant else {
                d.error(item, ids.isEmpty
                    ? "expectFailure names \"\(text.prefix(60))\", but the scenario states no expectations to fail"
                    : unknownMessage("expectation", text, ids))
                continue
            }
            result.append(matchesInvariant ? "invariant/\(text)" : text)
        }
        return result
    }

    // MARK: Messages

    static func unknownMessage(_ what: String, _ value: String, _ candidates: [String]) -> String {
        var message = "unknown \(what) \"\(value.prefix(60))\""
        if let suggestion = Spelling.closest(to: value, in: candidates) {
            message += "; did you mean \"\(suggestion)\"?"
        } else if candidates.isEmpty {
            message += "; none are defined"
        } else {
            let shown = candidates.prefix(12).joined(separator: ", ")
            message += "; known: \(shown)\(candidates.count > 12 ? ", …" : "")"
        }
        return message
    }

    static func fileError(_ file: String, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: 0, column: 0, keyPath: "", message: message)
    }

    static func yamlError(_ error: Error, file: String) -> ScenarioError {
        guard let yaml = error as? YamlError else {
            return ScenarioError(file: file, line: 0, column: 0, keyPath: "", message: "invalid YAML: \(error)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, yaml), let .parser(context, problem, mark, yaml),
             let .composer(context, problem, mark, yaml):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            // libyaml reports problems found at the end of input one line past
            // the last line when the file has no final newline.
            let lastLine = max(1, yaml.split(separator: "\n", omittingEmptySubsequences: false).count
                                  - (yaml.hasSuffix("\n") ? 1 : 0))
            // A construct left open at the end of the file (a quote, a flow list)
            // is best located where it was opened.
            if problem.contains("end of stream"), let opened = context?.mark {
                return ScenarioError(file: file, line: opened.line, column: opened.column, keyPath: "",
                                     message: "invalid YAML: \(detail) (opened at line \(opened.line), never closed)")
            }
            let line = min(mark.line, lastLine)
            return ScenarioError(file: file, line: line, column: line == mark.line ? mark.column : 1, keyPath: "",
                                 message: "invalid YAML: \(detail)")
        case let .reader(problem, offset, _, yaml):
            let (line, column) = offset.map { lineAndColumn(Array(yaml.utf8), offset: $0) } ?? (0, 0)
            return ScenarioError(file: file, line: line, column: column, keyPath: "", message: "invalid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the first occurrence; point at the repeat, which is the one to fix.
            let (line, column) = duplicates.first.flatMap {
                secondOccurrence(ofKey: $0, in: context.text, after: context.mark)
            } ?? (context.mark.line, context.mark.column)
            return ScenarioError(file: file, line: line, column: column, keyPath: "",
                                 message: "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in one mapping (first given at line \(context.mark.line))")
        default:
            return ScenarioError(file: file, line: 0, column: 0, keyPath: "", message: "invalid YAML: \(yaml)")
        }
    }

    /// The line and column of the next `key:` after `mark` (the first occurrence).
    static func secondOccurrence(ofKey key: String, in text: String, after mark: Mark) -> (Int, Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        for index in (mark.line - 1)..<lines.count {
            let line = Array(lines[index].unicodeScalars)
            let keyScalars = Array(key.unicodeScalars)
            var start = index == mark.line - 1 ? max(0, mark.column - 1) + keyScalars.count : 0
            while start + keyScalars.count <= line.count {
                defer { start += 1 }
                guard Array(line[start..<start + keyScalars.count]) == keyScalars else { continue }
                let before = start == 0 ? " " : line[start - 1]
                guard before == " " || before == "{" || before == "," || before == "\t" || before == "-" else { continue }
                var after = start + keyScalars.count
                while after < line.count, line[after] == " " { after += 1 }
                if after < line.count, line[after] == ":" { return (index + 1, start + 1) }
            }
        }
        return nil
    }

    static func lineAndColumn(_ bytes: [UInt8], offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == 10 { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, column: Int, offset: Int, byte: UInt8) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 4)
            var length = 0
            for candidate in 1...max(1, end - offset) where String(validating: bytes[offset..<offset + candidate], as: UTF8.self) != nil {
                length = candidate
                break
            }
            if length == 0 {
                let (line, column) = lineAndColumn(bytes, offset: offset)
                return (line, column, offset, bytes[offset])
            }
            offset += length
        }
        return (1, 1, 0, bytes.first ?? 0)
    }
}

/// Renders a YAML node as JSON text (policy documents written inline in a scenario).
enum JSONFromNode {
    static func render(_ node: SourceNode) -> String {
        var out = ""
        write(node, &out)
        return out
    }

    static func write(_ node: SourceNode, _ out: inout String) {
        switch node.value {
        case .null:
            out += "null"
        case .scalar(let text, let isPlain, let tag):
            if isPlain, tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" {
                out += text
            } else {
                JSONText.appendString(text, to: &out)
            }
        case .sequence(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, &out)
            }
            out += "]"
        case .mapping(let pairs):
            out += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out += "," }
                if case .scalar(let key, _, _) = pair.key.value { JSONText.appendString(key, to: &out) } else { out += "\"?\"" }
                out += ":"
                write(pair.value, &out)
            }
            out += "}"
        }
    }
}
