import AWSSim
import SimCore

/// What `odas-sim serve --state-dir` saves and restores, beyond S3's change log.
extension LiveWorld {
    /// KMS's whole state (keys, policies, grants, aliases).
    public var kmsSnapshot: KMSService.Snapshot { world.kms.snapshot }

    /// IAM's and STS's whole state (users, groups, roles, policies, instance
    /// profiles, access keys; role sessions).
    public var identitySnapshot: IdentitySnapshot { IdentitySnapshot(iam: world.iam.snapshot, sts: world.sts.snapshot) }

    /// Replaces IAM's and STS's state with a persisted one.
    public mutating func restoreIdentity(_ snapshot: IdentitySnapshot) throws(IAMError) {
        try world.iam.restore(snapshot.iam)
        world.sts.restore(snapshot.sts)
    }

    /// Replaces KMS's state with a persisted one.
    public mutating func restoreKMS(_ snapshot: KMSService.Snapshot) { world.kms.restore(snapshot) }

    /// Replaces S3's state with restored buckets (uploads in progress are not
    /// kept) and schedules the replication still pending in them at its
    /// recorded due time (now, if that has passed).
    public mutating func restoreS3(_ buckets: [S3Bucket]) {
        world.s3.restore(buckets, now: world.loop.now)
        world.drainS3Outbox()
    }

    /// Makes this life's S3 version ids distinct from every earlier life's
    /// (the state directory's start count), though the seeded random stream
    /// starts over.
    public mutating func setVersionIdEpoch(_ epoch: UInt64) { world.s3.versionIdEpoch = epoch }
}

/// What `serve --state-dir` keeps of IAM and STS, as one value.
public struct IdentitySnapshot: Codable, Equatable, Sendable {
    public var iam: IAMService.Snapshot
    public var sts: STSService.Snapshot

    public init(iam: IAMService.Snapshot, sts: STSService.Snapshot) {
        self.iam = iam
        self.sts = sts
    }

    /// The same state with every instant moved by `offset`.
    public func shifted(by offset: SimDuration) -> IdentitySnapshot {
        IdentitySnapshot(iam: iam.shifted(by: offset), sts: sts.shifted(by: offset))
    }
}
