import SimCore

/// `report.html`: one self-contained page (inline CSS, SVG and a few lines of
/// script; nothing fetched) that shows a run at a glance — the verdict, a
/// timeline of faults, phases and each workload's success rate with its RTO
/// windows, the topology coloured by state at a chosen instant, the
/// expectations, and a Resilience-Hub-shaped assessment per disruption type.
public enum HTMLReport {
    public static func render(_ report: RunReport, scenario: Scenario) -> String {
        let asDeclared = report.expectations.filter(\.isAsDeclared).count
        let verdict = report.verdict
        let topology = TopologySVG(scenario: scenario, timeline: report.timeline)
        let instants = topology.instants()
        let firstFault = scenario.faults.map(\.at).min().map { SimInstant.zero + $0 + .seconds(1) }
        let chosen = firstFault.flatMap { at in instants.firstIndex { $0 >= at } } ?? 0
        let snapshots = instants.enumerated().map { index, instant in
            topology.render(at: instant, index: index, visible: index == chosen)
        }.joined(separator: "\n")
        let labels = instants.map { "\"T+\($0.sinceStart)\"" }.joined(separator: ",")
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>odas-sim · \(HTMLText.escape(report.scenario.name)) · \(verdict.uppercased())</title>
        <style>\(style)</style>
        </head>
        <body data-verdict="\(HTMLText.escape(verdict))">
        <header>
        <h1>\(HTMLText.escape(report.scenario.name)) <span class="verdict \(HTMLText.escape(verdict))">\(HTMLText.escape(verdict.uppercased()))</span></h1>
        <p class="description">\(HTMLText.escape(report.scenario.description))</p>
        <p class="facts">\(asDeclared)/\(report.expectations.count) expectations as declared · seed \(report.seed) · \(HTMLText.escape(report.duration)) simulated · \(report.eventsProcessed) events · trace sha256:\(HTMLText.escape(String(report.traceHash.prefix(16))))</p>
        \(report.partial.map { "<p class=\"partial\">\(HTMLText.escape($0))</p>" } ?? "")
        </header>
        <main>
        <section id="timeline"><h2>Timeline</h2>
        <p class="legend"><span class="key fault-key"></span>fault <span class="key failover-key"></span>failover <span class="key rescheduling-key"></span>rescheduling <span class="key ok-key"></span>success rate at or above target <span class="key bad-key"></span>below target <span class="key rto-key"></span>RTO window (first failure to recovery)</p>
        \(TimelineSVG(report: report, scenario: scenario).render())
        </section>
        <section id="topology"><h2>Topology at <output id="instant-label">\(HTMLText.escape(instants.indices.contains(chosen) ? "T+\(instants[chosen].sinceStart)" : "T+0s"))</output></h2>
        <label class="instant">instant <input type="range" id="instant" min="0" max="\(max(instants.count - 1, 0))" value="\(chosen)" step="1"></label>
        <p class="legend"><span class="key up-key"></span>up <span class="key down-key"></span>down <span class="key partitioned-key"></span>partitioned <span class="key slow-key"></span>added latency <span class="key crashed-key"></span>crashed <span class="key failing-over-key"></span>failing over</p>
        <div class="snapshots">
        \(snapshots)
        </div>
        </section>
        <section id="expectations"><h2>Expectations</h2>
        \(expectationsTable(report.expectations))
        </section>
        <section id="resilience"><h2>Resilience assessment</h2>
        <p class="note">As AWS Resilience Hub presents it: per disruption type, each objective's target and what this run measured. RTO is the worst recovery over the type's disruptions; RPO is measured over the whole run.</p>
        \(resilienceTables(report.resilience))
        </section>
        \(workloadsTable(report.workloads))
        \(report.suggestions.isEmpty ? "" : "<section id=\"suggestions\"><h2>Suggestions</h2><ul>" + report.suggestions.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul></section>")
        <section id="events"><h2>Events</h2><ol class="events">
        \(report.timeline.map { "<li data-kind=\"\(HTMLText.escape($0.kind))\"><time>\(HTMLText.escape($0.at.readable))</time> \(HTMLText.escape($0.text))</li>" }.joined(separator: "\n"))
        </ol></section>
        </main>
        <script>
        (function () {
          var labels = [\(labels)];
          var input = document.getElementById("instant"), label = document.getElementById("instant-label");
          var shots = document.querySelectorAll("svg.topology");
          function show(i) {
            for (var k = 0; k < shots.length; k++) shots[k].style.display = (k === i) ? "" : "none";
            label.textContent = labels[i] || "";
          }
          input.addEventListener("input", function () { show(parseInt(input.value, 10)); });
          show(parseInt(input.value, 10));
          document.body.setAttribute("data-ready", "true");
        })();
        </script>
        </body>
        </html>

        """
    }

    static func expectationsTable(_ results: [PropertyResult]) -> String {
        var rows = ["<table class=\"expectations\"><thead><tr><th>status</th><th>expectation</th><th>measured</th><th>target</th><th>how</th></tr></thead><tbody>"]
        for result in results {
            let (label, cssClass) = HTMLText.status(result)
            rows.append("<tr class=\"\(cssClass)\" data-id=\"\(HTMLText.escape(result.id))\"><td class=\"status\">\(HTMLText.escape(label))</td><td>\(HTMLText.escape(result.id))</td><td>\(HTMLText.escape(result.measured))</td><td>\(HTMLText.escape(result.target))</td><td class=\"detail\">\(HTMLText.escape(result.detail))</td></tr>")
        }
        rows.append("</tbody></table>")
        return rows.joined(separator: "\n")
    }

    static func resilienceTables(_ assessments: [ResilienceAssessment]) -> String {
        guard !assessments.isEmpty else { return "<p class=\"muted\">No disruption in this run.</p>" }
        return assessments.map { assessment in
            var rows = ["<h3>\(HTMLText.escape(assessment.disruptionType)) <span class=\"muted\">(\(HTMLText.escape(assessment.faults.joined(separator: ", "))))</span></h3>",
                        "<table class=\"resilience\" data-type=\"\(HTMLText.escape(assessment.disruptionType))\"><thead><tr><th>workload</th><th>objective</th><th>target</th><th>measured</th><th>compliance</th></tr></thead><tbody>"]
            if assessment.objectives.isEmpty { rows.append("<tr><td colspan=\"5\" class=\"muted\">no RTO or RPO objective declared</td></tr>") }
            for objective in assessment.objectives {
                rows.append("<tr class=\"\(HTMLText.escape(objective.status))\"><td>\(HTMLText.escape(objective.workload))</td><td>\(objective.objective)</td><td>\(HTMLText.escape(objective.target))</td><td>\(HTMLText.escape(objective.measured))</td><td class=\"compliance\">\(HTMLText.escape(objective.status))</td></tr>")
            }
            rows.append("</tbody></table>")
            return rows.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    static func workloadsTable(_ workloads: [RunReport.WorkloadSummary]) -> String {
        var rows = ["<section id=\"workloads\"><h2>Workloads</h2><table class=\"workloads\"><thead><tr><th>workload</th><th>kind</th><th>operations</th><th>ok</th><th>failed</th><th>unknown</th><th>why</th></tr></thead><tbody>"]
        for w in workloads {
            rows.append("<tr><td>\(HTMLText.escape(w.name))</td><td>\(HTMLText.escape(w.kind))</td><td>\(w.operations)</td><td>\(w.ok)</td><td>\(w.failed)</td><td>\(w.unknown)</td><td class=\"detail\">\(HTMLText.escape(w.causeSummary ?? ""))</td></tr>")
        }
        rows.append("</tbody></table></section>")
        return rows.joined(separator: "\n")
    }

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
    header{background:#fff;border-bottom:1px solid #dde1e7;padding:16px 28px}
    h1{margin:0;font-size:22px}h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}
    main{padding:8px 28px 40px}section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 18px;margin:16px 0;overflow-x:auto}
    .description{margin:4px 0;color:#4a5568}.facts,.note,.muted{color:#6b7280}.partial{color:#9a3412;font-weight:600}
    .verdict{font-size:13px;padding:2px 10px;border-radius:12px;vertical-align:middle;color:#fff}
    .verdict.pass{background:#15803d}.verdict.fail{background:#b91c1c}.verdict.vacuous{background:#a16207}.verdict.partial{background:#9a3412}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
    th{font-weight:600;color:#4a5568;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
    td.detail{color:#4a5568;font-size:12.5px;max-width:640px}
    tr.pass td.status,tr.PolicyMet td.compliance{color:#15803d;font-weight:700}
    tr.fail td.status,tr.PolicyBreached td.compliance{color:#b91c1c;font-weight:700}
    tr.fail{background:#fef2f2}tr.PolicyBreached{background:#fef2f2}
    tr.xfail td.status,tr.xvac td.status{color:#6b7280;font-weight:700}tr.vacuous td.status,tr.NotMeasured td.compliance{color:#a16207;font-weight:700}
    .legend{font-size:12px;color:#4a5568}.key{display:inline-block;width:12px;height:10px;border-radius:2px;margin:0 4px 0 12px;vertical-align:middle}
    .fault-key{background:#dc2626}.failover-key{background:#7c3aed}.rescheduling-key{background:#0891b2}.ok-key{background:#16a34a}.bad-key{background:#dc2626}
    .rto-key{background:rgba(234,88,12,.25);border:1px solid #ea580c}.up-key{background:#dcfce7}.down-key{background:#fecaca}.partitioned-key{background:#fde68a}
    .slow-key{background:#bfdbfe}.crashed-key{background:#e9d5ff}.failing-over-key{background:#ddd6fe}
    svg text{font:11px system-ui,sans-serif;fill:#1d2433}svg .section-label{font-weight:700;fill:#4a5568}svg .row-label{fill:#374151}
    svg .tick{fill:#6b7280;font-size:10px}svg .grid{stroke:#eceff3}svg .bar-label{fill:#fff;font-size:10px;pointer-events:none}
    svg .fault{fill:#dc2626}svg .fault-network-latency{fill:#2563eb}svg .fault-network-partition{fill:#d97706}
    svg .fault-host-crash,svg .fault-node-crash{fill:#9333ea}svg .fault-db-primary-crash,svg .fault-db-global-failover,svg .fault-db-global-switchover{fill:#be123c}
    svg .fault-dns-health-check-failure{fill:#0f766e}svg .phase.failover{fill:#7c3aed}svg .phase.rescheduling{fill:#0891b2}svg .phase.install{fill:#64748b}
    svg .event{stroke:#94a3b8;stroke-width:1.5}svg .lane{fill:#f8fafc;stroke:#e2e8f0}svg .rate.ok{fill:#16a34a}svg .rate.bad{fill:#dc2626}
    svg .rto-window{fill:rgba(234,88,12,.18);stroke:#ea580c;stroke-dasharray:3 2}
    svg .region-box{fill:#f8fafc;stroke:#94a3b8}svg .region-box.down{fill:#fee2e2}svg .region-label{font-weight:700;font-size:13px}
    svg .az{fill:#f0fdf4;stroke:#86efac}svg .az.down{fill:#fee2e2;stroke:#f87171}svg .az.partitioned{fill:#fef3c7;stroke:#f59e0b}svg .az.slow{fill:#eff6ff;stroke:#60a5fa}
    svg .az-label{font-weight:600}svg .subnets{font-size:9.5px;fill:#6b7280}svg .item rect{fill:#dcfce7;stroke:#86efac}svg .item.down rect{fill:#fecaca;stroke:#f87171}
    svg .item.partitioned rect{fill:#fde68a;stroke:#f59e0b}svg .item.slow rect{fill:#bfdbfe;stroke:#60a5fa}svg .item.crashed rect{fill:#e9d5ff;stroke:#a855f7}
    svg .item.failing-over rect{fill:#ddd6fe;stroke:#7c3aed}svg .item.db text{font-weight:700}svg .item.bucket rect{fill:#fff7ed;stroke:#fdba74}
    svg .item.bucket.down rect{fill:#fecaca}ol.events{font-size:12.5px;color:#374151;max-height:360px;overflow-y:auto;padding-left:22px}
    ol.events time{color:#6b7280;font-variant-numeric:tabular-nums;margin-right:6px}label.instant input{width:420px;vertical-align:middle}
    """
}
