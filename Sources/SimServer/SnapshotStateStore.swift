import AWSSim
import Foundation
import Scenarios
import SimCore

/// A service state `--state-dir` keeps as one snapshot file: small, rarely
/// changing state (KMS; IAM and STS), unlike S3's one file per version.
public protocol PersistedSnapshot: Codable, Equatable, Sendable {
    /// The file in the state directory, e.g. `kms.json`.
    static var fileName: String { get }
    /// The snapshot's key in that file, e.g. `kms`.
    static var field: String { get }
    /// What the snapshot is, for the quarantine note: "a KMS snapshot".
    static var what: String { get }
    /// The same state with every instant moved by `offset` (a restart's virtual zero is a later wall-clock time).
    func shifted(by offset: SimDuration) -> Self
}

extension KMSService.Snapshot: PersistedSnapshot {
    public static var fileName: String { "kms.json" }
    public static var field: String { "kms" }
    public static var what: String { "a KMS snapshot" }
}

extension IdentitySnapshot: PersistedSnapshot {
    public static var fileName: String { "identity.json" }
    public static var field: String { "identity" }
    public static var what: String { "an IAM and STS snapshot" }
}

/// Persists one ``PersistedSnapshot`` as `{"format": N, "epochUnixMilliseconds": E, FIELD: snapshot}`,
/// rewritten atomically whenever it changes. Without these files a restart would forget the keys
/// SSE-KMS objects name (and with them who may decrypt), and the users, keys and sessions
/// created over the wire.
public struct SnapshotStateStore<Snapshot: PersistedSnapshot>: Sendable {
    struct File: Codable {
        var format: Int
        /// Unix milliseconds at the writing start's virtual zero, to move its instants to this start's.
        var epochUnixMilliseconds: Int64
        var snapshot: Snapshot

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(format: Int, epochUnixMilliseconds: Int64, snapshot: Snapshot) {
            self.format = format
            self.epochUnixMilliseconds = epochUnixMilliseconds
            self.snapshot = snapshot
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            format = try container.decode(Int.self, forKey: Key("format"))
            epochUnixMilliseconds = try container.decode(Int64.self, forKey: Key("epochUnixMilliseconds"))
            snapshot = try container.decode(Snapshot.self, forKey: Key(Snapshot.field))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(format, forKey: Key("format"))
            try container.encode(epochUnixMilliseconds, forKey: Key("epochUnixMilliseconds"))
            try container.encode(snapshot, forKey: Key(Snapshot.field))
        }
    }

    let directory: StateDirectory
    let epochUnixMilliseconds: Int64
    /// What is on disk (nothing written yet: nil).
    var saved: Snapshot?
    var file: URL { directory.root.appendingPathComponent(Snapshot.fileName) }

    public init(directory: StateDirectory, epochUnixMilliseconds: Int64) {
        self.directory = directory
        self.epochUnixMilliseconds = epochUnixMilliseconds
    }

    /// The persisted snapshot, in this start's virtual time; a file that
    /// cannot be read is quarantined and reported in `notes`.
    public mutating func load(notes: inout [String]) -> Snapshot? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        guard let stored = try? JSONDecoder().decode(File.self, from: data), stored.format == StateDirectory.format else {
            notes.append(directory.quarantine(file, reason: "not \(Snapshot.what) of format \(StateDirectory.format)"))
            return nil
        }
        let snapshot = stored.snapshot.shifted(by: .milliseconds(stored.epochUnixMilliseconds - epochUnixMilliseconds))
        saved = snapshot
        return snapshot
    }

    /// Writes the snapshot if it differs from what is on disk.
    public mutating func save(_ snapshot: Snapshot) throws(StateFailure) {
        guard snapshot != saved else { return }
        let stored = File(format: StateDirectory.format, epochUnixMilliseconds: epochUnixMilliseconds, snapshot: snapshot)
        guard let data = try? JSONEncoder().encode(stored) else { throw StateFailure("cannot encode \(Snapshot.what)") }
        try StateDirectory.atomicWrite([UInt8](data), to: file)
        saved = snapshot
    }
}
