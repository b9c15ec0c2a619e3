import Crypto
import SimCore

/// A multipart upload in progress.
public struct S3MultipartUpload: Sendable {
    public struct Part: Sendable {
        public var number: Int
        public var body: [UInt8]
        public var eTag: String
        public var checksums: [String: String]
        public var lastModified: SimInstant
    }

    public var uploadId: String
    public var bucket: String
    public var key: String
    public var initiated: SimInstant
    public var contentType: String
    public var metadata: [String: String]
    /// `x-amz-checksum-algorithm` given at creation, if any.
    public var checksumAlgorithm: String?
    public var parts: [Int: Part] = [:]
}

extension S3Service {
    /// Smallest part S3 accepts, except for the last one: 5 MiB
    /// (AmazonS3/latest/userguide/qfacts.html).
    public static let minimumPartSize = 5 * 1024 * 1024
    /// Part numbers run from 1 to 10,000.
    public static let maximumPartNumber = 10_000

    /// CreateMultipartUpload: returns the upload id.
    public mutating func createMultipartUpload(bucket name: String, key: String, contentType: String,
                                               metadata: [String: String], checksumAlgorithm: String?,
                                               now: SimInstant) throws(S3Error) -> String {
        guard buckets[name] != nil else { throw .noSuchBucket(name) }
        guard !key.isEmpty, key.utf8.count <= 1024 else { throw .keyTooLong(name, key) }
        var bytes = [UInt8]()
        for _ in 0..<4 {
            var word = random.next()
            for _ in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word)); word >>= 8 }
        }
        let uploadId = Base64.encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        uploads[uploadId] = S3MultipartUpload(uploadId: uploadId, bucket: name, key: key, initiated: now,
                                              contentType: contentType, metadata: metadata,
                                              checksumAlgorithm: checksumAlgorithm)
        return uploadId
    }

    func upload(_ uploadId: String, bucket: String, key: String) throws(S3Error) -> S3MultipartUpload {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        guard let upload = uploads[uploadId], upload.bucket == bucket, upload.key == key else {
            throw .noSuchUpload(uploadId)
        }
        return upload
    }

    /// UploadPart: stores one part; returns its ETag.
    public mutating func uploadPart(bucket: String, key: String, uploadId: String, partNumber: Int, body: [UInt8],
                                    checksums: [String: String], now: SimInstant) throws(S3Error) -> String {
        _ = try upload(uploadId, bucket: bucket, key: key)
        guard (1...Self.maximumPartNumber).contains(partNumber) else {
            throw .invalidArgument("Part number must be an integer between 1 and 10000, inclusive", resource: "/\(bucket)/\(key)")
        }
        let eTag = S3Object.eTag(of: body)
        uploads[uploadId]?.parts[partNumber] = .init(number: partNumber, body: body, eTag: eTag, checksums: checksums,
                                                     lastModified: now)
        return eTag
    }

    /// CompleteMultipartUpload: assembles the listed parts (ascending part
    /// numbers, ETags matching, every part but the last at least 5 MiB) into
    /// the object. Its ETag is the MD5 of the parts' binary MD5s, `-N`.
    @discardableResult
    public mutating func completeMultipartUpload(bucket: String, key: String, uploadId: String,
                                                 parts: [(number: Int, eTag: String)],
                                                 now: SimInstant) throws(S3Error) -> S3Object {
        let upload = try upload(uploadId, bucket: bucket, key: key)
        guard !parts.isEmpty else {
            throw S3Error(code: "MalformedXML", httpStatus: 400,
                          message: "The XML you provided was not well-formed or did not validate against our published schema",
                          resource: "/\(bucket)/\(key)")
        }
        // S3 validates the whole list's order first, then each part, then sizes.
        var previous = 0
        for listed in parts {
            guard listed.number > previous else { throw .invalidPartOrder(bucket, key) }
            previous = listed.number
        }
        var stored: [S3MultipartUpload.Part] = []
        for listed in parts {
            let wanted = listed.eTag.trimmingCharacters(in: "\"")
            guard let part = upload.parts[listed.number], part.eTag.trimmingCharacters(in: "\"") == wanted else {
                throw .invalidPart(bucket, key)
            }
            stored.append(part)
        }
        for part in stored.dropLast() where part.body.count < Self.minimumPartSize {
            throw .entityTooSmall(bucket, key)
        }
        var body = [UInt8]()
        var md5s = [UInt8]()
        for part in stored {
            body += part.body
            md5s += Array(Insecure.MD5.hash(data: part.body))
        }
        let eTag = "\"" + Hex.encode(Insecure.MD5.hash(data: md5s)) + "-\(parts.count)\""
        var checksums: [String: String] = [:]
        if let algorithm = upload.checksumAlgorithm.flatMap({ S3ChecksumAlgorithm(rawValue: $0.uppercased()) }) {
            // Composite checksum: the checksum of the parts' binary checksums, "-N"
            // (AmazonS3/latest/userguide/checking-object-integrity.html, "Using part-level checksums").
            let partSums = stored.compactMap { $0.checksums[algorithm.rawValue].flatMap(Base64.decode) }
            if partSums.count == stored.count {
                checksums[algorithm.rawValue] = algorithm.checksum(of: partSums.flatMap { $0 }) + "-\(stored.count)"
            }
        }
        let object = try putObject(bucket: bucket, key: key, body: body, contentType: upload.contentType,
                                   metadata: upload.metadata, checksums: checksums, eTag: eTag, now: now)
        uploads[uploadId] = nil
        return object
    }

    /// AbortMultipartUpload.
    public mutating func abortMultipartUpload(bucket: String, key: String, uploadId: String) throws(S3Error) {
        _ = try upload(uploadId, bucket: bucket, key: key)
        uploads[uploadId] = nil
    }

    /// ListParts, in part-number order.
    public func listParts(bucket: String, key: String, uploadId: String) throws(S3Error) -> [S3MultipartUpload.Part] {
        try upload(uploadId, bucket: bucket, key: key).parts.values.sorted { $0.number < $1.number }
    }

    /// ListMultipartUploads of a bucket, by key then initiation.
    public func listMultipartUploads(bucket: String) throws(S3Error) -> [S3MultipartUpload] {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        return uploads.values.filter { $0.bucket == bucket }
            .sorted { ($0.key, $0.initiated, $0.uploadId) < ($1.key, $1.initiated, $1.uploadId) }
    }

    /// CopyObject: copies the source object; `replaceMetadata` (the REPLACE
    /// directive) takes `metadata` and `contentType` instead of the source's.
    @discardableResult
    public mutating func copyObject(sourceBucket: String, sourceKey: String, sourceVersionId: String? = nil,
                                    bucket: String, key: String, replaceMetadata: Bool, contentType: String?,
                                    metadata: [String: String], now: SimInstant) throws(S3Error) -> S3Object {
        let source = try getObject(bucket: sourceBucket, key: sourceKey, versionId: sourceVersionId)
        if sourceBucket == bucket, sourceKey == key, sourceVersionId == nil, !replaceMetadata {
            throw .invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
                                  resource: "/\(bucket)/\(key)")
        }
        var stored = try putObject(bucket: bucket, key: key, body: source.body,
                                   contentType: replaceMetadata ? (contentType ?? "binary/octet-stream") : source.contentType,
                                   metadata: replaceMetadata ? metadata : source.metadata, checksums: source.checksums,
                                   eTag: source.eTag.contains("-") ? nil : source.eTag, now: now)
        if !replaceMetadata {
            updateCurrentObject(bucket: bucket, key: key) { $0.contentHeaders = source.contentHeaders }
            stored.contentHeaders = source.contentHeaders
        }
        return stored
    }
}

