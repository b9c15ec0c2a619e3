import AWSSim
import Foundation
import Scenarios
import SimCore

/// Persists IAM and STS (what their APIs created over the wire: users,
/// groups, roles, policies, instance profiles, access keys, role sessions)
/// as one snapshot, `identity.json`, rewritten atomically whenever it
/// changes. Without it, a user created over the wire would vanish at a
/// restart and its access key stop signing.
public struct IdentityStateStore: Sendable {
    struct File: Codable {
        var format: Int
        /// Unix milliseconds at the writing start's virtual zero, to move its instants to this start's.
        var epochUnixMilliseconds: Int64
        var identity: IdentitySnapshot
    }

    let directory: StateDirectory
    let epochUnixMilliseconds: Int64
    /// What is on disk (nothing written yet: nil).
    var saved: IdentitySnapshot?
    var file: URL { directory.root.appendingPathComponent("identity.json") }

    public init(directory: StateDirectory, epochUnixMilliseconds: Int64) {
        self.directory = directory
        self.epochUnixMilliseconds = epochUnixMilliseconds
    }

    /// The persisted snapshot, in this start's virtual time; a file that
    /// cannot be read is quarantined and reported in `notes`.
    public mutating func load(notes: inout [String]) -> IdentitySnapshot? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        guard let stored = try? JSONDecoder().decode(File.self, from: data), stored.format == StateDirectory.format else {
            notes.append(directory.quarantine(file, reason: "not an IAM and STS snapshot of format \(StateDirectory.format)"))
            return nil
        }
        let snapshot = stored.identity.shifted(by: .milliseconds(stored.epochUnixMilliseconds - epochUnixMilliseconds))
        saved = snapshot
        return snapshot
    }

    /// Writes the snapshot if it differs from what is on disk.
    public mutating func save(_ snapshot: IdentitySnapshot) throws(StateFailure) {
        guard snapshot != saved else { return }
        let stored = File(format: StateDirectory.format, epochUnixMilliseconds: epochUnixMilliseconds, identity: snapshot)
        guard let data = try? JSONEncoder().encode(stored) else { throw StateFailure("cannot encode the IAM and STS snapshot") }
        try StateDirectory.atomicWrite([UInt8](data), to: file)
        saved = snapshot
    }
}
