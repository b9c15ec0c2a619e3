/// The dependency graph of a template's resources: `Ref`, `Fn::GetAtt`,
/// `${X}` in `Fn::Sub` and `DependsOn` (aws-attribute-dependson.html: "B is
/// created before A; A is deleted before B"), in a stable order — logical id
/// breaks every tie — so the same template always creates in the same order.
public struct CFNGraph: Sendable, Equatable {
    /// Each resource's dependencies, sorted.
    public var dependencies: [String: [String]]
    /// A creation order (dependencies first; ties by logical id).
    public var order: [String]

    /// Resources that depend on `logicalId`, sorted.
    public func dependents(of logicalId: String) -> [String] {
        dependencies.filter { $0.value.contains(logicalId) }.map(\.key).sorted()
    }

    /// Builds the graph of `resources` (all when nil: validation) with the
    /// conditions known at creation (only taken Fn::If branches count).
    static func build(_ template: CFNTemplate, included: Set<String>? = nil, conditions: [String: Bool]? = nil) throws(CFNError) -> CFNGraph {
        let resources = template.resources.filter { included?.contains($0.logicalId) ?? true }
        let present = Set(resources.map(\.logicalId))
        let parameters = Set(template.parameters.map(\.name))
        var dependencies: [String: [String]] = [:]
        var unresolved: Set<String> = []
        for resource in resources {
            let references = CFNReferences(.map(resource.properties), conditions: conditions)
            var needs = Set(resource.dependsOn)
            for name in references.refs where !CFNContext.pseudoParameters.contains(name) && !parameters.contains(name) {
                needs.insert(name)
            }
            for (target, _) in references.attributes { needs.insert(target) }
            for name in needs where !present.contains(name) { unresolved.insert(name) }
            dependencies[resource.logicalId] = needs.filter { present.contains($0) }.sorted()
        }
        if !unresolved.isEmpty {
            throw .format("Unresolved resource dependencies [\(unresolved.sorted().joined(separator: ", "))] in the Resources block of the template")
        }
        let cycle = Self.cycle(dependencies)
        if !cycle.isEmpty { throw CFNError("ValidationError", "Circular dependency between resources: [\(cycle.joined(separator: ", "))]") }
        return CFNGraph(dependencies: dependencies, order: Self.topological(dependencies))
    }

    /// Kahn's algorithm taking the smallest ready logical id each time.
    static func topological(_ dependencies: [String: [String]]) -> [String] {
        var remaining = dependencies.mapValues { Set($0) }
        var order: [String] = []
        while !remaining.isEmpty {
            guard let next = remaining.filter({ $0.value.isEmpty }).map(\.key).min() else { break }
            order.append(next)
            remaining[next] = nil
            for key in remaining.keys { remaining[key]?.remove(next) }
        }
        return order
    }

    /// The resources on dependency cycles (Tarjan's strongly connected
    /// components of more than one node, or a self-dependency), sorted; empty when acyclic.
    static func cycle(_ dependencies: [String: [String]]) -> [String] {
        var index = 0
        var indices: [String: Int] = [:], lowlink: [String: Int] = [:]
        var stack: [String] = [], onStack: Set<String> = []
        var members: Set<String> = []
        func connect(_ node: String) {
            indices[node] = index
            lowlink[node] = index
            index += 1
            stack.append(node)
            onStack.insert(node)
            for next in dependencies[node] ?? [] {
                if indices[next] == nil {
                    connect(next)
                    lowlink[node] = min(lowlink[node] ?? 0, lowlink[next] ?? 0)
                } else if onStack.contains(next) {
                    lowlink[node] = min(lowlink[node] ?? 0, indices[next] ?? 0)
                }
            }
            if lowlink[node] == indices[node] {
                var component: [String] = []
                while let top = stack.popLast() {
                    onStack.remove(top)
                    component.append(top)
                    if top == node { break }
                }
                if component.count > 1 || (dependencies[node] ?? []).contains(node) { members.formUnion(component) }
            }
        }
        for node in dependencies.keys.sorted() where indices[node] == nil { connect(node) }
        return members.sorted()
    }
}
