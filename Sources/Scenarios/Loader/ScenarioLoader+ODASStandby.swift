import ODASModel
import SimCore

/// `odas.standby` — a second ODAS cluster, on its own Kubernetes cluster in
/// another region, reading the same catalog (an Aurora Global Database's
/// secondary there) and the datasets' replicas in its region:
///
/// ```yaml
/// odas:
///   name: odas-west
///   standby:
///     name: odas-east
///     region: us-east-1
///     nodes: [{az: us-east-1a, count: 2, cpu: "8", memory: 32Gi}]
///     services: {planner: 2, worker: 2, catalog: 1}
///     nodeRole: odas-node-east
/// ```
extension ScenarioLoader {
    /// The primary cluster's region: its Kubernetes nodes' (else the first region).
    static func primaryODASRegion(kubernetes: KubernetesSpec?, _ context: Context) -> String {
        kubernetes?.nodes.first?.region ?? context.topology.regions.first?.name ?? ""
    }

    /// The Services a DNS record or health check may target, read ahead of the
    /// `odas` section (which comes after `dns`): `CLUSTER/odas-SERVICE` for the
    /// primary and the standby, each in its cluster's region. Errors in the
    /// section are reported when it is read, not here.
    static func peekODASServiceTargets(_ node: SourceNode?, kubernetes: KubernetesSpec?, _ context: inout Context) -> [String: FaultDomain] {
        guard let node, case .mapping(let pairs) = node.value else { return [:] }
        func scalar(_ pairs: [(key: SourceNode, value: SourceNode)], _ key: String) -> String? {
            for pair in pairs {
                if case .scalar(let name, _, _) = pair.key.value, name == key, case .scalar(let value, _, _) = pair.value.value { return value }
            }
            return nil
        }
        var clusters: [(name: String, region: String)] = [(scalar(pairs, "name") ?? "odas", primaryODASRegion(kubernetes: kubernetes, context))]
        for pair in pairs {
            guard case .scalar("standby", _, _) = pair.key.value, case .mapping(let standby) = pair.value.value else { continue }
            clusters.append((scalar(standby, "name") ?? "odas-standby", scalar(standby, "region") ?? ""))
        }
        var targets: [String: FaultDomain] = [:]
        context.primaryODASCluster = clusters.first?.name
        for cluster in clusters where context.topology.regions.contains(where: { $0.name == cluster.region }) {
            for component in ODASComponent.allCases { targets[cluster.name + "/" + component.objectName] = .region(cluster.region) }
        }
        return targets
    }

    /// `nodeRole: ROLE`, one of the scenario's IAM roles.
    static func readNodeRole(_ node: SourceNode, roles: [IAMRoleSpec], _ d: inout Diagnostics) -> String? {
        guard let text = Read.string(node, &d) else { return nil }
        if roles.contains(where: { $0.name == text }) { return text }
        d.error(node, unknownMessage("role", text, roles.map(\.name)))
        return nil
    }

    static func readStandby(_ node: SourceNode, _ context: Context, primary: ODASClusterSpec, roles: [IAMRoleSpec],
                            primaryNodes: [KubernetesSpec.Node], _ d: inout Diagnostics) -> ODASClusterSpec? {
        guard var s = MappingReader(node, allowedKeys: ["name", "region", "nodes", "services", "nodeRole"],
                                    what: "odas.standby", diagnostics: &d) else { return nil }
        defer { s.reportUnknownKeys(&d) }
        let name = s.child("name").flatMap { Read.name($0, &d, what: "an ODAS cluster name") } ?? "odas-standby"
        if name == primary.name, let nameNode = s.child("name") { d.error(nameNode, "the standby needs a name other than the primary's (\(primary.name))") }
        var region: String?
        if let regionNode = s.required("region", &d, hint: "the standby's region, e.g. us-east-1"), let text = Read.string(regionNode, &d) {
            let regions = context.topology.regions.map(\.name)
            if !regions.contains(text) { d.error(regionNode, unknownMessage("region", text, regions)) }
            else if text == primary.region { d.error(regionNode, "the standby runs in another region than the primary (\(primary.region))") }
            else { region = text }
        }
        var nodes: [KubernetesSpec.Node] = []
        if let list = s.required("nodes", &d, hint: "the standby cluster's node pools, e.g. [{az: us-east-1a, count: 2}]")
            .flatMap({ Read.list($0, &d, what: "node pools") }) {
            var names = Set(primaryNodes.map(\.name) + context.topology.hosts.map(\.name))
            nodes = readNodePools(list, context, names: &names, &d)
            if let region, let stray = nodes.first(where: { $0.region != region }), let nodesNode = s.child("nodes") {
                d.error(nodesNode, "node \(stray.name) is in \(stray.region), not in the standby's region \(region)")
            }
        }
        let components = s.child("services").map { readODASServices($0, context, &d) } ?? primary.deployment.components
        let nodeRole = s.child("nodeRole").flatMap { readNodeRole($0, roles: roles, &d) } ?? primary.nodeRole
        guard let region else { return nil }
        return ODASClusterSpec(name: name, region: region,
                               deployment: ODASDeploymentSpec(namespace: primary.deployment.namespace, components: components,
                                                              version: primary.deployment.version),
                               nodeRole: nodeRole, nodes: nodes)
    }
}
