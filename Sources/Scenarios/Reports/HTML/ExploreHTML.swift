/// `explore.html` beside `explore.json`: the seeds that did not pass, with
/// their schedules and links to the shrunk scenarios (relative, local files).
public enum ExploreHTML {
    public static func render(_ report: ExploreReport) -> String {
        let failing = report.failing.count, vacuous = report.vacuous.count
        let verdict = failing > 0 ? "fail" : "pass"
        var rows: [String] = []
        for outcome in report.results where outcome.verdict != "pass" {
            let expectations = outcome.verdict == "fail"
                ? outcome.failed.map { "\($0.id) (\($0.measured); target \($0.target))" }
                : outcome.vacuous.map { "\($0) VACUOUS" }
            let shrunk = report.shrunk.first { $0.seed == outcome.seed }
            let link = shrunk.map { "<a href=\"\(HTMLText.escape($0.file))\">\(HTMLText.escape($0.file))</a><br><span class=\"muted\">\(HTMLText.escape("\($0.original) → \($0.shrunk)"))</span>" } ?? ""
            rows.append("<tr class=\"\(outcome.verdict)\" data-seed=\"\(outcome.seed)\"><td>\(outcome.seed)</td><td class=\"status\">\(outcome.verdict.uppercased())</td><td>\(expectations.map(HTMLText.escape).joined(separator: "<br>"))</td><td>\(outcome.faults.map { HTMLText.escape($0.summary) }.joined(separator: "<br>"))</td><td>\(link)</td></tr>")
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>odas-sim explore · \(HTMLText.escape(report.scenario))</title><style>\(HTMLReport.style)</style></head>
        <body data-verdict="\(verdict)">
        <header><h1>explore \(HTMLText.escape(report.scenario)) <span class="verdict \(verdict)">\(failing) FAILING</span></h1>
        <p class="facts">\(report.results.count) seeds\(report.shard.map { ", shard \(HTMLText.escape($0))" } ?? "") · \(failing) failing · \(vacuous) vacuous · \(report.results.count - failing - vacuous) passing · up to \(report.maxFaults) faults of \(HTMLText.escape(report.actions.joined(separator: ", ")))</p></header>
        <main><section id="seeds"><h2>Seeds that did not pass</h2>
        <table class="expectations"><thead><tr><th>seed</th><th>verdict</th><th>expectations</th><th>schedule</th><th>shrunk scenario</th></tr></thead><tbody>
        \(rows.isEmpty ? "<tr><td colspan=\"5\" class=\"muted\">every seed passed</td></tr>" : rows.joined(separator: "\n"))
        </tbody></table></section></main>
        </body>
        </html>

        """
    }
}
