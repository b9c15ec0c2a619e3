import SimCore

/// The HTML report's timeline: one row per fault, a row of phases
/// (failovers, rescheduling, installation) and events, and one row per
/// workload with its success rate per bucket and its RTO windows shaded.
struct TimelineSVG {
    let report: RunReport
    let scenario: Scenario
    static let width = 1100.0, label = 190.0, right = 20.0, rowHeight = 20.0, workloadHeight = 44.0

    var duration: Double { max(scenario.duration.seconds, 1) }
    var plotWidth: Double { Self.width - Self.label - Self.right }

    func x(_ seconds: Double) -> Double { Self.label + min(max(seconds, 0), duration) / duration * plotWidth }
    func x(_ instant: SimInstant) -> Double { x(instant.sinceStart.seconds) }

    func render() -> String {
        var rows: [String] = []
        var y = 28.0
        // Faults.
        rows.append(sectionLabel("Faults", y: y))
        y += 6
        for fault in scenario.faults.sorted(by: { ($0.at, $0.name) < ($1.at, $1.name) }) {
            rows.append(faultRow(fault, y: y))
            y += Self.rowHeight
        }
        if scenario.faults.isEmpty {
            rows.append(text("no fault", x: Self.label, y: y + 14, cssClass: "muted"))
            y += Self.rowHeight
        }
        // Phases and events.
        y += 10
        rows.append(sectionLabel("Phases and events", y: y))
        y += 6
        rows.append(phaseRow(y: y))
        y += Self.rowHeight + 4
        // Workloads.
        y += 10
        rows.append(sectionLabel("Workloads (success rate per \(bucketText))", y: y))
        y += 6
        for series in report.series {
            rows.append(workloadRow(series, y: y))
            y += Self.workloadHeight + 6
        }
        let height = y + 24
        let axis = axisMarks(top: 14, bottom: height - 20)
        return """
        <svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(HTMLText.number(Self.width)) \(HTMLText.number(height))" \
        width="\(HTMLText.number(Self.width))" height="\(HTMLText.number(height))" role="img" aria-label="timeline of faults, phases and workloads">
        \(axis)
        \(rows.joined(separator: "\n"))
        </svg>
        """
    }

    var bucketText: String {
        guard let width = report.series.first?.bucketSeconds else { return "bucket" }
        return SimDuration.fromSeconds(width).description
    }

    func sectionLabel(_ title: String, y: Double) -> String {
        text(title, x: 8, y: y, cssClass: "section-label")
    }

    func text(_ content: String, x: Double, y: Double, cssClass: String, anchor: String = "start") -> String {
        "<text class=\"\(cssClass)\" x=\"\(HTMLText.number(x))\" y=\"\(HTMLText.number(y))\" text-anchor=\"\(anchor)\">\(HTMLText.escape(content))</text>"
    }

    func faultRow(_ fault: FaultSpec, y: Double) -> String {
        let start = x(fault.at.seconds)
        let label = text("\(fault.name)", x: 8, y: y + 14, cssClass: "row-label")
        let title = "\(fault.name): \(fault.action.rawValue) \(fault.target.name) at T+\(fault.at)" + (fault.duration.map { " for \($0)" } ?? "")
        let cssClass = "fault fault-\(fault.action.rawValue)"
        if fault.action.isInstant {
            let points = "\(HTMLText.number(start)),\(HTMLText.number(y + 3)) \(HTMLText.number(start + 6)),\(HTMLText.number(y + 10)) \(HTMLText.number(start)),\(HTMLText.number(y + 17)) \(HTMLText.number(start - 6)),\(HTMLText.number(y + 10))"
            return label + "<polygon class=\"\(cssClass)\" data-fault=\"\(HTMLText.escape(fault.name))\" points=\"\(points)\"><title>\(HTMLText.escape(title))</title></polygon>"
        }
        let end = x((fault.end ?? scenario.duration).seconds)
        return label + "<rect class=\"\(cssClass)\" data-fault=\"\(HTMLText.escape(fault.name))\" x=\"\(HTMLText.number(start))\" y=\"\(HTMLText.number(y + 3))\" width=\"\(HTMLText.number(max(end - start, 2)))\" height=\"14\" rx=\"3\"><title>\(HTMLText.escape(title))</title></rect>"
            + text("\(fault.action.rawValue) \(fault.target.name)", x: start + 4, y: y + 14, cssClass: "bar-label")
    }

