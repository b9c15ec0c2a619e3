import Foundation
import SimCore

/// Checks a scenario's expectations against a finished run's history.
enum Evaluation {
    /// The availability target RTO uses when the scenario gives none for the workload.
    static let defaultAvailabilityTarget = 0.99

    /// The id of the result a scenario without expectations gets.
    static let noExpectationsID = "scenario/expectations"

    static func evaluate(_ scenario: Scenario, history: History, decided: [PropertyResult] = [],
                         observability: Observability? = nil) -> [PropertyResult] {
        let observability = observability ?? .unconstrained(scenario)
        let end = SimInstant.zero + scenario.duration
        let windows = faultWindows(scenario)
        var results: [PropertyResult] = []
        for (workload, target) in scenario.expectations.rto {
            let availabilityTarget = scenario.expectations.availability.first { $0.workload == workload }?.target
                ?? defaultAvailabilityTarget
            results.append(rto(workload, target: target, operations: history.operations(of: workload),
                               faults: windows, end: end, availabilityTarget: availabilityTarget,
                               observability: observability, measuring: measuredText(workload, scenario)))
        }
        for (workload, target) in scenario.expectations.rpo {
            var result = rpo(workload, target: target, operations: history.operations(of: workload), faults: windows)
            if result.status == .pass { unexercised(&result, workload, windows, observability, what: "data loss",
                                                          clientOutagesCount: false) }
            results.append(result)
        }
        for (workload, target) in scenario.expectations.availability {
            var result = availability(workload, target: target, operations: history.operations(of: workload))
            if result.status == .pass { unexercised(&result, workload, windows, observability, what: "availability",
                                                          clientOutagesCount: true) }
            results.append(result)
        }
        for invariant in scenario.expectations.invariants {
            switch invariant {
            case .noAcknowledgedWriteLost:
                let writers = scenario.workloads.filter { $0.kind.writes }.map(\.name)
                results.append(noAcknowledgedWriteLost(writers: writers, history: history))
            case .dnsPointsToHealthy:
                results.append(dnsPointsToHealthy(history))
            case .noUnauthorizedRead, .noStaticCredentials, .leastPrivilege, .failClosed:
                break // decided over the world's IAM (SecurityChecks) or its catalog (ODASChecks)
            }
        }
        results += decided
        if results.isEmpty {
            var none = PropertyResult(id: noExpectationsID, kind: "scenario", workload: nil, target: "at least one",
                                      measured: "", status: .vacuous, detail: "")
            none.makeVacuous(measured: "none stated",
                             detail: "The scenario states no expectations (expect:), so the run checked nothing; add rto, rpo, availability or invariants, or declare expectVacuous: [\(noExpectationsID)].")
            results.append(none)
        }
        for index in results.indices {
            let result = results[index]
            let names = { (list: [String]) in list.contains { $0 == result.id || $0 == result.kind } }
            results[index].expectedToFail = names(scenario.expectFailure)
            results[index].expectedVacuous = names(scenario.expectVacuous)
        }
        return results
    }

    /// What an RTO measures, for the text about a client that could not see it
    /// ("catalog writes", "scans of sales").
    static func measuredText(_ workload: String, _ scenario: Scenario) -> String {
        guard let spec = scenario.workloads.first(where: { $0.name == workload }) else { return "RTO" }
        switch spec.kind {
        case .s3Put: return "RTO of writes to \(spec.target)"
        case .s3Get: return "RTO of reads from \(spec.target)"
        case .dbWrite: return "RTO of writes to \(spec.target)"
        case .dbRead: return "RTO of reads from \(spec.target)"
        case .dnsResolve: return "RTO of \(spec.target)"
        case .eksAPI: return "RTO of the \(spec.target) API"
        case .http: return "RTO of \(spec.target)"
        case .scan: return "RTO of scans\(spec.odas?.dataset.map { " of \($0)" } ?? "")"
        case .catalogWrite: return "RTO of catalog writes"
        }
    }

