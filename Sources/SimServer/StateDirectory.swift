import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failure to open, lock, read or write the state directory, with a message for the user.
public struct StateFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The `--state-dir` of `odas-sim serve`: held under an exclusive lock for
/// the life of the process, stamped with its format version and start count,
/// cleaned of temporary files on open, and the place where unreadable files
/// are set aside (`quarantine/`) instead of stopping the server.
///
/// Layout (format 3, docs/serve.md "State directory"):
/// `lock` (flock'ed; holds the owner's pid), `format.json`
/// (`{"format": 3, "generation": N}`), `s3/…` (``S3StateStore``), `kms.json`,
/// `quarantine/`.
///
/// A reference type because it owns an open file descriptor (the lock); its
/// stored properties are immutable, so it is safe to share.
public final class StateDirectory: Sendable {
    /// The on-disk format this build writes and reads.
    public static let format = 3

    public let root: URL
    /// How many times a server has opened this directory, this start included
    /// (1 for a new directory). Version ids include it, so they never repeat.
    public let generation: UInt64
    /// What opening found and did: temporary files removed, and so on
    /// (quarantined files are reported by the stores that read them).
    public let openingNotes: [String]
    let lockDescriptor: Int32

    /// Opens (creating if needed) and locks the directory. Fails with a clear
    /// message when another server holds it or its format is not this build's.
    public init(path: String) throws(StateFailure) {
        root = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw StateFailure("cannot create the state directory \(path): \(error.localizedDescription)")
        }
        let lockPath = root.appendingPathComponent("lock").path
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateFailure("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw StateFailure("the state directory \(path) is in use by another odas-sim serve"
                               + (owner.isEmpty ? "" : " (pid \(owner))")
                               + "; stop that server or give this one another --state-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        lockDescriptor = fd

        let formatFile = root.appendingPathComponent("format.json")
        var previous: UInt64 = 0
        if let data = FileManager.default.contents(atPath: formatFile.path) {
            guard let stamp = try? JSONDecoder().decode(FormatStamp.self, from: data) else {
                close(fd)
                throw StateFailure("\(formatFile.path) is not a format stamp of odas-sim serve; move the directory away or repair the file")
            }
            guard stamp.format == Self.format else {
                close(fd)
                throw StateFailure("the state directory \(path) has format \(stamp.format); this odas-sim reads format \(Self.format)")
            }
            previous = stamp.generation
        }
        generation = previous + 1
        var notes: [String] = []
        let removed = Self.removeTemporaryFiles(under: root)
        if removed > 0 { notes.append("removed \(removed) temporary file\(removed == 1 ? "" : "s") left by an interrupted write") }
        openingNotes = notes
        do {
            let stamp = try JSONEncoder().encode(FormatStamp(format: Self.format, generation: generation))
            try Self.atomicWrite([UInt8](stamp), to: formatFile)
        } catch let failure as StateFailure {
            close(fd)
            throw failure
        } catch {
            close(fd)
            throw StateFailure("cannot write \(formatFile.path): \(error.localizedDescription)")
        }
    }

    deinit { close(lockDescriptor) }

    struct FormatStamp: Codable {
        var format: Int
        var generation: UInt64
    }

    /// Moves a file that cannot be read into `quarantine/` (keeping its path
    /// under the root) and returns the note to report.
    public func quarantine(_ file: URL, reason: String) -> String {
        let relative = file.path.hasPrefix(root.path + "/") ? String(file.path.dropFirst(root.path.count + 1)) : file.lastPathComponent
        let target = root.appendingPathComponent("quarantine").appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: target)
        if rename(file.path, target.path) != 0 { try? FileManager.default.removeItem(at: file) }
        Self.syncDirectory(file.deletingLastPathComponent())
        return "set aside \(relative) (\(reason)) in \(target.deletingLastPathComponent().path)"
    }

    static func removeTemporaryFiles(under root: URL) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return 0 }
        var removed = 0
        while let relative = walker.nextObject() as? String {
            if relative.hasPrefix("quarantine") { walker.skipDescendants(); continue }
            if relative.hasSuffix(".tmp"), unlink(root.appendingPathComponent(relative).path) == 0 { removed += 1 }
        }
        return removed
    }

    // MARK: Durable writes

    /// Writes `bytes` to a temporary file beside `file`, fsyncs it, renames it
    /// over `file` and fsyncs the directory: a reader, or a restart after
    /// `kill -9`, sees the old file or the new one, never a torn one.
    static func atomicWrite(_ bytes: [UInt8], to file: URL) throws(StateFailure) {
        let temporary = file.path + ".tmp"
        let fd = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateFailure("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw StateFailure("cannot write \(temporary): \(reason)")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw StateFailure("cannot fsync \(temporary): \(String(cString: strerror(errno)))")
        }
        close(fd)
        guard rename(temporary, file.path) == 0 else {
            unlink(temporary)
            throw StateFailure("cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
        syncDirectory(file.deletingLastPathComponent())
    }

    /// Removes a file (a missing one is fine) and fsyncs its directory.
    static func remove(_ file: URL) throws(StateFailure) {
        if unlink(file.path) != 0, errno != ENOENT {
            throw StateFailure("cannot remove \(file.path): \(String(cString: strerror(errno)))")
        }
        syncDirectory(file.deletingLastPathComponent())
    }

    /// Creates a directory and fsyncs its parent, so the new entry survives a crash.
    static func makeDirectory(_ directory: URL) throws(StateFailure) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StateFailure("cannot create \(directory.path): \(error.localizedDescription)")
        }
        syncDirectory(directory.deletingLastPathComponent())
    }

    static func syncDirectory(_ directory: URL) {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