    /// Failovers (RDS failover started → completed), rescheduling (an ODAS
    /// endpoint removed → added again) as bars; every other event a tick.
    func phaseRow(y: Double) -> String {
        var out = [text("phases", x: 8, y: y + 14, cssClass: "row-label")]
        let entries = report.timeline
        func bar(_ from: SimInstant, _ to: SimInstant, _ cssClass: String, _ title: String) -> String {
            let a = x(from), b = x(to)
            return "<rect class=\"phase \(cssClass)\" x=\"\(HTMLText.number(a))\" y=\"\(HTMLText.number(y + 3))\" width=\"\(HTMLText.number(max(b - a, 2)))\" height=\"14\" rx=\"3\"><title>\(HTMLText.escape(title))</title></rect>"
        }
        var failoverStart: (SimInstant, String)?
        var reschedulingStart: SimInstant?
        for entry in entries {
            switch entry.kind {
            case "rds-failover-started": failoverStart = (entry.at, entry.text)
            case "rds-failover-completed":
                if let (start, text) = failoverStart { out.append(bar(start, entry.at, "failover", "\(text) → \(entry.text)")) }
                failoverStart = nil
            case "odas-endpoint-removed": if reschedulingStart == nil { reschedulingStart = entry.at }
            case "odas-endpoint-added":
                if let start = reschedulingStart { out.append(bar(start, entry.at, "rescheduling", "rescheduling: endpoints removed at \(start.readable), back at \(entry.at.readable)")) }
                reschedulingStart = nil
            default: break
            }
            if ["fault-start", "fault-end", "workload-failing", "workload-recovered"].contains(entry.kind) { continue }
            let at = x(entry.at)
            out.append("<line class=\"event event-\(HTMLText.escape(entry.kind))\" x1=\"\(HTMLText.number(at))\" x2=\"\(HTMLText.number(at))\" y1=\"\(HTMLText.number(y + 1))\" y2=\"\(HTMLText.number(y + 19))\"><title>\(HTMLText.escape("T+\(entry.at.sinceStart) \(entry.text)"))</title></line>")
        }
        if let (start, text) = failoverStart { out.append(bar(start, .zero + scenario.duration, "failover", "\(text) (not completed)")) }
        if let installation = report.installation, let after = installation.installedAfter.flatMap({ DurationSyntax.parse($0).success }) {
            out.append(bar(.zero, .zero + after, "install", "\(installation.installer) installation: \(installation.outcome) after \(after)"))
        }
        return out.joined(separator: "\n")
    }

    func workloadRow(_ series: WorkloadSeries, y: Double) -> String {
        let target = scenario.expectations.availability.first { $0.workload == series.workload }?.target ?? Evaluation.defaultAvailabilityTarget
        var out = [text(series.workload, x: 8, y: y + 18, cssClass: "row-label"),
                   "<rect class=\"lane\" x=\"\(HTMLText.number(Self.label))\" y=\"\(HTMLText.number(y))\" width=\"\(HTMLText.number(plotWidth))\" height=\"\(HTMLText.number(Self.workloadHeight))\"/>"]
        for window in rtoWindows(series.workload) {
            let a = x(window.from), b = x(window.to)
            out.append("<rect class=\"rto-window\" data-workload=\"\(HTMLText.escape(series.workload))\" x=\"\(HTMLText.number(a))\" y=\"\(HTMLText.number(y))\" width=\"\(HTMLText.number(max(b - a, 2)))\" height=\"\(HTMLText.number(Self.workloadHeight))\"><title>\(HTMLText.escape(window.title))</title></rect>")
        }
        let step = plotWidth / Double(max(series.buckets.count, 1))
        for (index, bucket) in series.buckets.enumerated() {
            let total = bucket.reduce(0, +)
            guard total > 0 else { continue }
            let rate = Double(bucket[0]) / Double(total)
            let height = max(2, rate * (Self.workloadHeight - 4))
            let from = SimDuration.fromSeconds(Double(index) * series.bucketSeconds)
            let title = "T+\(from): \(bucket[0]) ok, \(bucket[1]) failed, \(bucket[2]) unknown (\(Format.percent(rate)))"
            out.append("<rect class=\"rate \(rate >= target ? "ok" : "bad")\" x=\"\(HTMLText.number(Self.label + Double(index) * step))\" y=\"\(HTMLText.number(y + Self.workloadHeight - 2 - height))\" width=\"\(HTMLText.number(max(step - 0.6, 0.5)))\" height=\"\(HTMLText.number(height))\"><title>\(HTMLText.escape(title))</title></rect>")
        }
        return out.joined(separator: "\n")
    }

    /// From each `workload-failing` mark to the workload's next recovery (or the end).
    func rtoWindows(_ workload: String) -> [(from: SimInstant, to: SimInstant, title: String)] {
        var windows: [(SimInstant, SimInstant, String)] = []
        var open: SimInstant?
        for entry in report.timeline {
            if entry.kind == "workload-failing", entry.text.hasPrefix(workload + " starts failing") {
                if open == nil { open = entry.at }
            } else if entry.kind == "workload-recovered", entry.text.hasPrefix(workload + " recovered"), let start = open {
                windows.append((start, entry.at, "RTO window: \(entry.text)"))
                open = nil
            }
        }
        if let start = open { windows.append((start, .zero + scenario.duration, "RTO window: \(workload) does not recover before the end")) }
        return windows
    }

    func axisMarks(top: Double, bottom: Double) -> String {
        let candidates: [Double] = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400]
        let step = candidates.first { duration / $0 <= 10 } ?? duration / 10
        var marks: [String] = []
        var t = 0.0
        while t <= duration + 0.001 {
            let at = x(t)
            marks.append("<line class=\"grid\" x1=\"\(HTMLText.number(at))\" x2=\"\(HTMLText.number(at))\" y1=\"\(HTMLText.number(top))\" y2=\"\(HTMLText.number(bottom))\"/>")
            marks.append(text("T+\(SimDuration.fromSeconds(t))", x: at, y: bottom + 14, cssClass: "tick", anchor: "middle"))
            t += step
        }
        return marks.joined(separator: "\n")
    }
}

extension Result where Success == SimDuration {
    var success: SimDuration? { if case .success(let value) = self { return value } else { return nil } }
}
