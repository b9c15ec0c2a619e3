import SimCore

/// `explore:` — what `odas-sim explore` draws for this scenario when its
/// flags do not say: the disruption class the design claims to survive (an
/// FIS experiment template's actions) and how many seeds make the default budget.
public struct ExploreSpec: Sendable, Equatable {
    /// The fault actions schedules draw from; nil: the default vocabulary.
    public var faults: [FaultAction]?
    /// Seeds of the default budget (`--seeds` overrides).
    public var seeds: Int?
    /// At most this many faults a schedule (`--max-faults` overrides).
    public var maxFaults: Int?
}

extension ScenarioLoader {
    static func readExplore(_ node: SourceNode, _ d: inout Diagnostics) -> ExploreSpec? {
        guard var r = MappingReader(node, allowedKeys: ["faults", "seeds", "maxFaults"], what: "an explore section", diagnostics: &d) else {
            return nil
        }
        var spec = ExploreSpec()
        if let list = r.child("faults").flatMap({ Read.list($0, &d, what: "fault actions") }) {
            let names = FaultAction.allCases.map(\.rawValue)
            var actions: [FaultAction] = []
            for item in list {
                guard let text = Read.string(item, &d) else { continue }
                guard let action = FaultAction(rawValue: text) else {
                    d.error(item, unknownMessage("fault action", text, names))
                    continue
                }
                if actions.contains(action) { d.error(item, "\(text) is listed twice") } else { actions.append(action) }
            }
            if list.isEmpty, let faultsNode = r.child("faults") { d.error(faultsNode, "faults is empty; omit it for the default vocabulary") }
            spec.faults = actions
        }
        if let seeds = r.child("seeds") { spec.seeds = Read.integer(seeds, &d, range: 1...100_000, what: "a seed count").map(Int.init) }
        if let most = r.child("maxFaults") { spec.maxFaults = Read.integer(most, &d, range: 1...20, what: "a fault count").map(Int.init) }
        r.reportUnknownKeys(&d)
        return spec
    }
}
