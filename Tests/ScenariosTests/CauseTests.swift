import Foundation
import Testing
@testable import Scenarios
import SimCore

/// Every failed or unknown operation carries a cause category; reports
/// aggregate them per workload and per disruption, and failed checks name
/// them (docs/properties.md, "Causes").
@Suite struct CauseTests {
    @Test(arguments: [
        ("timeout after 5s: az us-west-2a is down", OperationCause.Category.timeout, OperationCause.TimeoutKind?.some(.outage),
         "az us-west-2a is down"),
        ("timeout after 5s: answer lost: region us-west-2 is down", .timeout, .outage, "region us-west-2 is down"),
        ("timeout after 2s: network partition fault-3", .timeout, .partition, "network partition fault-3"),
        ("timeout after 2s: no answer in time: added latency 3s on az us-west-2b", .timeout, .latency,
         "added latency 3s on az us-west-2b > client timeout 2s"),
        ("timeout after 2s: no answer", .timeout, .noAnswer, "no answer within 2s"),
        ("planner odas-planner-abcdefghij-x1y2z on node-1: CatalogUnavailable: planner → catalog: no answer within 3s: az us-west-2a is down",
         .timeout, .outage, "catalog: az us-west-2a is down"),
        ("planner odas-planner-abcdefghij-x1y2z on node-1: AccessDenied: user mallory (groups: contractors) has no SELECT on sales.transactions",
         .refused, nil, "AccessDenied: user mallory (groups: contractors) has no SELECT on sales.transactions"),
        ("ConnectionRefused: odas-catalog.abc.us-west-2.rds.amazonaws.com is failing-over", .connectionRefused, nil,
         "ConnectionRefused: odas-catalog.abc.us-west-2.rds.amazonaws.com is failing-over"),
        ("worker: Service odas-worker has no ready endpoints", .noReadyEndpoint, nil, "Service odas-worker has no ready endpoints"),
        ("no ready endpoints for Service default/odas-planner", .noReadyEndpoint, nil, "Service default/odas-planner has no ready endpoints"),
        ("NXDOMAIN app.odas.example.com", .notFound, nil, "NXDOMAIN app.odas.example.com"),
        ("NoSuchBucket: bucket x does not exist", .notFound, nil, "NoSuchBucket: bucket x does not exist"),
        ("InternalError: We encountered an internal error", .serviceError, nil, "InternalError: We encountered an internal error"),
    ])
    func errorsAreClassified(error: String, category: OperationCause.Category, timeout: OperationCause.TimeoutKind?, reason: String) {
        let cause = OperationCause.classify(error)
        #expect(cause.category == category, "\(error)")
        #expect(cause.timeout == timeout, "\(error)")
        #expect(cause.reason == reason, "\(error)")
    }

    /// Each category as the reports show it, from a shipped scenario where it occurs.
    @Test(arguments: [
        ("rds-failover", "connection-refused", String?.none, "connections refused: ConnectionRefused: odas-catalog"),
        ("odas-single-planner", "no-ready-endpoint", nil, "no ready endpoint: Service odas-planner has no ready endpoints"),
        ("dns-alias-private", "not-found", nil, "all not found: NXDOMAIN app.odas.example.com"),
        ("iam-replica-policy-gap", "refused", nil, "refusals by policy: AccessDenied"),
        ("s3-region-failure", "timeout", "outage", "all timeouts (outage): region us-west-2 is down"),
    ])
    func eachCategoryAppearsInTheTextAndJSONReports(name: String, category: String, timeout: String?, text: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let outcome = ScenarioRunner.run(try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/\(name).yaml").path))
        let decoded = try JSONDecoder().decode(RunReport.self, from: Data(JSONReport.render(outcome.report).utf8))
        #expect(decoded.workloads.contains { $0.causeCategories.contains { $0.category == category && $0.timeout == timeout } },
                "\(name): \(decoded.workloads.map(\.causeCategories))")
        let rendered = TextReport.render(outcome.report, reportDirectory: nil)
        #expect(rendered.contains(text), "\(name): \(rendered)")
    }