    /// A passing RPO or availability is vacuous when the scenario has faults
    /// but none touched the workload, or its client was down through every
    /// one that did. Without faults both are steady-state measurements.
    /// `clientOutagesCount`: whether the client's own outage makes it
    /// unobservable (availability) or not (RPO, read back at the end).
    static func unexercised(_ result: inout PropertyResult, _ workload: String, _ faults: [FaultWindow],
                            _ observability: Observability, what: String, clientOutagesCount: Bool) {
        let disruptions = Disruption.group(faults)
        guard !disruptions.isEmpty else { return }
        let touching = disruptions.filter { observability.touches($0, workload) }
        guard !touching.isEmpty else {
            result.makeVacuous(measured: result.measured + " (untouched)",
                               detail: "No fault touched \(workload) or what it depends on (\(observability.footprintText(workload))), so its \(what) under failure was not exercised; \(result.detail)")
            return
        }
        guard clientOutagesCount else { return }
        let seen = touching.filter { observability.clientOutage(of: workload, overlapping: $0.start, $0.activeUntil) == nil }
        if seen.isEmpty, let first = touching.first,
           let outage = observability.clientOutage(of: workload, overlapping: first.start, .distantFuture) {
            result.makeVacuous(measured: result.measured + " (client down)",
                               detail: Observability.clientDownText(workload, outage, measuring: what) + "; \(result.detail)")
        }
    }

    static func rto(_ workload: String, target: SimDuration, operations: [Operation], faults: [FaultWindow],
                    end: SimInstant, availabilityTarget: Double, observability: Observability? = nil,
                    measuring: String = "RTO") -> PropertyResult {
        var result = PropertyResult(id: "rto/\(workload)", kind: "rto", workload: workload, target: "≤ \(target)",
                                    measured: "", status: .fail, detail: "")
        guard !faults.isEmpty else {
            result.makeVacuous(measured: "no fault", detail: "The scenario injects no fault, so there is nothing to recover from.")
            return result
        }
        var worst: SimDuration = .zero
        var notes: [String] = []
        var failed = false
        var measuredAny = false
        var unobservable = false
        let windows = Disruption.windows(faults, end: end)
        var index = 0
        while index < windows.count {
            let (fault, firstEnd) = windows[index]
            let observationStart = index
            index += 1
            if let observability {
                if let outage = observability.clientOutage(of: workload, overlapping: fault.start, firstEnd) {
                    unobservable = true
                    notes.append("\(fault.name): " + Observability.clientDownText(workload, outage, measuring: measuring))
                    continue
                }
                if !observability.touches(fault, workload) {
                    notes.append("\(fault.name): touched nothing \(workload) depends on (\(observability.footprintText(workload)))")
                    continue
                }
            }
            measuredAny = true
            let (recovery, through) = Checkers.recovery(operations, windows: windows, from: observationStart,
                                                        availabilityTarget: availabilityTarget)
            index = through + 1
            let observationEnd = windows[through].end
            let name = Checkers.spanName(windows, from: observationStart, through: through)
            // Measured across later disruptions, the client must have been up for them too.
            if through > observationStart, let observability,
               let outage = observability.clientOutage(of: workload, overlapping: windows[observationStart + 1].disruption.start, observationEnd) {
                unobservable = true
                notes.append("\(name): " + Observability.clientDownText(workload, outage, measuring: measuring))
                continue
            }
            switch recovery {
            case .unaffected:
                notes.append("\(name): no window fell below \(Format.percent(availabilityTarget))")
            case let .recovered(after, at, firstFailure):
                worst = max(worst, after)
                notes.append("\(name): first failure \(firstFailure.readable), sustained success from \(at.readable)")
                if after > target {
                    failed = true
                    notes[notes.count - 1] += causeText(operations, from: fault.start, to: at)
                }
            case .notRecovered(let firstFailure):
                failed = true
                worst = .distantFutureDuration
                notes.append("\(name): first failure \(firstFailure.readable), not recovered before \(observationEnd.readable)"
                             + causeText(operations, from: fault.start, to: observationEnd))
            case .noOperations:
                failed = true
                worst = .distantFutureDuration
                notes.append("\(name): no operation completed after the fault started")
            }
        }
        result.measured = worst == .distantFutureDuration ? "not recovered" : worst.readable
        result.detail = notes.joined(separator: "; ") + "."
        result.unit = "seconds"
        result.targetValue = target.seconds
        if measuredAny, worst != .distantFutureDuration { result.measuredValue = worst.seconds }
        if failed {
            result.status = .fail
        } else if unobservable || !measuredAny {
            result.status = .vacuous
            result.measured = measuredAny ? result.measured + " (partial)" : (unobservable ? "client down" : "untouched")
        } else {
            result.status = .pass
        }
        return result
    }

