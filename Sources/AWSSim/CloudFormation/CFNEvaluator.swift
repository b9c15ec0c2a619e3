import Foundation

/// Evaluates a template value: every intrinsic function
/// (AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html)
/// over a ``CFNContext``, with `AWS::NoValue` removing what it stands in.
/// Errors carry AWS's wording.
public struct CFNEvaluator: Sendable {
    public var context: CFNContext
    public var mappings: CFNMap

    public init(context: CFNContext, mappings: CFNMap = CFNMap()) {
        self.context = context
        self.mappings = mappings
    }

    public func evaluate(_ value: CFNValue) throws(CFNError) -> CFNValue {
        switch value {
        case .list(let items):
            var out: [CFNValue] = []
            for item in items {
                let evaluated = try evaluate(item)
                if evaluated != .noValue { out.append(evaluated) }
            }
            return .list(out)
        case .map(let map):
            if let name = value.functionName, let argument = map[name] { return try function(name, argument) }
            var out = CFNMap()
            for (key, item) in map.pairs {
                let evaluated = try evaluate(item)
                if evaluated != .noValue { out[key] = evaluated }
            }
            return .map(out)
        default:
            return value
        }
    }

    /// The value as one string, or the error naming `function`.
    func string(_ value: CFNValue, _ function: String) throws(CFNError) -> String {
        guard let text = try evaluate(value).scalarText else {
            throw .template("every \(function) argument that must be a string resolves to a string; found \(CFNJSON.render(value).prefix(80))")
        }
        return text
    }

    func strings(_ value: CFNValue, _ function: String) throws(CFNError) -> [String] {
        guard case .list(let items) = try evaluate(value) else {
            throw .template("\(function) needs a list of strings, or a function that returns one; found \(CFNJSON.render(value).prefix(80))")
        }
        var out: [String] = []
        for item in items {
            guard let text = item.scalarText else { throw .template("\(function) needs a list of strings; found \(CFNJSON.render(item).prefix(80))") }
            out.append(text)
        }
        return out
    }