    @Test func aPartitionIsNamedAsSuch() throws {
        let text = Self.latencyScenario()
            .replacingOccurrences(of: "action: network-latency, target: us-west-2b, latency: 3s,", with: "action: network-partition, target: us-west-2b,")
        let outcome = try Self.run(text)
        let summary = try #require(outcome.report.workloads.first?.causeSummary)
        #expect(summary.contains("timeouts (partition): network partition"), "\(summary)")
    }

    static func latencyScenario(latency: String = "3s") -> String {
        """
        name: slow
        seed: 8
        duration: 30m
        topology:
          regions:
            - {name: us-west-2, azs: [us-west-2a, us-west-2b]}
          hosts:
            - {name: emr, az: us-west-2b}
        database: {identifier: odas-catalog, engine: mysql, region: us-west-2, primaryAZ: us-west-2a, multiAZ: true, standbyAZ: us-west-2b}
        workload:
          - {name: emr-writes, kind: db-write, from: emr, rate: 2/s, timeout: 2s}
        faults:
          - {name: slow-2b, action: network-latency, target: us-west-2b, latency: \(latency), at: 10m, duration: 10m}
        expect:
          rto: {emr-writes: 1m}
          availability: {emr-writes: 99.9%}
        """
    }

    static func run(_ text: String) throws -> ScenarioRunner.Outcome {
        ScenarioRunner.run(try ScenarioLoader.load(data: Data(text.utf8), file: "cause.yaml"))
    }

