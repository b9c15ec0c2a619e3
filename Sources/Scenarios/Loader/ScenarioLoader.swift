import Foundation
import SimCore
import Yams
import AWSSim
import ODASModel

/// Loads and validates scenario files.
///
/// Loading composes the YAML into nodes (which keep their line and column),
/// reads each section with ``MappingReader`` and then checks references
/// between sections. Every problem becomes a ``ScenarioError`` naming file,
/// line, column and key path; the loader never crashes on input and reports
/// all problems it can find in one pass.
public enum ScenarioLoader {
    /// Upper bound on a workload's rate, to keep histories bounded.
    public static let maximumRatePerSecond = 1_000.0

    /// The operations the workloads issue: each one's rate over the part of the run it is active.
    static func estimatedOperations(_ workloads: [WorkloadSpec], duration: SimDuration) -> Double {
        workloads.reduce(0) { sum, workload in
            let end = min(workload.stop ?? duration, duration)
            return sum + workload.ratePerSecond * max(0, (end - workload.start).seconds)
        }
    }

    /// Rows the scan workloads read: each scan reads its dataset's files whole.
    static func estimatedScanRows(_ workloads: [WorkloadSpec], datasets: [DatasetDefinition], duration: SimDuration) -> Double {
        workloads.reduce(0) { sum, workload in
            guard workload.kind == .scan, let name = workload.odas?.dataset,
                  let dataset = datasets.first(where: { $0.name == name }) else { return sum }
            return sum + estimatedOperations([workload], duration: duration) * Double(dataset.files * dataset.rowsPerFile)
        }
    }

    static let topLevelKeys = ["name", "description", "seed", "duration", "topology", "buckets", "workload",
                               "faults", "expect", "expectFailure", "expectVacuous", "iam", "database", "dns", "network", "compute",
                               "kubernetes", "odas", "installer", "explore"]

