import Foundation
import KubeSim
import SimCore
import Yams

/// `kubernetes:` — node pools per AZ and the manifests applied at the start.
///
/// ```yaml
/// kubernetes:
///   nodes:
///     - {az: us-west-2a, count: 2, cpu: "4", memory: 16Gi, labels: {role: odas}}
///   manifests: [k8s/odas-planner.yaml]      # relative to the scenario file; or inline objects
/// ```
extension ScenarioLoader {
    /// Manifest files may hold at most this many bytes (like scenario files).

    static func readKubernetes(_ node: SourceNode, _ context: Context, scenarioFile: String, hasEKS: Bool,
                               _ d: inout Diagnostics) -> KubernetesSpec? {
        guard var k = MappingReader(node, allowedKeys: ["nodes", "manifests"], what: "a kubernetes section", diagnostics: &d) else {
            return nil
        }
        var nodes: [KubernetesSpec.Node] = []
        var names: Set<String> = []
        // With compute.eks, the node groups' instances join the cluster; listed nodes are optional then.
        let nodesNode = hasEKS ? k.child("nodes") : k.required("nodes", &d, hint: "node pools, e.g. [{az: us-west-2a, count: 2}]")
        if let list = nodesNode.flatMap({ Read.list($0, &d, what: "node pools") }) {
            nodes = readNodePools(list, context, names: &names, &d)
        }
        var manifests: [KubernetesSpec.Manifest] = []
        var entries: [(node: SourceNode, manifest: KubernetesSpec.Manifest)] = []
        if let list = k.child("manifests").flatMap({ Read.list($0, &d, what: "manifests") }) {
            for item in list {
                let manifest: KubernetesSpec.Manifest?
                if case .scalar(let path, _, _) = item.value {
                    manifest = readManifestFile(path, item, scenarioFile: scenarioFile, limits: context.limits, &d)
                } else if case .mapping = item.value {
                    manifest = decodeManifest([item], file: "inline", at: item, &d)
                } else {
                    d.error(item, "a manifest is a file path (relative to the scenario) or an inline object")
                    manifest = nil
                }
                if let manifest {
                    manifests.append(manifest)
                    entries.append((item, manifest))
                }
            }
        }
        k.reportUnknownKeys(&d)
        // Apply everything to a scratch cluster: the apiserver's validation
        // decides, and the error names the manifest and the object.
        var scratch = KubeCluster(random: SimRandom(seed: 0))
        for node in nodes {
            _ = try? scratch.addNode(name: node.name, zone: node.availabilityZone, region: node.region, cpu: node.cpu,
                                     memory: node.memory, pods: node.pods, labels: node.labels)
        }
        for (item, manifest) in entries {
            for (index, object) in manifest.objects.enumerated() {
                do throws(KubeError) { _ = try scratch.apply(object) } catch {
                    d.error(item, "\(manifest.file) document \(index + 1) (\(object.kind.rawValue) \(object.metadata.nameOrEmpty)): \(error.message)")
                }
            }
        }
        return KubernetesSpec(nodes: nodes, manifests: manifests)
    }

