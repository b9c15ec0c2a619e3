import AWSSim
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

extension S3StateStore {
    /// What loading found: the buckets (nil when the directory holds no S3
    /// state yet) and notes for the user (files quarantined, superseded files
    /// discarded, a format-2 directory migrated).
    public struct Loaded: Sendable {
        public var buckets: [S3Bucket]?
        public var notes: [String]
    }

    /// Reads the persisted buckets with every version of their objects. Never
    /// fails on a bad file: it is quarantined and reported, the rest loads.
    public mutating func load() throws(StateFailure) -> Loaded {
        var notes: [String] = []
        let bucketsDirectory = root.appendingPathComponent("buckets")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: bucketsDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        var buckets: [S3Bucket] = []
        var superseded = 0
        var migrated = 0
        for file in files {
            let url = bucketsDirectory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path),
                  let record = try? JSONDecoder().decode(S3BucketRecord.self, from: data),
                  file == record.name + ".json" else {
                notes.append(directory.quarantine(url, reason: "not a bucket record"))
                continue
            }
            // A bucket's name names its objects' folder: only S3's names (no '/', no '..') keep it inside objects/.
            guard S3Bucket.isValidName(record.name) else {
                notes.append(directory.quarantine(url, reason: "\"\(record.name)\" is not a bucket name"))
                continue
            }
            var bucket = record.bucket(time: time)
            let folder = objectsDirectory(record.name)
            var groups: [String: [(file: String, sequence: UInt64, object: S3Object)]] = [:]
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                let fileURL = folder.appendingPathComponent(name)
                if name.hasSuffix(".obj") {
                    // Format 2: every version of a key in one file. Rewritten below in format 3.
                    guard let bytes = FileManager.default.contents(atPath: fileURL.path).map({ [UInt8]($0) }),
                          let versions = S3LegacyObjectFile.decode(bytes), let key = versions.first?.key else {
                        notes.append(directory.quarantine(fileURL, reason: "not an object file of format 2"))
                        continue
                    }
                    for version in versions {
                        groups[key, default: []].append(("", 0, version))
                    }
                    try StateDirectory.remove(fileURL)
                    migrated += 1
                    continue
                }
                guard name.hasSuffix(".version") else { continue }
                let parts = name.split(separator: ".")
                guard parts.count == 3, let sequence = UInt64(parts[1], radix: 16) else {
                    notes.append(directory.quarantine(fileURL, reason: "not a version file name"))
                    continue
                }
                guard let bytes = FileManager.default.contents(atPath: fileURL.path).map({ [UInt8]($0) }) else {
                    notes.append(directory.quarantine(fileURL, reason: "unreadable"))
                    continue
                }
                switch S3VersionRecord.decode(bytes, time: time) {
                case .failure(let why):
                    notes.append(directory.quarantine(fileURL, reason: why.description))
                case .success(let object):
                    guard Self.keyHash(object.key) == parts[0] else {
                        notes.append(directory.quarantine(fileURL, reason: "its key does not match its file name"))
                        continue
                    }
                    nextFileSequence = max(nextFileSequence, sequence + 1)
                    groups[object.key, default: []].append((name, sequence, object))
                }
            }
            for key in groups.keys.sorted() {
                guard var entries = groups[key]?.sorted(by: { $0.sequence < $1.sequence }) else { continue }
                // A crash between writing a new version and removing the one
                // it replaces leaves both: keep the newest.
                var discard: [String] = []
                if bucket.versioning == nil {
                    discard = entries.dropLast().map(\.file)
                    entries = Array(entries.suffix(1))
                } else {
                    var seen = Set<String>()
                    var newestFirst: [(file: String, sequence: UInt64, object: S3Object)] = []
                    for entry in entries.reversed() {
                        if seen.insert(entry.object.versionId).inserted { newestFirst.append(entry) } else { discard.append(entry.file) }
                    }
                    entries = newestFirst.reversed()
                }
                for file in discard where !file.isEmpty {
                    try StateDirectory.remove(folder.appendingPathComponent(file))
                    superseded += 1
                }
                let versions = entries.map(\.object)
                guard let latest = versions.last else { continue }
                if bucket.versioning != nil { bucket.versions[key] = versions }
                if !latest.isDeleteMarker { bucket.objects[key] = latest }
                index[record.name, default: [:]][key] = entries.filter { !$0.file.isEmpty }.map { ($0.file, $0.object) }
                if entries.contains(where: \.file.isEmpty) {
                    try saveVersions(versions, bucket: record.name, key: key)
                }
            }
            buckets.append(bucket)
        }
        // Object folders without a bucket record: a bucket deleted (it was empty) mid-way.
        let known = Set(buckets.map(\.name))
        let objectsRoot = root.appendingPathComponent("objects")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: objectsRoot.path)) ?? []).sorted() where !known.contains(name) {
            notes.append(directory.quarantine(objectsRoot.appendingPathComponent(name), reason: "objects of a bucket with no bucket record"))
        }
        if superseded > 0 { notes.append("discarded \(superseded) superseded version file\(superseded == 1 ? "" : "s") left by an interrupted write") }
        if migrated > 0 { notes.append("migrated \(migrated) object file\(migrated == 1 ? "" : "s") from format 2 to format 3") }
        return Loaded(buckets: files.isEmpty ? nil : buckets, notes: notes)
    }
}
