import Foundation
import AWSSim
import Testing

@Suite struct CommandLineTests {
    @Test func theMainScenarioRunsAndWritesItsReports() throws {
        let reports = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let result = try OdasSimProcess.run(["run", "scenarios/az-failure.yaml", "--report-dir", reports.path])
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Timeline"))
        #expect(result.stdout.contains("fault lose-2a starts: az-outage us-west-2a"))
        #expect(result.stdout.contains("PASS   rto/emr-scans"))
        #expect(result.stdout.contains("Result: PASS"))
        for name in ["report.json", "junit.xml", "trace.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent(name).path), "\(name) missing")
        }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("report.json"))) as? [String: Any]
        #expect(report?["verdict"] as? String == "pass")
        #expect(report?["seed"] as? Int == 42)
    }

    @Test func separateProcessesWriteByteIdenticalTraces() throws {
        let a = try OdasSimProcess.temporaryDirectory(), b = try OdasSimProcess.temporaryDirectory()
        let c = try OdasSimProcess.temporaryDirectory()
        defer { for url in [a, b, c] { try? FileManager.default.removeItem(at: url) } }
        let file = "scenarios/s3-region-failure.yaml"
        _ = try OdasSimProcess.run(["run", file, "--quiet", "--report-dir", a.path])
        _ = try OdasSimProcess.run(["run", file, "--quiet", "--report-dir", b.path])
        _ = try OdasSimProcess.run(["run", file, "--quiet", "--seed", "8", "--report-dir", c.path])
        let traceA = try Data(contentsOf: a.appendingPathComponent("trace.jsonl"))
        let traceB = try Data(contentsOf: b.appendingPathComponent("trace.jsonl"))
        let traceC = try Data(contentsOf: c.appendingPathComponent("trace.jsonl"))
        #expect(traceA.count > 100_000)
        #expect(traceA == traceB, "same scenario and seed gave different traces in two processes")
        #expect(traceA != traceC, "a different seed should change the trace")
        let reportA = try Data(contentsOf: a.appendingPathComponent("report.json"))
        let reportB = try Data(contentsOf: b.appendingPathComponent("report.json"))
        #expect(reportA == reportB)
    }

    /// ODAS on two Kubernetes clusters in two regions, Route 53 and Aurora
    /// Global: the richest world, deterministic across processes too.
    @Test func theODASRegionFailureTraceIsTheSameInTwoProcesses() throws {
        let a = try OdasSimProcess.temporaryDirectory(), b = try OdasSimProcess.temporaryDirectory()
        defer { for url in [a, b] { try? FileManager.default.removeItem(at: url) } }
        let first = try OdasSimProcess.run(["run", "scenarios/region-failure.yaml", "--quiet", "--report-dir", a.path])
        let second = try OdasSimProcess.run(["run", "scenarios/region-failure.yaml", "--quiet", "--report-dir", b.path])
        #expect(first.exitCode == 0, "\(first.stdout)\(first.stderr)")
        let traceA = try Data(contentsOf: a.appendingPathComponent("trace.jsonl"))
        #expect(traceA == (try Data(contentsOf: b.appendingPathComponent("trace.jsonl"))))
        #expect(first.stdout == second.stdout)
        #expect(String(decoding: traceA, as: UTF8.self).contains("\"cluster\":\"odas-east\""))
    }

    @Test func aDeclaredFlawIsReportedAsExpectedAndExitsZero() throws {
        let reports = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let result = try OdasSimProcess.run(["run", "scenarios/s3-no-replication.yaml", "--report-dir", reports.path])
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("XFAIL  rto/scans"))
        #expect(result.stdout.contains("not recovered"))
    }

    @Test func aFailingExpectationExitsOneAndPrintsTheSeedToReplay() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try String(contentsOf: OdasSimProcess.packageRoot.appendingPathComponent("scenarios/s3-no-replication.yaml"), encoding: .utf8)
        let flawed = original.replacingOccurrences(of: "expectFailure: [rto, rpo, availability]", with: "")
        let file = directory.appendingPathComponent("flawed.yaml")
        try flawed.write(to: file, atomically: true, encoding: .utf8)
        let result = try OdasSimProcess.run(["run", file.path, "--report-dir", directory.appendingPathComponent("r").path])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("FAIL   rto/scans"))
        #expect(result.stdout.contains("Replay: odas-sim run \(file.path) --seed 11"))
        let junit = try String(contentsOf: directory.appendingPathComponent("r/junit.xml"), encoding: .utf8)
        #expect(junit.contains("failures=\"3\""))
    }

    @Test func machineReadableFormatsGoToStandardOutput() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = try OdasSimProcess.run(["run", "scenarios/s3-no-replication.yaml", "--format", "json", "--quiet",
                                          "--report-dir", directory.path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["traceHash"] is String)
        let junit = try OdasSimProcess.run(["run", "scenarios/s3-no-replication.yaml", "--format", "junit", "--quiet",
                                           "--report-dir", directory.path])
        #expect(junit.stdout.hasPrefix("<?xml"))
        let xml = directory.appendingPathComponent("stdout.xml")
        try junit.stdout.write(to: xml, atomically: true, encoding: .utf8)
        // libxml2's parser is the judge of well-formedness (xmllint ships with libxml2-utils).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") {
            let lint = Process()
            lint.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
            lint.arguments = ["--noout", xml.path]
            try lint.run()
            lint.waitUntilExit()
            #expect(lint.terminationStatus == 0)
        }
    }

    @Test func validateAcceptsEveryShippedScenario() throws {
        let directory = OdasSimProcess.packageRoot.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "scenarios/\($0)" }
        #expect(files.count >= 3)
        let result = try OdasSimProcess.run(["validate"] + files)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == files.count)
    }

    @Test func preflightExitsByWhatItFinds() throws {
        let ok = try OdasSimProcess.run(["preflight", "scenarios/install-eks.yaml"])
        #expect(ok.exitCode == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("Preflight (eks installer): 8 checks: 0 gaps, 0 warnings"))
        let gaps = try OdasSimProcess.run(["preflight", "scenarios/install-missing-prerequisites.yaml"])
        #expect(gaps.exitCode == 1)
        #expect(gaps.stdout.contains("The installation does not start until every gap above is fixed (6 in all)."))
        let json = try OdasSimProcess.run(["preflight", "--json", "scenarios/install-missing-prerequisites.yaml"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["passed"] as? Bool == false && object["gapCount"] as? Int == 6)
        let none = try OdasSimProcess.run(["preflight", "scenarios/az-failure.yaml"])
        #expect(none.exitCode == 2 && none.stderr.contains("has no installer: section"))
        // A run with an installer stops at a failed preflight: declared here, so exit 0, and nothing ran.
        let run = try OdasSimProcess.run(["run", "scenarios/install-missing-prerequisites.yaml", "--no-trace",
                                          "--report-dir", FileManager.default.temporaryDirectory.appendingPathComponent("pf-\(UUID().uuidString)").path])
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(run.stdout.contains("XFAIL  preflight"))
        #expect(run.stdout.contains("emr-scans         scan    0 ops"))
    }

    /// The trace streams to disk during the run: the file is the one the
    /// report's hash names, no partial file stays, and --no-trace hashes the
    /// same bytes without writing them.
    @Test func theStreamedTraceIsTheOneTheReportHashes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try OdasSimProcess.run(["run", "scenarios/local-dev.yaml", "--quiet", "--report-dir", folder.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let trace = try Data(contentsOf: folder.appendingPathComponent("trace.jsonl"))
        let hash = SigV4.sha256Hex([UInt8](trace))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("report.json"))) as? [String: Any])
        #expect(report["traceHash"] as? String == hash)
        #expect(report["traceEvents"] as? Int == String(decoding: trace, as: UTF8.self).split(separator: "\n").count)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("trace.jsonl.partial").path))
        let bare = try OdasSimProcess.run(["run", "scenarios/local-dev.yaml", "--quiet", "--no-trace", "--report-dir", folder.path])
        #expect(bare.exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("trace.jsonl").path))
        let again = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("report.json"))) as? [String: Any])
        #expect(again["traceHash"] as? String == hash)
    }

    @Test func versionNamesTheEngines() throws {
        let result = try OdasSimProcess.run(["version"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("sqlite 3."))
        #expect(result.stdout.contains("libxml2 2."))
    }

    @Test(arguments: [["run"], ["run", "scenarios/az-failure.yaml", "--seed", "abc"],
                      ["run", "scenarios/az-failure.yaml", "--format", "xml"], ["frobnicate"], ["validate"]])
    func badArgumentsAreInvalidInput(arguments: [String]) throws {
        let result = try OdasSimProcess.run(arguments)
        #expect(result.exitCode == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }
}

/// The trace fingerprints a run's inputs, and the README shows what the
/// binary prints today.
@Suite struct FingerprintTests {
    @Test func scenariosThatDifferOnlyInASecurityGroupHaveDifferentTraces() throws {
        let a = try OdasSimProcess.temporaryDirectory(), b = try OdasSimProcess.temporaryDirectory()
        defer { for url in [a, b] { try? FileManager.default.removeItem(at: url) } }
        let split = try OdasSimProcess.run(["run", "scenarios/network-split.yaml", "--quiet", "--report-dir", a.path])
        let open = try OdasSimProcess.run(["run", "scenarios/network-ssh-open.yaml", "--quiet", "--report-dir", b.path])
        let traceA = try String(contentsOf: a.appendingPathComponent("trace.jsonl"), encoding: .utf8)
        let traceB = try String(contentsOf: b.appendingPathComponent("trace.jsonl"), encoding: .utf8)
        #expect(traceA != traceB)
        #expect(split.stdout.split(separator: " ").last != open.stdout.split(separator: " ").last, "the printed hashes differ")
        // The rules themselves are readable in the header.
        let header = traceB.split(separator: "\n").filter { $0.contains("\"source\":\"input\"") }
        #expect(header.contains { $0.contains("\"kind\":\"security-group\"") && $0.contains("tcp/22 from") })
        #expect(header.contains { $0.contains("\"kind\":\"expectations\"") && $0.contains("reachability/") })
    }

    @Test func theREADMEsSampleOutputIsWhatTheBinaryPrints() throws {
        let readme = try String(contentsOf: OdasSimProcess.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let command = "$ odas-sim run scenarios/s3-region-failure.yaml\n"
        let start = try #require(readme.range(of: command)).upperBound
        let end = try #require(readme.range(of: "```", range: start..<readme.endIndex)).lowerBound
        let reports = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let result = try OdasSimProcess.run(["run", "scenarios/s3-region-failure.yaml", "--report-dir", reports.path])
        func withoutReports(_ text: Substring) -> [Substring] { text.split(separator: "\n").filter { !$0.hasPrefix("Reports: ") } }
        #expect(withoutReports(readme[start..<end]) == withoutReports(result.stdout[...]),
                "README.md's sample drifted; regenerate it with: odas-sim run scenarios/s3-region-failure.yaml --report-dir reports/s3-region-failure")
    }
}