    func function(_ name: String, _ argument: CFNValue) throws(CFNError) -> CFNValue {
        switch name {
        case "Ref": return try ref(argument)
        case "Fn::GetAtt": return try getAtt(argument)
        case "Fn::Sub": return try sub(argument)
        case "Fn::Join":
            guard case .list(let args) = argument, args.count == 2, let delimiter = try evaluate(args[0]).scalarText else {
                throw .template("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
            }
            return .string(try strings(args[1], "Fn::Join").joined(separator: delimiter))
        case "Fn::Select":
            guard case .list(let args) = argument, args.count == 2, let indexText = try evaluate(args[0]).scalarText, let index = Int(indexText) else {
                throw .template("Fn::Select requires a list argument with two elements: an integer index and a list of values")
            }
            guard case .list(let items) = try evaluate(args[1]) else { throw .template("Fn::Select requires a list of values to select from") }
            guard index >= 0, index < items.count else { throw .template("Fn::Select cannot select nonexistent value at index \(index)") }
            return items[index]
        case "Fn::Split":
            guard case .list(let args) = argument, args.count == 2, let delimiter = try evaluate(args[0]).scalarText, !delimiter.isEmpty else {
                throw .template("Fn::Split requires a list argument with two elements: a delimiter and a source string")
            }
            let source = try string(args[1], "Fn::Split")
            return .list(source.components(separatedBy: delimiter).map(CFNValue.string))
        case "Fn::GetAZs":
            let region = try string(argument, "Fn::GetAZs")
            // "" means the stack's region; the list is the region's AZs in alphabetical order.
            return .list((context.availabilityZones[region.isEmpty ? context.region : region] ?? []).sorted().map(CFNValue.string))
        case "Fn::FindInMap": return try findInMap(argument)
        case "Fn::If":
            guard case .list(let args) = argument, args.count == 3, case .string(let condition) = args[0] else {
                throw .template("Fn::If requires a list argument with three elements: a condition name, a value if true and a value if false")
            }
            guard let holds = context.conditions[condition] else { throw .template("unresolved condition dependency \(condition) in Fn::If") }
            return try evaluate(holds ? args[1] : args[2])
        case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
            return .bool(try condition(.map(CFNMap([(name, argument)]))))
        case "Fn::Base64":
            return .string(Data(try string(argument, "Fn::Base64").utf8).base64EncodedString())
        case "Fn::Cidr": return try cidr(argument)
        case "Fn::ImportValue":
            let exportName = try string(argument, "Fn::ImportValue")
            guard let value = context.exports[exportName] else { throw CFNError("ValidationError", "No export named \(exportName) found") }
            return .string(value)
        case "Fn::Length":
            try needLanguageExtensions(name)
            guard case .list(let items) = try evaluate(argument) else { throw .template("Fn::Length needs a list") }
            return .number(String(items.count))
        case "Fn::ToJsonString":
            try needLanguageExtensions(name)
            let evaluated = try evaluate(argument)
            switch evaluated {
            case .map, .list: return .string(CFNJSON.render(evaluated))
            default: throw .template("Fn::ToJsonString needs an object or a list")
            }
        case "Fn::Transform":
            throw CFNError("ValidationError", "Fn::Transform (macros) is not simulated by odas-sim: expand the macro before creating the stack")
        default:
            throw .template("Encountered unsupported function: \(name) Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr, Fn::Length, Fn::ToJsonString]")
        }
    }

    func needLanguageExtensions(_ name: String) throws(CFNError) {
        guard context.transforms.contains("AWS::LanguageExtensions") else {
            throw .template("\(name) needs the AWS::LanguageExtensions transform (Transform: AWS::LanguageExtensions)")
        }
    }

    func ref(_ argument: CFNValue) throws(CFNError) -> CFNValue {
        guard case .string(let target) = argument else { throw .template("Ref takes the name of a parameter, resource or pseudo parameter") }
        if let pseudo = context.pseudo(target) { return pseudo }
        if let parameter = context.parameters[target] { return parameter }
        if let resource = context.resources[target] { return .string(resource.physicalId) }
        if context.excluded.contains(target) {
            throw .format("Unresolved resource dependencies [\(target)] in the Resources block of the template")
        }
        throw .format("Unresolved resource dependencies [\(target)] in the Resources block of the template")
    }

    func getAtt(_ argument: CFNValue) throws(CFNError) -> CFNValue {
        guard case .list(let args) = argument, args.count == 2, case .string(let logicalId) = args[0],
              let attribute = try evaluate(args[1]).scalarText else {
            throw .template("Fn::GetAtt requires a list argument with two elements: a resource name and an attribute name")
        }
        guard let resource = context.resources[logicalId] else {
            throw .format("Unresolved resource dependencies [\(logicalId)] in the Resources block of the template")
        }
        guard let value = resource.attributes[attribute] else {
            throw .template("resource \(logicalId) does not support attribute type \(attribute) in Fn::GetAtt")
        }
        return value
    }

    func sub(_ argument: CFNValue) throws(CFNError) -> CFNValue {
        var templateText: String
        var variables = CFNMap()
        switch argument {
        case .string(let text): templateText = text
        case .list(let args) where args.count == 2:
            guard case .string(let text) = args[0], case .map(let map) = args[1] else {
                throw .template("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
            }
            templateText = text
            variables = map
        default:
            throw .template("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
        }
        var out = ""
        for piece in CFNSub.pieces(templateText) {
            switch piece {
            case .literal(let text): out += text
            case .variable(let name):
                let value: CFNValue
                if let given = variables[name] {
                    value = try evaluate(given)
                } else if let dot = name.firstIndex(of: "."), !name.hasPrefix("AWS::") {
                    value = try getAtt(.list([.string(String(name[..<dot])), .string(String(name[name.index(after: dot)...]))]))
                } else {
                    value = try ref(.string(name))
                }
                guard let text = value.scalarText else {
                    throw .template("variable \(name) in Fn::Sub expression does not resolve to a string")
                }
                out += text
            }
        }
        templateText = out
        return .string(templateText)
    }

    func findInMap(_ argument: CFNValue) throws(CFNError) -> CFNValue {
        guard case .list(let args) = argument, args.count == 3 else {
            throw .template("Fn::FindInMap requires a list argument with three elements: the map name, the top-level key and the second-level key")
        }
        let name = try string(args[0], "Fn::FindInMap"), top = try string(args[1], "Fn::FindInMap"), second = try string(args[2], "Fn::FindInMap")
        guard case .map(let topLevel)? = mappings[name], case .map(let secondLevel)? = topLevel[top], let value = secondLevel[second] else {
            throw .template("Unable to get mapping for \(name)::\(top)::\(second)")
        }
        return value
    }

    /// A condition expression: Fn::Equals, Fn::And (2–10), Fn::Or (2–10), Fn::Not, or a named Condition.
    public func condition(_ value: CFNValue) throws(CFNError) -> Bool {
        guard let name = value.functionName, case .map(let map) = value, let argument = map[name] else {
            if case .bool(let flag) = value { return flag }
            throw .template("a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition; found \(CFNJSON.render(value).prefix(80))")
        }
        switch name {
        case "Condition":
            guard case .string(let other) = argument, let holds = context.conditions[other] else {
                throw .template("unresolved condition dependency \(argument.scalarText ?? "?") in Condition")
            }
            return holds
        case "Fn::Equals":
            guard case .list(let args) = argument, args.count == 2 else { throw .template("Fn::Equals requires a list argument with two elements") }
            let a = try evaluate(args[0]), b = try evaluate(args[1])
            if let x = a.scalarText, let y = b.scalarText { return x == y }
            return a == b
        case "Fn::And", "Fn::Or":
            guard case .list(let args) = argument, (2...10).contains(args.count) else {
                throw .template("\(name) requires a list argument with between 2 and 10 conditions")
            }
            var results: [Bool] = []
            for arg in args { results.append(try condition(arg)) }
            return name == "Fn::And" ? results.allSatisfy { $0 } : results.contains(true)
        case "Fn::Not":
            guard case .list(let args) = argument, args.count == 1 else { throw .template("Fn::Not requires a list argument with one condition") }
            return !(try condition(args[0]))
        case "Fn::If":
            return try condition(try evaluate(value))
        default:
            throw .template("\(name) is not a condition function")
        }
    }

    func cidr(_ argument: CFNValue) throws(CFNError) -> CFNValue {
        guard case .list(let args) = argument, args.count == 3 else {
            throw .template("Fn::Cidr requires a list argument with three elements: an address block, a count and the number of subnet bits")
        }
        let blockText = try string(args[0], "Fn::Cidr")
        guard let block = IPv4Block(blockText), let count = Int(try string(args[1], "Fn::Cidr")),
              let bits = Int(try string(args[2], "Fn::Cidr")), (1...256).contains(count), (1...31).contains(bits) else {
            throw .template("Fn::Cidr: \(blockText) is not an IPv4 block, or the count (1–256) or subnet bits (1–31) are out of range")
        }
        let prefix = 32 - bits
        guard prefix >= block.prefixLength, count <= 1 << (prefix - block.prefixLength) else {
            throw .template("Fn::Cidr: \(count) subnets of /\(prefix) do not fit in \(blockText)")
        }
        let size = UInt32(1) << UInt32(bits)
        return .list((0..<count).map { index in
            .string(IPv4Block(address: block.address &+ UInt32(index) &* size, prefixLength: prefix).description)
        })
    }
}

/// `${Name}` and `${!Literal}` in an Fn::Sub string.
enum CFNSub {
    enum Piece: Equatable { case literal(String), variable(String) }

    static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            literal += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let close = after.firstIndex(of: "}") else {
                literal += rest[start.lowerBound...]
                rest = ""
                break
            }
            let name = after[..<close]
            if name.hasPrefix("!") {
                literal += "${" + name.dropFirst() + "}"
            } else {
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                pieces.append(.variable(name.trimmingCharacters(in: .whitespaces)))
            }
            rest = after[after.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    /// The variables of a Sub string (dependencies).
    static func variables(_ text: String) -> [String] {
        pieces(text).compactMap { if case .variable(let name) = $0 { return name }; return nil }
    }
}
