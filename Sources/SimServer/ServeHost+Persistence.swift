import AWSSim
import Scenarios
import SimCore

extension ServeHost {
    /// The stores of `--state-dir`: the locked directory, S3 (one file per
    /// object version), KMS and IAM/STS (snapshots). Lives inside the world's lock.
    struct Persistence: Sendable {
        let directory: StateDirectory
        var s3: S3StateStore
        var kms: SnapshotStateStore<KMSService.Snapshot>
        var identity: SnapshotStateStore<IdentitySnapshot>

        /// Locks and opens the directory, restores what it holds into `world`
        /// (or writes the scenario's initial state to a new directory) and
        /// starts recording S3's changes.
        static func open(path: String, world: inout LiveWorld, epochUnixMilliseconds: Int64,
                         notes: inout [String]) throws(StateFailure) -> Persistence {
            let directory = try StateDirectory(path: path)
            notes += directory.openingNotes
            world.setVersionIdEpoch(directory.generation)
            var s3 = try S3StateStore(directory: directory, epochUnixMilliseconds: epochUnixMilliseconds)
            var kms = SnapshotStateStore<KMSService.Snapshot>(directory: directory, epochUnixMilliseconds: epochUnixMilliseconds)
            if let snapshot = kms.load(notes: &notes) { world.restoreKMS(snapshot) }
            var identity = SnapshotStateStore<IdentitySnapshot>(directory: directory, epochUnixMilliseconds: epochUnixMilliseconds)
            if let snapshot = identity.load(notes: &notes) {
                do throws(IAMError) { try world.restoreIdentity(snapshot) } catch {
                    notes.append(directory.quarantine(identity.file, reason: "its IAM state does not load (\(error.description))"))
                    identity.saved = nil
                }
            }
            let loaded = try s3.load()
            notes += loaded.notes
            if let buckets = loaded.buckets {
                world.restoreS3(buckets)
            } else {
                try s3.saveAll(world.s3Buckets)
            }
            try kms.save(world.kmsSnapshot)
            try identity.save(world.identitySnapshot)
            world.recordS3Changes()
            _ = world.takeS3Changes()
            return Persistence(directory: directory, s3: s3, kms: kms, identity: identity)
        }
    }

    /// Writes what changed to the state directory. Runs inside the lock,
    /// before the response leaves: an acknowledged write is on disk. Returns
    /// the reason when persisting failed (the answer becomes a 500).
    static func persist(_ state: inout State) -> String? {
        guard var persistence = state.persistence else { return nil }
        defer { state.persistence = persistence }
        for change in state.world.takeS3Changes() {
            let bucketName: String
            switch change {
            case .bucket(let name): bucketName = name
            case .object(let name, _): bucketName = name
            }
            do { try persistence.s3.save(change, bucket: state.world.s3Bucket(bucketName)) } catch { return error.description }
        }
        do { try persistence.kms.save(state.world.kmsSnapshot) } catch { return error.description }
        do { try persistence.identity.save(state.world.identitySnapshot) } catch { return error.description }
        return nil
    }
}
