import SimCore

/// What the S3 REST adapter needs to know about the world it answers for.
public struct S3WireContext: Sendable {
    /// Virtual now.
    public var now: SimInstant
    /// Unix time (ms) of the run's virtual zero, to print virtual instants as dates.
    public var epochUnixMilliseconds: Int64
    /// The id of this request (`x-amz-request-id` and `<RequestId>`).
    public var requestId: String
    /// Host names under which buckets are addressed virtual-hosted style
    /// (`bucket.localhost`); anything else is path style.
    public var baseDomains: [String]
    /// Regions that exist, for `LocationConstraint`.
    public var regions: [String]
    /// The region the request was signed for (the default for CreateBucket).
    public var signingRegion: String

    public init(now: SimInstant, epochUnixMilliseconds: Int64, requestId: String, baseDomains: [String],
                regions: [String], signingRegion: String) {
        self.now = now
        self.epochUnixMilliseconds = epochUnixMilliseconds
        self.requestId = requestId
        self.baseDomains = baseDomains
        self.regions = regions
        self.signingRegion = signingRegion
    }

    func unixMilliseconds(_ instant: SimInstant) -> Int64 {
        epochUnixMilliseconds + instant.nanosecondsSinceStart / 1_000_000
    }
    func httpDate(_ instant: SimInstant) -> String { HTTPDate.rfc1123(unixSeconds: unixMilliseconds(instant) / 1000) }
    func xmlDate(_ instant: SimInstant) -> String { HTTPDate.iso8601(unixMilliseconds: unixMilliseconds(instant)) }
}

/// The S3 REST API over ``S3Service``: a pure function from an authenticated
/// request to a response. Addressing (path and virtual-hosted style),
/// subresources, headers and XML bodies follow the S3 API reference
/// (AmazonS3/latest/API/); errors are S3's error XML with its codes and statuses.
public enum S3RestAdapter {
    /// Where a request points: bucket and key, decoded.
    public struct Address: Equatable, Sendable {
        public var bucket: String?
        public var key: String?
        /// True when the bucket came from the Host header.
        public var isVirtualHosted = false
    }

    /// The canonical owner every simulated bucket and object reports.
    static let ownerID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
    static let ownerName = "odas-sim"

    /// Splits a request into bucket and key, virtual-hosted style when the
    /// Host is `<bucket>.<base domain>`, path style otherwise.
    public static func address(of request: WireRequest, baseDomains: [String]) -> Result<Address, S3Error> {
        let host = (request.header("host") ?? "").split(separator: ":").first.map(String.init)?.lowercased() ?? ""
        let pathBytes = PercentEncoding.decodeBytes(request.rawPath)
        guard let path = String(validating: pathBytes, as: UTF8.self) else {
            return .failure(S3Error(code: "InvalidURI", httpStatus: 400, message: "Couldn't parse the specified URI.",
                                    resource: String(request.rawPath)))
        }
        var components = Substring(path)
        if components.hasPrefix("/") { components = components.dropFirst() }
        for base in baseDomains where host.hasSuffix("." + base) {
            let bucket = String(host.dropLast(base.count + 1))
            return .success(Address(bucket: bucket, key: components.isEmpty ? nil : String(components), isVirtualHosted: true))
        }
        guard !components.isEmpty else { return .success(Address(bucket: nil, key: nil)) }
        if let slash = components.firstIndex(of: "/") {
            let key = components[components.index(after: slash)...]
            return .success(Address(bucket: String(components[..<slash]), key: key.isEmpty ? nil : String(key)))
        }
        return .success(Address(bucket: String(components), key: nil))
    }

    /// Answers one authenticated request. `body` is the decoded payload (chunk
    /// framing removed); `trailers` are checksum trailers sent after it.
    public static func handle(_ request: WireRequest, body: [UInt8], trailers: [(name: String, value: String)] = [],
                              s3: inout S3Service, context: S3WireContext) -> WireResponse {
        var response: WireResponse
        switch address(of: request, baseDomains: context.baseDomains) {
        case .failure(let error):
            response = errorResponse(error, request: request, context: context)
        case .success(let address):
            do {
                response = try route(request, address: address, body: body, trailers: trailers, s3: &s3, context: context)
            } catch {
                response = errorResponse(error, request: request, context: context)
            }
        }
        response.headers.append(("x-amz-request-id", context.requestId))
        response.headers.append(("x-amz-id-2", hostId(context.requestId)))
        return response
    }

