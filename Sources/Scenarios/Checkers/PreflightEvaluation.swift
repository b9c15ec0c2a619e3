import ODASModel

/// The installer's preflight as an expectation (`preflight`), and what a
/// failed preflight means for every other expectation: nothing was
/// installed, no workload ran, so none of them was observed.
extension Evaluation {
    static let preflightID = "preflight"

    static func preflight(_ report: PreflightReport) -> PropertyResult {
        let gaps = report.gaps
        let detail: String
        if gaps.isEmpty {
            let warnings = report.warnings.map { "warning: \($0.resource): \($0.problem)" }
            detail = (["Every prerequisite of the \(report.installer.rawValue) installer is in place (\(report.summary))."] + warnings)
                .joined(separator: " ")
        } else {
            // The gaps themselves, with their fixes, are in the preflight section of the report.
            detail = "The installation did not start: \(gaps.count) gap\(gaps.count == 1 ? "" : "s") in " + gaps.map { "\($0.resource) (\($0.problem.prefix(60))\($0.problem.count > 60 ? "…" : ""))" }
                .joined(separator: "; ") + ". The preflight lists each with its fix."
        }
        var result = PropertyResult(id: preflightID, kind: "preflight", workload: nil, target: "no gaps",
                                    measured: gaps.isEmpty ? "no gaps" : "\(gaps.count) gap\(gaps.count == 1 ? "" : "s")",
                                    status: gaps.isEmpty ? .pass : .fail, detail: detail)
        result.measuredValue = Double(gaps.count)
        result.targetValue = 0
        result.unit = "count"
        return result
    }

    /// Every expectation but the preflight's, turned VACUOUS: the run stopped before installing.
    static func stoppedAtPreflight(_ results: [PropertyResult], _ report: PreflightReport) -> [PropertyResult] {
        results.map { result in
            guard result.id != preflightID else { return result }
            var stopped = result
            stopped.makeVacuous(measured: "not run",
                                detail: "Not observed: the preflight found \(report.gaps.count) gap\(report.gaps.count == 1 ? "" : "s"), so ODAS was not installed and no workload ran.")
            return stopped
        }
    }
}
