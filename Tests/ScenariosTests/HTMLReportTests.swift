import Foundation
import Testing
@testable import Scenarios
import SimCore

/// `report.html`: what the page holds, escaped and self-contained.
@Suite struct HTMLReportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func scenario(rto: String, description: String = "two crashes") throws -> Scenario {
        var text = try String(contentsOfFile: root.appendingPathComponent("Tests/ScenariosTests/Fixtures/explore-db.yaml").path, encoding: .utf8)
        text = text.replacingOccurrences(of: "  - {name: lose-2a, action: az-outage, target: us-west-2a, at: 3m, duration: 4m}",
                                         with: "  - {name: lose-2a, action: az-outage, target: us-west-2a, at: 3m, duration: 4m}\n  - {name: slow-2c, action: network-latency, target: us-west-2c, latency: 3s, at: 8m, duration: 3m}")
        text = text.replacingOccurrences(of: "rto: {writes: 3m}", with: "rto: {writes: \(rto)}")
        text = text.replacingOccurrences(of: "name: explore-db\n", with: "name: explore-db\ndescription: \"\(description)\"\n")
        return try ScenarioLoader.load(data: Data(text.utf8), file: root.appendingPathComponent("Tests/ScenariosTests/Fixtures/html.yaml").path)
    }

    @Test func thePageShowsTheTimelineTheTopologyAndAFailedExpectationAsFailed() throws {
        let scenario = try Self.scenario(rto: "30s")
        let run = ScenarioRunner.run(scenario)
        let html = HTMLReport.render(run.report, scenario: scenario)
        #expect(run.report.verdict == "fail")
        // One mark per fault, an RTO window for the failing workload, a success-rate bar per bucket with operations.
        #expect(html.contains("data-fault=\"lose-2a\""))
        #expect(html.contains("data-fault=\"slow-2c\""))
        #expect(html.contains("class=\"rto-window\" data-workload=\"writes\""))
        #expect(html.contains("class=\"rate bad\""))
        #expect(html.contains("class=\"phase failover\""))
        // The failed expectation is a failed row; the verdict says so.
        #expect(html.contains("<tr class=\"fail\" data-id=\"rto/writes\"><td class=\"status\">FAIL</td>"))
        #expect(html.contains("<span class=\"verdict fail\">FAIL</span>"))
        // Topology snapshots: us-west-2a down during its outage, us-west-2c slowed during the latency.
        #expect(html.contains("data-zone=\"us-west-2a\" data-state=\"down\""))
        #expect(html.contains("data-zone=\"us-west-2c\" data-state=\"slow\""))
        #expect(html.contains("odas-catalog (primary)"))
        // Resilience Hub's shape: the AZ disruption breaches the RTO policy.
        let az = try #require(run.report.resilience.first { $0.disruptionType == "AZ" })
        #expect(az.faults == ["lose-2a", "slow-2c"])
        #expect(az.objectives.first { $0.objective == "RTO" }?.status == "PolicyBreached")
        #expect(az.objectives.first { $0.objective == "RPO" }?.status == "PolicyMet")
        #expect(html.contains("<td class=\"compliance\">PolicyBreached</td>"))
    }

    @Test func thePageIsSelfContainedAndEscapesWhatTheScenarioSays() throws {
        let scenario = try Self.scenario(rto: "3m", description: "<script>alert(1)</script> & co")
        let html = HTMLReport.render(ScenarioRunner.run(scenario).report, scenario: scenario)
        #expect(!html.contains("<script>alert(1)"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"))
        // Nothing is fetched: no src or href attributes, no URL but the SVG namespace.
        #expect(!html.contains(" src="))
        #expect(!html.contains(" href="))
        let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
        #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
    }

    @Test func theSeriesCountEveryOperationOnce() throws {
        let scenario = try Self.scenario(rto: "3m")
        let run = ScenarioRunner.run(scenario)
        for series in run.report.series {
            #expect(series.buckets.count == WorkloadSeries.bucketCount)
            let counted = series.buckets.reduce(0) { $0 + $1.reduce(0, +) }
            let summary = try #require(run.report.workloads.first { $0.name == series.workload })
            let cutOff = run.history.operations(of: series.workload).filter { $0.cutOffByEnd && $0.kind != .finalRead }.count
            #expect(counted == summary.operations - cutOff - run.history.operations(of: series.workload).filter { $0.kind != .finalRead && $0.outcome == nil }.count)
        }
        #expect(ResilienceAssessment.disruptionType(scenario.faults[0]) == "AZ")
    }
}
