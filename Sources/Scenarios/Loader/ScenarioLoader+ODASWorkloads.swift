import ODASModel
import SimCore

/// The fields of the `scan` and `catalog-write` workloads.
extension ScenarioLoader {
    /// `as` (a catalog user of `odas.users`), `dataset` (scan), `planners`
    /// (service | hostports | {dns: NAME}), `cluster` (whose Service or
    /// planners: the primary unless named), `changes` (catalog-write:
    /// `[{at: 40m, revoke: {role, on, columns}}]`).
    static func readODASWorkload(_ w: inout MappingReader, _ item: SourceNode, kind: WorkloadKind, name: String, odas: ODASSpec?,
                                 dns: DNSSpec?, _ context: Context, _ d: inout Diagnostics) -> (target: String, options: ODASWorkloadOptions)? {
        guard let odas else {
            d.error(item, "\(kind.rawValue) goes through ODAS: add an odas section")
            return nil
        }
        var user: String?
        if let userNode = w.required("as", &d, hint: "the catalog user the client authenticates as"), let text = Read.string(userNode, &d) {
            if odas.users.contains(text) { user = text } else { d.error(userNode, unknownMessage("odas user", text, odas.users)) }
        }
        var options = ODASWorkloadOptions(user: user ?? "")
        if let node = w.child("planners") { options.planners = readPlannerDiscovery(node, odas: odas, dns: dns, stackRecordNames: context.stackRecordNames, &d) ?? .service }
        if let node = w.child("cluster"), let text = Read.string(node, &d) {
            let names = odas.clusters.map(\.name)
            if let index = names.firstIndex(of: text) { options.cluster = index } else { d.error(node, unknownMessage("ODAS cluster", text, names)) }
            if case .dns = options.planners { d.error(node, "a client that finds planners by DNS goes to the cluster the name answers; cluster applies to service and hostports") }
        }
        var target: String?
        if kind == .scan {
            if let datasetNode = w.required("dataset", &d, hint: "the dataset it scans, db.table"), let text = Read.string(datasetNode, &d) {
                if odas.datasets.contains(where: { $0.name == text }) { target = text } else {
                    d.error(datasetNode, unknownMessage("dataset", text, odas.datasets.map(\.name)))
                }
            }
            options.dataset = target
            if let node = w.child("changes") { d.error(node, "changes applies to catalog-write workloads") }
        } else {
            options.writeDatabase = "writes_" + String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            target = options.writeDatabase
            if let list = w.child("changes").flatMap({ Read.list($0, &d, what: "changes") }) {
                for changeNode in list {
                    guard var c = MappingReader(changeNode, allowedKeys: ["at", "grant", "revoke"], what: "a catalog change", diagnostics: &d) else { continue }
                    let at = c.required("at", &d, hint: "when, e.g. 40m").flatMap { Read.duration($0, &d) }
                    if let at, let duration = context.duration, at >= duration, let node = c.child("at") {
                        d.error(node, "at (\(at)) is not inside the run (duration \(duration))")
                    }
                    var grants: [(Grant, revoke: Bool)] = []
                    if let node = c.child("grant") { grants += readGrant(node, &d).map { ($0, false) } }
                    if let node = c.child("revoke") { grants += readGrant(node, &d).map { ($0, true) } }
                    if grants.isEmpty { d.error(changeNode, "a change is a grant or a revoke: {at: 40m, revoke: {role: r, on: db.table}}") }
                    c.reportUnknownKeys(&d)
                    guard let at else { continue }
                    for (grant, revoke) in grants {
                        options.scheduledChanges.append((at, revoke ? .revoke(grant) : .grant(grant)))
                    }
                }
            }
            if let node = w.child("dataset") { d.error(node, "dataset applies to scan workloads") }
        }
        guard user != nil, let target else { return nil }
        return (target, options)
    }

    /// `planners: service`, `planners: hostports` or `planners: {dns: NAME}`,
    /// where NAME is a record of the dns section whose targets are ODAS
    /// planner Services, or one the installer's stack creates (a parameter names it).
    static func readPlannerDiscovery(_ node: SourceNode, odas: ODASSpec, dns: DNSSpec?, stackRecordNames: Set<String> = [],
                                     _ d: inout Diagnostics) -> ODASWorkloadOptions.PlannerDiscovery? {
        let usage = "planners is service (through the planner Service), hostports (a fixed list of planner addresses) or {dns: NAME} (a Route 53 name)"
        if case .scalar = node.value {
            guard let text = Read.string(node, &d) else { return nil }
            switch text {
            case "service": return .service
            case "hostports": return .hostports
            default:
                d.error(node, usage)
                return nil
            }
        }
        guard var m = MappingReader(node, allowedKeys: ["dns"], what: "planners", diagnostics: &d) else { return nil }
        defer { m.reportUnknownKeys(&d) }
        guard let nameNode = m.required("dns", &d, hint: "a record of the dns section, e.g. planner.odas.example.com"),
              let text = Read.string(nameNode, &d) else { return nil }
        let name = text.lowercased()
        let records = dns?.records.filter { $0.name == name } ?? []
        if records.isEmpty, stackRecordNames.contains(name) { return .dns(name) }
        guard !records.isEmpty else {
            d.error(nameNode, unknownMessage("dns record", text, Array(Set((dns?.records.map(\.name) ?? []) + stackRecordNames)).sorted()))
            return nil
        }
        let planners = Set(odas.clusters.map { $0.serviceTarget(.planner) })
        for record in records where record.alias == nil && !planners.contains(record.target) {
            d.error(nameNode, "record \(name) points at \(record.target), not at an ODAS planner Service (\(planners.sorted().joined(separator: ", ")))")
        }
        return .dns(name)
    }
}
