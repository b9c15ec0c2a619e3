import Foundation
import Testing

/// `odas-sim explore`, `sweep` and `merge` as a user runs them.
@Suite struct ExploreCommandTests {
    static let fixture = "Tests/ScenariosTests/Fixtures/explore-db.yaml"

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func twoProcessesAndAnyJobsWriteTheSameExploreJSON() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a"), b = directory.appendingPathComponent("b")
        let first = try OdasSimProcess.run(["explore", Self.fixture, "--seeds", "5", "--shrink", "0", "--quiet", "--report-dir", a.path])
        let second = try OdasSimProcess.run(["explore", Self.fixture, "--seeds", "5", "--shrink", "0", "--quiet", "--jobs", "2",
                                             "--report-dir", b.path])
        #expect(first.exitCode == second.exitCode)
        #expect([0, 1].contains(first.exitCode), "\(first.stderr)")
        let json = try Self.read(a.appendingPathComponent("explore.json"))
        #expect(json == (try Self.read(b.appendingPathComponent("explore.json"))))
        #expect(json.contains("\"seed\" : 5"))
        #expect(first.stdout.contains("explore explore-db: 5 seeds (1…5)"))
        // The same summary, but for the folder it names.
        #expect(first.stdout.replacingOccurrences(of: a.path, with: "DIR") == second.stdout.replacingOccurrences(of: b.path, with: "DIR"))
    }

    @Test func shardsMergeIntoWhatOneProcessWrites() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = directory.appendingPathComponent("whole")
        _ = try OdasSimProcess.run(["explore", Self.fixture, "--seeds", "6", "--shrink", "0", "--quiet", "--report-dir", whole.path])
        var parts: [String] = []
        for index in 0..<3 {
            let part = directory.appendingPathComponent("shard-\(index)")
            let run = try OdasSimProcess.run(["explore", Self.fixture, "--seeds", "6", "--shard", "\(index)/3", "--shrink", "0", "--quiet",
                                              "--report-dir", part.path])
            #expect([0, 1].contains(run.exitCode), "\(run.stderr)")
            #expect(try Self.read(part.appendingPathComponent("explore.json")).contains("\"shard\" : \"\(index)/3\""))
            parts.append(part.path)
        }
        let merged = directory.appendingPathComponent("merged")
        let merge = try OdasSimProcess.run(["merge"] + parts + ["--out", merged.path])
        #expect([0, 1].contains(merge.exitCode), "\(merge.stderr)")
        #expect(merge.stdout.contains("Merged 3 parts"))
        #expect(try Self.read(merged.appendingPathComponent("explore.json")) == (try Self.read(whole.appendingPathComponent("explore.json"))))
        // A part of another scenario does not merge.
        let other = directory.appendingPathComponent("other")
        _ = try OdasSimProcess.run(["explore", "scenarios/rds-single-az.yaml", "--seeds", "1", "--shrink", "0", "--quiet", "--report-dir", other.path])
        let refused = try OdasSimProcess.run(["merge", parts[0], other.path, "--out", directory.appendingPathComponent("bad").path])
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("explores rds-single-az"))
    }

    @Test func aFailureIsShrunkToAScenarioThatRunFails() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try OdasSimProcess.run(["explore", Self.fixture, "--seeds", "12", "--shrink", "1", "--jobs", "2", "--report-dir", directory.path])
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stdout.contains("FAIL"))
        #expect(result.stdout.contains("Shrunk (each file verified to fail with `odas-sim run`)"))
        #expect(result.stderr.contains("explore: 12/12 seeds"))
        let found = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("found").path)
        #expect(found.count == 1)
        let file = try #require(found.first)
        #expect(file.hasPrefix("explore-db-seed-") && file.hasSuffix(".yaml"))
        let rerun = try OdasSimProcess.run(["run", directory.appendingPathComponent("found/\(file)").path, "--quiet",
                                            "--report-dir", directory.appendingPathComponent("rerun").path])
        #expect(rerun.exitCode == 1)
        #expect(rerun.stdout.hasPrefix("FAIL explore-db-seed-"))
        // explore.html links the failing seed to its shrunk scenario.
        let page = try Self.read(directory.appendingPathComponent("explore.html"))
        #expect(page.contains("<a href=\"found/\(file)\">"))
        #expect(page.contains("<td class=\"status\">FAIL</td>"))
    }

    @Test func badArgumentsAreInvalidInput() throws {
        let noNodes = try OdasSimProcess.run(["explore", Self.fixture, "--faults", "node-crash"])
        #expect(noNodes.exitCode == 2)
        #expect(noNodes.stderr.contains("--faults node-crash: the scenario has no Kubernetes node"))
        let unknown = try OdasSimProcess.run(["explore", Self.fixture, "--faults", "meteor-strike"])
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderr.contains("unknown fault action \"meteor-strike\""))
        for arguments in [["--shard", "3/2"], ["--shard", "x"], ["--seeds", "0"], ["--jobs", "0"], ["--budget", "soon"]] {
            let refused = try OdasSimProcess.run(["explore", Self.fixture] + arguments)
            #expect(refused.exitCode == 2, "\(arguments): \(refused.stderr)")
        }
        let missing = try OdasSimProcess.run(["explore", "no-such.yaml"])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("no-such.yaml: error: no such file"))
        let sweep = try OdasSimProcess.run(["sweep", Self.fixture, "--each", "node"])
        #expect(sweep.exitCode == 2)
        #expect(sweep.stderr.contains("--each node: the scenario has no Kubernetes node"))
    }

    @Test func aSweepPrintsOneRowPerZone() throws {
        let result = try OdasSimProcess.run(["sweep", Self.fixture, "--each", "az", "--jobs", "2"])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("sweep explore-db: lose each az in turn (az-outage), 3 runs"))
        #expect(result.stdout.contains("us-west-2a  PASS"))
        #expect(result.stdout.contains("us-west-2c  VACUOUS  rto/writes VACUOUS"))
        #expect(result.stdout.contains("0 of 3 azs fail"))
    }

    @Test func theShippedIndexedJobRunsOneShardPerPodUnderKubectl() throws {
        guard requireTool("kubectl", check: ["version", "--client"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld()
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/kubectl_explore_job.sh", served.kubeconfig, served.control])
        #expect(result.status == 0, "\(result.output)")
    }
}