    /// Node pools (`[{az, count, cpu, memory, pods, labels, namePrefix}]`) as
    /// nodes named `PREFIX-AZ-N`, unique among `names` (which grows).
    static func readNodePools(_ list: [SourceNode], _ context: Context, names: inout Set<String>,
                              _ d: inout Diagnostics) -> [KubernetesSpec.Node] {
        var nodes: [KubernetesSpec.Node] = []
        for item in list {
            guard var pool = MappingReader(item, allowedKeys: ["az", "count", "cpu", "memory", "pods", "labels", "namePrefix"],
                                           what: "a node pool", diagnostics: &d) else { continue }
            var zone: String?
            if let azNode = pool.required("az", &d), let text = Read.string(azNode, &d) {
                if context.topology.availabilityZones.contains(text) { zone = text }
                else { d.error(azNode, unknownMessage("availability zone", text, context.topology.availabilityZones)) }
            }
            let count = pool.child("count").flatMap { Read.integer($0, &d, range: 1...10_000, what: "a node count") } ?? 1
            func quantity(_ key: String, _ fallback: String) -> Quantity? {
                guard let valueNode = pool.child(key) else { return Quantity(fallback) }
                guard let text = Read.string(valueNode, &d), let value = Quantity(text), value.milliValue > 0 else {
                    d.error(valueNode, "\(key) is a Kubernetes quantity such as \(fallback)")
                    return nil
                }
                return value
            }
            let cpu = quantity("cpu", "4"), memory = quantity("memory", "16Gi")
            let pods = pool.child("pods").flatMap { Read.integer($0, &d, range: 1...1_000, what: "a pod capacity") } ?? 110
            var labels: [String: String] = [:]
            if let labelsNode = pool.child("labels") {
                if case .mapping(let pairs) = labelsNode.value {
                    for pair in pairs {
                        guard let key = Read.string(pair.key, &d), let value = Read.string(pair.value, &d) else { continue }
                        labels[key] = value
                    }
                } else {
                    d.error(labelsNode, "labels is a mapping of label keys to values")
                }
            }
            let prefix = pool.child("namePrefix").flatMap { Read.name($0, &d, what: "a node name prefix") } ?? "node"
            pool.reportUnknownKeys(&d)
            guard let zone, let cpu, let memory else { continue }
            // Bounded before any node is made: a file of pools can ask for more nodes than memory holds.
            guard nodes.count + Int(count) <= context.limits.kubeNodes else {
                d.error(item, "the node pools ask for more than \(context.limits.kubeNodes) nodes (limit kube-nodes: \(context.limits.kubeNodes)); lower the counts, or raise the limit with --limit kube-nodes=N")
                return nodes
            }
            let region = context.topology.regions.first { $0.availabilityZones.contains(zone) }?.name ?? ""
            var ordinal = 1
            for _ in 0..<count {
                while names.contains("\(prefix)-\(zone)-\(ordinal)") { ordinal += 1 }
                let name = "\(prefix)-\(zone)-\(ordinal)"
                names.insert(name)
                nodes.append(KubernetesSpec.Node(name: name, availabilityZone: zone, region: region, cpu: cpu, memory: memory,
                                                 pods: Int64(pods), labels: labels))
            }
        }
        return nodes
    }

    /// Reads a manifest file: YAML, one or more documents (`---`), each a Kubernetes object.
    static func readManifestFile(_ path: String, _ item: SourceNode, scenarioFile: String, limits: LoadLimits,
                                 _ d: inout Diagnostics) -> KubernetesSpec.Manifest? {
        guard !path.hasPrefix("/") else {
            d.error(item, "manifest paths are relative to the scenario file, not absolute (\(path.prefix(80)))")
            return nil
        }
        let directory = URL(fileURLWithPath: scenarioFile).deletingLastPathComponent()
        let url = directory.appendingPathComponent(path)
        if let kind = ScenarioLoader.nonRegularKind(url.path) {
            d.error(item, "manifest \(path) is \(kind), not a YAML file")
            return nil
        }
        // Measured before reading: a huge (or sparse) file is refused without being read.
        if let size = ScenarioLoader.fileSize(url.path), size > limits.manifestFileBytes {
            d.error(item, "manifest \(path) is \(size) bytes; manifests may be at most \(limits.manifestFileBytes) bytes (limit manifest-file-size)")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            d.error(item, "manifest \(path) not found (looked in \(directory.path))")
            return nil
        }
        guard data.count <= limits.manifestFileBytes, let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else {
            d.error(item, "manifest \(path) is not a UTF-8 YAML file of at most \(limits.manifestFileBytes) bytes (limit manifest-file-size)")
            return nil
        }
        guard let documents = manifestDocuments(text, file: path, at: item, limits: limits, &d) else { return nil }
        var manifest = decodeManifest(documents, file: path, at: item, &d)
        manifest?.digest = StableHash.fnv1a64(text)
        return manifest
    }

