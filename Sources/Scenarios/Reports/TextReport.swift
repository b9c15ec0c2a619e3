import SimCore

/// The human summary printed by `odas-sim run`.
public enum TextReport {
    /// `traceBytes`: the size of the trace written (nil: `--no-trace`, not written).
    public static func render(_ report: RunReport, reportDirectory: String?, traceBytes: Int? = 0) -> String {
        var out = "odas-sim run \(report.scenario.name)  (seed \(report.seed), \(report.duration) simulated)\n"
        if !report.scenario.description.isEmpty { out += "  \(report.scenario.description)\n" }
        if let preflight = report.preflight { out += "\n" + PreflightText.render(preflight) }
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
            if let summary = workload.causeSummary { out += "      causes: \(summary)\n" }
            for cause in workload.causes.prefix(3) {
                out += "      \(cause.count) × \(cause.cause)  (first \(cause.firstAt))\n"
            }
        }
        let hurt = report.disruptions.filter { !$0.impacts.isEmpty }
        if !hurt.isEmpty {
            out += "\nDisruptions\n"
            for disruption in hurt {
                out += "  \(disruption.name)  \(disruption.start) – \(disruption.end)\n"
                for impact in disruption.impacts { out += "      \(impact.summary)\n" }
            }
        }
        out += "\nExpectations\n"
        if report.expectations.isEmpty { out += "  (none stated)\n" }
        for result in report.expectations {
            out += "  \(pad(label(result), 7))" + pad(result.id, 40) + "measured " + pad(result.measured, 14) + "target \(result.target)"
            if result.expectedToFail { out += "  (declared expectFailure)" }
            if result.expectedVacuous { out += "  (declared expectVacuous)" }
            out += "\n         \(result.detail)\n"
        }
        if !report.suggestions.isEmpty {
            out += "\nSuggested fixes\n"
            for suggestion in report.suggestions { out += "  - \(suggestion)\n" }
        }
        let asDeclared = report.expectations.filter(\.isAsDeclared).count
        if let partial = report.partial { out += "\nPARTIAL REPORT: \(partial)\n" }
        out += "\nResult: \(report.verdict.uppercased()) (\(asDeclared)/\(report.expectations.count) expectations as declared)"
        out += "  seed \(report.seed)  trace sha256:\(report.traceHash.prefix(16)) (\(report.traceEvents) events)\n"
        if report.traceTruncated { out += "Note: the trace reached its capacity and was truncated.\n" }
        if let reportDirectory {
            switch traceBytes {
            case .none: out += "Reports: \(reportDirectory)/report.json, junit.xml (trace not written: --no-trace)\n"
            case .some(let bytes) where bytes >= 64 << 20:
                out += "Reports: \(reportDirectory)/report.json, junit.xml, trace.jsonl (\(bytes >> 20) MiB; --no-trace skips it)\n"
            case .some: out += "Reports: \(reportDirectory)/report.json, junit.xml, trace.jsonl\n"
            }
        }
        let vacuous = report.expectations.filter { $0.status == .vacuous && !$0.isAsDeclared }
        if !vacuous.isEmpty {
            out += "VACUOUS: \(vacuous.map(\.id).joined(separator: ", ")) could not be observed or was not exercised; that is not a pass (docs/properties.md). Change the scenario so the fault reaches what is measured, or declare expectVacuous.\n"
        }
        if report.verdict != "pass" {
            out += "Replay: odas-sim run \(report.scenario.file) --seed \(report.seed)\n"
        }
        return out
    }

    /// One line per scenario of a batch (`odas-sim run A.yaml B.yaml`), then the totals.
    public static func summary(_ reports: [RunReport]) -> String {
        var out = "\nSummary\n"
        for report in reports {
            let asDeclared = report.expectations.filter(\.isAsDeclared).count
            out += "  " + pad(report.verdict.uppercased(), 9) + pad(report.scenario.name, 34)
                + "\(asDeclared)/\(report.expectations.count) as declared  seed \(report.seed)  sha256:\(report.traceHash.prefix(16))\n"
        }
        let counts = ["pass", "fail", "vacuous"].map { verdict in (verdict, reports.filter { $0.verdict == verdict }.count) }
            .filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
        out += "\n\(reports.count) scenarios: \(counts.joined(separator: ", "))\n"
        return out
    }

    /// PASS, FAIL, VACUOUS; XFAIL/XVAC when declared so, XPASS and the
    /// undeclared status otherwise.
    static func label(_ result: PropertyResult) -> String {
        switch result.status {
        case .pass: return result.expectedToFail || result.expectedVacuous ? "XPASS" : "PASS"
        case .fail: return result.expectedToFail ? "XFAIL" : "FAIL"
        case .vacuous: return result.expectedVacuous ? "XVAC" : "VACUOUS"
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
