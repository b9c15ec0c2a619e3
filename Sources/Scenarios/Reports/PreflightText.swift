import ODASModel

/// The preflight as people read it: per check, what held and each gap or
/// warning with its fix (printed by `odas-sim preflight` and at the top of a run).
public enum PreflightText {
    public static func render(_ report: PreflightReport) -> String {
        var out = "Preflight (\(report.installer.rawValue) installer): \(report.summary)\n"
        for check in report.checks {
            let mark = !check.gaps.isEmpty ? "GAP" : !check.warnings.isEmpty ? "WARN" : "ok"
            out += "  " + TextReport.pad(mark, 6) + check.id + "  " + check.title + "\n"
            for line in check.verified { out += "          ✓ \(line)\n" }
            for finding in check.findings {
                out += "          \(finding.severity == .gap ? "✗" : "!") \(finding.resource): \(finding.problem)\n"
                out += "            fix: \(finding.fix)\n"
            }
        }
        if report.passed {
            out += report.warnings.isEmpty ? "  Every prerequisite is in place.\n"
                : "  Every prerequisite is in place; \(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s") above.\n"
        } else {
            out += "  The installation does not start until every gap above is fixed (\(report.gaps.count) in all).\n"
        }
        return out
    }
}
