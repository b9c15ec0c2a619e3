import Foundation
import Testing

/// The hostile and careless inputs of the limits issue, fed to the binary
/// under a 500 MiB address-space limit and a time limit: each is refused with
/// exit code 2 and a one-line error naming its limit, and none exhausts
/// memory, hangs or writes outside its report folder.
@Suite struct HostileInputTests {
    static let header = "name: hostile\nduration: 1m\ntopology:\n  regions: [{name: us-west-2, azs: [us-west-2a]}]\n  hosts: [{name: client, az: us-west-2a}]\n"

    static func laughs(key: String) -> String {
        var lines = ["\(key):", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("  \(name): &\(name) [" + Array(repeating: "*" + previous, count: 9).joined(separator: ", ") + "]")
            previous = name
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the binary through the shell with `ulimit -v` (KiB) and a timeout.
    static func runLimited(_ arguments: [String], in directory: URL) throws -> (code: Int32, stderr: String) {
        let binary = try OdasSimProcess.binary().path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 512000; exec \"$0\" \"$@\" 2> \"\(directory.path)/stderr\" > /dev/null", binary] + arguments
        process.currentDirectoryURL = directory
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return (-9, "killed after 30 s")
        }
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        return (process.terminationStatus, stderr)
    }

    /// (case, files to write — `nil` text makes a 3 GiB sparse file —, the scenario file, what stderr must say)
    static let cases: [(String, [String: String?], String, String)] = [
        ("laughs-unknown-key", ["s.yaml": header + laughs(key: "junk")], "s.yaml", "(limit yaml-aliases)"),
        ("laughs-description", ["s.yaml": header + laughs(key: "description")], "s.yaml", "(limit yaml-aliases)"),
        ("laughs-manifest", ["s.yaml": header + "kubernetes:\n  nodes: [{az: us-west-2a, count: 1}]\n  manifests: [m.yaml]\n",
                             "m.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" + laughs(key: "data")], "s.yaml", "(limit yaml-aliases)"),
        ("huge-scenario", ["s.yaml": nil], "s.yaml", "(limit scenario-file-size)"),
        ("huge-manifest", ["s.yaml": header + "kubernetes:\n  nodes: [{az: us-west-2a, count: 1}]\n  manifests: [m.yaml]\n", "m.yaml": nil],
         "s.yaml", "(limit manifest-file-size)"),
        ("name-climbs", ["s.yaml": header.replacingOccurrences(of: "name: hostile", with: "name: ../../escaped")], "s.yaml", "expected a scenario name: 1 to 63"),
        ("manifest-truncated", ["s.yaml": header + "kubernetes:\n  nodes: [{az: us-west-2a, count: 1}]\n  manifests: [m.yaml]\n",
                                "m.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [d\n"],
         "s.yaml", "(document 2): invalid YAML"),
        ("manifest-not-yaml", ["s.yaml": header + "kubernetes:\n  nodes: [{az: us-west-2a, count: 1}]\n  manifests: [m.yaml]\n", "m.yaml": "{{{{ not yaml\n"],
         "s.yaml", "(document 1): invalid YAML"),
        ("a-year", ["s.yaml": header.replacingOccurrences(of: "duration: 1m", with: "duration: 365d")
                    + "buckets: [{name: okera-data, region: us-west-2, objects: 5}]\nworkload:\n  - {name: w, kind: s3-get, bucket: okera-data, from: client, rate: 1000/s}\n"],
         "s.yaml", "(limit run-operations: 500000)"),
    ]

    @Test(arguments: cases.map(\.0))
    func eachIsRefusedWithinBounds(name: String) throws {
        let (_, files, scenario, message) = try #require(Self.cases.first { $0.0 == name })
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (file, text) in files {
            let url = directory.appendingPathComponent(file)
            if let text {
                try text.write(to: url, atomically: true, encoding: .utf8)
            } else {
                #expect(FileManager.default.createFile(atPath: url.path, contents: Data(Self.header.utf8)))
                let handle = try FileHandle(forWritingTo: url)
                try handle.truncate(atOffset: 3 << 30)
                try handle.close()
            }
        }
        for command in ["validate", "run"] {
            let started = Date()
            let arguments = command == "run" ? [command, scenario, "--report-dir", "reports"] : [command, scenario]
            let result = try Self.runLimited(arguments, in: directory)
            #expect(result.code == 2, "\(name) \(command): exit \(result.code): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name) \(command): \(result.stderr)")
            #expect(Date().timeIntervalSince(started) < 20, "\(name) \(command) took too long")
        }
        // Nothing was written outside the scratch folder (the escaping name above would have gone to ../../escaped).
        #expect(!FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("escaped").path))
    }

    /// Devices and pipes never end (or never start): a scenario, manifest or
    /// template that is one is refused by its kind before anything is read.
    @Test func devicesAndPipesAreRefusedUnread() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(mkfifo(directory.appendingPathComponent("pipe.yaml").path, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("zero.yaml").path, withDestinationPath: "/dev/zero")
        let manifest = Self.header + "kubernetes:\n  nodes: [{az: us-west-2a, count: 1}]\n  manifests: [zero.yaml]\n"
        try manifest.write(to: directory.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        for (arguments, message) in [(["validate", "/dev/zero"], "/dev/zero: error: is a device, not a scenario file"),
                                     (["validate", "pipe.yaml"], "pipe.yaml: error: is not a regular file, not a scenario file"),
                                     (["validate", "s.yaml"], "manifest zero.yaml is a device, not a YAML file")] {
            let result = try Self.runLimited(arguments, in: directory)
            #expect(result.code == 2 && result.stderr.contains(message), "\(arguments): exit \(result.code): \(result.stderr)")
        }
    }
}
