import Foundation
import SimCore
import Yams
import AWSSim

/// `expect:` and `expectFailure:` — what the run is judged by.
extension ScenarioLoader {
    static func readExpectations(_ node: SourceNode, _ workloads: [WorkloadSpec], _ d: inout Diagnostics) -> Expectations {
        var expectations = Expectations()
        guard var e = MappingReader(node, allowedKeys: ["rto", "rpo", "availability", "invariants", "reachability", "capacity",
                                                           "installed-within"],
                                    what: "expectations", diagnostics: &d) else { return expectations }
        let names = workloads.map(\.name)
        for key in ["rto", "rpo", "availability"] {
            guard let section = e.child(key) else { continue }
            guard case .mapping(let pairs) = section.value else {
                d.error(section, "expected a mapping from workload name to target, e.g. \(key): {emr-reads: \(key == "availability" ? "99.9%" : "5m")}, found \(section.kindDescription)")
                continue
            }
            var seen: Set<String> = []
            for pair in pairs {
                guard let workload = Read.string(pair.key, &d, what: "a workload name") else { continue }
                guard let spec = workloads.first(where: { $0.name == workload }) else {
                    d.error(pair.key, unknownMessage("workload", workload, names))
                    continue
                }
                guard seen.insert(workload).inserted else {
                    d.error(pair.key, "workload \(workload) is listed twice under \(key)")
                    continue
                }
                switch key {
                case "rto":
                    if let target = Read.duration(pair.value, &d) { expectations.rto.append((workload, target)) }
                case "rpo":
                    guard spec.kind.writes else {
                        d.error(pair.key, "rpo applies to workloads that write; \(workload) is \(spec.kind.rawValue)")
                        continue
                    }
                    if let target = Read.duration(pair.value, &d) { expectations.rpo.append((workload, target)) }
                default:
                    if let target = Read.percentage(pair.value, &d) { expectations.availability.append((workload, target)) }
                }
            }
        }
        if let list = e.child("invariants").flatMap({ Read.list($0, &d, what: "invariants") }) {
            let known = Invariant.allCases.map(\.rawValue)
            for item in list {
                guard let text = Read.string(item, &d, what: "an invariant name") else { continue }
                if let invariant = Invariant(rawValue: text) {
                    if !expectations.invariants.contains(invariant) { expectations.invariants.append(invariant) }
                } else if let waiting = Invariant.planned[text] {
                    d.error(item, "invariant \(text) is part of the format but not available yet: it \(waiting); available: \(known.joined(separator: ", "))")
                } else {
                    d.error(item, unknownMessage("invariant", text, known + Invariant.planned.keys.sorted()))
                }
            }
        }
        _ = e.child("reachability") // read with the network: readReachability
        _ = e.child("capacity")
        if let node = e.child("installed-within") { expectations.installedWithin = Read.duration(node, &d, allowZero: false) }
        e.reportUnknownKeys(&d)
        return expectations
    }

    /// `expect.reachability[]`: `{from: instance | address | CIDR, to: instance, port, allowed}`.
    static func readReachability(_ node: SourceNode, _ network: NetworkSpec, _ d: inout Diagnostics) -> [NetworkSpec.Reachability] {
        guard let items = Read.list(node, &d, what: "reachability checks") else { return [] }
        let names = network.instances.map(\.name)
        var checks: [NetworkSpec.Reachability] = []
        for item in items {
            guard var r = MappingReader(item, allowedKeys: ["from", "to", "port", "allowed"], what: "a reachability check",
                                        diagnostics: &d) else { continue }
            var from: String?
            if let fromNode = r.required("from", &d), let text = Read.string(fromNode, &d) {
                if names.contains(text) || IPv4Block(text) != nil { from = text } else {
                    d.error(fromNode, unknownMessage("instance (or an address or CIDR block)", text, names))
                }
            }
            var to: String?
            if let toNode = r.required("to", &d), let text = Read.string(toNode, &d) {
                if names.contains(text) { to = text } else { d.error(toNode, unknownMessage("instance", text, names)) }
            }
            let port = r.required("port", &d).flatMap { Read.integer($0, &d, range: 0...65535, what: "a port") }
            let allowed = r.required("allowed", &d, hint: "true if the connection must work, false if it must be refused")
                .flatMap { Read.bool($0, &d) }
            r.reportUnknownKeys(&d)
            guard let from, let to, let port, let allowed else { continue }
            checks.append(NetworkSpec.Reachability(from: from, to: to, port: Int(port), allowed: allowed))
        }
        return checks
    }

    /// `expectFailure:` or `expectVacuous:` — expectation ids or kinds the run
    /// must fail, or cannot observe. `expectVacuous` may name
    /// `scenario/expectations` when the scenario states none (a smoke run).
    static func readDeclaredOutcome(_ node: SourceNode, key: String, _ expectations: Expectations, extraIDs: [String] = [],
                                    _ d: inout Diagnostics) -> [String] {
        guard let list = Read.list(node, &d, what: key == "expectFailure" ? "expectations that must fail"
                                                                            : "expectations that cannot be observed") else { return [] }
        var ids = expectations.ids
        if ids.isEmpty, extraIDs.isEmpty, key == "expectVacuous" { ids = [Evaluation.noExpectationsID] }
        ids += extraIDs
        let kinds = ["rto", "rpo", "availability", "invariant", "reachability", "capacity"]
        var result: [String] = []
        for item in list {
            guard let text = Read.string(item, &d, what: "an expectation id") else { continue }
            let matchesKind = kinds.contains(text) && ids.contains { $0.hasPrefix(text + "/") }
            let matchesInvariant = Invariant(rawValue: text).map { ids.contains("invariant/\($0.rawValue)") } ?? false
            guard ids.contains(text) || matchesKind || matchesInvariant else {
                d.error(item, ids.isEmpty
                    ? "\(key) names \"\(text.prefix(60))\", but the scenario states no expectations"
                    : unknownMessage("expectation", text, ids))
                continue
            }
            result.append(matchesInvariant ? "invariant/\(text)" : text)
        }
        return result
    }
}
