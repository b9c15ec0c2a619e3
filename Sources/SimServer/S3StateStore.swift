import AWSSim
import Crypto
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// Persists serve's S3 state under `--state-dir` (format 3): one small JSON
/// file per bucket and one file per object *version*, so that a PUT writes
/// only the version it adds (O(size of the object)), whatever the number of
/// versions the key already has.
///
/// Layout: `s3/buckets/<bucket>.json` (``S3BucketRecord``) and
/// `s3/objects/<bucket>/<sha256(key)>.<sequence>.version`
/// (``S3VersionRecord``; `sequence` is 16 hex digits, increasing with every
/// file the store writes, and orders a key's versions oldest first).
///
/// Every file is written to a temporary name, fsync'ed, renamed and its
/// directory fsync'ed, before the server answers: an acknowledged change is on
/// disk and no file is ever torn. A change writes new versions first and
/// removes superseded ones after, so a crash in between leaves at most a
/// superseded file, which loading discards (an unversioned key keeps its
/// newest file; a version id keeps its newest file). Files that cannot be
/// read are quarantined and reported, never fatal.
///
/// The store remembers which file holds which version (``index``), so that a
/// change compares versions by identity instead of rereading the directory.
/// Multipart uploads in progress are not persisted.
public struct S3StateStore: Sendable {
    let directory: StateDirectory
    let time: S3TimeBase
    var root: URL { directory.root.appendingPathComponent("s3") }
    /// Per bucket and key: the files on disk and the versions they hold, oldest first.
    var index: [String: [String: [(file: String, object: S3Object)]]] = [:]
    /// The sequence number of the next version file.
    var nextFileSequence: UInt64 = 1

    /// - Parameter epochUnixMilliseconds: Unix milliseconds at this start's virtual zero.
    public init(directory: StateDirectory, epochUnixMilliseconds: Int64) throws(StateFailure) {
        self.directory = directory
        time = S3TimeBase(epochUnixMilliseconds: epochUnixMilliseconds)
        try StateDirectory.makeDirectory(root.appendingPathComponent("buckets"))
        try StateDirectory.makeDirectory(root.appendingPathComponent("objects"))
    }

    /// Identity of a version: what no other version of the same key shares.
    struct VersionIdentity: Hashable {
        var versionId: String
        var writeSequence: UInt64
        var isDeleteMarker: Bool
        var lastModified: SimInstant

        init(_ object: S3Object) {
            versionId = object.versionId
            writeSequence = object.writeSequence
            isDeleteMarker = object.isDeleteMarker
            lastModified = object.lastModified
        }
    }

    func bucketFile(_ name: String) -> URL {
        root.appendingPathComponent("buckets").appendingPathComponent(name + ".json")
    }

    func objectsDirectory(_ bucket: String) -> URL {
        root.appendingPathComponent("objects").appendingPathComponent(bucket)
    }

    static func keyHash(_ key: String) -> String { Hex.encode(SHA256.hash(data: Array(key.utf8))) }

    static func sequenceName(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    // MARK: Saving

    /// Writes everything (the first start with an empty state directory).
    public mutating func saveAll(_ buckets: [S3Bucket]) throws(StateFailure) {
        for bucket in buckets {
            try save(.bucket(bucket.name), bucket: bucket)
            let keys = Set(bucket.objects.keys).union(bucket.versions.keys).sorted()
            for key in keys { try save(.object(bucket: bucket.name, key: key), bucket: bucket) }
        }
    }

    /// Persists one change, given the current state of its bucket (nil: the bucket is gone).
    public mutating func save(_ change: S3Change, bucket: S3Bucket?) throws(StateFailure) {
        switch change {
        case .bucket(let name):
            guard let bucket else {
                try StateDirectory.remove(bucketFile(name))
                try? FileManager.default.removeItem(at: objectsDirectory(name))
                StateDirectory.syncDirectory(root.appendingPathComponent("objects"))
                index[name] = nil
                return
            }
            guard let data = try? JSONEncoder().encode(S3BucketRecord(bucket, time: time)) else {
                throw StateFailure("cannot encode bucket \(name)")
            }
            try StateDirectory.atomicWrite([UInt8](data), to: bucketFile(name))
        case .object(let bucketName, let key):
            let desired = bucket?.versions[key] ?? bucket?.objects[key].map { [$0] } ?? []
            try saveVersions(desired, bucket: bucketName, key: key)
        }
    }

    /// Brings the files of one key in line with its versions: writes the new
    /// ones (and rewrites those whose metadata changed, in place), then
    /// removes the files of versions that are gone.
    mutating func saveVersions(_ desired: [S3Object], bucket: String, key: String) throws(StateFailure) {
        let existing = index[bucket]?[key] ?? []
        var byIdentity: [VersionIdentity: [Int]] = [:]
        for (offset, entry) in existing.enumerated() { byIdentity[VersionIdentity(entry.object), default: []].append(offset) }
        var kept = Set<Int>()
        var result: [(file: String, object: S3Object)] = []
        let folder = objectsDirectory(bucket)
        if !desired.isEmpty { try StateDirectory.makeDirectory(folder) }
        for version in desired {
            let identity = VersionIdentity(version)
            if let offset = byIdentity[identity]?.first(where: { !kept.contains($0) }) {
                kept.insert(offset)
                let file = existing[offset].file
                if existing[offset].object != version {
                    try StateDirectory.atomicWrite(try S3VersionRecord.encode(version, time: time),
                                                   to: folder.appendingPathComponent(file))
                }
                result.append((file, version))
                continue
            }
            let file = Self.keyHash(key) + "." + Self.sequenceName(nextFileSequence) + ".version"
            nextFileSequence += 1
            try StateDirectory.atomicWrite(try S3VersionRecord.encode(version, time: time), to: folder.appendingPathComponent(file))
            result.append((file, version))
        }
        var removedAny = false
        for (offset, entry) in existing.enumerated() where !kept.contains(offset) {
            if unlink(folder.appendingPathComponent(entry.file).path) != 0, errno != ENOENT {
                throw StateFailure("cannot remove \(folder.appendingPathComponent(entry.file).path): \(String(cString: strerror(errno)))")
            }
            removedAny = true
        }
        if removedAny { StateDirectory.syncDirectory(folder) }
        if result.isEmpty {
            index[bucket]?[key] = nil
        } else {
            index[bucket, default: [:]][key] = result
        }
    }
}
