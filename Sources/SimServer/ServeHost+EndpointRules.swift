import AWSSim
import Foundation
import SimCore

/// How each of serve's endpoints bounds requests, whom it admits, and how it
/// words a refusal (docs/serve.md "Bounds").
extension ServeHost {
    /// S3's limit on a request's header section: "The PUT request header is
    /// limited to 8 KB in size" (Amazon S3 User Guide, "Working with object
    /// metadata"); S3 answers RequestHeaderSectionTooLarge above it.
    public static let awsHeaderSectionLimit = 8 << 10
    /// Bodies of the query and JSON APIs (IAM, STS, EC2, RDS, KMS, …): far
    /// above their largest parameters (a CloudFormation TemplateBody is at most
    /// 51,200 bytes, an IAM policy 131,072 characters), so that no JSON or form
    /// body is parsed at S3's object size.
    public static let awsAPIBodyLimit = 1 << 20

    /// The AWS endpoint: S3 (and unsigned requests) up to `--max-body`; the
    /// other services' APIs up to ``awsAPIBodyLimit``; refusals in the shape of
    /// the service the request was signed for.
    var awsRules: WireEndpointRules {
        let objectLimit = options.maximumBodyBytes
        return WireEndpointRules(maximumHeaderBytes: Self.awsHeaderSectionLimit, maximumBodyBytes: { request in
            switch SigV4.scopeService(of: request) {
            case nil, "s3": return objectLimit
            default: return Self.awsAPIBodyLimit
            }
        }, refusal: { [self] refusal, request in
            let requestId = self.nextRequestId()
            guard let request, let service = SigV4.scopeService(of: request), service != "s3" else {
                var response = WireRefusalShapes.s3(refusal, resource: request.map { String($0.rawPath) })
                response.headers.append(("x-amz-request-id", requestId))
                return response
            }
            return WireRefusalShapes.awsService(refusal, service: service, requestId: requestId)
        })
    }

    /// The control endpoint: loopback callers only (Host and Origin checked, so
    /// a web page cannot reach it by DNS rebinding or a cross-origin POST) and,
    /// with `--control-token`, only callers that present the token. The
    /// instance metadata paths are exempt from the token (SDKs cannot send it)
    /// and use IMDSv2 tokens instead.
    var controlRules: WireEndpointRules {
        let token = options.controlToken
        return WireEndpointRules(maximumHeaderBytes: 16 << 10, maximumBodyBytes: { _ in 1 << 20 }, admit: { request in
            if let reason = LoopbackCaller.refusal(request) { return WireRefusalShapes.jsonError(403, reason) }
            guard let token, !String(request.rawPath).hasPrefix("/v1/imds/") else { return nil }
            guard let presented = ControlToken.presented(in: request) else {
                return WireRefusalShapes.jsonError(401, "this serve requires its control token (--control-token): send Authorization: Bearer TOKEN; odas-sim fault and clock read it from the ready file or ODAS_SIM_CONTROL_TOKEN")
            }
            guard ControlToken.matches(presented, token) else { return WireRefusalShapes.jsonError(403, "the control token does not match") }
            return nil
        }, refusal: { refusal, _ in WireRefusalShapes.json(refusal) })
    }

    /// The Kubernetes endpoint: 3 MiB bodies (the apiserver's request body
    /// limit, MaxRequestBodyBytes, k8s.io/apiserver pkg/server/config.go:
    /// 3 * 1024 * 1024, "the etcd limit of 1.5 MiB times two, plus headroom"),
    /// loopback callers only, refusals as `Status` objects.
    var kubeRules: WireEndpointRules {
        WireEndpointRules(maximumBodyBytes: { _ in 3 << 20 }, admit: { request in
            LoopbackCaller.refusal(request).map { WireRefusalShapes.kubernetesStatus(403, reason: "Forbidden", message: $0) }
        }, refusal: { refusal, _ in WireRefusalShapes.kubernetes(refusal) })
    }

    /// The ODAS REST endpoint takes GET requests only: a small body limit.
    var odasRules: WireEndpointRules {
        WireEndpointRules(maximumHeaderBytes: 16 << 10, maximumBodyBytes: { _ in 64 << 10 },
                          refusal: { refusal, _ in WireRefusalShapes.json(refusal) })
    }

    /// A request id from the same sequence as the requests that reach the world.
    func nextRequestId() -> String {
        state.withLockedValue { state in
            state.requests += 1
            return Self.requestId(state.requests)
        }
    }
}

/// Requests that come from a process on this machine, not from a web page:
/// the Host is a loopback name (a DNS-rebinding page sends its own host name)
/// and any Origin is a loopback origin (a cross-origin `fetch` or form POST
/// sends the page's).
enum LoopbackCaller {
    static let names: Set<String> = ["127.0.0.1", "localhost", "[::1]", "::1"]

    /// Why the request is refused, or nil when it is a loopback caller's.
    static func refusal(_ request: WireRequest) -> String? {
        if let host = request.header("host"), !isLoopback(hostPort: host) {
            return "Host \(host) is not a loopback name: this endpoint answers 127.0.0.1 and localhost only"
        }
        if let origin = request.header("origin") {
            guard origin.hasPrefix("http://") || origin.hasPrefix("https://"),
                  let rest = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first,
                  isLoopback(hostPort: String(rest)) else {
                return "requests from web pages (Origin \(origin)) are refused: this endpoint is for local tools"
            }
        }
        return nil
    }

    static func isLoopback(hostPort: String) -> Bool {
        var host = Substring(hostPort.lowercased())
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            host = host[..<colon]
        }
        return names.contains(String(host))
    }
}

/// The `--control-token` a control caller presents: `Authorization: Bearer TOKEN`.
enum ControlToken {
    static func presented(in request: WireRequest) -> String? {
        guard let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("bearer ") else { return nil }
        return String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    /// Compares in time independent of where the first difference is (SigV4's comparison).
    static func matches(_ presented: String, _ token: String) -> Bool {
        SigV4.constantTimeEquals(presented, token)
    }
}
