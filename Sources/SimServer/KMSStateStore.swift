import AWSSim
import Foundation
import SimCore

/// Persists KMS (keys, key policies, key state, grants, aliases) as one
/// snapshot, `kms.json`, rewritten atomically whenever it changes — KMS
/// state is small and changes rarely, unlike S3's. Without it a restart
/// would forget the keys SSE-KMS objects name, and with them who may decrypt.
public struct KMSStateStore: Sendable {
    struct File: Codable {
        var format: Int
        /// Unix milliseconds at the writing start's virtual zero, to move its instants to this start's.
        var epochUnixMilliseconds: Int64
        var kms: KMSService.Snapshot
    }

    let directory: StateDirectory
    let epochUnixMilliseconds: Int64
    /// What is on disk (nothing written yet: nil).
    var saved: KMSService.Snapshot?
    var file: URL { directory.root.appendingPathComponent("kms.json") }

    public init(directory: StateDirectory, epochUnixMilliseconds: Int64) {
        self.directory = directory
        self.epochUnixMilliseconds = epochUnixMilliseconds
    }

    /// The persisted snapshot, in this start's virtual time; a file that
    /// cannot be read is quarantined and reported in `notes`.
    public mutating func load(notes: inout [String]) -> KMSService.Snapshot? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        guard let stored = try? JSONDecoder().decode(File.self, from: data), stored.format == StateDirectory.format else {
            notes.append(directory.quarantine(file, reason: "not a KMS snapshot of format \(StateDirectory.format)"))
            return nil
        }
        let snapshot = stored.kms.shifted(by: .milliseconds(stored.epochUnixMilliseconds - epochUnixMilliseconds))
        saved = snapshot
        return snapshot
    }

    /// Writes the snapshot if it differs from what is on disk.
    public mutating func save(_ snapshot: KMSService.Snapshot) throws(StateFailure) {
        guard snapshot != saved else { return }
        let stored = File(format: StateDirectory.format, epochUnixMilliseconds: epochUnixMilliseconds, kms: snapshot)
        guard let data = try? JSONEncoder().encode(stored) else { throw StateFailure("cannot encode the KMS snapshot") }
        try StateDirectory.atomicWrite([UInt8](data), to: file)
        saved = snapshot
    }
}
