import Foundation
import Testing

/// Runs the built `odas-sim` binary as a user would.
struct OdasSimProcess {
    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root (tests run with it as the working directory under
    /// `swift test`, but derive it from this file to be independent of that).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (`swift build` puts both in the
    /// same directory), else `.build/debug/odas-sim`.
    static func binary() throws -> URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            besideTests.appendingPathComponent("odas-sim"),
            besideTests.deletingLastPathComponent().appendingPathComponent("odas-sim"),
            packageRoot.appendingPathComponent(".build/debug/odas-sim"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            Issue.record("odas-sim is not built; run `swift build` before `swift test` (looked in \(candidates.map(\.path)))")
            throw CancellationError()
        }
        return found
    }

    /// Runs the binary; a run still going after `timeoutSeconds` is killed (exit code -9).
    static func run(_ arguments: [String], timeoutSeconds: Double? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = packageRoot
        // Files, not pipes: nothing can block on a full pipe buffer.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let timeoutSeconds {
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try out.close()
                try err.close()
                return Result(exitCode: -9, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                              stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
            }
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(exitCode: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("odas-sim-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