extension S3Error {
    public static func noSuchUpload(_ uploadId: String) -> S3Error {
        S3Error(code: "NoSuchUpload", httpStatus: 404,
                message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
                resource: uploadId)
    }
    public static func invalidPart(_ bucket: String, _ key: String) -> S3Error {
        S3Error(code: "InvalidPart", httpStatus: 400,
                message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                resource: "/\(bucket)/\(key)")
    }
    public static func invalidPartOrder(_ bucket: String, _ key: String) -> S3Error {
        S3Error(code: "InvalidPartOrder", httpStatus: 400,
                message: "The list of parts was not in ascending order. Parts must be ordered by part number.",
                resource: "/\(bucket)/\(key)")
    }
    public static func entityTooSmall(_ bucket: String, _ key: String) -> S3Error {
        S3Error(code: "EntityTooSmall", httpStatus: 400,
                message: "Your proposed upload is smaller than the minimum allowed object size.",
                resource: "/\(bucket)/\(key)")
    }
    public static func keyTooLong(_ bucket: String, _ key: String) -> S3Error {
        S3Error(code: "KeyTooLongError", httpStatus: 400, message: "Your key is too long", resource: "/\(bucket)")
    }
    public static func invalidArgument(_ message: String, resource: String) -> S3Error {
        S3Error(code: "InvalidArgument", httpStatus: 400, message: message, resource: resource)
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
