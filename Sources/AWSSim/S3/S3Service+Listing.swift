import SimCore
/// One page of a listing: objects and common prefixes, in key order.
public struct S3ListPage: Sendable {
    public var objects: [S3Object]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    /// The last key or prefix returned: where the next page starts.
    public var lastReturned: String?
}

extension S3Service {
    /// ListObjects / ListObjectsV2 with delimiter: keys under `prefix`, after
    /// `startAfter` (exclusive), rolled up into common prefixes at the first
    /// `delimiter` after the prefix; at most `maxKeys` entries (objects and
    /// prefixes together), as S3 counts them.
    public func listObjects(bucket name: String, prefix: String = "", delimiter: String? = nil,
                            startAfter: String? = nil, maxKeys: Int = 1000) throws(S3Error) -> S3ListPage {
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        var page = S3ListPage(objects: [], commonPrefixes: [], isTruncated: false, lastReturned: nil)
        var count = 0
        for key in bucket.sortedKeys where key.hasPrefix(prefix) {
            if let startAfter, !startAfter.utf8.lexicographicallyPrecedes(key.utf8) { continue }
            var rolledUp: String?
            if let delimiter, !delimiter.isEmpty {
                let rest = key.dropFirst(prefix.count)
                if let range = rest.range(of: delimiter) {
                    rolledUp = prefix + rest[..<range.upperBound]
                }
            }
            if let rolledUp {
                if page.commonPrefixes.last == rolledUp { continue }
                // A prefix at or before the marker was already returned.
                if let startAfter, !startAfter.utf8.lexicographicallyPrecedes(rolledUp.utf8) || startAfter.hasPrefix(rolledUp) {
                    continue
                }
            }
            if count == maxKeys {
                page.isTruncated = true
                break
            }
            if let rolledUp {
                page.commonPrefixes.append(rolledUp)
                page.lastReturned = rolledUp
            } else if let object = bucket.objects[key] {
                page.objects.append(object)
                page.lastReturned = key
            }
            count += 1
        }
        return page
    }

    /// Replaces all buckets and objects (restoring persisted state). Uploads
    /// in progress are dropped. Replication still PENDING resumes: each
    /// pending current object is scheduled at its recorded due time (or
    /// `now`, if that has passed) under the rule that covers its key.
    public mutating func restore(_ restored: [S3Bucket], now: SimInstant = .zero) {
        buckets = [:]
        for var bucket in restored {
            let written = bucket.objects.values.map(\.writeSequence) + bucket.versions.values.flatMap { $0.map(\.writeSequence) }
            bucket.nextWriteSequence = (written.max() ?? 0) + 1
            buckets[bucket.name] = bucket
        }
        uploads = [:]
        for bucket in restored.sorted(by: { $0.name < $1.name }) {
            for key in bucket.sortedKeys {
                guard let object = bucket.objects[key], object.replicationStatus == .pending,
                      let rule = bucket.replicationRules.first(where: { key.hasPrefix($0.prefix) }) else { continue }
                outbox.append((max(object.replicationDue ?? now, now),
                               .replicate(bucket: bucket.name, key: key, writeSequence: object.writeSequence, rule: rule.id, attempt: 1)))
            }
        }
    }
}
