import SimCore

/// The installation as expectations: `installation` (always, with an
/// installer: ODAS got installed, and no rollback left anything behind) and
/// `installed-within` (declared: how long it took, from the start of the run).
extension Evaluation {
    static let installationID = "installation"
    static let installedWithinID = "installed-within"

    static func installation(_ state: Installation, end: SimInstant) -> PropertyResult {
        let attempts = state.attempts == 1 ? "" : " (\(state.attempts) attempts)"
        let leftovers = state.leftBehind.isEmpty ? "" : " A rollback left behind: \(state.leftBehind.joined(separator: ", "))."
        let status: PropertyStatus
        let measured: String
        let detail: String
        if let at = state.installedAt {
            status = state.leftBehind.isEmpty ? .pass : .fail
            measured = state.leftBehind.isEmpty ? "installed" : "installed, \(state.leftBehind.count) left behind"
            detail = "The \(state.kind.rawValue) installer brought every ODAS service up at \(at.readable)\(attempts)." + leftovers
        } else if let failure = state.failure {
            status = .fail
            measured = "failed"
            detail = "The \(state.kind.rawValue) installer failed\(attempts): \(failure). No workload ran." + leftovers
        } else {
            status = .fail
            measured = "not finished"
            let last = state.phases.last.map { " Last phase (\($0.at.readable)): \($0.text)." } ?? ""
            detail = "The run ended at \(end.readable) before the \(state.kind.rawValue) installer finished\(attempts).\(last)" + leftovers
        }
        return PropertyResult(id: installationID, kind: "installer", workload: nil, target: "installed, nothing left behind",
                              measured: measured, status: status, detail: detail)
    }

    static func installedWithin(_ target: SimDuration, _ state: Installation, end: SimInstant) -> PropertyResult {
        var result: PropertyResult
        if let at = state.installedAt {
            let took = at - state.startedAt
            result = PropertyResult(id: installedWithinID, kind: "installed-within", workload: nil, target: "≤ \(target.readable)",
                                    measured: took.readable, status: took <= target ? .pass : .fail,
                                    detail: "ODAS was installed \(took.readable) after the run started"
                                        + (state.attempts > 1 ? ", on attempt \(state.attempts)." : "."))
            result.measuredValue = took.seconds
        } else {
            let waited = end - state.startedAt
            result = PropertyResult(id: installedWithinID, kind: "installed-within", workload: nil, target: "≤ \(target.readable)",
                                    measured: "not installed", status: .fail,
                                    detail: "ODAS was still not installed \(waited.readable) after the run started"
                                        + (state.failure.map { ": \($0)." } ?? "."))
        }
        result.targetValue = target.seconds
        result.unit = "seconds"
        return result
    }
}
