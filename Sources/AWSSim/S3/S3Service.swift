import SimCore

/// A piece of S3 state that changed: a bucket (its configuration, or its
/// deletion) or one object.
public enum S3Change: Hashable, Sendable {
    case bucket(String)
    case object(bucket: String, key: String)
}

/// Work S3 schedules for itself on virtual time.
public enum S3Event: Hashable, Sendable {
    /// Copy the current version of `key` (if it is still `writeSequence`) to
    /// the rule's destination.
    case replicate(bucket: String, key: String, writeSequence: UInt64, rule: String, attempt: Int)
}

/// The in-process S3 of one simulated AWS partition: every bucket of every
/// region, and the replication S3 performs between them.
///
/// Operations are named after the S3 API and throw ``S3Error`` with the code
/// and status S3 returns. The service does not check reachability itself:
/// callers reach it through an endpoint that asks the ``FaultModel`` whether
/// the bucket's region can be reached (S3 is regional — it stores objects
/// across at least three AZs and keeps serving through the loss of one,
/// AmazonS3/latest/userguide/DataDurability.html). Replication, which S3
/// performs itself, asks the fault model when it runs.
///
/// Sans-IO: operations that start background work append to ``outbox``; the
/// owner schedules those events on its ``EventLoop`` and hands them back to
/// ``handle(_:now:faults:trace:)`` when they are due.
public struct S3Service: Sendable {
    public internal(set) var buckets: [String: S3Bucket] = [:]
    /// Multipart uploads in progress, by upload id.
    public internal(set) var uploads: [String: S3MultipartUpload] = [:]
    /// What changed since the owner last drained it, when the owner records
    /// changes (`odas-sim serve --state-dir` persists them); nil records nothing.
    public var changeLog: [S3Change]?
    /// Events to schedule, drained by the owner after each call.
    public var outbox: [(at: SimInstant, event: S3Event)] = []
    var random: SimRandom
    /// Part of every version id: a number that differs between lives of the
    /// same state (`serve` sets the state directory's start count), so ids
    /// never repeat across restarts even though the random stream does.
    public var versionIdEpoch: UInt64 = 0
    /// Version ids given out in this life; with ``versionIdEpoch`` it makes every id unique.
    var versionIdCounter: UInt64 = 0
    /// Source buckets whose replication is paused (FIS `aws:s3:bucket-pause-replication`).
    public private(set) var replicationPaused: Set<String> = []

    /// Pauses or resumes replication from `bucket`. While paused, due
    /// replications wait (retried every minute, as when the destination is
    /// unreachable) and the objects stay PENDING; after it resumes, the next
    /// retry copies them.
    public mutating func setReplicationPaused(_ bucket: String, _ paused: Bool) {
        if paused { replicationPaused.insert(bucket) } else { replicationPaused.remove(bucket) }
    }

    /// - Parameter random: the stream replication lag is drawn from.
    public init(random: SimRandom) { self.random = random }

    // MARK: Buckets

    /// CreateBucket in `region`.
    public mutating func createBucket(_ name: String, region: String, now: SimInstant = .zero) throws(S3Error) {
        guard S3Bucket.isValidName(name) else { throw .invalidBucketName(name) }
        guard buckets[name] == nil else { throw .bucketAlreadyOwnedByYou(name) }
        buckets[name] = S3Bucket(name: name, region: region, created: now)
        changeLog?.append(.bucket(name))
    }

    /// DeleteBucket; the bucket must be empty.
    public mutating func deleteBucket(_ name: String) throws(S3Error) {
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        guard bucket.objects.isEmpty, bucket.versions.isEmpty else { throw .bucketNotEmpty(name) }
        buckets[name] = nil
        changeLog?.append(.bucket(name))
    }

    /// HeadBucket: the bucket's region, or NoSuchBucket.
    public func headBucket(_ name: String) throws(S3Error) -> String {
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        return bucket.region
    }

    /// ListBuckets, in name order.
    public func listBuckets() -> [S3Bucket] {
        buckets.values.sorted { $0.name < $1.name }
    }

