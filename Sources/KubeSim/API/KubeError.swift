/// `metav1.StatusReason` values the simulation returns.
public enum StatusReason: String, Hashable, Sendable, Codable {
    case invalid = "Invalid", notFound = "NotFound", alreadyExists = "AlreadyExists", conflict = "Conflict"
    case tooManyRequests = "TooManyRequests", badRequest = "BadRequest", expired = "Expired"
    case forbidden = "Forbidden", internalError = "InternalError", unsupportedMediaType = "UnsupportedMediaType"
    case serviceUnavailable = "ServiceUnavailable"

    /// The HTTP status code the apiserver pairs with the reason.
    public var code: Int {
        switch self {
        case .invalid: return 422
        case .notFound: return 404
        case .alreadyExists, .conflict: return 409
        case .tooManyRequests: return 429
        case .badRequest: return 400
        case .expired: return 410
        case .forbidden: return 403
        case .internalError: return 500
        case .unsupportedMediaType: return 415
        case .serviceUnavailable: return 503
        }
    }
}

/// A Kubernetes API error: the `Status` reason, code and message the apiserver would return.
public struct KubeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: StatusReason
    public var message: String
    public var causes: [StatusCause]
    public var kind: KubeKind?
    public var name: String?

    public init(reason: StatusReason, message: String, causes: [StatusCause] = [], kind: KubeKind? = nil, name: String? = nil) {
        self.reason = reason
        self.message = message
        self.causes = causes
        self.kind = kind
        self.name = name
    }

    public var code: Int { reason.code }
    public var description: String { message }

    /// The `Status` object for the wire.
    public var status: Status {
        Status(status: "Failure", message: message, reason: reason.rawValue,
               details: StatusDetails(name: name, group: kind?.group.isEmpty == false ? kind?.group : nil, kind: kind?.resource, causes: causes.isEmpty ? nil : causes),
               code: code)
    }

    /// `pods "x" not found`.
    public static func notFound(_ kind: KubeKind, _ name: String) -> KubeError {
        KubeError(reason: .notFound, message: "\(kind.qualifiedResource) \"\(name)\" not found", kind: kind, name: name)
    }
    /// `pods "x" already exists`.
    public static func alreadyExists(_ kind: KubeKind, _ name: String) -> KubeError {
        KubeError(reason: .alreadyExists, message: "\(kind.qualifiedResource) \"\(name)\" already exists", kind: kind, name: name)
    }
    /// The optimistic-concurrency conflict message.
    public static func conflict(_ kind: KubeKind, _ name: String) -> KubeError {
        KubeError(reason: .conflict,
                  message: "Operation cannot be fulfilled on \(kind.qualifiedResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                  kind: kind, name: name)
    }
    /// `Deployment.apps "x" is invalid: spec.selector: Required value` (several errors in `[…, …]`).
    public static func invalid(_ kind: KubeKind, _ name: String, _ errors: [FieldError]) -> KubeError {
        let list = errors.map(\.description)
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return KubeError(reason: .invalid, message: "\(kind.qualifiedKind) \"\(name)\" is invalid: \(joined)",
                         causes: errors.map { StatusCause(reason: $0.type.causeReason, message: $0.causeMessage, field: $0.field) },
                         kind: kind, name: name)
    }
}

/// `metav1.Status`.
public struct Status: Hashable, Sendable, Codable {
    public var kind: String = "Status"
    public var apiVersion: String = "v1"
    public var status: String
    public var message: String?
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int
}

public struct StatusDetails: Hashable, Sendable, Codable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [StatusCause]?
}

public struct StatusCause: Hashable, Sendable, Codable {
    public var reason: String?
    public var message: String?
    public var field: String?
}

/// One validation problem, printed as `field.errors.Error` does upstream.
public struct FieldError: Hashable, Sendable, CustomStringConvertible {
    public enum ErrorType: Hashable, Sendable {
        case required, invalid, notSupported, forbidden, duplicate
        var label: String {
            switch self {
            case .required: return "Required value"
            case .invalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .duplicate: return "Duplicate value"
            }
        }
        var causeReason: String {
            switch self {
            case .required: return "FieldValueRequired"
            case .invalid: return "FieldValueInvalid"
            case .notSupported: return "FieldValueNotSupported"
            case .forbidden: return "FieldValueForbidden"
            case .duplicate: return "FieldValueDuplicate"
            }
        }
    }

    public var type: ErrorType
    public var field: String
    /// The offending value, already rendered (`"X"` for strings, `-1` for numbers).
    public var value: String?
    public var detail: String?

    public static func required(_ field: String, _ detail: String? = nil) -> FieldError {
        FieldError(type: .required, field: field, value: nil, detail: detail)
    }
    public static func invalid(_ field: String, _ value: String, _ detail: String) -> FieldError {
        FieldError(type: .invalid, field: field, value: value, detail: detail)
    }
    public static func invalidString(_ field: String, _ value: String, _ detail: String) -> FieldError {
        FieldError(type: .invalid, field: field, value: "\"\(value)\"", detail: detail)
    }
    public static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> FieldError {
        FieldError(type: .notSupported, field: field, value: "\"\(value)\"",
                   detail: "supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", "))
    }
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(type: .forbidden, field: field, value: nil, detail: detail)
    }

    var causeMessage: String {
        var out = type.label
        if let value { out += ": \(value)" }
        if let detail { out += ": \(detail)" }
        return out
    }

    public var description: String { "\(field): \(causeMessage)" }
}
