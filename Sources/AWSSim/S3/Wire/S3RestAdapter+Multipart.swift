extension S3RestAdapter {
    static func createMultipartUpload(_ request: WireRequest, bucket: String, key: String, s3: inout S3Service,
                                      context: S3WireContext) throws(S3Error) -> WireResponse {
        try checkKey(key, bucket: bucket)
        let algorithm = request.header("x-amz-checksum-algorithm")
        if let algorithm, S3ChecksumAlgorithm(rawValue: algorithm.uppercased()) == nil {
            throw S3Error(code: "InvalidRequest", httpStatus: 400, message: "Checksum algorithm \(algorithm) is not supported",
                          resource: "/\(bucket)/\(key)")
        }
        let uploadId = try s3.createMultipartUpload(bucket: bucket, key: key,
                                                    contentType: request.header("content-type") ?? "binary/octet-stream",
                                                    metadata: userMetadata(request), checksumAlgorithm: algorithm?.uppercased(),
                                                    now: context.now)
        var response = xml(XMLElement("InitiateMultipartUploadResult", children: [
            .leaf("Bucket", bucket), .leaf("Key", key), .leaf("UploadId", uploadId),
        ]))
        if let algorithm { response.headers.append(("x-amz-checksum-algorithm", algorithm.uppercased())) }
        return response
    }

    static func uploadPart(_ request: WireRequest, bucket: String, key: String, uploadId: String, body: [UInt8],
                           trailers: [(name: String, value: String)], s3: inout S3Service,
                           context: S3WireContext) throws(S3Error) -> WireResponse {
        let resource = "/\(bucket)/\(key)"
        guard let partNumber = request.query("partNumber").flatMap(Int.init) else {
            throw S3Error(code: "InvalidArgument", httpStatus: 400,
                          message: "Part number must be an integer between 1 and 10000, inclusive", resource: resource)
        }
        let checksums = try verifyIntegrity(request, body: body, trailers: trailers, resource: resource)
        let eTag = try s3.uploadPart(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber, body: body,
                                     checksums: checksums, now: context.now)
        var headers: [(name: String, value: String)] = [("ETag", eTag), ("Content-Length", "0")]
        for (algorithm, value) in checksums.sorted(by: { $0.key < $1.key }) {
            headers.append(("x-amz-checksum-\(algorithm.lowercased())", value))
        }
        return WireResponse(status: 200, headers: headers)
    }

    /// UploadPartCopy: a part copied from an existing object, optionally a
    /// byte range of it (`x-amz-copy-source-range: bytes=first-last`).
    static func uploadPartCopy(_ request: WireRequest, source: String, bucket: String, key: String, uploadId: String,
                               s3: inout S3Service, context: S3WireContext) throws(S3Error) -> WireResponse {
        let resource = "/\(bucket)/\(key)"
        guard let partNumber = request.query("partNumber").flatMap(Int.init) else {
            throw S3Error(code: "InvalidArgument", httpStatus: 400,
                          message: "Part number must be an integer between 1 and 10000, inclusive", resource: resource)
        }
        let (sourceBucket, sourceKey, sourceVersion) = try copySource(source, resource: resource)
        let original = try s3.getObject(bucket: sourceBucket, key: sourceKey, versionId: sourceVersion)
        var bytes = original.body
        if let range = request.header("x-amz-copy-source-range") {
            guard case .range(let lower, let upper) = byteRange(range, size: original.size),
                  range.hasPrefix("bytes="), !range.hasSuffix("-"), !range.contains("=-") else {
                throw S3Error(code: "InvalidArgument", httpStatus: 400,
                              message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                              resource: resource)
            }
            bytes = Array(original.body[lower...upper])
        }
        let eTag = try s3.uploadPart(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber, body: bytes,
                                     checksums: [:], now: context.now)
        return xml(XMLElement("CopyPartResult", children: [
            .leaf("LastModified", context.xmlDate(context.now)), .leaf("ETag", eTag),
        ]))
    }

    static func completeMultipartUpload(bucket: String, key: String, uploadId: String, body: [UInt8],
                                        s3: inout S3Service, context: S3WireContext) throws(S3Error) -> WireResponse {
        let resource = "/\(bucket)/\(key)"
        let root = try parseXML(body, resource: resource)
        guard root.name == "CompleteMultipartUpload" else { throw malformedXML(resource) }
        var parts: [(number: Int, eTag: String)] = []
        for part in root.children("Part") {
            guard let number = part.child("PartNumber").flatMap({ Int($0.text) }), let eTag = part.child("ETag")?.text else {
                throw malformedXML(resource)
            }
            parts.append((number, eTag))
        }
        let object = try s3.completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, parts: parts,
                                                    now: context.now)
        var children: [XMLElement] = [
            .leaf("Location", "/\(bucket)/\(PercentEncoding.encode(key, keepSlash: true))"), .leaf("Bucket", bucket),
            .leaf("Key", key), .leaf("ETag", object.eTag),
        ]
        for (algorithm, value) in object.checksums.sorted(by: { $0.key < $1.key }) {
            children.append(.leaf("Checksum\(algorithm)", value))
        }
        return xml(XMLElement("CompleteMultipartUploadResult", children: children))
    }

    static func listParts(bucket: String, key: String, uploadId: String, s3: S3Service,
                          context: S3WireContext) throws(S3Error) -> WireResponse {
        let parts = try s3.listParts(bucket: bucket, key: key, uploadId: uploadId)
        var children: [XMLElement] = [
            .leaf("Bucket", bucket), .leaf("Key", key), .leaf("UploadId", uploadId), .leaf("PartNumberMarker", "0"),
            .leaf("NextPartNumberMarker", String(parts.last?.number ?? 0)), .leaf("MaxParts", "1000"),
            .leaf("IsTruncated", "false"), .leaf("StorageClass", "STANDARD"),
        ]
        for part in parts {
            var fields: [XMLElement] = [.leaf("PartNumber", String(part.number)),
                                        .leaf("LastModified", context.xmlDate(part.lastModified)),
                                        .leaf("ETag", part.eTag), .leaf("Size", String(part.body.count))]
            for (algorithm, value) in part.checksums.sorted(by: { $0.key < $1.key }) {
                fields.append(.leaf("Checksum\(algorithm)", value))
            }
            children.append(XMLElement("Part", children: fields))
        }
        return xml(XMLElement("ListPartsResult", children: children))
    }
}
