/// What a value refers to: resources and parameters by `Ref`, `Fn::GetAtt`
/// and `${…}` in `Fn::Sub`, and conditions by `Fn::If` and `Condition`. With
/// `conditions` known, only the taken branch of each `Fn::If` counts (a
/// resource excluded by a false condition may be named in the other branch).
struct CFNReferences {
    var refs: Set<String> = []
    /// (resource, attribute) pairs of Fn::GetAtt and `${Resource.Attribute}`.
    var attributes: [(resource: String, attribute: String)] = []
    var conditions: Set<String> = []

    init(_ value: CFNValue, conditions known: [String: Bool]? = nil) {
        walk(value, known)
    }

    /// Every resource named, by Ref or GetAtt.
    var names: Set<String> { refs.union(attributes.map(\.resource)) }

    mutating func walk(_ value: CFNValue, _ known: [String: Bool]?) {
        switch value {
        case .list(let items): for item in items { walk(item, known) }
        case .map(let map):
            guard let name = value.functionName, let argument = map[name] else {
                for (_, item) in map.pairs { walk(item, known) }
                return
            }
            switch name {
            case "Ref":
                if case .string(let target) = argument { refs.insert(target) } else { walk(argument, known) }
            case "Condition":
                if case .string(let target) = argument { conditions.insert(target) }
            case "Fn::GetAtt":
                if case .list(let args) = argument, args.count == 2, case .string(let resource) = args[0] {
                    attributes.append((resource, args[1].scalarText ?? "?"))
                    walk(args[1], known)
                }
            case "Fn::Sub":
                var text: String?
                var given: CFNMap?
                switch argument {
                case .string(let t): text = t
                case .list(let args) where args.count == 2:
                    if case .string(let t) = args[0] { text = t }
                    given = args[1].mapValue
                default: break
                }
                if let given { for (_, item) in given.pairs { walk(item, known) } }
                for variable in CFNSub.variables(text ?? "") where given?[variable] == nil {
                    if let dot = variable.firstIndex(of: "."), !variable.hasPrefix("AWS::") {
                        attributes.append((String(variable[..<dot]), String(variable[variable.index(after: dot)...])))
                    } else {
                        refs.insert(variable)
                    }
                }
            case "Fn::If":
                guard case .list(let args) = argument, args.count == 3, case .string(let condition) = args[0] else {
                    walk(argument, known)
                    return
                }
                conditions.insert(condition)
                if let holds = known?[condition] { walk(holds ? args[1] : args[2], known) } else {
                    walk(args[1], known)
                    walk(args[2], known)
                }
            default:
                walk(argument, known)
            }
        default: break
        }
    }
}