    /// ` (cause: 903 unknown, all timeouts (latency): …; first failing operation op 12 at T+…, last op 915 at T+…)`
    /// over the operations completing in `[from, to)`; empty when none failed.
    static func causeText(_ operations: [Operation], from: SimInstant, to: SimInstant) -> String {
        let window = operations.filter { op in
            guard let done = op.completed else { return false }
            return done >= from && done < to
        }
        guard let sentence = CauseReport.sentence(CauseReport.counts(window)) else { return "" }
        return " (cause: \(sentence)" + (CauseReport.span(window).map { "; \($0)" } ?? "") + ")"
    }

    /// Time to restore a group's desired in-service capacity after each
    /// disruption, from the capacity samples the world recorded.
    static func capacity(_ group: String, target: SimDuration, desired: Int, samples: [(at: SimInstant, inService: Int)],
                         faults: [FaultWindow], end: SimInstant) -> PropertyResult {
        var result = PropertyResult(id: "capacity/\(group)", kind: "capacity", workload: nil, target: "≤ \(target)",
                                    measured: "", status: .pass, detail: "")
        let windows = Disruption.windows(faults, end: end)
        guard !windows.isEmpty else {
            result.makeVacuous(measured: "no fault", detail: "The scenario injects no fault, so there is no capacity to restore.")
            return result
        }
        var dropped = false
        var worst = SimDuration.zero
        var notes: [String] = []
        for (disruption, windowEnd) in windows {
            let inWindow = samples.filter { $0.at >= disruption.start && $0.at < windowEnd }
            guard inWindow.contains(where: { $0.inService < desired }) else {
                notes.append("\(disruption.name): capacity never dropped below \(desired)")
                continue
            }
            dropped = true
            // Every dip counts: capacity is restored only after the last one.
            let dips = zip(inWindow.dropFirst(), inWindow).filter { $0.0.inService < desired && $0.1.inService >= desired }.count
                + (inWindow.first.map { $0.inService < desired ? 1 : 0 } ?? 0)
            let lastDrop = inWindow.last { $0.inService < desired }
            if let lastDrop, let restored = inWindow.first(where: { $0.at > lastDrop.at && $0.inService >= desired }) {
                let took = restored.at - disruption.start
                worst = max(worst, took)
                if took > target { result.status = .fail }
                notes.append("\(disruption.name): down to \(inWindow.map(\.inService).min() ?? 0) in service\(dips > 1 ? " in \(dips) dips" : ""), \(desired) again for good at \(restored.at.readable)")
            } else {
                result.status = .fail
                worst = .distantFutureDuration
                notes.append("\(disruption.name): \(desired) in service not restored before \(windowEnd.readable)")
            }
        }
        result.measured = worst == .distantFutureDuration ? "not restored" : worst.readable
        result.detail = notes.joined(separator: "; ") + "."
        result.unit = "seconds"
        result.targetValue = target.seconds
        if worst != .distantFutureDuration, dropped { result.measuredValue = worst.seconds }
        if !dropped {
            result.makeVacuous(measured: "never dropped",
                               detail: result.detail.dropLast() + ", so no replacement was needed and none was exercised.")
        }
        return result
    }

