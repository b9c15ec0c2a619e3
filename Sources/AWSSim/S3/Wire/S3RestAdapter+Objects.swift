import Crypto

extension S3RestAdapter {
    /// Checks Content-MD5 and every `x-amz-checksum-*` header or trailer
    /// against the body (BadDigest / InvalidDigest, as S3 answers) and returns
    /// the checksums to store, by algorithm.
    @discardableResult
    static func verifyIntegrity(_ request: WireRequest, body: [UInt8], trailers: [(name: String, value: String)],
                                resource: String) throws(S3Error) -> [String: String] {
        if let md5 = request.header("content-md5") {
            guard let digest = Base64.decode(md5), digest.count == 16 else {
                throw S3Error(code: "InvalidDigest", httpStatus: 400, message: "The Content-MD5 you specified was invalid.",
                              resource: resource)
            }
            guard digest == Array(Insecure.MD5.hash(data: body)) else {
                throw S3Error(code: "BadDigest", httpStatus: 400,
                              message: "The Content-MD5 you specified did not match what we received.", resource: resource)
            }
        }
        var checksums: [String: String] = [:]
        let fields = request.headers.map { ($0.name.lowercased(), $0.value) } + trailers.map { ($0.name.lowercased(), $0.value) }
        for (name, value) in fields where name.hasPrefix("x-amz-checksum-") && name != "x-amz-checksum-algorithm"
            && name != "x-amz-checksum-mode" && name != "x-amz-checksum-type" {
            guard let algorithm = S3ChecksumAlgorithm(headerName: name) else {
                throw S3Error(code: "InvalidRequest", httpStatus: 400, message: "Unsupported checksum header \(name)",
                              resource: resource)
            }
            let computed = algorithm.checksum(of: body)
            guard computed == value.trimmingWhitespace() else {
                throw S3Error(code: "BadDigest", httpStatus: 400,
                              message: "The \(algorithm.rawValue) you specified did not match the calculated checksum.",
                              resource: resource)
            }
            checksums[algorithm.rawValue] = computed
        }
        return checksums
    }

