/// A template read into its sections (AWSCloudFormation/latest/UserGuide/template-anatomy.html),
/// checked for the structure CloudFormation requires before anything is evaluated.
public struct CFNTemplate: Sendable, Equatable {
    public struct Resource: Sendable, Equatable {
        public var logicalId: String
        public var type: String
        public var properties: CFNMap
        public var dependsOn: [String]
        public var condition: String?
        /// `Delete` (default), `Retain`, `RetainExceptOnCreate` or `Snapshot`.
        public var deletionPolicy: String
        /// What happens to the old resource when an update replaces it: `Delete` (default), `Retain` or `Snapshot`.
        public var updateReplacePolicy = "Delete"
        public var creationPolicy: CFNValue?
        public var metadata: CFNValue?
    }

    public struct Output: Sendable, Equatable {
        public var name: String
        public var value: CFNValue
        public var description: String?
        public var exportName: CFNValue?
        public var condition: String?
    }

    public var formatVersion: String?
    public var description: String?
    public var transforms: [String]
    public var parameters: [CFNParameter]
    /// Mapping name → top-level key → second-level key → value.
    public var mappings: CFNMap
    public var conditions: CFNMap
    /// In template order.
    public var resources: [Resource]
    public var outputs: [Output]
    /// The body as given (GetTemplate returns it).
    public var body: String