    @Test func latencyOverTheTimeoutIsNamedAsSuch() throws {
        let outcome = try Self.run(Self.latencyScenario())
        let summary = try #require(outcome.report.workloads.first { $0.name == "emr-writes" })
        #expect(summary.causeSummary?.contains("all timeouts (latency): added latency 3s on az us-west-2b > client timeout 2s") == true,
                "\(summary.causeSummary ?? "nil")")
        #expect(summary.causeCategories.first?.category == "timeout")
        #expect(summary.causeCategories.first?.timeout == "latency")
        let disruption = try #require(outcome.report.disruptions.first)
        #expect(disruption.name == "slow-2b")
        #expect(disruption.impacts.first?.summary.hasPrefix("emr-writes: ") == true)
        #expect(disruption.impacts.first?.summary.contains("unknown, all timeouts (latency)") == true)
        let availability = try #require(outcome.report.expectations.first { $0.id == "availability/emr-writes" })
        #expect(availability.status == .fail)
        #expect(availability.detail.contains("cause: "))
        #expect(availability.detail.contains("added latency 3s on az us-west-2b > client timeout 2s"))
        #expect(availability.detail.contains("first failing operation op "))
        let rto = try #require(outcome.report.expectations.first { $0.id == "rto/emr-writes" })
        #expect(rto.status == .fail)
        #expect(rto.detail.contains("timeouts (latency)"))
        let text = TextReport.render(outcome.report, reportDirectory: nil)
        #expect(text.contains("Disruptions\n  slow-2b  T+10m – T+30m\n      emr-writes: "))
        // The JSON report carries the categories as data.
        let json = JSONReport.render(outcome.report)
        #expect(json.contains("\"causeCategories\""))
        #expect(json.contains("\"timeout\" : \"latency\""))
    }

    @Test func latencyUnderTheTimeoutCausesNothing() throws {
        let outcome = try Self.run(Self.latencyScenario(latency: "200ms"))
        #expect(outcome.report.workloads.first?.causeSummary == nil)
        #expect(outcome.report.disruptions.first?.impacts.isEmpty == true)
    }

    @Test func aSingleAZDatabaseIsNamedAsTheFix() throws {
        let text = Self.latencyScenario()
            .replacingOccurrences(of: ", multiAZ: true, standbyAZ: us-west-2b", with: "")
            .replacingOccurrences(of: "action: network-latency, target: us-west-2b, latency: 3s,", with: "action: az-outage, target: us-west-2a,")
        let outcome = try Self.run(text)
        #expect(outcome.report.suggestions.contains { $0.hasPrefix("odas-catalog is a single-AZ instance in us-west-2a") && $0.contains("multiAZ: true") })
        let rto = try #require(outcome.report.expectations.first { $0.id == "rto/emr-writes" })
        #expect(rto.detail.contains("cause: "))
        #expect(TextReport.render(outcome.report, reportDirectory: nil).contains("Suggested fixes\n  - odas-catalog is a single-AZ instance"))
    }

    @Test func aRefusedClientServedByTheReplicaIsASecurityFindingNotARecovery() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scenario = try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/iam-replica-policy-gap.yaml").path)
        let outcome = ScenarioRunner.run(scenario)
        let timeline = outcome.report.timeline
        let refused = try #require(timeline.first { $0.kind == "workload-refused" })
        #expect(refused.text.contains("emr-direct is refused by policy on okera-data"))
        #expect(refused.text.contains("statement OnlyODASReadsRawData"))
        let unauthorized = try #require(outcome.report.expectations.first { $0.id == "invariant/no-unauthorized-read" })
        #expect(unauthorized.unit == "count")
        #expect((unauthorized.measuredValue ?? 0) > 0)
        let served = try #require(timeline.first { $0.kind == "workload-served-after-refusal" })
        #expect(served.text.contains("emr-direct is served by okera-data-dr"))
        #expect(served.text.contains("a security finding, not a recovery"))
        #expect(!timeline.contains { $0.kind == "workload-recovered" && $0.text.hasPrefix("emr-direct") })
        #expect(outcome.report.suggestions.contains { $0.contains("okera-data-dr, the replica of okera-data, has no bucket policy") })
        let categories = outcome.report.workloads.first { $0.name == "emr-direct" }?.causeCategories ?? []
        #expect(categories.first?.category == "refused")
    }

    @Test func aDoNotScheduleSpreadIsNamedWhenAServiceRanOutOfEndpoints() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cause-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("k8s"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try String(contentsOf: root.appendingPathComponent("scenarios/k8s/odas-planner.yaml"), encoding: .utf8)
        try manifest.replacingOccurrences(of: "whenUnsatisfiable: ScheduleAnyway", with: "whenUnsatisfiable: DoNotSchedule")
            .write(to: directory.appendingPathComponent("k8s/odas-planner.yaml"), atomically: true, encoding: .utf8)
        let text = """
            name: spread
            duration: 10m
            topology:
              regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b, us-west-2c]}]
              hosts: [{name: emr, az: us-west-2b}]
            kubernetes:
              nodes: [{az: us-west-2a, count: 1}, {az: us-west-2b, count: 1}, {az: us-west-2c, count: 1}]
              manifests: [k8s/odas-planner.yaml]
            workload:
              - {name: planner-api, kind: http, service: odas-planner, from: emr, rate: 1/s}
            faults:
              - {name: lose-2a, action: az-outage, target: us-west-2a, at: 2m}
            expect:
              rto: {planner-api: 1m}
            """
        let file = directory.appendingPathComponent("spread.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let scenario = try ScenarioLoader.load(path: file.path)
        var history = History()
        let op = history.invoke(workload: "planner-api", kind: .read, at: .zero + .seconds(130), target: "default/odas-planner", key: "/")
        history.complete(op, at: .zero + .seconds(130), outcome: .failed, error: "no ready endpoints for Service default/odas-planner")
        let failing = PropertyResult(id: "rto/planner-api", kind: "rto", workload: "planner-api", target: "≤ 1m",
                                     measured: "not recovered", status: .fail, detail: "")
        let suggestions = Suggestions.derive(scenario, history, [failing])
        #expect(suggestions.contains { $0.hasPrefix("Deployment odas-planner (k8s/odas-planner.yaml) spreads its pods with whenUnsatisfiable: DoNotSchedule") })
        #expect(Suggestions.derive(scenario, history, []).isEmpty) // nothing failed: nothing to fix
    }

    @Test func lostWritesNameTheLastOneAndTheFault() throws {
        let outcome = ScenarioRunner.run(try ScenarioLoader.load(data: Data(RunnerTests.regionFailure.utf8), file: "rf.yaml"))
        let rpo = try #require(outcome.report.expectations.first { $0.id == "rpo/writes" })
        #expect(rpo.status == .fail)
        #expect(rpo.detail.contains("last lost: op "))
        #expect(rpo.detail.contains("cause: acknowledged before lose-west started at T+10m"))
    }
}