    /// Loads the scenario at `path`.
    public static func load(path: String, limits: LoadLimits = LoadLimits()) throws(ScenarioErrors) -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioErrors([fileError(path, "no such file")])
        }
        guard !isDirectory.boolValue else {
            throw ScenarioErrors([fileError(path, "is a directory, not a scenario file")])
        }
        // A device or a pipe never ends (or never starts): only regular files are read.
        if let kind = nonRegularKind(path) {
            throw ScenarioErrors([fileError(path, "is \(kind), not a scenario file")])
        }
        // Measured before reading: a huge (or sparse) file is refused without being read.
        if let size = fileSize(path), size > limits.scenarioFileBytes {
            throw ScenarioErrors([fileError(path, "is \(size) bytes; scenario files may be at most \(limits.scenarioFileBytes) bytes (limit scenario-file-size)")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioErrors([fileError(path, "cannot be read (check its permissions)")])
        }
        return try load(data: data, file: path, limits: limits)
    }

    /// Loads a scenario from bytes; `file` names it in errors.
    public static func load(data: Data, file: String, limits: LoadLimits = LoadLimits()) throws(ScenarioErrors) -> Scenario {
        guard data.count <= limits.scenarioFileBytes else {
            throw ScenarioErrors([fileError(file, "is \(data.count) bytes; scenario files may be at most \(limits.scenarioFileBytes) bytes (limit scenario-file-size)")])
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
        let parser: Parser
        do {
            // The parser stays alive while the nodes are read: it keeps the anchors the alias budget counts.
            parser = try Parser(yaml: text)
            guard let composed = try parser.singleRoot() else {
                throw ScenarioErrors([ScenarioError(file: file, line: 1, column: 1, keyPath: "",
                                                    message: "the file is empty; a scenario needs at least name, duration and topology (see docs/scenario-format.md)")])
            }
            root = composed
        } catch let errors as ScenarioErrors {
            throw errors
        } catch {
            throw ScenarioErrors([yamlError(error, file: file)])
        }
        var budget = SourceNode.Budget(limits)
        let source = withExtendedLifetime(parser) { SourceNode(root, path: "", budget: &budget) }
        if let message = budget.message, let at = budget.exceeded?.location {
            throw ScenarioErrors([ScenarioError(file: file, line: at.line, column: at.column, keyPath: "", message: message)])
        }
        var diagnostics = Diagnostics(file: file)
        var scenario = read(source, file: file, limits: limits, &diagnostics)
        scenario?.sourceDigest = StableHash.fnv1a64(bytes)
        scenario?.notes = diagnostics.notes
        if let scenario, diagnostics.errors.isEmpty { return scenario }
        throw ScenarioErrors(diagnostics.errors)
    }

    /// The work a run takes on beyond its operations, each bounded by its
    /// named limit: the ODAS datasets' rows and the rows scans read, the
    /// pods the manifests ask for, the buckets' preloaded objects.
    static func checkWorkBounds(_ top: inout MappingReader, odas: ODASSpec?, buckets: [BucketSpec], kubernetes: KubernetesSpec?,
                                workloads: [WorkloadSpec], duration: SimDuration?, limits: LoadLimits, _ d: inout Diagnostics) {
        if let duration, let odas, let node = top.child("workload") {
            let rows = estimatedScanRows(workloads, datasets: odas.datasets, duration: duration)
            if rows > Double(limits.scanRows) {
                d.error(node, "the scans would read about \(Int(rows)) rows in \(duration) (limit scan-rows: \(limits.scanRows)); lower the scan rates or the datasets' rows, or raise the limit with --limit scan-rows=N")
            }
        }
        if let odas, let node = top.child("odas") {
            let rows = odas.datasets.reduce(0) { $0 + $1.files * $1.rowsPerFile }
            if rows > limits.dataRows {
                d.error(node, "the datasets' files would hold \(rows) rows (limit data-rows: \(limits.dataRows)); lower files or rowsPerFile, or raise the limit with --limit data-rows=N")
            }
        }
        if let kubernetes, let node = top.child("kubernetes") {
            let pods = estimatedPods(kubernetes, nodes: kubernetes.nodes.count)
            if pods > limits.kubePods {
                d.error(node, "the manifests would ask for about \(pods) pods (limit kube-pods: \(limits.kubePods)); lower replicas or parallelism, or raise the limit with --limit kube-pods=N")
            }
        }
        let objects = buckets.reduce(0) { $0 + $1.objects }
        if objects > limits.preloadedObjects, let node = top.child("buckets") {
            d.error(node, "the buckets would be preloaded with \(objects) objects (limit preloaded-objects: \(limits.preloadedObjects)); lower objects, or raise the limit with --limit preloaded-objects=N")
        }
    }

    /// The pods the manifests ask for: replicas (1 when unset), a Job's
    /// parallelism, a bare Pod, a DaemonSet's pod on every node.
    static func estimatedPods(_ kubernetes: KubernetesSpec, nodes: Int) -> Int {
        var pods = 0
        for object in kubernetes.manifests.flatMap(\.objects) {
            switch object {
            case .deployment(let deployment): pods += Int(max(0, deployment.spec.replicas ?? 1))
            case .replicaSet(let replicaSet): pods += Int(max(0, replicaSet.spec.replicas ?? 1))
            case .statefulSet(let statefulSet): pods += Int(max(0, statefulSet.spec.replicas ?? 1))
            case .job(let job): pods += Int(max(0, job.spec.parallelism ?? 1))
            case .daemonSet: pods += nodes
            case .pod: pods += 1
            default: break
            }
        }
        return pods
    }

    /// A file's size from the file system, without reading it.
    static func fileSize(_ path: String) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue
    }

    /// What an existing path is when it is not a regular file (following
    /// symbolic links): "a device", "a pipe", "a socket", "a directory"; nil
    /// for a regular file or a path that does not exist.
    static func nonRegularKind(_ path: String) -> String? {
        guard let type = (try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path))?[.type]
                as? FileAttributeType else { return nil }
        switch type {
        case .typeRegular: return nil
        case .typeDirectory: return "a directory"
        case .typeCharacterSpecial, .typeBlockSpecial: return "a device"
        case .typeSocket: return "a socket"
        default: return "not a regular file"
        }
    }

    // MARK: Sections

    static func read(_ root: SourceNode, file: String, limits: LoadLimits = LoadLimits(), _ d: inout Diagnostics) -> Scenario? {
        guard var top = MappingReader(root, allowedKeys: topLevelKeys, what: "a scenario", diagnostics: &d) else {
            return nil
        }
        let name = top.required("name", &d).flatMap { Read.label($0, &d, what: "a scenario name") }
        let description = top.child("description").flatMap { Read.string($0, &d) } ?? ""
        let seed = top.child("seed").flatMap { Read.integer($0, &d, range: 0...UInt64.max, what: "a seed") } ?? 1
        let duration = top.required("duration", &d, hint: "how much simulated time the run lasts, e.g. 2h")
            .flatMap { Read.duration($0, &d, allowZero: false) }
        let topology = top.required("topology", &d, hint: "the regions and AZs the run has")
            .flatMap { readTopology($0, &d) }
        var context = Context(topology: topology ?? Topology(regions: [], hosts: []), duration: duration)
        context.limits = limits
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
                    context.hasEKS = network.eks != nil
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
            context.topology.addHosts((kubernetes?.nodes ?? []).map { Topology.Host(name: $0.name, placement: .availabilityZone($0.availabilityZone)) })
        }
        let kubeServices = (kubernetes?.manifests ?? []).flatMap(\.objects).filter { $0.kind == .service }
            .map { "\($0.metadata.namespace ?? "default")/\($0.metadata.nameOrEmpty)" }
        context.odasServiceTargets = peekODASServiceTargets(top.child("odas"), kubernetes: kubernetes, &context)
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
        // The ec2 and cloudformation installers build ODAS's Kubernetes cluster themselves.
        let installerKind = top.child("installer").flatMap(peekInstallerKind)
        let odas = top.child("odas").flatMap { readODAS($0, context, database: database, buckets: buckets, roles: roles,
                                                         kubernetes: kubernetes, clusterFromInstaller: installerKind.map { $0 != .eks } ?? false, &d) }
        let installer = top.child("installer").flatMap { readInstaller($0, context, odas: odas, scenarioFile: file, &d) }
        context.stackRecordNames = Set(dns.map { installer?.stackRecordNames(zone: $0.zone) ?? [] } ?? [])
        // The ec2 installer's instances are hosts: fault targets (node-crash) like any node.
        context.topology.addHosts((installer?.plannedInstances ?? []).map { Topology.Host(name: $0.name, placement: .subnet($0.subnet)) })
        // A standby cluster's nodes are hosts too: fault targets and workload clients.
        context.topology.addHosts((odas?.standby?.nodes ?? []).map { Topology.Host(name: $0.name, placement: .availabilityZone($0.availabilityZone)) })
        let fullTopology = context.topology
        let kubeNodes = (kubernetes?.nodes ?? []).map(\.name) + (odas?.standby?.nodes ?? []).map(\.name)
            + (installer?.plannedInstances ?? []).map(\.name)
        let odasServices = odas.map { spec in ODASComponent.allCases.map { "\(spec.deployment.namespace)/\($0.objectName)" } } ?? []
        let workloads = top.child("workload").map { readWorkloads($0, context, buckets, database, dns, network,
                                                                   IdentityNames(users: users.map(\.name), roles: roles.map(\.name)),
                                                                   kubeServices: kubeServices + odasServices, odas: odas, &d) } ?? []
        if let duration, let node = top.child("duration") {
            let estimate = estimatedOperations(workloads, duration: duration)
            if estimate > Double(limits.runOperations) {
                d.error(node, "the workloads would issue about \(Int(estimate)) operations in \(duration) (limit run-operations: \(limits.runOperations)); shorten the duration, lower the rates or give workloads a stop, or raise the limit with --limit run-operations=N")
            }
        }
        checkWorkBounds(&top, odas: odas, buckets: buckets, kubernetes: kubernetes, workloads: workloads, duration: duration,
                        limits: limits, &d)
        let faults = top.child("faults").map { readFaults($0, context, database, dns, kubeNodes: kubeNodes, buckets: buckets, &d) } ?? []
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
        if expectations.installedWithin != nil, installer == nil, let node = top.child("expect") {
            d.error(node, "installed-within measures an installation: add an installer section")
        }
        let expectFailure = top.child("expectFailure").map { readDeclaredOutcome($0, key: "expectFailure", expectations, extraIDs: installer == nil ? [] : [Evaluation.preflightID, Evaluation.installationID], &d) } ?? []
        let expectVacuous = top.child("expectVacuous").map { readDeclaredOutcome($0, key: "expectVacuous", expectations, extraIDs: installer == nil ? [] : [Evaluation.preflightID, Evaluation.installationID], &d) } ?? []
        for both in Set(expectFailure).intersection(expectVacuous).sorted() {
            if let node = top.child("expectVacuous") { d.error(node, "\(both) is in both expectFailure and expectVacuous; it can be only one") }
        }
        let explore = top.child("explore").flatMap { readExplore($0, &d) }
        top.reportUnknownKeys(&d)
        guard let name, let duration, topology != nil else { return nil }
        var scenario = Scenario(file: file, name: name, description: description, seed: seed, duration: duration,
                                topology: fullTopology, buckets: buckets, workloads: workloads, faults: faults,
                                expectations: expectations, expectFailure: expectFailure, iamUsers: users, iamRoles: roles,
                                database: database, dns: dns, network: network)
        scenario.kubernetes = kubernetes
        scenario.odas = odas
        scenario.installer = installer
        scenario.expectVacuous = expectVacuous
        scenario.explore = explore
        return scenario
    }

    struct Context {
        var topology: Topology
        var duration: SimDuration?
        /// The Services of the scenario's ODAS clusters a DNS record or
        /// health check may target (`CLUSTER/odas-planner`), with their region.
        var odasServiceTargets: [String: FaultDomain] = [:]
        /// The primary ODAS cluster's name, and whether the scenario runs on EKS (its LoadBalancer Services get load balancers).
        var primaryODASCluster: String?
        var hasEKS = false
        /// Names in the hosted zone the installer's stack is given as parameters (records it creates).
        var stackRecordNames: Set<String> = []
        /// The limits in force (``LoadLimits``).
        var limits = LoadLimits()

        func domain(named name: String) -> FaultDomain? { topology.domain(named: name) }
        var allDomainNames: [String] { topology.domainNames }
        var dnsTargetNames: [String] { topology.domainNames + odasServiceTargets.keys.sorted() }
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
