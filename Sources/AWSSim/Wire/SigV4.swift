import Crypto

/// Who signed a request, once its Signature Version 4 checked out.
public struct SigV4Identity: Sendable, Equatable {
    public var accessKeyId: String
    /// The credential scope: date (`20261127`), region, service.
    public var date: String
    public var region: String
    public var service: String
}

/// Where secrets for access keys come from.
public struct CredentialStore: Sendable {
    /// Secret access key by access key id.
    public var secrets: [String: String]
    /// Local-development escape hatch (`odas-sim serve --allow-any-credentials`):
    /// any access key is accepted and its signature is not checked.
    public var allowAnyCredentials: Bool

    public init(secrets: [String: String] = [:], allowAnyCredentials: Bool = false) {
        self.secrets = secrets
        self.allowAnyCredentials = allowAnyCredentials
    }
}

/// An authentication failure, as the AWS error code and HTTP status it maps to.
public struct SigV4Error: Error, Equatable, Sendable {
    public var code: String
    public var status: Int
    public var message: String

    static func malformed(_ message: String) -> SigV4Error {
        SigV4Error(code: "AuthorizationHeaderMalformed", status: 400, message: message)
    }
    static let accessDenied = SigV4Error(code: "AccessDenied", status: 403, message: "Access Denied")
}

/// AWS Signature Version 4 verification: the Authorization header, presigned
/// query parameters, and the payload (signed hex hash, UNSIGNED-PAYLOAD, or
/// an `aws-chunked` stream with chunk signatures and trailers).
///
/// Follows "Create a signed AWS API request" (IAM/latest/UserGuide/reference_sigv4-create-signed-request.html)
/// and "Authenticating Requests: Using Query Parameters / Transferring Payload in Multiple Chunks"
/// (AmazonS3/latest/API/sigv4-query-string-auth.html, sigv4-streaming.html).
public enum SigV4 {
    /// Allowed difference between the request's X-Amz-Date and the server clock: 15 minutes
    /// (RequestTimeTooSkewed, AmazonS3/latest/API/ErrorResponses.html).
    public static let maximumSkewSeconds: Int64 = 15 * 60
    /// Presigned URLs may be valid for at most 7 days (604800 s).
    public static let maximumPresignedExpiry: Int64 = 604_800

    public static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The result of authenticating: who, and the request body with any
    /// `aws-chunked` framing removed.
    public struct Verified: Sendable {
        public var identity: SigV4Identity
        public var body: [UInt8]
        /// Trailing checksum headers sent after a chunked body (`x-amz-checksum-crc32: …`).
        public var trailers: [(name: String, value: String)]
    }

    /// Authenticates `request`. `nowUnixSeconds` is the server's clock (wall time:
    /// clients sign with real time). Returns nil identity-free failures as errors.
    ///
    /// `v2Resource` is the S3 resource (`/bucket/key`) for Signature Version 2
    /// query authentication, which botocore and the aws CLI still use for
    /// `generate_presigned_url` and `aws s3 presign`.
    public static func verify(_ request: WireRequest, credentials: CredentialStore,
                              nowUnixSeconds: Int64, v2Resource: String? = nil) throws(SigV4Error) -> Verified {
        if let authorization = request.header("authorization") {
            return try verifyHeader(request, authorization: authorization, credentials: credentials, now: nowUnixSeconds)
        }
        if request.query("X-Amz-Algorithm") != nil || request.query("X-Amz-Signature") != nil {
            return try verifyPresigned(request, credentials: credentials, now: nowUnixSeconds)
        }
        if request.query("AWSAccessKeyId") != nil, request.query("Signature") != nil {
            return try verifyPresignedV2(request, resource: v2Resource ?? String(request.rawPath), credentials: credentials,
                                         now: nowUnixSeconds)
        }
        throw SigV4Error(code: "AccessDenied", status: 403, message: "Anonymous access is not allowed; sign the request with SigV4")
    }

    /// The service named in the request's credential scope (header or presigned), if any,
    /// read before verification so that errors can take that service's shape.
    public static func scopeService(of request: WireRequest) -> String? {
        let credential: Substring?
        if let authorization = request.header("authorization"), let range = authorization.range(of: "Credential=") {
            credential = authorization[range.upperBound...].split(separator: ",").first
        } else {
            credential = request.query("X-Amz-Credential").map { Substring($0) }
        }
        let parts = credential?.split(separator: "/") ?? []
        return parts.count == 5 ? String(parts[3]) : nil
    }

