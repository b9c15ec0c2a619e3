import Crypto
import Foundation
import SimCore
import Synchronization

/// Where a run's trace goes (`ScenarioRunner.run(traceTo:)`).
public enum TraceDestination: Sendable {
    /// Kept in memory (``ScenarioRunner/Outcome/traceJSONLines``): tests and small runs.
    case memory
    /// Streamed to this file as the run goes, hashed on the way; memory stays flat.
    case file(String)
    /// Hashed only (`run --no-trace`): the determinism check without the bytes.
    case hashOnly
}

/// A ``TraceSink`` that hashes the canonical bytes (the report's `traceHash`)
/// and, given a path, writes them there as they come. Write errors are kept
/// and reported at the end of the run; the simulation never stops for them.
public final class TraceFileSink: TraceSink {
    struct State {
        var hasher = SHA256()
        var descriptor: Int32 = -1
        var bytes = 0
        var failure: String?
    }

    let state: Mutex<State>
    public let path: String?

    /// Creates (truncating) `path`, or hashes only when it is nil.
    public init(path: String?) throws(TraceFileError) {
        self.path = path
        var initial = State()
        if let path {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw TraceFileError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
            initial.descriptor = descriptor
        }
        state = Mutex(initial)
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { close(state.descriptor) }
        }
    }

    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        state.withLock { state in
            state.hasher.update(data: bytes)
            state.bytes += bytes.count
            guard state.descriptor >= 0, state.failure == nil else { return }
            state.failure = Self.writeAll(bytes, to: state.descriptor, path: path)
        }
    }

    /// Writes every byte (retrying interrupted and short writes); the error, or nil.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String?) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return "cannot write \(path ?? "the trace"): \(String(cString: strerror(errno)))" }
            offset += written
        }
        return nil
    }

    /// Closes the file; returns the SHA-256 of every byte written (hex), the
    /// byte count, and the first write error if there was one.
    public func finish() -> (hash: String, bytes: Int, failure: String?) {
        state.withLock { state in
            if state.descriptor >= 0 {
                if fsync(state.descriptor) != 0, state.failure == nil {
                    state.failure = "cannot write \(path ?? "the trace"): \(String(cString: strerror(errno)))"
                }
                close(state.descriptor)
                state.descriptor = -1
            }
            let hash = state.hasher.finalize().map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
            return (hash, state.bytes, state.failure)
        }
    }
}

/// The trace file could not be created or written.
public struct TraceFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
