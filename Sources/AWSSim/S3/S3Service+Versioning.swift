import SimCore

/// Versioning (AmazonS3/latest/userguide/Versioning.html): once enabled, every
/// write adds a version with its own id, a delete without a version id adds a
/// delete marker, and a delete with a version id removes that version for good.
/// Suspended versioning writes the `null` version in place.
extension S3Service {
    /// PutBucketVersioning.
    public mutating func putBucketVersioning(_ bucket: String, status: S3VersioningStatus) throws(S3Error) {
        guard buckets[bucket] != nil else { throw .noSuchBucket(bucket) }
        buckets[bucket]?.versioning = status
        changeLog?.append(.bucket(bucket))
    }

    /// GetBucketVersioning: nil while never enabled.
    public func getBucketVersioning(_ bucket: String) throws(S3Error) -> S3VersioningStatus? {
        guard let found = buckets[bucket] else { throw .noSuchBucket(bucket) }
        return found.versioning
    }

    /// A new version id: 32 URL-safe characters like S3's, from 8 random
    /// bytes, ``versionIdEpoch`` and a per-life counter, so no two versions
    /// of any key ever share an id, across restarts too.
    mutating func newVersionId() -> String {
        versionIdCounter += 1
        var bytes = [UInt8]()
        for var word in [random.next(), versionIdEpoch, versionIdCounter] {
            for _ in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word)); word >>= 8 }
        }
        return Base64.encode(bytes).replacingOccurrences(of: "+", with: ".").replacingOccurrences(of: "/", with: "_")
    }

    /// Records a new current version of `key` (called by every write).
    /// Returns the version id given to it.
    mutating func recordVersion(_ object: inout S3Object, bucket name: String) {
        guard let status = buckets[name]?.versioning else { return }
        let key = object.key
        if buckets[name]?.versions[key] == nil {
            // The object that existed before versioning was enabled is the `null` version.
            let existing = buckets[name]?.objects[key].map { [$0] } ?? []
            buckets[name]?.versions[key] = existing
        }
        switch status {
        case .enabled:
            object.versionId = newVersionId()
        case .suspended:
            object.versionId = "null"
            buckets[name]?.versions[key]?.removeAll { $0.versionId == "null" }
        }
        buckets[name]?.versions[key]?.append(object)
    }

    /// The result of a DeleteObject.
    public struct DeleteResult: Sendable, Equatable {
        /// The version id created (a delete marker) or removed.
        public var versionId: String?
        /// True when a delete marker was created, or a delete marker was removed.
        public var deleteMarker: Bool
    }

    /// DeleteObject with versioning: without `versionId`, a versioned bucket
    /// gets a delete marker; with one, that version is removed.
    @discardableResult
    public mutating func deleteObject(bucket name: String, key: String, versionId: String?,
                                      now: SimInstant) throws(S3Error) -> DeleteResult {
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        defer { changeLog?.append(.object(bucket: name, key: key)) }
        if let versionId {
            if bucket.versioning == nil {
                guard versionId == "null" else { throw .noSuchVersion(name, key) }
                let existed = buckets[name]?.objects.removeValue(forKey: key) != nil
                return DeleteResult(versionId: existed ? "null" : nil, deleteMarker: false)
            }
            if buckets[name]?.versions[key] == nil, bucket.objects[key] != nil {
                buckets[name]?.versions[key] = bucket.objects[key].map { [$0] } ?? []
            }
            guard let index = buckets[name]?.versions[key]?.firstIndex(where: { $0.versionId == versionId }),
                  let removed = buckets[name]?.versions[key]?.remove(at: index) else {
                throw .noSuchVersion(name, key)
            }
            refreshCurrent(bucket: name, key: key)
            return DeleteResult(versionId: versionId, deleteMarker: removed.isDeleteMarker)
        }
        guard let status = bucket.versioning else {
            buckets[name]?.objects[key] = nil
            return DeleteResult(versionId: nil, deleteMarker: false)
        }
        var marker = S3Object(key: key, body: [], eTag: "", lastModified: now, contentType: "", metadata: [:],
                              replicationStatus: nil, writeSequence: 0)
        marker.isDeleteMarker = true
        if buckets[name]?.versions[key] == nil {
            buckets[name]?.versions[key] = bucket.objects[key].map { [$0] } ?? []
        }
        if status == .suspended {
            buckets[name]?.versions[key]?.removeAll { $0.versionId == "null" }
        } else {
            marker.versionId = newVersionId()
        }
        buckets[name]?.versions[key]?.append(marker)
        buckets[name]?.objects[key] = nil
        return DeleteResult(versionId: marker.versionId, deleteMarker: true)
    }

    /// Makes the newest remaining version current (or none, if it is a delete marker).
    mutating func refreshCurrent(bucket name: String, key: String) {
        let latest = buckets[name]?.versions[key]?.last
        buckets[name]?.objects[key] = (latest?.isDeleteMarker ?? true) ? nil : latest
        if buckets[name]?.versions[key]?.isEmpty == true { buckets[name]?.versions[key] = nil }
    }

    /// GetObject of a specific version. A delete marker answers 405 MethodNotAllowed, as on S3.
    public func getObject(bucket name: String, key: String, versionId: String?) throws(S3Error) -> S3Object {
        guard let versionId else {
            guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
            if bucket.objects[key] == nil, bucket.versions[key]?.last?.isDeleteMarker == true {
                throw .noSuchKeyDeleteMarker(name, key, versionId: bucket.versions[key]?.last?.versionId ?? "null")
            }
            return try getObject(bucket: name, key: key)
        }
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        let candidates = bucket.versions[key] ?? bucket.objects[key].map { [$0] } ?? []
        guard let version = candidates.last(where: { $0.versionId == versionId }) else { throw .noSuchVersion(name, key) }
        if version.isDeleteMarker {
            throw S3Error(code: "MethodNotAllowed", httpStatus: 405,
                          message: "The specified method is not allowed against this resource.", resource: "/\(name)/\(key)")
        }
        return version
    }

    /// ListObjectVersions: every version and delete marker under `prefix`, by
    /// key, newest first within a key, with `isLatest`.
    public func listObjectVersions(bucket name: String, prefix: String = "")
        throws(S3Error) -> [(object: S3Object, isLatest: Bool)] {
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        var keys = Set(bucket.objects.keys)
        keys.formUnion(bucket.versions.keys)
        var result: [(object: S3Object, isLatest: Bool)] = []
        for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where key.hasPrefix(prefix) {
            let history = bucket.versions[key] ?? bucket.objects[key].map { [$0] } ?? []
            for (offset, version) in history.reversed().enumerated() { result.append((version, offset == 0)) }
        }
        return result
    }
}

extension S3Error {
    public static func noSuchVersion(_ bucket: String, _ key: String) -> S3Error {
        S3Error(code: "NoSuchVersion", httpStatus: 404,
                message: "The specified version does not exist.", resource: "/\(bucket)/\(key)")
    }

    /// NoSuchKey for a key whose current version is a delete marker; the wire
    /// adapter adds `x-amz-delete-marker: true` and the marker's version id.
    public static func noSuchKeyDeleteMarker(_ bucket: String, _ key: String, versionId: String) -> S3Error {
        var error = S3Error.noSuchKey(bucket, key)
        error.deleteMarkerVersionId = versionId
        return error
    }
}