    /// The scenario's faults as the checkers see them.
    static func faultWindows(_ scenario: Scenario) -> [FaultWindow] {
        scenario.faults.sorted { ($0.at, $0.name) < ($1.at, $1.name) }.map {
            FaultWindow(name: $0.name, start: .zero + $0.at, end: $0.end.map { .zero + $0 }, isInstant: $0.action.isInstant)
        }
    }

    static func rpo(_ workload: String, target: SimDuration, operations: [Operation], faults: [FaultWindow] = []) -> PropertyResult {
        var result = PropertyResult(id: "rpo/\(workload)", kind: "rpo", workload: workload, target: "≤ \(target)",
                                    measured: "", status: .fail, detail: "")
        switch Checkers.lostWrites(operations) {
        case .noFinalRead(let reason):
            result.measured = "unknown"
            result.detail = "No successful final read, so lost writes cannot be counted: \(reason)."
        case .measured(let lost):
            result.measured = lost.span.readable
            result.status = lost.span <= target ? .pass : .fail
            result.unit = "seconds"
            result.measuredValue = lost.span.seconds
            result.targetValue = target.seconds
            if let first = lost.lost.first {
                result.firstOffendingOperation = first.index
                result.detail = "\(lost.lost.count) of \(lost.acknowledged) acknowledged writes missing from the final read of \(lost.finalRead.target); first lost: op \(first.index) (\(first.key), acknowledged \((first.completed ?? first.invoked).readable))"
                if let last = lost.lost.last, last.index != first.index {
                    result.detail += ", last lost: op \(last.index) (\(last.key), acknowledged \((last.completed ?? last.invoked).readable))"
                }
                let lastAcknowledged = lost.lost.last?.completed ?? .zero
                if let fault = faults.first(where: { $0.start >= lastAcknowledged }) {
                    result.detail += "; cause: acknowledged before \(fault.name) started at \(fault.start.readable), and the copy the final read used (\(lost.finalRead.target)) had not received them: replication is asynchronous"
                }
                result.detail += "."
            } else {
                result.detail = "All \(lost.acknowledged) acknowledged writes are in the final read of \(lost.finalRead.target)."
            }
        }
        return result
    }

    static func availability(_ workload: String, target: Double, operations: [Operation]) -> PropertyResult {
        var result = PropertyResult(id: "availability/\(workload)", kind: "availability", workload: workload,
                                    target: "≥ \(Format.percent(target))", measured: "", status: .fail, detail: "")
        guard let measured = Checkers.availability(operations) else {
            result.makeVacuous(measured: "no operations", detail: "The workload completed no operation, so there is nothing to measure.")
            return result
        }
        result.measured = Format.percent(measured.fraction)
        result.status = measured.fraction >= target ? .pass : .fail
        result.unit = "fraction"
        result.measuredValue = measured.fraction
        result.targetValue = target
        result.detail = "\(measured.ok) of \(measured.total) operations succeeded."
        if result.status == .fail {
            result.detail += causeText(operations, from: .zero, to: .distantFuture) + "."
        }
        return result
    }

