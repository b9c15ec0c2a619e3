/// ValidateTemplate and the checks CreateStack makes before it returns: every
/// resource type simulated, every reference and condition resolved, every
/// `Fn::GetAtt` a real attribute of its type, no dependency cycle, the IAM
/// capabilities a template needs. All are `ValidationError`s with AWS's wording
/// and leave no stack behind.
public enum CFNValidation {
    public struct Result: Sendable, Equatable {
        public struct Parameter: Sendable, Equatable {
            public var key: String
            public var defaultValue: String?
            public var noEcho: Bool
            public var description: String?
        }
        public var parameters: [Parameter]
        public var description: String?
        /// CAPABILITY_IAM or CAPABILITY_NAMED_IAM when the template creates IAM resources.
        public var capabilities: [String]
        public var capabilitiesReason: String?
        public var declaredTransforms: [String]
        public var graph: CFNGraph
    }

    public static func validate(_ template: CFNTemplate) throws(CFNError) -> Result {
        let unsupported = Set(template.resources.map(\.type).filter {
            CFNResourceTypes.all[$0] == nil || (CFNResourceHandlers.handler($0) == nil && $0 != CloudFormationService.nestedStackType)
        }).sorted()
        if !unsupported.isEmpty {
            throw .format("Unrecognized resource types: [\(unsupported.joined(separator: ", "))] (odas-sim simulates the \(CFNResourceHandlers.byType.count + 1) types listed in docs/fidelity.md, CloudFormation)")
        }
        let unsupportedTransforms = template.transforms.filter { $0 != "AWS::LanguageExtensions" }
        if !unsupportedTransforms.isEmpty {
            throw CFNError("ValidationError", "Transform \(unsupportedTransforms.joined(separator: ", ")) is not simulated by odas-sim: deploy the processed template (only AWS::LanguageExtensions is)")
        }
        let resourceNames = Set(template.resources.map(\.logicalId))
        let parameterNames = Set(template.parameters.map(\.name))
        let conditionNames = Set(template.conditions.keys)
        // Conditions may use parameters, pseudo parameters, mappings and other conditions — never resources.
        for (name, expression) in template.conditions.pairs {
            let references = CFNReferences(expression)
            let bad = references.names.filter { !parameterNames.contains($0) && !CFNContext.pseudoParameters.contains($0) }
            if !bad.isEmpty {
                throw .format("Unresolved dependencies [\(bad.sorted().joined(separator: ", "))]. Cannot reference resources in the Conditions block of the template")
            }
            if let missing = references.conditions.subtracting(conditionNames).sorted().first {
                throw .format("Unresolved condition dependency \(missing) in condition \(name)")
            }
        }
        _ = try conditionOrder(template)
        for resource in template.resources {
            if let condition = resource.condition, !conditionNames.contains(condition) {
                throw .format("Unresolved condition dependency \(condition) in the Resources block (resource \(resource.logicalId))")
            }
            let references = CFNReferences(.map(resource.properties))
            if let missing = references.conditions.subtracting(conditionNames).sorted().first {
                throw .template("unresolved condition dependency \(missing) in Fn::If")
            }
            for (target, attribute) in references.attributes {
                if parameterNames.contains(target) {
                    throw .template("Fn::GetAtt references \(target), which is a parameter, not a resource")
                }
                if let type = template.resource(target)?.type, !CFNResourceTypes.supports(type, attribute: attribute) {
                    throw .template("resource \(target) does not support attribute type \(attribute) in Fn::GetAtt")
                }
            }
        }
        let graph = try CFNGraph.build(template)
        for output in template.outputs {
            var references = CFNReferences(output.value)
            if let export = output.exportName { references.walk(export, nil) }
            let unresolved = references.names.filter {
                !resourceNames.contains($0) && !parameterNames.contains($0) && !CFNContext.pseudoParameters.contains($0)
            }
            if !unresolved.isEmpty {
                throw .format("Unresolved resource dependencies [\(unresolved.sorted().joined(separator: ", "))] in the Outputs block of the template")
            }
            if let condition = output.condition, !conditionNames.contains(condition) {
                throw .format("Unresolved condition dependency \(condition) in the Outputs block (output \(output.name))")
            }
        }
        let iam = template.resources.compactMap { resource -> (String, Bool)? in
            guard let type = CFNResourceTypes.all[resource.type], type.isIAM else { return nil }
            return (resource.type, type.nameProperty.map { resource.properties[$0] != nil } ?? false)
        }
        let capabilities = iam.isEmpty ? [] : iam.contains { $0.1 } ? ["CAPABILITY_NAMED_IAM"] : ["CAPABILITY_IAM"]
        let reason = iam.isEmpty ? nil : "The following resource(s) require capabilities: [\(Set(iam.map(\.0)).sorted().joined(separator: ", "))]"
        return Result(parameters: template.parameters.map { .init(key: $0.name, defaultValue: $0.noEcho ? nil : $0.defaultValue, noEcho: $0.noEcho, description: $0.description) },
                      description: template.description, capabilities: capabilities, capabilitiesReason: reason,
                      declaredTransforms: template.transforms, graph: graph)
    }

    /// Conditions in an order where each comes after those it names; a cycle is an error.
    static func conditionOrder(_ template: CFNTemplate) throws(CFNError) -> [String] {
        let needs = Dictionary(uniqueKeysWithValues: template.conditions.pairs.map { ($0.key, CFNReferences($0.value).conditions.sorted()) })
        let cycle = CFNGraph.cycle(needs)
        if !cycle.isEmpty { throw .format("Circular dependency between conditions: [\(cycle.joined(separator: ", "))]") }
        return CFNGraph.topological(needs)
    }

    /// CreateStack's parameter checks: every name declared, every parameter
    /// without a default given, every value within its constraints. Returns the
    /// resolved values (lists for list types).
    public static func resolveParameters(_ template: CFNTemplate, given: [String: String]) throws(CFNError) -> [String: CFNValue] {
        let declared = Set(template.parameters.map(\.name))
        let unknown = given.keys.filter { !declared.contains($0) }.sorted()
        if !unknown.isEmpty { throw CFNError("ValidationError", "Parameters: [\(unknown.joined(separator: ", "))] do not exist in the template") }
        let missing = template.parameters.filter { given[$0.name] == nil && $0.defaultValue == nil }.map(\.name)
        if !missing.isEmpty { throw CFNError("ValidationError", "Parameters: [\(missing.joined(separator: ", "))] must have values") }
        var values: [String: CFNValue] = [:]
        for parameter in template.parameters {
            let value = given[parameter.name] ?? parameter.defaultValue ?? ""
            if let problem = parameter.violation(value) { throw CFNError("ValidationError", problem) }
            values[parameter.name] = parameter.isList
                ? .list(value.isEmpty ? [] : value.split(separator: ",", omittingEmptySubsequences: false)
                    .map { .string($0.trimmingCharacters(in: .whitespaces)) })
                : .string(value)
        }
        return values
    }

    /// Every condition's value, in dependency order.
    public static func evaluateConditions(_ template: CFNTemplate, _ context: CFNContext) throws(CFNError) -> [String: Bool] {
        var evaluator = CFNEvaluator(context: context, mappings: template.mappings)
        for name in try conditionOrder(template) {
            guard let expression = template.conditions[name] else { continue }
            evaluator.context.conditions[name] = try evaluator.condition(expression)
        }
        return evaluator.context.conditions
    }
}
