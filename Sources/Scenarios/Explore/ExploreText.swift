import SimCore

/// The terminal side of `explore`, `sweep` and `merge`: summary tables.
public enum ExploreText {
    /// The summary: every seed that did not pass (a table), the counts, the shrunk scenarios.
    public static func render(_ report: ExploreReport, directory: String?) -> String {
        var out = "explore \(report.scenario): \(report.results.count) seed\(report.results.count == 1 ? "" : "s")"
        if let first = report.results.first?.seed, let last = report.results.last?.seed { out += " (\(first)…\(last))" }
        if let shard = report.shard { out += ", shard \(shard)" }
        out += "; up to \(report.maxFaults) faults each of \(report.actions.joined(separator: ", "))\n"
        let notPassing = report.results.filter { $0.verdict != "pass" }
        if !notPassing.isEmpty {
            var rows = [["seed", "verdict", "expectations", "schedule"]]
            for outcome in notPassing {
                let expectations = outcome.verdict == "fail"
                    ? outcome.failed.map { "\($0.id) (\($0.measured); target \($0.target))" }.joined(separator: ", ")
                    : outcome.vacuous.map { "\($0) VACUOUS" }.joined(separator: ", ")
                rows.append([String(outcome.seed), outcome.verdict.uppercased(), expectations,
                             outcome.faults.map(\.summary).joined(separator: "; ")])
            }
            out += table(rows)
        }
        let failing = report.failing.count, vacuous = report.vacuous.count
        out += "\(failing) failing, \(vacuous) vacuous, \(report.results.count - failing - vacuous) passing"
        let known = Set(report.results.flatMap(\.knownFailures)).sorted()
        if !known.isEmpty { out += "; declared failures seen again (not counted): \(known.joined(separator: ", "))" }
        out += "\n"
        if !report.shrunk.isEmpty {
            out += "Shrunk (each file verified to fail with `odas-sim run`):\n"
            for record in report.shrunk {
                let path = directory.map { "\($0)/\(record.file)" } ?? record.file
                out += "  seed \(record.seed) \(record.expectation): \(record.original) → \(record.shrunk)\n    \(path)\n"
            }
        }
        return out
    }

    /// A left-aligned table, columns separated by two spaces; the last column is not padded.
    public static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    /// `explore: 12/50 seeds, 2 failing, 1.8 seeds/s, ETA 21s`.
    public static func progressLine(_ progress: Exploration.Progress, elapsedSeconds: Double) -> String {
        let rate = elapsedSeconds > 0 ? Double(progress.done) / elapsedSeconds : 0
        var line = "explore: \(progress.done)"
        if let total = progress.total { line += "/\(total)" }
        line += " seeds, \(progress.failing) failing"
        if progress.vacuous > 0 { line += ", \(progress.vacuous) vacuous" }
        line += ", " + String(format1(rate)) + " seeds/s"
        if let total = progress.total, rate > 0 {
            let remaining = Double(total - progress.done) / rate
            line += ", ETA \(SimDuration.seconds(Int64(remaining.rounded())))"
        }
        return line
    }

    static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
