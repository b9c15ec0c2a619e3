/// The AWS Query protocol (EC2, RDS, Auto Scaling, IAM, STS): form-encoded
/// parameters (`Action=…&Version=…`), XML answers.
public struct QueryRequest: Sendable {
    public var parameters: [(name: String, value: String)]

    /// Parameters from the form body (POST) and the query string.
    public init(_ request: WireRequest, body: [UInt8]) {
        var items = request.queryItems
        if !body.isEmpty {
            let text = String(decoding: body, as: UTF8.self)
            items += text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode: (Substring) -> String = { PercentEncoding.decode($0.replacingOccurrences(of: "+", with: " ")) }
                return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
            }
        }
        parameters = items
    }

    public var action: String? { self["Action"] }

    public subscript(name: String) -> String? { parameters.first { $0.name == name }?.value }

    /// A list parameter in either style: `Name.1`, `Name.2` … or `Name.member.1` ….
    public func list(_ name: String) -> [String] {
        parameters.filter { $0.name.hasPrefix(name + ".") && $0.name.dropFirst(name.count + 1).allSatisfy { $0.isNumber || $0 == "." || $0.isLetter } }
            .filter { $0.name.split(separator: ".").last.map { $0.allSatisfy(\.isNumber) } == true }
            .map(\.value)
    }
}

/// Errors and documents of the Query protocol.
public enum QueryResponse {
    /// EC2's error shape: `<Response><Errors><Error>…</Error></Errors><RequestID>…</RequestID></Response>`.
    public static func ec2Error(code: String, message: String, status: Int = 400, requestId: String) -> WireResponse {
        let body = XMLCodec.write(XMLElement("Response", children: [
            XMLElement("Errors", children: [XMLElement("Error", children: [.leaf("Code", code), .leaf("Message", message)])]),
            .leaf("RequestID", requestId),
        ]), namespace: nil)
        return WireResponse(status: status, headers: [("Content-Type", "text/xml")], body: body)
    }

    /// The awsQuery error shape of RDS and Auto Scaling.
    public static func error(code: String, message: String, status: Int = 400, requestId: String) -> WireResponse {
        let body = XMLCodec.write(XMLElement("ErrorResponse", children: [
            XMLElement("Error", children: [.leaf("Type", status >= 500 ? "Receiver" : "Sender"), .leaf("Code", code),
                                           .leaf("Message", message)]),
            .leaf("RequestId", requestId),
        ]), namespace: nil)
        return WireResponse(status: status, headers: [("Content-Type", "text/xml")], body: body)
    }

    /// `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>`.
    public static func result(action: String, namespace: String, children: [XMLElement], requestId: String) -> WireResponse {
        let body = XMLCodec.write(XMLElement(action + "Response", children: [
            XMLElement(action + "Result", children: children),
            XMLElement("ResponseMetadata", children: [.leaf("RequestId", requestId)]),
        ]), namespace: namespace)
        return WireResponse(status: 200, headers: [("Content-Type", "text/xml")], body: body)
    }

    /// EC2's success shape: `<ActionResponse xmlns><requestId/>…</ActionResponse>`.
    public static func ec2(action: String, children: [XMLElement], requestId: String) -> WireResponse {
        let body = XMLCodec.write(XMLElement(action + "Response", children: [.leaf("requestId", requestId)] + children),
                                  namespace: "http://ec2.amazonaws.com/doc/2016-11-15/")
        return WireResponse(status: 200, headers: [("Content-Type", "text/xml")], body: body)
    }
}
