import SimCore

/// The human summary printed by `odas-sim run`.
public enum TextReport {
    public static func render(_ report: RunReport, reportDirectory: String?) -> String {
        var out = "odas-sim run \(report.scenario.name)  (seed \(report.seed), \(report.duration) simulated)\n"
        if !report.scenario.description.isEmpty { out += "  \(report.scenario.description)\n" }
        out += "\nTimeline\n"
        if report.timeline.isEmpty { out += "  (no faults or notable events)\n" }
        for entry in report.timeline {
            out += "  " + pad(entry.time, 14) + entry.text + "\n"
        }
        out += "\nWorkloads\n"
        if report.workloads.isEmpty { out += "  (none)\n" }
        for workload in report.workloads {
            out += "  " + pad(workload.name, 18) + pad(workload.kind, 8)
                + "\(workload.operations) ops: \(workload.ok) ok, \(workload.failed) failed, \(workload.unknown) unknown\n"
            for cause in workload.causes.prefix(3) {
                out += "      \(cause.count) × \(cause.cause)  (first \(cause.firstAt))\n"
            }
        }
        out += "\nExpectations\n"
        if report.expectations.isEmpty { out += "  (none stated)\n" }
        for result in report.expectations {
            let label: String
            switch (result.status, result.expectedToFail) {
            case (.pass, false): label = "PASS "
            case (.fail, false): label = "FAIL "
            case (.fail, true): label = "XFAIL"
            case (.pass, true): label = "XPASS"
            }
            out += "  \(label) " + pad(result.id, 40) + "measured " + pad(result.measured, 14) + "target \(result.target)"
            if result.expectedToFail { out += "  (declared expectFailure)" }
            out += "\n         \(result.detail)\n"
        }
        let asDeclared = report.expectations.filter(\.isAsDeclared).count
        out += "\nResult: \(report.verdict.uppercased()) (\(asDeclared)/\(report.expectations.count) expectations as declared)"
        out += "  seed \(report.seed)  trace sha256:\(report.traceHash.prefix(16)) (\(report.traceEvents) events)\n"
        if report.traceTruncated { out += "Note: the trace reached its capacity and was truncated.\n" }
        if let reportDirectory { out += "Reports: \(reportDirectory)/report.json, junit.xml, trace.jsonl\n" }
        if report.verdict != "pass" {
            out += "Replay: odas-sim run \(report.scenario.file) --seed \(report.seed)\n"
        }
        return out
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
