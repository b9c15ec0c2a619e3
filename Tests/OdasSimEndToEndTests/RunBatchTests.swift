import Foundation
import Testing

/// `odas-sim run` over several files, `--no-trace`, numbers in report.json and times in junit.xml.
@Suite struct RunBatchTests {
    @Test func severalScenariosRunWithOneSummary() throws {
        let reports = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let result = try OdasSimProcess.run(["run", "scenarios/rds-single-az.yaml", "scenarios/vacuous-region-outage.yaml",
                                             "--report-dir", reports.path])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("PASS rds-single-az seed 6 trace sha256:"))
        #expect(result.stdout.contains("\nSummary\n"))
        #expect(result.stdout.contains("2 scenarios: 2 pass"))
        for name in ["rds-single-az", "vacuous-region-outage"] {
            #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent("\(name)/report.json").path))
        }
        let junit = try OdasSimProcess.run(["run", "scenarios/rds-single-az.yaml", "scenarios/vacuous-region-outage.yaml",
                                            "--report-dir", reports.path, "--format", "junit"])
        #expect(junit.stdout.components(separatedBy: "<testsuite name=").count == 3)
    }

    @Test func oneBadFileStopsTheBatchBeforeAnythingRuns() throws {
        let reports = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let result = try OdasSimProcess.run(["run", "scenarios/rds-single-az.yaml", "scenarios/no-such-file.yaml",
                                             "--report-dir", reports.path])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("no-such-file.yaml"))
        #expect(!FileManager.default.fileExists(atPath: reports.appendingPathComponent("rds-single-az").path))
    }

    @Test func noTraceSkipsTheTraceAndTheReportCarriesNumbers() throws {
        let reports = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reports) }
        let result = try OdasSimProcess.run(["run", "scenarios/rds-single-az.yaml", "--report-dir", reports.path, "--no-trace"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("(trace not written: --no-trace)"))
        #expect(!FileManager.default.fileExists(atPath: reports.appendingPathComponent("trace.jsonl").path))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("report.json"))) as? [String: Any]
        let expectations = report?["expectations"] as? [[String: Any]] ?? []
        let rto = try #require(expectations.first { $0["id"] as? String == "rto/catalog-writes" })
        #expect(rto["unit"] as? String == "seconds")
        #expect((rto["measuredValue"] as? Double ?? 0) > 1800)
        #expect(rto["targetValue"] as? Double == 300)
        let availability = try #require(expectations.first { $0["id"] as? String == "availability/catalog-writes" })
        #expect(availability["unit"] as? String == "fraction")
        #expect((availability["measuredValue"] as? Double ?? 1) < 0.99)
        let lost = try #require(expectations.first { $0["id"] as? String == "rpo/catalog-writes" })
        #expect(lost["measuredValue"] as? Double == 0)
        let junit = try String(contentsOf: reports.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("time=\"3600.000\""))
        #expect(junit.contains("name=\"rto/catalog-writes\" time=\"1807."))
    }
}
