import AWSSim
import Foundation
import SimCore

/// Why the HTTP layer refused a request before its endpoint saw it.
public enum WireRefusal: Sendable, Equatable {
    /// The request line and headers together exceed the endpoint's limit (bytes).
    case headerSectionTooLarge(limit: Int)
    /// The body exceeds the endpoint's limit for this request (bytes).
    case bodyTooLarge(limit: Int)
    /// The head and body did not arrive within the request timeout.
    case timeout
    /// Request bodies buffered by all connections together would exceed the shared budget (bytes).
    case bufferBudget(limit: Int)
    /// The bytes are not HTTP/1.1 (a malformed chunk size, header line, …): the parser's reason.
    case malformed(String)
}

/// How one endpoint bounds requests and words its refusals, so that a client
/// is refused in its own protocol: S3 error XML, a Kubernetes `Status`, the
/// control API's JSON.
public struct WireEndpointRules: Sendable {
    /// The largest header section (request line and header fields) accepted.
    /// NIO's parser refuses more than 80 KiB on its own, as `malformed`.
    public var maximumHeaderBytes: Int
    /// The largest body for a request, judged from its head (its body is empty).
    public var maximumBodyBytes: @Sendable (WireRequest) -> Int
    /// Checks on the head before its body is read (Host, Origin, a token): a
    /// response refuses the request; nil admits it.
    public var admit: @Sendable (WireRequest) -> WireResponse?
    /// The refusal in the endpoint's protocol; the request is nil when its head
    /// could not be parsed.
    public var refusal: @Sendable (WireRefusal, WireRequest?) -> WireResponse

    public init(maximumHeaderBytes: Int = 80 << 10, maximumBodyBytes: @escaping @Sendable (WireRequest) -> Int,
                admit: @escaping @Sendable (WireRequest) -> WireResponse? = { _ in nil },
                refusal: @escaping @Sendable (WireRefusal, WireRequest?) -> WireResponse) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
        self.admit = admit
        self.refusal = refusal
    }

    /// One body limit for every request, refusals as S3 error XML.
    public static func s3(maximumBodyBytes: Int) -> WireEndpointRules {
        WireEndpointRules(maximumBodyBytes: { _ in maximumBodyBytes }, refusal: { refusal, request in
            WireRefusalShapes.s3(refusal, resource: request.map { String($0.rawPath) })
        })
    }

    /// Bytes of a request's header section as it came on the wire: the request
    /// line and each `name: value` line with its CRLF.
    public static func headerSectionBytes(method: String, target: String, headers: [(name: String, value: String)]) -> Int {
        var total = method.utf8.count + 1 + target.utf8.count + " HTTP/1.1\r\n".utf8.count + 2
        for header in headers { total += header.name.utf8.count + 2 + header.value.utf8.count + 2 }
        return total
    }
}

/// Refusals in each protocol's words, with the AWS or Kubernetes code a client
/// expects for the same condition.
public enum WireRefusalShapes {
    /// Amazon S3 error XML. Codes and statuses from the S3 API Reference,
    /// "Error responses" (RequestHeaderSectionTooLarge and EntityTooLarge are
    /// 400 Bad Request; RequestTimeout 400; SlowDown 503).
    public static func s3(_ refusal: WireRefusal, resource: String?) -> WireResponse {
        let (status, code, message) = awsTerms(refusal)
        var children: [XMLElement] = [.leaf("Code", code), .leaf("Message", message)]
        switch refusal {
        case .headerSectionTooLarge(let limit), .bodyTooLarge(let limit): children.append(.leaf("MaxSizeAllowed", String(limit)))
        default: break
        }
        if let resource { children.append(.leaf("Resource", resource)) }
        let body = XMLCodec.write(XMLElement("Error", children: children), namespace: nil)
        return WireResponse(status: status, headers: [("Content-Type", "application/xml")], body: body)
    }

    /// The status, code and message AWS gives for a refusal.
    public static func awsTerms(_ refusal: WireRefusal) -> (status: Int, code: String, message: String) {
        switch refusal {
        case .headerSectionTooLarge(let limit):
            return (400, "RequestHeaderSectionTooLarge",
                    "Your request header section exceeds the maximum allowed size (\(limit) bytes).")
        case .bodyTooLarge(let limit):
            return (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size (\(limit) bytes in odas-sim serve).")
        case .timeout:
            return (400, "RequestTimeout",
                    "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
        case .bufferBudget(let limit):
            return (503, "SlowDown", "Please reduce your request rate. (odas-sim serve buffers at most \(limit) bytes of request bodies at once)")
        case .malformed(let reason):
            return (400, "BadRequest", "An error occurred when parsing the HTTP request: \(reason).")
        }
    }

    /// An AWS query or JSON protocol error for a refusal (IAM, STS, EC2, RDS, KMS, …).
    public static func awsService(_ refusal: WireRefusal, service: String, requestId: String) -> WireResponse {
        var (status, code, message) = awsTerms(refusal)
        if case .bodyTooLarge = refusal { (status, code) = (413, "RequestEntityTooLarge") }
        switch service {
        case "ec2":
            return QueryResponse.ec2Error(code: code, message: message, status: status, requestId: requestId)
        case "kms", "eks":
            let body = (try? JSONSerialization.data(withJSONObject: ["__type": code, "message": message], options: [.sortedKeys])) ?? Data()
            return WireResponse(status: status, headers: [("Content-Type", "application/x-amz-json-1.1")], body: Array(body))
        default:
            return QueryResponse.error(code: code, message: message, status: status, requestId: requestId)
        }
    }

    /// A Kubernetes `Status` (k8s.io/apimachinery metav1.StatusReason): 413
    /// RequestEntityTooLarge "limit is N", 431 for headers, 408 Timeout, 429
    /// TooManyRequests, 400 BadRequest.
    public static func kubernetes(_ refusal: WireRefusal) -> WireResponse {
        let (status, reason, message): (Int, String, String)
        switch refusal {
        case .headerSectionTooLarge(let limit):
            (status, reason, message) = (431, "RequestHeaderFieldsTooLarge", "request header fields too large (limit is \(limit))")
        case .bodyTooLarge(let limit):
            (status, reason, message) = (413, "RequestEntityTooLarge", "limit is \(limit)")
        case .timeout:
            (status, reason, message) = (408, "Timeout", "the request did not arrive in full within the request timeout")
        case .bufferBudget(let limit):
            (status, reason, message) = (429, "TooManyRequests", "request bodies buffered by the server exceed \(limit) bytes; retry later")
        case .malformed(let text):
            (status, reason, message) = (400, "BadRequest", "malformed HTTP request: \(text)")
        }
        return kubernetesStatus(status, reason: reason, message: message)
    }

    /// A `Status` object with `code`, `reason` and `message`.
    public static func kubernetesStatus(_ status: Int, reason: String, message: String) -> WireResponse {
        let object: [String: Any] = ["kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure",
                                     "message": message, "reason": reason, "code": status]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return WireResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body))
    }

    /// The control and ODAS REST APIs' JSON error: `{"error": "…"}`.
    public static func json(_ refusal: WireRefusal) -> WireResponse {
        var (status, _, message) = awsTerms(refusal)
        switch refusal {
        case .headerSectionTooLarge: status = 431
        case .bodyTooLarge: status = 413
        case .timeout: status = 408
        default: break
        }
        return jsonError(status, message)
    }

    public static func jsonError(_ status: Int, _ message: String) -> WireResponse {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.sortedKeys])) ?? Data()
        return WireResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body))
    }
}