    /// `x-amz-meta-*` headers, names lowercased without the prefix.
    static func userMetadata(_ request: WireRequest) -> [String: String] {
        var metadata: [String: String] = [:]
        for field in request.headers where field.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(field.name.lowercased().dropFirst("x-amz-meta-".count))] = field.value
        }
        return metadata
    }

    static let storedContentHeaders = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires"]
    /// Server-side encryption, kept with the object and echoed on PUT, GET and HEAD.
    /// (`odas-sim serve` resolves the KMS key and authorizes its use before S3 runs.)
    static let encryptionHeaders = ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"]

    static func putObject(_ request: WireRequest, bucket: String, key: String, body: [UInt8],
                          trailers: [(name: String, value: String)], s3: inout S3Service,
                          context: S3WireContext) throws(S3Error) -> WireResponse {
        let resource = "/\(bucket)/\(key)"
        try checkKey(key, bucket: bucket)
        let checksums = try verifyIntegrity(request, body: body, trailers: trailers, resource: resource)
        if let tags = headerTags(request) {
            _ = try S3Service.validateTags(tags, maximum: S3Service.maximumObjectTags, resource: resource)
        }
        var contentHeaders: [String: String] = [:]
        if let sse = request.header("x-amz-server-side-encryption") {
            guard ["AES256", "aws:kms", "aws:kms:dsse"].contains(sse) else {
                throw S3Error(code: "InvalidArgument", httpStatus: 400,
                              message: "The encryption method specified is not supported", resource: resource)
            }
            for name in encryptionHeaders { contentHeaders[name] = request.header(name) }
        } else if request.header("x-amz-server-side-encryption-aws-kms-key-id") != nil {
            throw S3Error(code: "InvalidArgument", httpStatus: 400,
                          message: "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
                          resource: resource)
        }
        for name in storedContentHeaders {
            // aws-chunked is transfer framing, not the object's encoding.
            if let value = request.header(name), !(name == "content-encoding" && value == "aws-chunked") {
                contentHeaders[name] = value.replacingOccurrences(of: "aws-chunked,", with: "").trimmingWhitespace()
            }
        }
        let object = try s3.putObject(bucket: bucket, key: key, body: body,
                                      contentType: request.header("content-type") ?? "binary/octet-stream",
                                      metadata: userMetadata(request), checksums: checksums, now: context.now)
        // The request's own encryption replaces the bucket's default (put by S3Service).
        if !contentHeaders.isEmpty {
            let ownEncryption = contentHeaders["x-amz-server-side-encryption"] != nil
            s3.updateCurrentObject(bucket: bucket, key: key) { stored in
                if ownEncryption { for name in encryptionHeaders { stored.contentHeaders[name] = nil } }
                stored.contentHeaders.merge(contentHeaders) { $1 }
            }
        }
        let stored = s3.buckets[bucket]?.objects[key]?.contentHeaders ?? contentHeaders
        if let tags = headerTags(request) {
            try s3.putObjectTagging(bucket: bucket, key: key, tags: tags)
        }
        var headers: [(name: String, value: String)] = [("ETag", object.eTag), ("Content-Length", "0")]
        for (algorithm, value) in checksums.sorted(by: { $0.key < $1.key }) {
            headers.append(("x-amz-checksum-\(algorithm.lowercased())", value))
        }
        if s3.buckets[bucket]?.versioning != nil { headers.append(("x-amz-version-id", object.versionId)) }
        for name in encryptionHeaders { if let value = stored[name] { headers.append((name, value)) } }
        return WireResponse(status: 200, headers: headers)
    }

    static func checkKey(_ key: String, bucket: String) throws(S3Error) {
        guard key.utf8.count <= 1024 else { throw .keyTooLong(bucket, key) }
    }

    static func getObject(_ request: WireRequest, bucket: String, key: String, s3: S3Service,
                          context: S3WireContext) throws(S3Error) -> WireResponse {
        let object = try s3.getObject(bucket: bucket, key: key, versionId: request.query("versionId"))
        let resource = "/\(bucket)/\(key)"
        let modifiedSeconds = context.unixMilliseconds(object.lastModified) / 1000
        var headers: [(name: String, value: String)] = [
            ("ETag", object.eTag), ("Last-Modified", context.httpDate(object.lastModified)), ("Accept-Ranges", "bytes"),
            ("Content-Type", request.query("response-content-type") ?? object.contentType),
        ]
        // Conditional requests (RFC 9110 §13.2.2 order, as S3 applies them).
        if let ifMatch = request.header("if-match"), !eTagMatches(ifMatch, object.eTag) {
            throw S3Error(code: "PreconditionFailed", httpStatus: 412,
                          message: "At least one of the pre-conditions you specified did not hold", resource: resource)
        }
        if request.header("if-match") == nil, let since = request.header("if-unmodified-since").flatMap(HTTPDate.parseRFC1123),
           modifiedSeconds > since {
            throw S3Error(code: "PreconditionFailed", httpStatus: 412,
                          message: "At least one of the pre-conditions you specified did not hold", resource: resource)
        }
        if let ifNoneMatch = request.header("if-none-match"), eTagMatches(ifNoneMatch, object.eTag) {
            return WireResponse(status: 304, headers: headers.filter { $0.name != "Content-Type" })
        }
        if request.header("if-none-match") == nil, let since = request.header("if-modified-since").flatMap(HTTPDate.parseRFC1123),
           modifiedSeconds <= since {
            return WireResponse(status: 304, headers: headers.filter { $0.name != "Content-Type" })
        }
        for (name, value) in object.metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-\(name)", value)) }
        for name in storedContentHeaders {
            if let override = request.query("response-\(name)") {
                headers.append((name, override))
            } else if let value = object.contentHeaders[name] {
                headers.append((name, value))
            }
        }
        for name in encryptionHeaders { if let value = object.contentHeaders[name] { headers.append((name, value)) } }
        if let status = object.replicationStatus { headers.append(("x-amz-replication-status", status.rawValue)) }
        if !object.tags.isEmpty { headers.append(("x-amz-tagging-count", String(object.tags.count))) }
        if s3.buckets[bucket]?.versioning != nil || object.versionId != "null" {
            headers.append(("x-amz-version-id", object.versionId))
        }
        var body = object.body
        var status = 200
        if let range = request.header("range") {
            switch byteRange(range, size: object.size) {
            case .whole:
                break
            case .unsatisfiable:
                throw S3Error(code: "InvalidRange", httpStatus: 416, message: "The requested range is not satisfiable",
                              resource: resource)
            case .range(let lower, let upper):
                body = Array(object.body[lower...upper])
                status = 206
                headers.append(("Content-Range", "bytes \(lower)-\(upper)/\(object.size)"))
            }
        }
        if status == 200, request.header("x-amz-checksum-mode")?.uppercased() == "ENABLED" {
            for (algorithm, value) in object.checksums.sorted(by: { $0.key < $1.key }) {
                headers.append(("x-amz-checksum-\(algorithm.lowercased())", value))
                if value.contains("-") { headers.append(("x-amz-checksum-type", "COMPOSITE")) }
            }
        }
        headers.append(("Content-Length", String(body.count)))
        return WireResponse(status: status, headers: headers, body: request.method == "HEAD" ? [] : body)
    }

    /// Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=id]`, URL-encoded.
    static func copySource(_ source: String, resource: String) throws(S3Error) -> (String, String, String?) {
        let parts = source.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = PercentEncoding.decode(parts.first ?? "")
        if path.hasPrefix("/") { path.removeFirst() }
        guard let slash = path.firstIndex(of: "/"), path.index(after: slash) < path.endIndex else {
            throw S3Error(code: "InvalidArgument", httpStatus: 400,
                          message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", resource: resource)
        }
        var versionId: String?
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where pair.hasPrefix("versionId=") {
                versionId = PercentEncoding.decode(pair.dropFirst("versionId=".count))
            }
        }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]), versionId)
    }

    static func eTagMatches(_ header: String, _ eTag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingWhitespace()
            return trimmed == "*" || trimmed.trimmingCharacters(in: "\"") == eTag.trimmingCharacters(in: "\"")
        }
    }

    enum ByteRange: Equatable { case whole, unsatisfiable, range(Int, Int) }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n` (RFC 9110 §14.1.2). Anything S3
    /// would not parse as a single range returns the whole object, as S3 does.
    /// Positions too large for an integer are still positions (RFC 9110 puts no
    /// bound on them): past the end of any object.
    static func byteRange(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = position(last), suffix > 0 else { return .whole }
            guard size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix), size - 1)
        }
        guard let lower = position(first) else { return .whole }
        guard lower < size else { return .unsatisfiable }
        if last.isEmpty { return .range(lower, size - 1) }
        guard let upper = position(last), upper >= lower else { return .whole }
        return .range(lower, min(upper, size - 1))
    }

    /// A run of ASCII digits as a byte position, `Int.max` when it overflows; nil otherwise.
    static func position(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(digits) ?? Int.max
    }

    static func copyObject(_ request: WireRequest, source: String, bucket: String, key: String, s3: inout S3Service,
                           context: S3WireContext) throws(S3Error) -> WireResponse {
        let resource = "/\(bucket)/\(key)"
        try checkKey(key, bucket: bucket)
        let (sourceBucket, sourceKey, sourceVersion) = try copySource(source, resource: resource)
        let original = try s3.getObject(bucket: sourceBucket, key: sourceKey, versionId: sourceVersion)
        let sourceModified = context.unixMilliseconds(original.lastModified) / 1000
        let failed = S3Error(code: "PreconditionFailed", httpStatus: 412,
                             message: "At least one of the pre-conditions you specified did not hold", resource: resource)
        if let match = request.header("x-amz-copy-source-if-match"), !eTagMatches(match, original.eTag) { throw failed }
        if let noneMatch = request.header("x-amz-copy-source-if-none-match"), eTagMatches(noneMatch, original.eTag) { throw failed }
        if let since = request.header("x-amz-copy-source-if-unmodified-since").flatMap(HTTPDate.parseRFC1123), sourceModified > since {
            throw failed
        }
        if let since = request.header("x-amz-copy-source-if-modified-since").flatMap(HTTPDate.parseRFC1123), sourceModified <= since {
            throw failed
        }
        let directive = request.header("x-amz-metadata-directive")?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw S3Error(code: "InvalidArgument", httpStatus: 400, message: "Unknown metadata directive.", resource: resource)
        }
        let copied = try s3.copyObject(sourceBucket: sourceBucket, sourceKey: sourceKey, sourceVersionId: sourceVersion,
                                       bucket: bucket, key: key,
                                       replaceMetadata: directive == "REPLACE", contentType: request.header("content-type"),
                                       metadata: userMetadata(request), now: context.now)
        let tagging = request.header("x-amz-tagging-directive")?.uppercased() ?? "COPY"
        if tagging == "REPLACE" {
            try s3.putObjectTagging(bucket: bucket, key: key, tags: headerTags(request) ?? [])
        } else if !original.tags.isEmpty {
            try s3.putObjectTagging(bucket: bucket, key: key, tags: original.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        var response = xml(XMLElement("CopyObjectResult", children: [
            .leaf("LastModified", context.xmlDate(copied.lastModified)), .leaf("ETag", copied.eTag),
        ]))
        if let sourceVersion { response.headers.append(("x-amz-copy-source-version-id", sourceVersion)) }
        if s3.buckets[bucket]?.versioning != nil { response.headers.append(("x-amz-version-id", copied.versionId)) }
        return response
    }
}
