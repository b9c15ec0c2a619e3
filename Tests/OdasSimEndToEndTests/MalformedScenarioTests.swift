import Foundation
import Testing

/// Feeds the binary malformed scenario files: every one must exit with code 2
/// and a message naming the file and line, and none may crash the process.
@Suite struct MalformedScenarioTests {
    static let header = "name: m\nduration: 1h\ntopology:\n  regions:\n    - name: us-west-2\n      azs: [us-west-2a, us-west-2b]\n"
    static let withBucket = header + "buckets:\n  - {name: okera-data, region: us-west-2, objects: 5}\n"

    /// (file name, contents, line the first message must name)
    static let cases: [(String, [UInt8], Int)] = {
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        return [
            ("truncated-flow.yaml", text("name: m\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a"), 3),
            ("truncated-quote.yaml", text("name: \"m\nduration: 1h\n"), 1),
            ("bad-indent.yaml", text("name: m\n  duration: 1h\n"), 2),
            ("tab-indent.yaml", text("name: m\ntopology:\n\tregions: []\n"), 3),
            ("list-root.yaml", text("- name: m\n"), 1),
            ("scalar-root.yaml", text("just text\n"), 1),
            ("unknown-key.yaml", text(header + "durration: 1h\n"), 7),
            ("name-is-list.yaml", text("name: [a]\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"), 1),
            ("duration-number.yaml", text("name: m\nduration: 90\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"), 2),
            ("duration-negative.yaml", text("name: m\nduration: -1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"), 2),
            ("duration-huge.yaml", text("name: m\nduration: 9999999999999999h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"), 2),
            ("duration-zero.yaml", text("name: m\nduration: 0s\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"), 2),
            ("seed-huge.yaml", text(header + "seed: 123456789012345678901234567890\n"), 7),
            ("seed-negative.yaml", text(header + "seed: -1\n"), 7),
            ("seed-float.yaml", text(header + "seed: 1.5\n"), 7),
            ("regions-map.yaml", text("name: m\nduration: 1h\ntopology:\n  regions: {us-west-2: [a]}\n"), 4),
            ("az-wrong-region.yaml", text("name: m\nduration: 1h\ntopology:\n  regions:\n    - name: us-west-2\n      azs: [eu-west-1a]\n"), 6),
            ("az-twice.yaml", text("name: m\nduration: 1h\ntopology:\n  regions:\n    - name: us-west-2\n      azs: [us-west-2a, us-west-2a]\n"), 6),
            ("fault-unknown-az.yaml", text(header + "faults:\n  - {action: az-outage, target: us-west-2z, at: 5m}\n"), 8),
            ("fault-after-end.yaml", text(header + "faults:\n  - {action: az-outage, target: us-west-2a, at: 3h}\n"), 8),
            ("fault-too-long.yaml", text(header + "faults:\n  - {action: az-outage, target: us-west-2a, at: 30m, duration: 1h}\n"), 8),
            ("fault-unknown-action.yaml", text(header + "faults:\n  - {action: meteor, target: us-west-2a, at: 5m}\n"), 8),
            ("fault-bad-duration.yaml", text(header + "faults:\n  - {action: az-outage, target: us-west-2a, at: 5 minutes}\n"), 8),
            ("fault-typo-key.yaml", text(header + "faults:\n  - {action: az-outage, traget: us-west-2a, at: 5m}\n"), 8),
            ("workload-bad-rate.yaml", text(withBucket + "workload:\n  - {name: w, kind: s3-get, bucket: okera-data, rate: fast}\n"), 10),
            ("workload-huge-rate.yaml", text(withBucket + "workload:\n  - {name: w, kind: s3-get, bucket: okera-data, rate: 1e300/s}\n"), 10),
            ("workload-unknown-bucket.yaml", text(withBucket + "workload:\n  - {name: w, kind: s3-get, bucket: nope, rate: 1/s}\n"), 10),
            ("workload-unknown-kind.yaml", text(withBucket + "workload:\n  - {name: w, kind: s3-teleport, bucket: okera-data, rate: 1/s}\n"), 10),
            ("workload-dup-name.yaml", text(withBucket + "workload:\n  - {name: w, kind: s3-get, bucket: okera-data, rate: 1/s}\n  - {name: w, kind: s3-put, bucket: okera-data, rate: 1/s}\n"), 11),
            ("expect-unknown-workload.yaml", text(withBucket + "expect:\n  availability: {ghost: 99%}\n"), 10),
            ("expect-bad-percent.yaml", text(withBucket + "workload:\n  - {name: w, kind: s3-get, bucket: okera-data, rate: 1/s}\nexpect:\n  availability: {w: lots}\n"), 12),
            ("invariant-unknown.yaml", text(withBucket + "expect:\n  invariants: [always-fine]\n"), 10),
            ("bucket-bad-name.yaml", text(header + "buckets:\n  - {name: A_B, region: us-west-2}\n"), 8),
            ("bucket-huge-count.yaml", text(header + "buckets:\n  - {name: okera-data, region: us-west-2, objects: 99999999999}\n"), 8),
            ("duplicate-key.yaml", text("name: m\nname: n\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n"), 2),
            ("non-utf8.yaml", Array("name: m\nduration: 1h\n".utf8) + [0x6E, 0x3A, 0x20, 0xC3, 0x28, 0x0A], 3),
            ("nul-byte.yaml", Array("name: m\n".utf8) + [0x00] + Array("\n".utf8), 2),
            ("empty.yaml", [], 1),
            ("only-comment.yaml", text("# nothing here\n"), 1),
        ]
    }()

    @Test func everyMalformedFileExitsTwoNamingTheLine() throws {
        #expect(Self.cases.count >= 30)
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes, line) in Self.cases {
            let file = directory.appendingPathComponent(name)
            try Data(bytes).write(to: file)
            let result = try OdasSimProcess.run(["run", file.path, "--report-dir", directory.appendingPathComponent("r").path])
            #expect(result.exitCode == 2, "\(name): exit \(result.exitCode)\n\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("\(file.path):\(line):"), "\(name): expected line \(line) in: \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(name): printed a report for an invalid scenario")
        }
    }

    @Test func aDirectoryAndAMissingFileAreInvalidInput() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let asDirectory = try OdasSimProcess.run(["run", directory.path])
        #expect(asDirectory.exitCode == 2)
        #expect(asDirectory.stderr.contains("is a directory"))
        let missing = try OdasSimProcess.run(["validate", directory.appendingPathComponent("nope.yaml").path])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("no such file"))
    }
}
