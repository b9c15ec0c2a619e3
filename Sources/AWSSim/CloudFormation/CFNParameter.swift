import Foundation

/// A parameter declaration and its constraints
/// (AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
public struct CFNParameter: Sendable, Equatable {
    public var name: String
    /// `String`, `Number`, `List<Number>`, `CommaDelimitedList`, an AWS-specific
    /// type (`AWS::EC2::Subnet::Id`, `List<AWS::EC2::Subnet::Id>`, …) or an SSM
    /// parameter type (`AWS::SSM::Parameter::Value<…>`).
    public var type: String
    public var defaultValue: String?
    public var allowedValues: [String]?
    public var allowedPattern: String?
    public var minLength: Int?
    public var maxLength: Int?
    public var minValue: Double?
    public var maxValue: Double?
    public var noEcho: Bool
    public var description: String?
    public var constraintDescription: String?

    /// The types CloudFormation accepts (parameters-section-structure.html,
    /// "Supported AWS-specific parameter types").
    static let awsTypes = ["AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id", "AWS::EC2::Instance::Id",
                           "AWS::EC2::KeyPair::KeyName", "AWS::EC2::SecurityGroup::GroupName", "AWS::EC2::SecurityGroup::Id",
                           "AWS::EC2::Subnet::Id", "AWS::EC2::Volume::Id", "AWS::EC2::VPC::Id", "AWS::Route53::HostedZone::Id"]

    public var isList: Bool { type.hasPrefix("List<") || type == "CommaDelimitedList" || ssmValueType?.hasPrefix("List<") == true }
    public var isNumber: Bool { type == "Number" || type == "List<Number>" }
    /// `AWS::SSM::Parameter::Value<T>`: T.
    public var ssmValueType: String? {
        guard type.hasPrefix("AWS::SSM::Parameter::Value<"), type.hasSuffix(">") else { return nil }
        return String(type.dropFirst("AWS::SSM::Parameter::Value<".count).dropLast())
    }
    /// The AWS resource type whose existence the value must name (`AWS::EC2::Subnet::Id`), lists unwrapped.
    public var awsType: String? {
        var inner = ssmValueType ?? type
        if inner.hasPrefix("List<"), inner.hasSuffix(">") { inner = String(inner.dropFirst(5).dropLast()) }
        return Self.awsTypes.contains(inner) ? inner : nil
    }

    static func declared(_ name: String, _ value: CFNValue) throws(CFNError) -> CFNParameter {
        guard case .map(let fields) = value else { throw .format("Parameter \(name) must be an object") }
        let allowed = ["Type", "Default", "AllowedValues", "AllowedPattern", "MinLength", "MaxLength", "MinValue", "MaxValue",
                       "NoEcho", "Description", "ConstraintDescription"]
        if let bad = fields.keys.first(where: { !allowed.contains($0) }) {
            throw .format("Invalid template parameter property '\(bad)'")
        }
        guard let type = fields["Type"]?.scalarText else { throw .format("Every Parameters object must contain a Type member.") }
        var parameter = CFNParameter(name: name, type: type, defaultValue: nil, allowedValues: nil, allowedPattern: nil,
                                     minLength: nil, maxLength: nil, minValue: nil, maxValue: nil, noEcho: false,
                                     description: fields["Description"]?.scalarText,
                                     constraintDescription: fields["ConstraintDescription"]?.scalarText)
        let basic = ["String", "Number", "List<Number>", "CommaDelimitedList"]
        guard basic.contains(type) || parameter.awsType != nil || parameter.ssmValueType != nil || type == "AWS::SSM::Parameter::Name" else {
            throw .format("Unrecognized parameter type: \(type)")
        }
        switch fields["Default"] {
        case .none: break
        case .list(let items)?: parameter.defaultValue = items.compactMap(\.scalarText).joined(separator: ",")
        case let scalar?:
            guard let text = scalar.scalarText else { throw .format("Default member must be a string for parameter \(name)") }
            parameter.defaultValue = text
        }
        if let values = fields["AllowedValues"] {
            guard case .list(let items) = values else { throw .format("Every AllowedValues member must be a list.") }
            parameter.allowedValues = items.compactMap(\.scalarText)
        }
        parameter.allowedPattern = fields["AllowedPattern"]?.scalarText
        if let pattern = parameter.allowedPattern, (try? NSRegularExpression(pattern: pattern)) == nil {
            throw .format("Parameter '\(name)' has an invalid AllowedPattern: \(pattern)")
        }
        func integer(_ key: String) throws(CFNError) -> Int? {
            guard let value = fields[key] else { return nil }
            guard let text = value.scalarText, let number = Int(text), number >= 0 else { throw .format("\(key) must be a non-negative integer for parameter \(name)") }
            return number
        }
        func number(_ key: String) throws(CFNError) -> Double? {
            guard let value = fields[key] else { return nil }
            guard let text = value.scalarText, let number = Double(text) else { throw .format("\(key) must be a number for parameter \(name)") }
            return number
        }
        parameter.minLength = try integer("MinLength")
        parameter.maxLength = try integer("MaxLength")
        parameter.minValue = try number("MinValue")
        parameter.maxValue = try number("MaxValue")
        if let flag = fields["NoEcho"] { parameter.noEcho = flag.scalarText?.lowercased() == "true" }
        if let defaultValue = parameter.defaultValue, let problem = parameter.violation(defaultValue) {
            throw CFNError("ValidationError", "Template format error: Default value for parameter \(name) is invalid: " + problem)
        }
        return parameter
    }

    /// The message CloudFormation gives when `value` breaks a constraint; nil when it holds.
    /// With a ConstraintDescription, that text replaces the generic one (as AWS does).
    public func violation(_ value: String) -> String? {
        let items = isList ? value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } : [value]
        for item in items {
            if let problem = itemViolation(item) {
                if let constraintDescription { return "Parameter \(name) failed to satisfy constraint: \(constraintDescription)" }
                return problem
            }
        }
        return nil
    }

    func itemViolation(_ value: String) -> String? {
        if isNumber {
            guard let number = Double(value) else { return "Parameter '\(name)' must be a number." }
            if let minValue, number < minValue { return "Parameter '\(name)' must be a number not less than \(Self.text(minValue))" }
            if let maxValue, number > maxValue { return "Parameter '\(name)' must be a number not greater than \(Self.text(maxValue))" }
        } else {
            if let minLength, value.count < minLength { return "Parameter '\(name)' must contain at least \(minLength) characters" }
            if let maxLength, value.count > maxLength { return "Parameter '\(name)' must contain at most \(maxLength) characters" }
            if let pattern = allowedPattern {
                // AllowedPattern must match the whole value.
                let anchored = "^(?:" + pattern + ")$"
                if let regex = try? NSRegularExpression(pattern: anchored),
                   regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) == nil {
                    return "Parameter '\(name)' must match pattern \(pattern)"
                }
            }
        }
        if let allowedValues, !allowedValues.contains(value) { return "Parameter '\(name)' must be one of AllowedValues" }
        return nil
    }

    static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