    static func hostId(_ requestId: String) -> String {
        Base64.encode(Array(SigV4.sha256Hex(Array(requestId.utf8)).utf8.prefix(48)))
    }

    static func route(_ request: WireRequest, address: Address, body: [UInt8], trailers: [(name: String, value: String)],
                      s3: inout S3Service, context: S3WireContext) throws(S3Error) -> WireResponse {
        let method = request.method
        guard let bucket = address.bucket else {
            guard method == "GET" else { throw methodNotAllowed(method, resource: "/") }
            return listBuckets(s3: s3, context: context)
        }
        let query = Set(request.queryItems.map(\.name))
        guard let key = address.key else {
            switch method {
            case "PUT":
                if query.contains("tagging") {
                    try s3.putBucketTagging(bucket, tags: try parseTagging(body, resource: "/\(bucket)"))
                    return WireResponse(status: 204)
                }
                if query.contains("versioning") {
                    let root = try parseXML(body, resource: "/\(bucket)")
                    guard root.name == "VersioningConfiguration",
                          let status = root.child("Status").flatMap({ S3VersioningStatus(rawValue: $0.text) }) else {
                        throw malformedXML("/\(bucket)")
                    }
                    try s3.putBucketVersioning(bucket, status: status)
                    return WireResponse(status: 200)
                }
                if query.contains("policy") {
                    try s3.putBucketPolicy(bucket, document: String(decoding: body, as: UTF8.self))
                    return WireResponse(status: 204)
                }
                try rejectUnsupported(query, supported: [], resource: "/\(bucket)")
                return try createBucket(bucket, body: body, s3: &s3, context: context)
            case "DELETE":
                if query.contains("tagging") {
                    try s3.deleteBucketTagging(bucket)
                    return WireResponse(status: 204)
                }
                if query.contains("policy") {
                    try s3.deleteBucketPolicy(bucket)
                    return WireResponse(status: 204)
                }
                try rejectUnsupported(query, supported: [], resource: "/\(bucket)")
                try s3.deleteBucket(bucket)
                return WireResponse(status: 204)
            case "HEAD":
                let region = try s3.headBucket(bucket)
                return WireResponse(status: 200, headers: [("x-amz-bucket-region", region)])
            case "GET":
                if query.contains("location") {
                    let region = try s3.headBucket(bucket)
                    return xml(XMLElement.leaf("LocationConstraint", region == "us-east-1" ? "" : region))
                }
                if query.contains("uploads") { return try listMultipartUploads(bucket, s3: s3, context: context) }
                if query.contains("tagging") { return taggingResponse(try s3.getBucketTagging(bucket)) }
                if query.contains("versioning") {
                    let status = try s3.getBucketVersioning(bucket)
                    return xml(XMLElement("VersioningConfiguration", children: status.map { [.leaf("Status", $0.rawValue)] } ?? []))
                }
                if query.contains("versions") { return try listObjectVersions(request, bucket: bucket, s3: s3, context: context) }
                if query.contains("replication") { return try replicationConfiguration(bucket, s3: s3) }
                if query.contains("policy") {
                    let document = Array(try s3.getBucketPolicy(bucket).utf8)
                    return WireResponse(status: 200, headers: [("Content-Type", "application/json"),
                                                               ("Content-Length", String(document.count))], body: document)
                }
                try rejectUnsupported(query, supported: ["list-type", "prefix", "delimiter", "max-keys", "marker",
                                                        "continuation-token", "start-after", "encoding-type",
                                                        "fetch-owner"], resource: "/\(bucket)")
                return try listObjects(request, bucket: bucket, s3: s3, context: context)
            case "POST":
                if query.contains("delete") { return try deleteObjects(request, bucket: bucket, body: body, s3: &s3, context: context) }
                throw methodNotAllowed(method, resource: "/\(bucket)")
            default:
                throw methodNotAllowed(method, resource: "/\(bucket)")
            }
        }
        let resource = "/\(bucket)/\(key)"
        switch method {
        case "PUT":
            if query.contains("tagging") {
                try s3.putObjectTagging(bucket: bucket, key: key, tags: try parseTagging(body, resource: resource))
                return WireResponse(status: 200)
            }
            if let uploadId = request.query("uploadId") {
                if let source = request.header("x-amz-copy-source") {
                    return try uploadPartCopy(request, source: source, bucket: bucket, key: key, uploadId: uploadId,
                                              s3: &s3, context: context)
                }
                return try uploadPart(request, bucket: bucket, key: key, uploadId: uploadId, body: body, trailers: trailers,
                                      s3: &s3, context: context)
            }
            try rejectUnsupported(query, supported: [], resource: resource)
            if let source = request.header("x-amz-copy-source") {
                return try copyObject(request, source: source, bucket: bucket, key: key, s3: &s3, context: context)
            }
            return try putObject(request, bucket: bucket, key: key, body: body, trailers: trailers, s3: &s3, context: context)
        case "GET", "HEAD":
            if method == "GET", let uploadId = request.query("uploadId") {
                return try listParts(bucket: bucket, key: key, uploadId: uploadId, s3: s3, context: context)
            }
            if method == "GET", query.contains("tagging") {
                return taggingResponse(try s3.getObject(bucket: bucket, key: key, versionId: request.query("versionId")).tags)
            }
            try rejectUnsupported(query, supported: ["versionId", "response-content-type", "response-content-language",
                                                    "response-expires", "response-cache-control",
                                                    "response-content-disposition", "response-content-encoding",
                                                    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                                    "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
                                                    "X-Amz-Security-Token"], resource: resource)
            return try getObject(request, bucket: bucket, key: key, s3: s3, context: context)
        case "DELETE":
            if let uploadId = request.query("uploadId") {
                try s3.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId)
                return WireResponse(status: 204)
            }
            if query.contains("tagging") {
                try s3.deleteObjectTagging(bucket: bucket, key: key)
                return WireResponse(status: 204)
            }
            try rejectUnsupported(query, supported: ["versionId"], resource: resource)
            let result = try s3.deleteObject(bucket: bucket, key: key, versionId: request.query("versionId"), now: context.now)
            var headers: [(name: String, value: String)] = []
            if let versionId = result.versionId { headers.append(("x-amz-version-id", versionId)) }
            if result.deleteMarker { headers.append(("x-amz-delete-marker", "true")) }
            return WireResponse(status: 204, headers: headers)
        case "POST":
            if query.contains("uploads") {
                return try createMultipartUpload(request, bucket: bucket, key: key, s3: &s3, context: context)
            }
            if let uploadId = request.query("uploadId") {
                return try completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, body: body, s3: &s3,
                                                   context: context)
            }
            throw methodNotAllowed(method, resource: resource)
        default:
            throw methodNotAllowed(method, resource: resource)
        }
    }

    /// Subresources ODASSim does not simulate yet answer 501 NotImplemented,
    /// naming the subresource, rather than being silently ignored.
    static func rejectUnsupported(_ query: Set<String>, supported: Set<String>, resource: String) throws(S3Error) {
        let presigned: Set<String> = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                      "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "x-id",
                                      "AWSAccessKeyId", "Signature", "Expires"]
        if let unsupported = query.subtracting(supported).subtracting(presigned).sorted().first {
            throw S3Error(code: "NotImplemented", httpStatus: 501,
                          message: "A header or query you provided implies functionality that is not implemented: ?\(unsupported) is not simulated yet.",
                          resource: resource)
        }
    }

    static func methodNotAllowed(_ method: String, resource: String) -> S3Error {
        S3Error(code: "MethodNotAllowed", httpStatus: 405,
                message: "The specified method is not allowed against this resource.", resource: resource)
    }

    // MARK: Responses

    /// GetBucketReplication (AmazonS3/latest/API/API_GetBucketReplication.html):
    /// the bucket's rules in the current schema (Filter, Priority,
    /// DeleteMarkerReplication), with S3 RTC's 15-minute ReplicationTime and
    /// Metrics where enabled; `ReplicationConfigurationNotFoundError` without rules.
    static func replicationConfiguration(_ bucket: String, s3: S3Service) throws(S3Error) -> WireResponse {
        _ = try s3.headBucket(bucket)
        guard let rules = s3.buckets[bucket]?.replicationRules, !rules.isEmpty else {
            throw S3Error(code: "ReplicationConfigurationNotFoundError", httpStatus: 404,
                          message: "The replication configuration was not found", resource: "/\(bucket)")
        }
        var children: [XMLElement] = []
        if let role = s3.buckets[bucket]?.replicationRole { children.append(.leaf("Role", role)) }
        for (index, rule) in rules.enumerated() {
            var destination: [XMLElement] = [.leaf("Bucket", "arn:aws:s3:::\(rule.destinationBucket)")]
            if rule.replicationTimeControl {
                destination.append(XMLElement("ReplicationTime", children: [
                    .leaf("Status", "Enabled"), XMLElement("Time", children: [.leaf("Minutes", "15")]),
                ]))
                destination.append(XMLElement("Metrics", children: [
                    .leaf("Status", "Enabled"), XMLElement("EventThreshold", children: [.leaf("Minutes", "15")]),
                ]))
            }
            children.append(XMLElement("Rule", children: [
                .leaf("ID", rule.id), .leaf("Priority", String(index + 1)),
                XMLElement("Filter", children: [.leaf("Prefix", rule.prefix)]),
                .leaf("Status", "Enabled"),
                XMLElement("Destination", children: destination),
                XMLElement("DeleteMarkerReplication", children: [.leaf("Status", "Disabled")]),
            ]))
        }
        return xml(XMLElement("ReplicationConfiguration", children: children))
    }

    static func xml(_ root: XMLElement, status: Int = 200) -> WireResponse {
        let body = XMLCodec.write(root)
        return WireResponse(status: status, headers: [("Content-Type", "application/xml"),
                                                      ("Content-Length", String(body.count))], body: body)
    }

    /// S3's error response: `<Error>` without a namespace, with Code, Message,
    /// Resource, RequestId and HostId (plus Key or BucketName where S3 adds them).
    /// HEAD requests get the status and no body, as on S3.
    public static func errorResponse(_ error: S3Error, request: WireRequest, context: S3WireContext) -> WireResponse {
        var children: [XMLElement] = [.leaf("Code", error.code), .leaf("Message", error.message)]
        switch error.code {
        case "NoSuchKey":
            children.append(.leaf("Key", String(error.resource.drop { $0 == "/" }.drop { $0 != "/" }.dropFirst())))
        case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyOwnedByYou":
            children.append(.leaf("BucketName", String(error.resource.dropFirst())))
        default:
            break
        }
        if let region = error.region { children.append(.leaf("Region", region)) }
        children.append(.leaf("Resource", error.resource))
        children.append(.leaf("RequestId", context.requestId))
        children.append(.leaf("HostId", hostId(context.requestId)))
        var headers: [(name: String, value: String)] = []
        if let marker = error.deleteMarkerVersionId {
            headers += [("x-amz-delete-marker", "true"), ("x-amz-version-id", marker)]
        }
        if let region = error.region { headers.append(("x-amz-bucket-region", region)) }
        if request.method == "HEAD" {
            return WireResponse(status: error.httpStatus, headers: headers + [("Content-Length", "0")])
        }
        let body = XMLCodec.write(XMLElement("Error", children: children), namespace: nil)
        return WireResponse(status: error.httpStatus, headers: headers + [("Content-Type", "application/xml"),
                                                                          ("Content-Length", String(body.count))], body: body)
    }

    static func malformedXML(_ resource: String) -> S3Error {
        S3Error(code: "MalformedXML", httpStatus: 400,
                message: "The XML you provided was not well-formed or did not validate against our published schema",
                resource: resource)
    }

    /// `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>`.
    static func parseTagging(_ body: [UInt8], resource: String) throws(S3Error) -> [(key: String, value: String)] {
        let root = try parseXML(body, resource: resource)
        guard root.name == "Tagging", let set = root.child("TagSet") else { throw malformedXML(resource) }
        var tags: [(key: String, value: String)] = []
        for tag in set.children("Tag") {
            guard let key = tag.child("Key")?.text else { throw malformedXML(resource) }
            tags.append((key, tag.child("Value")?.text ?? ""))
        }
        return tags
    }

    static func taggingResponse(_ tags: [String: String]) -> WireResponse {
        xml(XMLElement("Tagging", children: [XMLElement("TagSet", children: tags.sorted { $0.key < $1.key }.map {
            XMLElement("Tag", children: [.leaf("Key", $0.key), .leaf("Value", $0.value)])
        })]))
    }

    /// Tags from the `x-amz-tagging` header (a URL query string: `k1=v1&k2=v2`).
    static func headerTags(_ request: WireRequest) -> [(key: String, value: String)]? {
        guard let header = request.header("x-amz-tagging") else { return nil }
        return header.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode: (Substring) -> String = { PercentEncoding.decode($0.replacingOccurrences(of: "+", with: " ")) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func parseXML(_ body: [UInt8], resource: String) throws(S3Error) -> XMLElement {
        switch XMLCodec.parse(body) {
        case .success(let root): return root
        case .failure: throw malformedXML(resource)
        }
    }
}