    /// Every document of a manifest, parsed one by one: the first that is not
    /// valid YAML, or that expands past the YAML budget, is an error naming
    /// the file, the document and the line (nothing after it is silently dropped).
    static func manifestDocuments(_ text: String, file: String, at item: SourceNode, limits: LoadLimits, _ d: inout Diagnostics) -> [SourceNode]? {
        var documents: [SourceNode] = []
        do {
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() {
                var budget = SourceNode.Budget(limits)
                let document = SourceNode(root, path: "", budget: &budget)
                if let message = budget.message, let at = budget.exceeded?.location {
                    d.error(item, "manifest \(file):\(at.line):\(at.column) (document \(documents.count + 1)): \(message)")
                    return nil
                }
                documents.append(document)
            }
        } catch {
            let located = ScenarioLoader.yamlError(error, file: file)
            d.error(item, "manifest \(file):\(located.line):\(located.column) (document \(documents.count + 1)): \(located.message)")
            return nil
        }
        return documents
    }

    /// The field a decoding error is about, and why, in words.
    static func describe(_ error: DecodingError) -> (path: [CodingKey], reason: String) {
        switch error {
        case .dataCorrupted(let context): return (context.codingPath, context.debugDescription)
        case .typeMismatch(let type, let context): return (context.codingPath, "expected \(typeName(type))")
        case .valueNotFound(let type, let context): return (context.codingPath, "expected \(typeName(type)), found nothing")
        case .keyNotFound(let key, let context): return (context.codingPath + [key], "required field missing")
        @unknown default: return ([], "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int32.Type, is Int64.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        case is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "a mapping" : "a \(name)"
        }
    }

    /// `spec.template.spec.containers[0].resources.requests.cpu`.
    static func pathText(_ path: [CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out
    }

    /// The YAML node at a decoding path, for its line and column.
    static func node(_ root: SourceNode, at path: [CodingKey]) -> SourceNode? {
        var current = root
        for key in path {
            switch current.value {
            case .mapping(let pairs):
                guard let next = pairs.first(where: { pair in
                    if case .scalar(let text, _, _) = pair.key.value { return text == key.stringValue }
                    return false
                }) else { return current }
                current = next.value
            case .sequence(let items):
                guard let index = key.intValue, items.indices.contains(index) else { return current }
                current = items[index]
            default:
                return current
            }
        }
        return current
    }

    /// Decodes each document as a Kubernetes object (`apiVersion`, `kind`, `metadata`, …).
    static func decodeManifest(_ documents: [SourceNode], file: String, at item: SourceNode,
                               _ d: inout Diagnostics) -> KubernetesSpec.Manifest? {
        var objects: [AnyKubeObject] = []
        for (index, document) in documents.enumerated() {
            if case .null = document.value {
                d.note(item, "manifest \(file) document \(index + 1) is empty; skipped")
                continue
            }
            let json = JSONFromNode.render(document)
            do {
                objects.append(try AnyKubeObject.decode(json: Data(json.utf8)))
            } catch let error as KubeError {
                d.error(item, "\(file) document \(index + 1) (line \(document.location.line)): \(error.message)")
            } catch let error as DecodingError {
                let (path, reason) = describe(error)
                let at = node(document, at: path)?.location ?? document.location
                d.error(item, "\(file):\(at.line):\(at.column) (document \(index + 1)): \(path.isEmpty ? "" : pathText(path) + ": ")\(reason)")
            } catch {
                d.error(item, "\(file) document \(index + 1) (line \(document.location.line)): not a Kubernetes object: \(error)")
            }
        }
        let digest = StableHash.fnv1a64(documents.map(JSONFromNode.render).joined(separator: "\n"))
        return objects.isEmpty ? nil : KubernetesSpec.Manifest(file: file, objects: objects, digest: digest)
    }
}