    // MARK: Header

    static func verifyHeader(_ request: WireRequest, authorization: String, credentials: CredentialStore,
                             now: Int64) throws(SigV4Error) -> Verified {
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            if authorization.hasPrefix("AWS ") {
                throw SigV4Error(code: "InvalidRequest", status: 400,
                                 message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
            }
            throw .malformed("The authorization header is malformed; the authorization header requires AWS4-HMAC-SHA256.")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let trimmed = part.trimmingWhitespace()
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"],
              let signature = fields["Signature"] else {
            throw .malformed("The authorization header is malformed; it needs Credential, SignedHeaders and Signature.")
        }
        let scope = try parseCredential(credential)
        guard let amzDate = request.header("x-amz-date") ?? request.header("date"), let requestTime = parseAmzDate(amzDate) else {
            throw SigV4Error(code: "AccessDenied", status: 403, message: "AWS authentication requires a valid Date or x-amz-date header")
        }
        guard amzDate.hasPrefix(scope.date) else {
            throw .malformed("The authorization header is malformed; Invalid credential date \"\(scope.date)\". This date is not the same as X-Amz-Date: \"\(amzDate.prefix(8))\".")
        }
        if abs(requestTime - now) > maximumSkewSeconds {
            throw SigV4Error(code: "RequestTimeTooSkewed", status: 403,
                             message: "The difference between the request time and the current time is too large.")
        }
        let secret = try secretKey(for: scope.accessKeyId, credentials: credentials)
        // S3 sends the payload hash in x-amz-content-sha256; other services sign sha256(body) without the header.
        let payloadHash = request.header("x-amz-content-sha256") ?? sha256Hex(request.body)
        let signedHeaderNames = signedHeaders.split(separator: ";").map(String.init)
        guard signedHeaderNames.contains("host") else {
            throw .malformed("The authorization header is malformed; host must be a signed header.")
        }
        let canonical = canonicalRequest(request, signedHeaders: signedHeaderNames, payloadHash: payloadHash,
                                         excludingQuery: nil)
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope.scopeString)\n\(sha256Hex(Array(canonical.utf8)))"
        let key = signingKey(secret: secret, scope: scope)
        let expected = hmacHex(key: key, stringToSign)
        if !credentials.allowAnyCredentials, !constantTimeEquals(expected, signature) {
            throw SigV4Error(code: "SignatureDoesNotMatch", status: 403,
                             message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        let identity = SigV4Identity(accessKeyId: scope.accessKeyId, date: scope.date, region: scope.region, service: scope.service)
        let (body, trailers) = try decodePayload(request, payloadHash: payloadHash, seedSignature: signature, key: key,
                                                 amzDate: amzDate, scope: scope, verifySignatures: !credentials.allowAnyCredentials)
        return Verified(identity: identity, body: body, trailers: trailers)
    }

    // MARK: Presigned

    static func verifyPresigned(_ request: WireRequest, credentials: CredentialStore, now: Int64) throws(SigV4Error) -> Verified {
        guard request.query("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" else {
            throw SigV4Error(code: "AuthorizationQueryParametersError", status: 400,
                             message: "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        guard let credential = request.query("X-Amz-Credential"), let amzDate = request.query("X-Amz-Date"),
              let expiresText = request.query("X-Amz-Expires"), let signedHeaders = request.query("X-Amz-SignedHeaders"),
              let signature = request.query("X-Amz-Signature") else {
            throw SigV4Error(code: "AuthorizationQueryParametersError", status: 400,
                             message: "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        }
        let scope = try parseCredential(credential)
        guard let signedAt = parseAmzDate(amzDate), let expires = Int64(expiresText), expires >= 1 else {
            throw SigV4Error(code: "AuthorizationQueryParametersError", status: 400,
                             message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" and X-Amz-Expires a positive integer")
        }
        guard expires <= maximumPresignedExpiry else {
            throw SigV4Error(code: "AuthorizationQueryParametersError", status: 400,
                             message: "X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds")
        }
        if signedAt - now > maximumSkewSeconds {
            throw SigV4Error(code: "AccessDenied", status: 403, message: "Request is not valid yet")
        }
        if now > signedAt + expires {
            throw SigV4Error(code: "AccessDenied", status: 403, message: "Request has expired")
        }
        let secret = try secretKey(for: scope.accessKeyId, credentials: credentials)
        let canonical = canonicalRequest(request, signedHeaders: signedHeaders.split(separator: ";").map(String.init),
                                         payloadHash: "UNSIGNED-PAYLOAD", excludingQuery: "X-Amz-Signature")
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope.scopeString)\n\(sha256Hex(Array(canonical.utf8)))"
        let expected = hmacHex(key: signingKey(secret: secret, scope: scope), stringToSign)
        if !credentials.allowAnyCredentials, !constantTimeEquals(expected, signature) {
            throw SigV4Error(code: "SignatureDoesNotMatch", status: 403,
                             message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        return Verified(identity: SigV4Identity(accessKeyId: scope.accessKeyId, date: scope.date, region: scope.region,
                                                service: scope.service),
                        body: request.body, trailers: [])
    }

    /// Sub-resources that are part of a SigV2 canonicalized resource
    /// (AmazonS3/latest/userguide/RESTAuthentication.html).
    static let v2SubResources: Set<String> = [
        "acl", "cors", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy",
        "requestPayment", "response-cache-control", "response-content-disposition", "response-content-encoding",
        "response-content-language", "response-content-type", "response-expires", "restore", "tagging", "torrent",
        "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    ]

    /// Signature Version 2 query-string authentication (presigned URLs):
    /// `AWSAccessKeyId`, `Expires` (Unix seconds) and `Signature`, an
    /// HMAC-SHA1 over verb, Content-MD5, Content-Type, Expires, x-amz-* headers
    /// and the canonicalized resource.
    static func verifyPresignedV2(_ request: WireRequest, resource: String, credentials: CredentialStore,
                                  now: Int64) throws(SigV4Error) -> Verified {
        guard let accessKeyId = request.query("AWSAccessKeyId"), let signature = request.query("Signature"),
              let expiresText = request.query("Expires"), let expires = Int64(expiresText) else {
            throw SigV4Error(code: "AccessDenied", status: 403,
                             message: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
        }
        if now > expires { throw SigV4Error(code: "AccessDenied", status: 403, message: "Request has expired") }
        let secret = try secretKey(for: accessKeyId, credentials: credentials)
        let subresources = request.queryItems.filter { v2SubResources.contains($0.name) }
            .sorted { $0.name < $1.name }
            .map { $0.value.isEmpty ? $0.name : "\($0.name)=\($0.value)" }
        let canonicalResource = resource + (subresources.isEmpty ? "" : "?" + subresources.joined(separator: "&"))
        let amzHeaders = request.headers
            .filter { $0.name.lowercased().hasPrefix("x-amz-") }
            .map { ($0.name.lowercased(), canonicalHeaderValue($0.value)) }
            .sorted { $0.0 < $1.0 }
            .map { "\($0.0):\($0.1)\n" }
            .joined()
        let stringToSign = [request.method, request.header("content-md5") ?? "", request.header("content-type") ?? "",
                            expiresText].joined(separator: "\n") + "\n" + amzHeaders + canonicalResource
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8),
                                                         using: SymmetricKey(data: Array(secret.utf8)))
        if !credentials.allowAnyCredentials, !constantTimeEquals(Base64.encode(Array(mac)), signature) {
            throw SigV4Error(code: "SignatureDoesNotMatch", status: 403,
                             message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        return Verified(identity: SigV4Identity(accessKeyId: accessKeyId, date: "", region: "", service: "s3"),
                        body: request.body, trailers: [])
    }

    // MARK: Pieces

    struct Scope {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String
        var scopeString: String { "\(date)/\(region)/\(service)/aws4_request" }
    }

    static func parseCredential(_ credential: String) throws(SigV4Error) -> Scope {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", parts[1].count == 8, !parts[0].isEmpty else {
            throw .malformed("The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
        }
        return Scope(accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3])
    }

    static func secretKey(for accessKeyId: String, credentials: CredentialStore) throws(SigV4Error) -> String {
        if let secret = credentials.secrets[accessKeyId] { return secret }
        if credentials.allowAnyCredentials { return "" }
        throw SigV4Error(code: "InvalidAccessKeyId", status: 403,
                         message: "The AWS Access Key Id you provided does not exist in our records.")
    }

    /// The canonical request of SigV4.
    static func canonicalRequest(_ request: WireRequest, signedHeaders: [String], payloadHash: String,
                                 excludingQuery: String?) -> String {
        let path = PercentEncoding.encode(PercentEncoding.decode(request.rawPath), keepSlash: true)
        var pairs: [(name: String, value: String)] = []
        for pair in request.rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name: String, value: String
            if let equals = pair.firstIndex(of: "=") {
                name = PercentEncoding.encode(PercentEncoding.decode(pair[..<equals]))
                value = PercentEncoding.encode(PercentEncoding.decode(pair[pair.index(after: equals)...]))
            } else {
                name = PercentEncoding.encode(PercentEncoding.decode(pair))
                value = ""
            }
            if let excludingQuery, name == excludingQuery { continue }
            pairs.append((name, value))
        }
        pairs.sort { (lhs: (name: String, value: String), rhs: (name: String, value: String)) -> Bool in
            lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
        }
        let query = pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        var headers = ""
        for name in signedHeaders {
            let value = request.header(name).map(canonicalHeaderValue) ?? ""
            headers += "\(name):\(value)\n"
        }
        let canonicalPath = path.isEmpty ? "/" : path
        let headerList = signedHeaders.joined(separator: ";")
        return [request.method, canonicalPath, query, headers, headerList, payloadHash].joined(separator: "\n")
    }

    /// Trims and collapses runs of spaces, as SigV4 requires.
    static func canonicalHeaderValue(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for character in value.trimmingWhitespace() {
            if character == " " || character == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        return out
    }

    static func signingKey(secret: String, scope: Scope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [scope.date, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    static func hmacHex(key: SymmetricKey, _ text: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }

    /// Compares two secrets in time that does not depend on where they first differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Parses `20261127T041228Z` into Unix seconds.
    public static func parseAmzDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == 84, bytes[15] == 90 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return UnixTime.seconds(year: year, month: month, day: day) + hour * 3600 + minute * 60 + second
    }

    // MARK: Payload

    static func decodePayload(_ request: WireRequest, payloadHash: String, seedSignature: String, key: SymmetricKey,
                              amzDate: String, scope: Scope, verifySignatures: Bool)
        throws(SigV4Error) -> ([UInt8], [(name: String, value: String)]) {
        switch payloadHash {
        case "UNSIGNED-PAYLOAD":
            return (request.body, [])
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
             "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            let signed = payloadHash.hasPrefix("STREAMING-AWS4")
            var decoder = AWSChunkedDecoder(body: request.body, signed: signed && verifySignatures,
                                            previousSignature: seedSignature, key: key, amzDate: amzDate,
                                            scope: scope.scopeString)
            let decoded = try decoder.decode()
            // The trailers sent must be exactly those `x-amz-trailer` declares: a declared checksum left out,
            // or one sent undeclared, is refused as S3 refuses it (400 MalformedTrailerError).
            let declaredTrailers = Set((request.header("x-amz-trailer") ?? "").split(separator: ",")
                .map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty })
            if declaredTrailers != Set(decoded.1.map(\.name)) {
                throw SigV4Error(code: "MalformedTrailerError", status: 400,
                                 message: "The request contained trailing data that was not well-formed or did not conform to our published schema.")
            }
            if let declared = request.header("x-amz-decoded-content-length"), Int(declared) != decoded.0.count {
                throw SigV4Error(code: "IncompleteBody", status: 400,
                                 message: "You did not provide the number of bytes specified by the Content-Length HTTP header")
            }
            return decoded
        default:
            guard payloadHash.count == 64, payloadHash.allSatisfy(\.isHexDigit) else {
                throw SigV4Error(code: "InvalidArgument", status: 400,
                                 message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a valid sha256 value.")
            }
            if sha256Hex(request.body) != payloadHash.lowercased() {
                throw SigV4Error(code: "XAmzContentSHA256Mismatch", status: 400,
                                 message: "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            return (request.body, [])
        }
    }
}

/// Decodes an `aws-chunked` body: `hex-size[;chunk-signature=sig]\r\n data \r\n`
/// … `0[;chunk-signature=sig]\r\n` then optional trailer lines and `\r\n`.
/// Verifies each chunk signature (chained from the header signature) and the
/// trailer signature when the stream is signed.
struct AWSChunkedDecoder {
    let body: [UInt8]
    let signed: Bool
    var previousSignature: String
    let key: SymmetricKey
    let amzDate: String
    let scope: String
    var offset = 0

    init(body: [UInt8], signed: Bool, previousSignature: String, key: SymmetricKey, amzDate: String, scope: String) {
        self.body = body
        self.signed = signed
        self.previousSignature = previousSignature
        self.key = key
        self.amzDate = amzDate
        self.scope = scope
    }

    static let incomplete = SigV4Error(code: "IncompleteBody", status: 400,
                                       message: "The request body terminated unexpectedly")

    mutating func line() throws(SigV4Error) -> String {
        var index = offset
        while index + 1 < body.count {
            if body[index] == 13 && body[index + 1] == 10 {
                let text = String(decoding: body[offset..<index], as: UTF8.self)
                offset = index + 2
                return text
            }
            index += 1
            if index - offset > 4096 { throw Self.incomplete }
        }
        throw Self.incomplete
    }

    mutating func decode() throws(SigV4Error) -> ([UInt8], [(name: String, value: String)]) {
        var output = [UInt8]()
        while true {
            let header = try line()
            let parts = header.split(separator: ";", maxSplits: 1)
            guard let sizeText = parts.first, let size = Int(sizeText, radix: 16), size >= 0, size <= body.count - offset else {
                throw Self.incomplete
            }
            let signature = parts.count > 1 ? parts[1].split(separator: "=", maxSplits: 1).last.map(String.init) : nil
            let chunk = Array(body[offset..<offset + size])
            offset += size
            if signed {
                guard let signature else {
                    throw SigV4Error(code: "SignatureDoesNotMatch", status: 403, message: "Chunk signature missing")
                }
                let stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n\(amzDate)\n\(scope)\n\(previousSignature)\n\(SigV4.emptySHA256)\n\(SigV4.sha256Hex(chunk))"
                let expected = SigV4.hmacHex(key: key, stringToSign)
                guard SigV4.constantTimeEquals(expected, signature) else {
                    throw SigV4Error(code: "SignatureDoesNotMatch", status: 403,
                                     message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
                }
                previousSignature = signature
            }
            if size == 0 { break }
            output += chunk
            guard offset + 1 < body.count, body[offset] == 13, body[offset + 1] == 10 else { throw Self.incomplete }
            offset += 2
        }
        // Trailers: "name:value\r\n" lines, then an empty line (or the end of the body).
        var trailers: [(name: String, value: String)] = []
        var trailerSignature: String?
        while offset < body.count {
            let text = try line()
            if text.isEmpty { break }
            guard let colon = text.firstIndex(of: ":") else { throw Self.incomplete }
            let name = text[..<colon].lowercased(), value = String(text[text.index(after: colon)...]).trimmingWhitespace()
            if name == "x-amz-trailer-signature" { trailerSignature = value } else { trailers.append((name, value)) }
        }
        if signed, !trailers.isEmpty {
            let canonical = trailers.map { "\($0.name):\($0.value)\n" }.joined()
            let stringToSign = "AWS4-HMAC-SHA256-TRAILER\n\(amzDate)\n\(scope)\n\(previousSignature)\n\(SigV4.sha256Hex(Array(canonical.utf8)))"
            guard let trailerSignature, SigV4.constantTimeEquals(SigV4.hmacHex(key: key, stringToSign), trailerSignature) else {
                throw SigV4Error(code: "SignatureDoesNotMatch", status: 403, message: "The trailer signature does not match")
            }
        }
        return (output, trailers)
    }
}

/// Civil date to Unix time (Howard Hinnant's days-from-civil).
enum UnixTime {
    static func seconds(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86_400
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