    static let sections = ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions",
                           "Transform", "Resources", "Outputs"]
    static let resourceAttributes = ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
                                     "CreationPolicy", "UpdatePolicy", "Metadata"]

    public func resource(_ logicalId: String) -> Resource? { resources.first { $0.logicalId == logicalId } }

    /// Parses `body` and checks the template's structure (not yet its references or types).
    public static func parse(_ body: String) throws(CFNError) -> CFNTemplate {
        guard case .map(let root) = try CFNTemplateParser.parse(body) else { throw .format("JSON not well-formed.") }
        let unknown = root.keys.filter { !sections.contains($0) }
        if !unknown.isEmpty { throw .format("Invalid template property or properties [\(unknown.joined(separator: ", "))]") }
        if let version = root["AWSTemplateFormatVersion"], version.scalarText != "2010-09-09" {
            throw .format("'\(version.scalarText ?? CFNJSON.render(version))' is not a valid template version: the only valid value is 2010-09-09")
        }
        var transforms: [String] = []
        switch root["Transform"] {
        case .none: break
        case .string(let name)?: transforms = [name]
        case .list(let items)?: transforms = items.compactMap(\.scalarText)
        default: throw .format("Transform must be a string or a list of strings")
        }
        guard case .map(let resourcesMap)? = root["Resources"], !resourcesMap.isEmpty else {
            throw .format("At least one Resources member must be defined.")
        }
        var resources: [Resource] = []
        for (logicalId, value) in resourcesMap.pairs {
            try checkLogicalId(logicalId, "Resources")
            guard case .map(let attributes) = value else { throw .format("[/Resources/\(logicalId)] Every Resources object must be an object") }
            if let bad = attributes.keys.first(where: { !resourceAttributes.contains($0) }) {
                throw .format("Invalid template resource property '\(bad)'")
            }
            guard case .string(let type)? = attributes["Type"] else {
                throw .format("[/Resources/\(logicalId)] Every Resources object must contain a Type member.")
            }
            var properties = CFNMap()
            switch attributes["Properties"] {
            case .none, .null?: break
            case .map(let map)?: properties = map
            default: throw .format("[/Resources/\(logicalId)/Properties] Every Properties member must be an object")
            }
            var dependsOn: [String] = []
            switch attributes["DependsOn"] {
            case .none: break
            case .string(let name)?: dependsOn = [name]
            case .list(let items)?:
                for item in items {
                    guard case .string(let name) = item else { throw .format("DependsOn must be a string or a list of strings") }
                    dependsOn.append(name)
                }
            default: throw .format("DependsOn must be a string or a list of strings")
            }
            var condition: String?
            if let value = attributes["Condition"] {
                guard case .string(let name) = value else { throw .format("[/Resources/\(logicalId)/Condition] Condition must be a string") }
                condition = name
            }
            var deletionPolicy = "Delete"
            if let value = attributes["DeletionPolicy"] {
                guard let text = value.scalarText, ["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"].contains(text) else {
                    throw .format("Unrecognized DeletionPolicy \(value.scalarText ?? CFNJSON.render(value)) for resource \(logicalId)")
                }
                deletionPolicy = text
            }
            var updateReplacePolicy = "Delete"
            if let value = attributes["UpdateReplacePolicy"] {
                guard let text = value.scalarText, ["Delete", "Retain", "Snapshot"].contains(text) else {
                    throw .format("Unrecognized UpdateReplacePolicy \(value.scalarText ?? CFNJSON.render(value)) for resource \(logicalId)")
                }
                updateReplacePolicy = text
            }
            resources.append(Resource(logicalId: logicalId, type: type, properties: properties, dependsOn: dependsOn,
                                      condition: condition, deletionPolicy: deletionPolicy, updateReplacePolicy: updateReplacePolicy,
                                      creationPolicy: attributes["CreationPolicy"], metadata: attributes["Metadata"]))
        }
        var parameters: [CFNParameter] = []
        if let value = root["Parameters"] {
            guard case .map(let map) = value else { throw .format("Parameters must be an object") }
            for (name, declaration) in map.pairs {
                try checkLogicalId(name, "Parameters")
                parameters.append(try CFNParameter.declared(name, declaration))
            }
        }
        for parameter in parameters where resourcesMap[parameter.name] != nil {
            throw .format("Parameters and resources must have different names: [\(parameter.name)]")
        }
        var mappings = CFNMap()
        if let value = root["Mappings"] {
            guard case .map(let map) = value else { throw .format("Mappings must be an object") }
            for (name, topLevel) in map.pairs {
                guard case .map(let keys) = topLevel, !keys.isEmpty,
                      keys.pairs.allSatisfy({ if case .map(let second) = $0.value { return !second.isEmpty }; return false }) else {
                    throw .format("Mappings attribute name '\(name)' must contain at least one mapping, each an object of at least one value")
                }
            }
            mappings = map
        }
        var conditions = CFNMap()
        if let value = root["Conditions"] {
            guard case .map(let map) = value else { throw .format("Conditions must be an object") }
            conditions = map
        }
        var outputs: [Output] = []
        if let value = root["Outputs"] {
            guard case .map(let map) = value else { throw .format("Outputs must be an object") }
            for (name, declaration) in map.pairs {
                try checkLogicalId(name, "Outputs")
                guard case .map(let fields) = declaration, let outputValue = fields["Value"] else {
                    throw .format("Every Outputs member must contain a Value object")
                }
                if let bad = fields.keys.first(where: { !["Value", "Description", "Export", "Condition"].contains($0) }) {
                    throw .format("Invalid outputs property : [\(bad)]")
                }
                var exportName: CFNValue?
                if let export = fields["Export"] {
                    guard case .map(let exportFields) = export, let nameValue = exportFields["Name"] else {
                        throw .format("Output \(name) is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.")
                    }
                    exportName = nameValue
                }
                outputs.append(Output(name: name, value: outputValue, description: fields["Description"]?.scalarText,
                                      exportName: exportName, condition: fields["Condition"]?.scalarText))
            }
        }
        // Quotas (AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
        if resources.count > 500 { throw .format("Number of resources, \(resources.count), is greater than maximum allowed, 500") }
        if parameters.count > 200 { throw .format("Parameter count \(parameters.count) is greater than max allowed 200") }
        if outputs.count > 200 { throw .format("Number of outputs, \(outputs.count), is greater than maximum allowed, 200") }
        return CFNTemplate(formatVersion: root["AWSTemplateFormatVersion"]?.scalarText, description: root["Description"]?.scalarText,
                           transforms: transforms, parameters: parameters, mappings: mappings, conditions: conditions,
                           resources: resources, outputs: outputs, body: body)
    }

    /// Logical ids are alphanumeric (A–Z, a–z, 0–9), at most 255 characters (AWS's wording).
    static func checkLogicalId(_ id: String, _ section: String) throws(CFNError) {
        guard !id.isEmpty, id.utf8.count <= 255, id.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }) else {
            let kind = section == "Resources" ? "Resource" : section == "Outputs" ? "Output" : "Parameter"
            throw .format("\(kind) name \(id.prefix(255)) is non alphanumeric.")
        }
    }
}
