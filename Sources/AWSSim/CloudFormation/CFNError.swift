/// A CloudFormation error as the API returns it: `ValidationError` (400) with
/// AWS's message text, or another code (`AlreadyExistsException`, …).
public struct CFNError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var status: Int

    public init(_ code: String = "ValidationError", _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// `Template format error: …` — the template itself is malformed.
    static func format(_ message: String) -> CFNError { CFNError("ValidationError", "Template format error: " + message) }
    /// `Template error: …` — a function or reference cannot be evaluated.
    static func template(_ message: String) -> CFNError { CFNError("ValidationError", "Template error: " + message) }

    public var description: String { "\(code): \(message)" }
}