    /// PutBucketReplication: replaces the bucket's replication rules. As on
    /// S3, both buckets need versioning enabled; the destination must exist
    /// and be in another region (same-region replication is not modelled).
    /// `role`: the IAM role S3 replicates as.
    public mutating func putBucketReplication(_ bucket: String, rules: [S3ReplicationRule], role: String? = nil) throws(S3Error) {
        guard let source = buckets[bucket] else { throw .noSuchBucket(bucket) }
        guard source.versioning == .enabled else {
            throw .invalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration",
                                  resource: "/\(bucket)")
        }
        for rule in rules {
            guard let destination = buckets[rule.destinationBucket] else {
                throw .invalidRequest("Destination bucket must exist.", resource: "/\(rule.destinationBucket)")
            }
            guard destination.versioning == .enabled else {
                throw .invalidRequest("Destination bucket must have versioning enabled.", resource: "/\(rule.destinationBucket)")
            }
            guard destination.region != source.region else {
                throw .invalidRequest("Destination bucket must be in another region for cross-region replication.",
                                      resource: "/\(rule.destinationBucket)")
            }
        }
        buckets[bucket]?.replicationRules = rules
        buckets[bucket]?.replicationRole = role
        changeLog?.append(.bucket(bucket))
    }

    // MARK: Objects

    /// PutObject. Returns the stored object (its ETag among the rest).
    @discardableResult
    public mutating func putObject(bucket name: String, key: String, body: [UInt8], contentType: String = "binary/octet-stream",
                                   metadata: [String: String] = [:], checksums: [String: String] = [:],
                                   eTag: String? = nil, now: SimInstant) throws(S3Error) -> S3Object {
        // Mutate the stored bucket in place: copying it out would copy its
        // object table on every write (copy-on-write), O(n) per PutObject.
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        guard !key.isEmpty, key.utf8.count <= 1024 else { throw .keyTooLong(name, key) }
        let rule = bucket.replicationRules.first { key.hasPrefix($0.prefix) }
        let sequence = bucket.nextWriteSequence
        var object = S3Object(key: key, body: body, eTag: eTag ?? S3Object.eTag(of: body), lastModified: now,
                              contentType: contentType, metadata: metadata,
                              replicationStatus: rule == nil ? nil : .pending, writeSequence: sequence,
                              checksums: checksums, contentHeaders: defaultEncryptionHeaders(name))
        let due = rule.map { now + replicationLag($0) }
        object.replicationDue = due
        recordVersion(&object, bucket: name)
        buckets[name]?.nextWriteSequence += 1
        buckets[name]?.objects[key] = object
        changeLog?.append(.object(bucket: name, key: key))
        if let rule, let due {
            outbox.append((due, .replicate(bucket: name, key: key, writeSequence: sequence, rule: rule.id, attempt: 1)))
        }
        return object
    }

    /// GetObject: the current version of `key`.
    public func getObject(bucket name: String, key: String) throws(S3Error) -> S3Object {
        guard let bucket = buckets[name] else { throw .noSuchBucket(name) }
        guard let object = bucket.objects[key] else { throw .noSuchKey(name, key) }
        return object
    }

    /// DeleteObject. Deleting a missing key succeeds, as on S3; in a
    /// versioned bucket it adds a delete marker.
    public mutating func deleteObject(bucket name: String, key: String) throws(S3Error) {
        try deleteObject(bucket: name, key: key, versionId: nil, now: .zero)
    }

    /// Changes the current version of `key` in place: the visible object and
    /// its entry in the version history, which must stay the same value.
    mutating func updateCurrentObject(bucket name: String, key: String, _ change: (inout S3Object) -> Void) {
        guard var current = buckets[name]?.objects[key] else { return }
        let versionId = current.versionId
        change(&current)
        buckets[name]?.objects[key] = current
        if let index = buckets[name]?.versions[key]?.lastIndex(where: { $0.versionId == versionId }) {
            buckets[name]?.versions[key]?[index] = current
        }
    }

    // MARK: Replication

    /// Replication lag for one object.
    ///
    /// With Replication Time Control, S3's SLA is 99.99% of objects within 15
    /// minutes and "most objects within seconds"
    /// (AmazonS3/latest/userguide/replication-time-control.html): a
    /// log-normal with median 5 s and σ = 1.4 puts 99.99% under 15 min; draws
    /// beyond 15 min are kept (the remaining 0.01% are late, as the SLA allows).
    /// Without RTC, AWS gives no bound ("most objects replicate within 15
    /// minutes, but sometimes it can take a couple of hours"): median 15 s,
    /// σ = 2.0. Both medians are modelling assumptions (docs/fidelity.md).
    mutating func replicationLag(_ rule: S3ReplicationRule) -> SimDuration {
        if rule.replicationTimeControl {
            return random.logNormal(median: .seconds(5), sigma: 1.4)
        }
        return random.logNormal(median: .seconds(15), sigma: 2.0)
    }

    /// Runs a due replication event. S3 replicates from the source region, so
    /// nothing moves while the source region is unreachable or the
    /// destination cannot be reached from it; S3 retries (here every minute,
    /// an assumption) and the object stays PENDING meanwhile.
    public mutating func handle(_ event: S3Event, now: SimInstant, faults: FaultModel, trace: inout Trace) {
        switch event {
        case let .replicate(bucketName, key, sequence, ruleID, attempt):
            guard let source = buckets[bucketName], let object = source.objects[key],
                  object.writeSequence == sequence,
                  let rule = source.replicationRules.first(where: { $0.id == ruleID }) else { return }
            // A destination that was deleted or lost versioning cannot take the
            // replica: S3 marks the object FAILED and does not retry
            // (AmazonS3/latest/userguide/replication-status.html).
            guard let destination = buckets[rule.destinationBucket], destination.versioning == .enabled else {
                updateCurrentObject(bucket: bucketName, key: key) {
                    $0.replicationStatus = .failed
                    $0.replicationDue = nil
                }
                changeLog?.append(.object(bucket: bucketName, key: key))
                trace.record("s3", "replication-failed", at: now, [
                    "bucket": .string(bucketName), "key": .string(key), "destination": .string(rule.destinationBucket),
                ])
                return
            }
            let paused = replicationPaused.contains(bucketName) ? "replication from \(bucketName) is paused" : nil
            if let reason = paused ?? faults.unreachability(from: .region(source.region), to: .region(destination.region))?.description {
                trace.record("s3", "replication-retry", at: now, [
                    "bucket": .string(bucketName), "key": .string(key), "attempt": .int(Int64(attempt)),
                    "reason": .string(reason),
                ])
                let due = now + .minutes(1)
                updateCurrentObject(bucket: bucketName, key: key) { $0.replicationDue = due }
                changeLog?.append(.object(bucket: bucketName, key: key))
                outbox.append((due, .replicate(bucket: bucketName, key: key, writeSequence: sequence,
                                               rule: ruleID, attempt: attempt + 1)))
                return
            }
            var copy = object
            copy.replicationStatus = .replica
            copy.replicationDue = nil
            // The replica keeps the source's version id.
            if buckets[rule.destinationBucket]?.versions[key] == nil {
                let existing = buckets[rule.destinationBucket]?.objects[key].map { [$0] } ?? []
                buckets[rule.destinationBucket]?.versions[key] = existing
            }
            buckets[rule.destinationBucket]?.versions[key]?.append(copy)
            buckets[rule.destinationBucket]?.objects[key] = copy
            updateCurrentObject(bucket: bucketName, key: key) {
                $0.replicationStatus = .completed
                $0.replicationDue = nil
            }
            changeLog?.append(.object(bucket: rule.destinationBucket, key: key))
            changeLog?.append(.object(bucket: bucketName, key: key))
            trace.record("s3", "replication-completed", at: now, [
                "bucket": .string(bucketName), "key": .string(key), "destination": .string(rule.destinationBucket),
                "lag": .duration(now - object.lastModified),
            ])
        }
    }
}
