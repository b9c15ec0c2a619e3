extension S3RestAdapter {
    static func listBuckets(s3: S3Service, context: S3WireContext) -> WireResponse {
        let buckets = s3.listBuckets().map { bucket in
            XMLElement("Bucket", children: [.leaf("Name", bucket.name), .leaf("CreationDate", context.xmlDate(bucket.created))])
        }
        return xml(XMLElement("ListAllMyBucketsResult", children: [
            XMLElement("Owner", children: [.leaf("ID", ownerID), .leaf("DisplayName", ownerName)]),
            XMLElement("Buckets", children: buckets),
        ]))
    }

    static func createBucket(_ bucket: String, body: [UInt8], s3: inout S3Service,
                             context: S3WireContext) throws(S3Error) -> WireResponse {
        // Without a LocationConstraint the bucket goes to the region the request
        // was signed for; with one, it must match that region, as on AWS's
        // regional endpoints (IllegalLocationConstraintException otherwise).
        var region = context.signingRegion
        if !body.isEmpty {
            let root = try parseXML(body, resource: "/\(bucket)")
            guard root.name == "CreateBucketConfiguration" else { throw malformedXML("/\(bucket)") }
            if let constraint = root.child("LocationConstraint")?.text, !constraint.isEmpty {
                guard constraint == context.signingRegion else {
                    throw S3Error(code: "IllegalLocationConstraintException", httpStatus: 400,
                                  message: "The \(constraint) location constraint is incompatible for the region specific endpoint this request was sent to.",
                                  resource: "/\(bucket)")
                }
                region = constraint
            }
        }
        guard context.regions.contains(region) else {
            throw S3Error(code: "InvalidLocationConstraint", httpStatus: 400,
                          message: "The specified location-constraint is not valid: \(region) is not a region of this simulation (\(context.regions.joined(separator: ", ")))",
                          resource: "/\(bucket)")
        }
        try s3.createBucket(bucket, region: region, now: context.now)
        return WireResponse(status: 200, headers: [("Location", "/\(bucket)"), ("Content-Length", "0")])
    }

    /// ListObjects (v1) and ListObjectsV2 (`list-type=2`), with prefix,
    /// delimiter, max-keys, marker / continuation-token / start-after,
    /// `encoding-type=url` and fetch-owner.
    static func listObjects(_ request: WireRequest, bucket: String, s3: S3Service,
                            context: S3WireContext) throws(S3Error) -> WireResponse {
        let v2 = request.query("list-type") == "2"
        let prefix = request.query("prefix") ?? ""
        let delimiter = request.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        let encodingType = request.query("encoding-type")
        if let encodingType, encodingType != "url" {
            throw S3Error(code: "InvalidArgument", httpStatus: 400, message: "Invalid Encoding Method specified in Request",
                          resource: "/\(bucket)")
        }
        var maxKeys = 1000
        if let text = request.query("max-keys") {
            guard let value = Int(text), value >= 0 else {
                throw S3Error(code: "InvalidArgument", httpStatus: 400,
                              message: "Provided max-keys not an integer or within integer range", resource: "/\(bucket)")
            }
            maxKeys = min(value, 1000)
        }
        let continuation = request.query("continuation-token")
        var startAfter: String?
        if v2 {
            if let continuation {
                guard let decoded = Base64.decode(continuation).flatMap({ String(validating: $0, as: UTF8.self) }) else {
                    throw S3Error(code: "InvalidArgument", httpStatus: 400, message: "The continuation token provided is incorrect",
                                  resource: "/\(bucket)")
                }
                startAfter = decoded
            } else {
                startAfter = request.query("start-after")
            }
        } else {
            startAfter = request.query("marker")
        }
        let page = try s3.listObjects(bucket: bucket, prefix: prefix, delimiter: delimiter,
                                      startAfter: startAfter.flatMap { $0.isEmpty ? nil : $0 }, maxKeys: maxKeys)
        let encode: (String) -> String = { encodingType == "url" ? PercentEncoding.encode($0, keepSlash: true) : $0 }
        let fetchOwner = request.query("fetch-owner") == "true" || !v2
        var children: [XMLElement] = [.leaf("Name", bucket), .leaf("Prefix", encode(prefix))]
        if v2 {
            children.append(.leaf("KeyCount", String(page.objects.count + page.commonPrefixes.count)))
        } else {
            children.append(.leaf("Marker", encode(request.query("marker") ?? "")))
        }
        children.append(.leaf("MaxKeys", String(maxKeys)))
        if let delimiter { children.append(.leaf("Delimiter", encode(delimiter))) }
        if encodingType != nil { children.append(.leaf("EncodingType", "url")) }
        children.append(.leaf("IsTruncated", page.isTruncated ? "true" : "false"))
        if v2 {
            if let continuation { children.append(.leaf("ContinuationToken", continuation)) }
            if page.isTruncated, let last = page.lastReturned {
                children.append(.leaf("NextContinuationToken", Base64.encode(Array(last.utf8))))
            }
            if continuation == nil, let after = request.query("start-after") { children.append(.leaf("StartAfter", encode(after))) }
        } else if page.isTruncated, let last = page.lastReturned {
            children.append(.leaf("NextMarker", encode(last)))
        }
        for object in page.objects {
            var fields: [XMLElement] = [
                .leaf("Key", encode(object.key)), .leaf("LastModified", context.xmlDate(object.lastModified)),
                .leaf("ETag", object.eTag), .leaf("Size", String(object.size)), .leaf("StorageClass", "STANDARD"),
            ]
            if let algorithm = object.checksums.keys.sorted().first { fields.insert(.leaf("ChecksumAlgorithm", algorithm), at: 3) }
            if fetchOwner {
                fields.append(XMLElement("Owner", children: [.leaf("ID", ownerID), .leaf("DisplayName", ownerName)]))
            }
            children.append(XMLElement("Contents", children: fields))
        }
        for commonPrefix in page.commonPrefixes {
            children.append(XMLElement("CommonPrefixes", children: [.leaf("Prefix", encode(commonPrefix))]))
        }
        return xml(XMLElement("ListBucketResult", children: children))
    }

    /// DeleteObjects: needs Content-MD5 or an `x-amz-checksum-*` header, at most 1,000 keys.
    static func deleteObjects(_ request: WireRequest, bucket: String, body: [UInt8],
                              s3: inout S3Service, context: S3WireContext) throws(S3Error) -> WireResponse {
        let hasIntegrity = request.header("content-md5") != nil
            || request.headers.contains { $0.name.lowercased().hasPrefix("x-amz-checksum-") }
            || request.header("x-amz-sdk-checksum-algorithm") != nil
        guard hasIntegrity else {
            throw S3Error(code: "InvalidRequest", httpStatus: 400,
                          message: "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
                          resource: "/\(bucket)")
        }
        try verifyIntegrity(request, body: body, trailers: [], resource: "/\(bucket)")
        let root = try parseXML(body, resource: "/\(bucket)")
        let objects = root.children("Object")
        guard root.name == "Delete", !objects.isEmpty, objects.count <= 1000 else { throw malformedXML("/\(bucket)") }
        var entries: [XMLElement] = []
        let quiet = root.child("Quiet")?.text == "true"
        for object in objects {
            guard let key = object.child("Key")?.text else { throw malformedXML("/\(bucket)") }
            let versionId = object.child("VersionId")?.text
            do {
                let result = try s3.deleteObject(bucket: bucket, key: key, versionId: versionId, now: context.now)
                guard !quiet else { continue }
                var fields: [XMLElement] = [.leaf("Key", key)]
                if let versionId { fields.append(.leaf("VersionId", versionId)) }
                if result.deleteMarker {
                    fields.append(.leaf("DeleteMarker", "true"))
                    if versionId == nil, let marker = result.versionId { fields.append(.leaf("DeleteMarkerVersionId", marker)) }
                }
                entries.append(XMLElement("Deleted", children: fields))
            } catch {
                entries.append(XMLElement("Error", children: [.leaf("Key", key), .leaf("Code", error.code), .leaf("Message", error.message)]))
            }
        }
        return xml(XMLElement("DeleteResult", children: entries))
    }

    /// ListObjectVersions: versions and delete markers, newest first within a
    /// key, paginated by key-marker / version-id-marker.
    static func listObjectVersions(_ request: WireRequest, bucket: String, s3: S3Service,
                                   context: S3WireContext) throws(S3Error) -> WireResponse {
        let prefix = request.query("prefix") ?? ""
        let maxKeys = min(max(request.query("max-keys").flatMap(Int.init) ?? 1000, 0), 1000)
        let keyMarker = request.query("key-marker").flatMap { $0.isEmpty ? nil : $0 }
        let versionMarker = request.query("version-id-marker").flatMap { $0.isEmpty ? nil : $0 }
        var entries = try s3.listObjectVersions(bucket: bucket, prefix: prefix)
        if let keyMarker {
            if let versionMarker, let index = entries.firstIndex(where: { $0.object.key == keyMarker && $0.object.versionId == versionMarker }) {
                entries = Array(entries[(index + 1)...])
            } else {
                entries = entries.filter { keyMarker.utf8.lexicographicallyPrecedes($0.object.key.utf8) }
            }
        }
        let page = entries.prefix(maxKeys)
        let truncated = entries.count > page.count
        var children: [XMLElement] = [.leaf("Name", bucket), .leaf("Prefix", prefix), .leaf("KeyMarker", keyMarker ?? ""),
                                      .leaf("VersionIdMarker", versionMarker ?? ""), .leaf("MaxKeys", String(maxKeys)),
                                      .leaf("IsTruncated", truncated ? "true" : "false")]
        if truncated, let last = page.last {
            children.append(.leaf("NextKeyMarker", last.object.key))
            children.append(.leaf("NextVersionIdMarker", last.object.versionId))
        }
        let owner = XMLElement("Owner", children: [.leaf("ID", ownerID), .leaf("DisplayName", ownerName)])
        for (object, isLatest) in page {
            if object.isDeleteMarker {
                children.append(XMLElement("DeleteMarker", children: [
                    .leaf("Key", object.key), .leaf("VersionId", object.versionId), .leaf("IsLatest", isLatest ? "true" : "false"),
                    .leaf("LastModified", context.xmlDate(object.lastModified)), owner,
                ]))
            } else {
                children.append(XMLElement("Version", children: [
                    .leaf("Key", object.key), .leaf("VersionId", object.versionId), .leaf("IsLatest", isLatest ? "true" : "false"),
                    .leaf("LastModified", context.xmlDate(object.lastModified)), .leaf("ETag", object.eTag),
                    .leaf("Size", String(object.size)), .leaf("StorageClass", "STANDARD"), owner,
                ]))
            }
        }
        return xml(XMLElement("ListVersionsResult", children: children))
    }

    static func listMultipartUploads(_ bucket: String, s3: S3Service, context: S3WireContext) throws(S3Error) -> WireResponse {
        let uploads = try s3.listMultipartUploads(bucket: bucket)
        var children: [XMLElement] = [.leaf("Bucket", bucket), .leaf("KeyMarker", ""), .leaf("UploadIdMarker", ""),
                                      .leaf("MaxUploads", "1000"), .leaf("IsTruncated", "false")]
        for upload in uploads {
            children.append(XMLElement("Upload", children: [
                .leaf("Key", upload.key), .leaf("UploadId", upload.uploadId),
                XMLElement("Initiator", children: [.leaf("ID", ownerID), .leaf("DisplayName", ownerName)]),
                XMLElement("Owner", children: [.leaf("ID", ownerID), .leaf("DisplayName", ownerName)]),
                .leaf("StorageClass", "STANDARD"), .leaf("Initiated", context.xmlDate(upload.initiated)),
            ]))
        }
        return xml(XMLElement("ListMultipartUploadsResult", children: children))
    }
}
