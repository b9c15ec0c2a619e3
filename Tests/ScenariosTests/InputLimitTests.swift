import Foundation
import Testing
@testable import Scenarios

/// Hostile and careless inputs to the loader: every one is refused with the
/// limit's name, quickly and without reading or expanding more than the limit.
@Suite struct InputLimitTests {
    static let header = """
        name: limits
        duration: 1m
        topology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}

        """

    /// "Billion laughs": nine levels of nine aliases, a few hundred bytes.
    static func laughs(key: String = "junk", indent: String = "") -> String {
        var lines = ["\(indent)\(key):", "\(indent)  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(indent)  \(name): &\(name) [" + Array(repeating: "*" + previous, count: 9).joined(separator: ", ") + "]")
            previous = name
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func errors(_ text: String, file: String = "inline.yaml") -> [String] {
        do {
            _ = try ScenarioLoader.load(data: Data(text.utf8), file: file)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    /// A scratch folder with the files given, and the scenario's path in it.
    static func folder(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odas-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    static func pathErrors(_ path: String) -> [String] {
        do {
            _ = try ScenarioLoader.load(path: path)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test(arguments: ["junk", "description"])
    func aliasExpansionIsRefusedWithTheLimitsName(key: String) {
        let started = ContinuousClock.now
        let found = Self.errors(Self.header + Self.laughs(key: key))
        #expect(found.count == 1 && (found.first?.contains("(limit yaml-nodes)") == true || found.first?.contains("(limit yaml-aliases)") == true), "\(found)")
        #expect(found.first?.hasPrefix("inline.yaml:") == true)
        #expect(ContinuousClock.now - started < .seconds(10), "refused without expanding")
    }

    @Test func manyAliasesOfOneValueAreRefused() {
        let uses = Array(repeating: "*x", count: 10_001).joined(separator: ", ")
        let found = Self.errors(Self.header + "junk:\n  x: &x 1\n  y: [\(uses)]\n")
        #expect(found.first?.contains("more than 10000 times (limit yaml-aliases)") == true, "\(found)")
        // A few aliases are fine (they are for sharing values): the unknown key is what is reported.
        let few = Self.errors(Self.header + "junk:\n  x: &x 1\n  y: [*x, *x]\n")
        #expect(few.count == 1 && few.first?.contains("junk") == true && few.first?.contains("limit") == false, "\(few)")
    }

    @Test func aHugeFileIsRefusedBeforeItIsRead() throws {
        let directory = try Self.folder([:])
        let path = directory.appendingPathComponent("huge.yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.header.utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 3 << 30) // 3 GiB, sparse
        try handle.close()
        let started = ContinuousClock.now
        let found = Self.pathErrors(path)
        #expect(found.first?.contains("is 3221225472 bytes; scenario files may be at most 4194304 bytes (limit scenario-file-size)") == true, "\(found)")
        #expect(ContinuousClock.now - started < .seconds(5))
        try? FileManager.default.removeItem(at: directory)
    }

    @Test(arguments: ["../outside", "a/b", "..", ".hidden", "x..y"])
    func scenarioNamesCannotClimbOutOfAFolder(name: String) {
        let found = Self.errors(Self.header.replacingOccurrences(of: "name: limits", with: "name: \"\(name)\""))
        #expect(found.contains { $0.contains("expected a scenario name: 1 to 63 letters, digits") }, "\(found)")
    }

    @Test func workloadFaultAndHostNamesAreLabelsToo() {
        let text = Self.header.replacingOccurrences(of: "azs: [us-west-2a]}]}", with: "azs: [us-west-2a]}], hosts: [{name: \"up/../host\", az: us-west-2a}]}")
            + "workload:\n  - {name: \"w/1\", kind: s3-get, bucket: b, from: client, rate: 1/s}\nfaults:\n  - {name: \"f 1\", action: az-outage, target: us-west-2a, at: 10s, duration: 10s}\n"
        let found = Self.errors(text).joined(separator: "\n")
        #expect(found.contains("expected a host name: 1 to 63"), "\(found)")
        #expect(found.contains("expected a workload name: 1 to 63"), "\(found)")
        #expect(found.contains("a fault name"), "\(found)")
    }

    static let withManifest = """
        name: manifests
        duration: 1m
        topology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}
        kubernetes:
          nodes: [{az: us-west-2a, count: 1}]
          manifests: [app.yaml]

        """

    static let service = "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}, ports: [{port: 80}]}\n"

    @Test func everyManifestDocumentIsParsedOrRefused() throws {
        // The second document is cut off mid-flow: an error naming the file, the document and the line.
        let truncated = try Self.folder(["s.yaml": Self.withManifest, "app.yaml": Self.service + "---\napiVersion: v1\nkind: Service\nmetadata: {name: [web\n"])
        let cut = Self.pathErrors(truncated.appendingPathComponent("s.yaml").path).joined(separator: "\n")
        #expect(cut.contains("manifest app.yaml:") && cut.contains("(document 2): invalid YAML"), "\(cut)")
        // Not YAML at all.
        let garbage = try Self.folder(["s.yaml": Self.withManifest, "app.yaml": "key: [unclosed\n\t- {\n"])
        let bad = Self.pathErrors(garbage.appendingPathComponent("s.yaml").path).joined(separator: "\n")
        #expect(bad.contains("manifest app.yaml:") && bad.contains("(document 1): invalid YAML"), "\(bad)")
        // Aliases expanding past the budget in a manifest.
        let laughing = try Self.folder(["s.yaml": Self.withManifest, "app.yaml": Self.service + "---\n" + Self.laughs(key: "data")])
        let laughs = Self.pathErrors(laughing.appendingPathComponent("s.yaml").path).joined(separator: "\n")
        #expect(laughs.contains("(document 2): the document") && laughs.contains("(limit yaml-"), "\(laughs)")
        // An empty document is skipped, with a note.
        let empty = try Self.folder(["s.yaml": Self.withManifest, "app.yaml": Self.service + "---\n---\n" + Self.service.replacingOccurrences(of: "name: api", with: "name: web")])
        let scenario = try ScenarioLoader.load(path: empty.appendingPathComponent("s.yaml").path)
        #expect(scenario.kubernetes?.manifests.first?.objects.count == 2)
        #expect(scenario.notes.contains { $0.contains("manifest app.yaml document 2 is empty; skipped") }, "\(scenario.notes)")
        for directory in [truncated, garbage, laughing, empty] { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func aHugeManifestIsRefusedBeforeItIsRead() throws {
        let directory = try Self.folder(["s.yaml": Self.withManifest, "app.yaml": Self.service])
        let handle = try #require(FileHandle(forWritingAtPath: directory.appendingPathComponent("app.yaml").path))
        try handle.truncate(atOffset: 3 << 30)
        try handle.close()
        let found = Self.pathErrors(directory.appendingPathComponent("s.yaml").path).joined(separator: "\n")
        #expect(found.contains("manifest app.yaml is 3221225472 bytes; manifests may be at most 1048576 bytes (limit manifest-file-size)"), "\(found)")
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aRunsWorkIsEstimatedAndBoundedBeforeItStarts() {
        let base = Self.header.replacingOccurrences(of: "azs: [us-west-2a]}]}", with: "azs: [us-west-2a]}], hosts: [{name: client, az: us-west-2a}]}")
            + "buckets: [{name: okera-data, region: us-west-2, objects: 10}]\n"
        let year = base.replacingOccurrences(of: "duration: 1m", with: "duration: 365d")
            + "workload:\n  - {name: reads, kind: s3-get, bucket: okera-data, from: client, rate: 1/s}\n"
        let found = Self.errors(year).joined(separator: "\n")
        #expect(found.contains("the workloads would issue about 31536000 operations in 8760h (limit run-operations: 500000)"), "\(found)")
        // A stop bounds the work: the same year with the workload active for a day is accepted.
        let stopped = year.replacingOccurrences(of: "rate: 1/s}", with: "rate: 1/s, stop: 1d}")
        #expect(Self.errors(stopped).isEmpty, "\(Self.errors(stopped))")
    }

    /// The data written before the first event and the rows scans read are estimated and bounded too.
    @Test func preloadedDataAndScannedRowsAreBoundedBeforeTheRunStarts() throws {
        let base = Self.header.replacingOccurrences(of: "azs: [us-west-2a]}]}", with: "azs: [us-west-2a]}], hosts: [{name: client, az: us-west-2a}]}")
        let buckets = (0..<11).map { "  - {name: bucket-\($0), region: us-west-2, objects: 100000}" }.joined(separator: "\n")
        let objects = Self.errors(base + "buckets:\n" + buckets + "\n").joined(separator: "\n")
        #expect(objects.contains("the buckets would be preloaded with 1100000 objects (limit preloaded-objects: 1000000)"), "\(objects)")
        let shipped = try String(contentsOf: ODASShippedScenarioTests.root.appendingPathComponent("scenarios/odas-admin-ports-open.yaml"), encoding: .utf8)
        #expect(Self.errors(shipped).isEmpty)
        let rows = shipped.replacingOccurrences(of: "files: 6", with: "files: 10000").replacingOccurrences(of: "rowsPerFile: 50", with: "rowsPerFile: 100000")
        #expect(Self.errors(rows).joined().contains("the datasets' files would hold 1000000000 rows (limit data-rows: 1000000)"), "\(Self.errors(rows))")
        let scanned = shipped.replacingOccurrences(of: "rowsPerFile: 50", with: "rowsPerFile: 10000")
        let found = Self.errors(scanned).joined(separator: "\n")
        #expect(found.contains("(limit scan-rows: 100000000)") && found.contains("the scans would read about"), "\(found)")
        var raised = LoadLimits()
        raised.scanRows = 1_000_000_000
        #expect(throws: Never.self) { _ = try ScenarioLoader.load(data: Data(scanned.utf8), file: "inline.yaml", limits: raised) }
    }

    /// A cluster's size is bounded before its nodes are made, and the pods its manifests ask for are estimated.
    @Test func clusterNodesAndPodsAreBounded() throws {
        let base = Self.header.replacingOccurrences(of: "azs: [us-west-2a]}]}", with: "azs: [us-west-2a]}], hosts: [{name: client, az: us-west-2a}]}")
        let pools = Array(repeating: "{az: us-west-2a, count: 10000}", count: 6).joined(separator: ", ")
        let nodes = Self.errors(base + "kubernetes:\n  nodes: [\(pools)]\n").joined(separator: "\n")
        #expect(nodes.contains("kubernetes.nodes[5]: the node pools ask for more than 50000 nodes (limit kube-nodes: 50000)"), "\(nodes)")
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: 1000000000\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: c, image: i}]}\n"
        let directory = try Self.folder(["s.yaml": base + "kubernetes:\n  nodes: [{az: us-west-2a, count: 2}]\n  manifests: [big.yaml]\n", "big.yaml": deployment])
        defer { try? FileManager.default.removeItem(at: directory) }
        let pods = Self.pathErrors(directory.appendingPathComponent("s.yaml").path).joined(separator: "\n")
        #expect(pods.contains("the manifests would ask for about 1000000000 pods (limit kube-pods: 100000)"), "\(pods)")
    }

    /// `--max-wall`: a spent budget stops the run where it is; the report says so and is judged on what ran.
    @Test func aSpentWallBudgetStopsTheRunWithAPartialReport() throws {
        let scenario = try ScenarioLoader.load(path: ODASShippedScenarioTests.root.appendingPathComponent("scenarios/az-failure.yaml").path)
        let budget = WallBudget(description: "1s") { true }
        let first = ScenarioRunner.run(scenario, budget: budget).report
        #expect(first.verdict == "partial" && first.exitCode == 3)
        let partial = try #require(first.partial)
        #expect(partial.hasPrefix("stopped by --max-wall 1s at T+") && partial.hasSuffix("of 2h: the expectations are judged on the part that ran"), "\(partial)")
        #expect(first.duration == "2h" && first.eventsProcessed < 10_000)
        #expect(JUnitReport.render(first).contains("<property name=\"partial\" value=\"stopped by --max-wall 1s"))
        #expect(TextReport.render(first, reportDirectory: "r", traceBytes: nil).contains("PARTIAL REPORT: stopped by --max-wall"))
        // The stop is asked for every 2048 events: with the same budget the same run stops at the same point.
        #expect(ScenarioRunner.run(scenario, budget: budget).report.traceHash == first.traceHash)
        // A budget never spent changes nothing.
        let whole = ScenarioRunner.run(scenario, budget: WallBudget(description: "1h") { false }).report
        #expect(whole.partial == nil && whole.verdict == "pass" && whole.exitCode == 0)
    }

    @Test func limitsAreNamedAndCanBeRaised() throws {
        let limits = try LoadLimits.parse(["run-operations=40_000_000", "yaml-aliases=20000"]).get()
        #expect(limits.runOperations == 40_000_000 && limits.yamlAliases == 20_000 && limits.yamlNodes == LoadLimits().yamlNodes)
        guard case .failure(let unknown) = LoadLimits.parse(["frobs=3"]) else { Issue.record("accepted an unknown limit"); return }
        #expect(unknown.message.contains("unknown limit frobs; the limits are scenario-file-size"))
        guard case .failure(let bad) = LoadLimits.parse(["yaml-nodes=-1"]) else { Issue.record("accepted a negative limit"); return }
        #expect(bad.message.contains("positive whole number"))
        // Lowered, a limit bites sooner; raised, the year-long run of the test above is accepted.
        var low = LoadLimits()
        low.yamlAliases = 1
        do {
            _ = try ScenarioLoader.load(data: Data((Self.header + "junk:\n  x: &x 1\n  y: [*x, *x]\n").utf8), file: "inline.yaml", limits: low)
            Issue.record("two aliases passed a limit of one")
        } catch {
            #expect(error.errors.first?.message.contains("more than 1 times (limit yaml-aliases)") == true, "\(error.errors)")
        }
    }
}