    /// Violations: an authoritative answer naming an endpoint that had been
    /// down for longer than its health check needs to notice — or down at all,
    /// when no health check guards the record (Route 53 cannot know).
    static func dnsPointsToHealthy(_ history: History) -> PropertyResult {
        var result = PropertyResult(id: "invariant/\(Invariant.dnsPointsToHealthy.rawValue)", kind: "invariant", workload: nil,
                                    target: "0 answers", measured: "", status: .pass, detail: "")
        let lookups = history.operations(where: { $0.dns != nil })
        guard !lookups.isEmpty else {
            result.makeVacuous(measured: "no lookups", detail: "No dns-resolve workload ran, so no answer was there to check.")
            return result
        }
        let violations = lookups.filter { op in
            guard let dns = op.dns, dns.authoritative, let downFor = dns.targetDownFor else { return false }
            return downFor > (dns.detectionBound ?? .zero)
        }
        result.measured = "\(violations.count) answers"
        result.measuredCount(violations.count)
        result.status = violations.isEmpty ? .pass : .fail
        if let first = violations.first, let dns = first.dns {
            result.firstOffendingOperation = first.index
            result.detail = "\(violations.count) of \(lookups.count) lookups were answered with an endpoint that was down; first: op \(first.index) at \(first.invoked.readable), \(first.key) → \(dns.target), down for \((dns.targetDownFor ?? .zero).readable)\(dns.detectionBound.map { " (health check detects within \($0.readable))" } ?? " (no health check)")."
        } else {
            result.detail = "\(lookups.count) lookups; no authoritative answer named an endpoint down past its health check's detection time."
        }
        return result
    }

    static func noAcknowledgedWriteLost(writers: [String], history: History) -> PropertyResult {
        let id = Invariant.noAcknowledgedWriteLost.rawValue
        var result = PropertyResult(id: "invariant/\(id)", kind: "invariant", workload: nil, target: "0 lost",
                                    measured: "", status: .pass, detail: "")
        var lostTotal = 0
        var acknowledgedTotal = 0
        var notes: [String] = []
        var firstLost: Operation?
        var unknown = false
        for writer in writers {
            switch Checkers.lostWrites(history.operations(of: writer)) {
            case .noFinalRead(let reason):
                unknown = true
                notes.append("\(writer): no final read (\(reason))")
            case .measured(let lost):
                lostTotal += lost.lost.count
                acknowledgedTotal += lost.acknowledged
                notes.append("\(writer): \(lost.lost.count) of \(lost.acknowledged) acknowledged writes lost")
                if let first = lost.lost.first, firstLost.map({ first.index < $0.index }) ?? true { firstLost = first }
            }
        }
        if writers.isEmpty {
            result.makeVacuous(measured: "no writes", detail: "No workload writes, so no write was there to lose.")
            return result
        }
        if !unknown, acknowledgedTotal == 0 {
            result.makeVacuous(measured: "no acknowledged writes",
                               detail: "No write was acknowledged, so no write was there to lose: " + notes.joined(separator: "; ") + ".")
            return result
        }
        result.measured = unknown ? "unknown" : "\(lostTotal) lost"
        if !unknown { result.measuredCount(lostTotal) }
        result.status = lostTotal == 0 && !unknown ? .pass : .fail
        result.firstOffendingOperation = firstLost?.index
        if let firstLost {
            notes.append("first offending operation: op \(firstLost.index), write of \(firstLost.key) to \(firstLost.target) acknowledged at \((firstLost.completed ?? firstLost.invoked).readable)")
        }
        result.detail = notes.joined(separator: "; ") + "."
        return result
    }
}

extension SimDuration {
    static let distantFutureDuration = SimDuration(nanoseconds: .max)
}

/// Number formatting shared by the reports; locale-independent.
enum Format {
    /// `99.95%`: up to two decimals, trailing zeros dropped.
    static func percent(_ fraction: Double) -> String {
        let hundredths = (fraction * 10_000).rounded(.down) / 100
        var text = String(format: "%.2f", hundredths)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}

extension SimDuration {
    /// The canonical form rounded to the millisecond, for people (`10.583s`).
    /// Traces keep full nanoseconds.
    var readable: String {
        let ms = (nanoseconds + (nanoseconds >= 0 ? 500_000 : -500_000)) / 1_000_000
        return SimDuration.milliseconds(ms).description
    }
}

extension SimInstant {
    /// `T+` and the readable time since the start (`T+30m5.748s`).
    var readable: String { "T+\(sinceStart.readable)" }
}
