import AWSSim
import Foundation
import ODASModel
import SimCore
import Yams

/// `odas:` — the ODAS cluster: services, catalog database, node role,
/// users, roles, datasets and grants. The catalog's initial contents are
/// checked by applying them to a scratch catalog (real SQLite), so a grant
/// naming a missing dataset or a row filter that does not fit the schema is
/// reported at its line.
extension ScenarioLoader {
    static func readODAS(_ node: SourceNode, _ context: Context, database: DatabaseSpec?, buckets: [BucketSpec],
                         roles: [IAMRoleSpec], kubernetes: KubernetesSpec?, clusterFromInstaller: Bool = false,
                         _ d: inout Diagnostics) -> ODASSpec? {
        guard var o = MappingReader(node, allowedKeys: ["name", "namespace", "version", "services", "catalog", "nodeRole", "users",
                                                        "roles", "datasets", "grants", "standby"],
                                    what: "an odas section", diagnostics: &d) else { return nil }
        let hasKubernetes = kubernetes != nil
        let clusterName = o.child("name").flatMap { Read.name($0, &d, what: "an ODAS cluster name") } ?? "odas"
        let region = primaryODASRegion(kubernetes: kubernetes, context)
        if !hasKubernetes && !clusterFromInstaller {
            d.error(node, "odas runs on Kubernetes: add a kubernetes section (node pools), compute.eks node groups, or an ec2 or cloudformation installer")
        }
        let namespace = o.child("namespace").flatMap { Read.name($0, &d, what: "a namespace") } ?? "okera"
        let version = o.child("version").flatMap { Read.string($0, &d) } ?? "2.19"
        let components = o.child("services").map { readODASServices($0, context, &d) }
            ?? ODASComponent.allCases.map { ODASDeploymentSpec.Component(component: $0) }
        var catalogDatabase = database?.identifier
        var ttl = SimDuration.seconds(30)
        var serveStale = false
        if let catalogNode = o.child("catalog"), var c = MappingReader(catalogNode, allowedKeys: ["database", "policyCacheTTL", "onRefreshFailure"],
                                                                       what: "odas.catalog", diagnostics: &d) {
            if let dbNode = c.child("database"), let text = Read.string(dbNode, &d), text != database?.identifier {
                d.error(dbNode, unknownMessage("database", text, database.map { [$0.identifier] } ?? []))
                catalogDatabase = nil
            }
            ttl = c.child("policyCacheTTL").flatMap { Read.duration($0, &d, allowZero: false) } ?? ttl
            if let failureNode = c.child("onRefreshFailure"), let text = Read.string(failureNode, &d) {
                switch text {
                case "fail-closed": serveStale = false
                case "serve-stale": serveStale = true
                default: d.error(failureNode, "onRefreshFailure is fail-closed (refuse scans, as ODAS does) or serve-stale (a fail-open flaw)")
                }
            }
            c.reportUnknownKeys(&d)
        }
        if database == nil { d.error(node, "odas keeps its catalog in the scenario's database: add a database section") }
        let nodeRole = o.child("nodeRole").flatMap { readNodeRole($0, roles: roles, &d) }
        let primary = ODASClusterSpec(name: clusterName, region: region,
                                      deployment: ODASDeploymentSpec(namespace: namespace, components: components, version: version),
                                      nodeRole: nodeRole, nodes: [])
        let standby = o.child("standby").flatMap {
            readStandby($0, context, primary: primary, roles: roles, primaryNodes: kubernetes?.nodes ?? [], &d)
        }
        var changes: [(CatalogChange, SourceNode)] = []
        var users: [String] = []
        var tokens: [String: String] = [:]
        if let list = o.child("users").flatMap({ Read.list($0, &d, what: "odas users") }) {
            for item in list {
                guard var u = MappingReader(item, allowedKeys: ["name", "groups", "token"], what: "an odas user", diagnostics: &d) else { continue }
                guard let name = u.required("name", &d).flatMap({ Read.string($0, &d) }) else { continue }
                users.append(name)
                if let tokenNode = u.child("token"), let token = Read.string(tokenNode, &d) {
                    // An opaque bearer token for the REST API on serve (ODAS issues JWTs; any string stands in).
                    if token.count < 8 || token.count > 512 || !token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue.map { $0 > 32 && $0 < 127 } == true }) {
                        d.error(tokenNode, "a token is 8 to 512 printable ASCII characters without spaces")
                    } else if let other = tokens[token] {
                        d.error(tokenNode, "token already belongs to user \(other)")
                    } else {
                        tokens[token] = name
                    }
                }
                for group in u.child("groups").map({ readStrings($0, &d) }) ?? [] {
                    changes.append((.addUserToGroup(user: name, group: group), item))
                }
                u.reportUnknownKeys(&d)
            }
        }
        if let list = o.child("roles").flatMap({ Read.list($0, &d, what: "odas roles") }) {
            for item in list {
                guard var r = MappingReader(item, allowedKeys: ["name", "groups"], what: "an odas role", diagnostics: &d) else { continue }
                guard let name = r.required("name", &d).flatMap({ Read.string($0, &d) }) else { continue }
                changes.append((.createRole(name), item))
                for group in r.child("groups").map({ readStrings($0, &d) }) ?? [] {
                    changes.append((.grantRoleToGroup(role: name, group: group), item))
                }
                r.reportUnknownKeys(&d)
            }
        }
        var datasets: [DatasetDefinition] = []
        var databases: [String] = []
        if let list = o.child("datasets").flatMap({ Read.list($0, &d, what: "odas datasets") }) {
            for item in list {
                guard let (dataset, extra) = readDataset(item, buckets: buckets, &d) else { continue }
                if !databases.contains(dataset.database) {
                    databases.append(dataset.database)
                    changes.append((.createDatabase(dataset.database), item))
                }
                datasets.append(dataset)
                changes.append((.createDataset(dataset), item))
                changes += extra.map { ($0, item) }
            }
        }
        if let list = o.child("grants").flatMap({ Read.list($0, &d, what: "odas grants") }) {
            for item in list { changes += readGrant(item, &d).map { (.grant($0), item) } }
        }
        o.reportUnknownKeys(&d)
        let bootstrap = checkCatalog(changes, &d)
        guard let catalogDatabase, database != nil else { return nil }
        return ODASSpec(name: clusterName, region: region, deployment: primary.deployment,
                        catalogDatabase: catalogDatabase, nodeRole: nodeRole, policyCacheTTL: ttl, serveStalePolicies: serveStale,
                        bootstrap: bootstrap, datasets: datasets, users: users, standby: standby, tokens: tokens)
    }

    /// `services: {planner: 3, worker: {replicas: 6, zones: [us-west-2a], zoneSpread: false}}`.
    static func readODASServices(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> [ODASDeploymentSpec.Component] {
        var components = ODASComponent.allCases.map { ODASDeploymentSpec.Component(component: $0) }
        guard case .mapping(let pairs) = node.value else {
            d.error(node, "expected a mapping from service to replicas, e.g. services: {planner: 2, worker: 6}")
            return components
        }
        let names = ODASComponent.allCases.map(\.rawValue)
        for pair in pairs {
            guard let key = Read.string(pair.key, &d) else { continue }
            guard let kind = ODASComponent(rawValue: key), let index = components.firstIndex(where: { $0.component == kind }) else {
                d.error(pair.key, unknownMessage("ODAS service", key, names))
                continue
            }
            if case .scalar = pair.value.value {
                if let count = Read.integer(pair.value, &d, range: 0...1_000, what: "a replica count") { components[index].replicas = Int(count) }
                continue
            }
            guard var s = MappingReader(pair.value, allowedKeys: ["replicas", "cpu", "memory", "zones", "zoneSpread"],
                                        what: "an ODAS service", diagnostics: &d) else { continue }
            if let count = s.child("replicas").flatMap({ Read.integer($0, &d, range: 0...1_000, what: "a replica count") }) {
                components[index].replicas = Int(count)
            }
            if let cpu = s.child("cpu").flatMap({ Read.string($0, &d) }) { components[index].cpu = cpu }
            if let memory = s.child("memory").flatMap({ Read.string($0, &d) }) { components[index].memory = memory }
            if let zonesNode = s.child("zones") {
                let zones = readStrings(zonesNode, &d)
                for zone in zones where !context.topology.availabilityZones.contains(zone) {
                    d.error(zonesNode, unknownMessage("availability zone", zone, context.topology.availabilityZones))
                }
                components[index].zones = zones
            }
            if let spread = s.child("zoneSpread").flatMap({ Read.bool($0, &d) }) { components[index].zoneSpread = spread }
            s.reportUnknownKeys(&d)
        }
        return components
    }

    /// A dataset: name `db.table`, bucket, prefix, files, rowsPerFile,
    /// columns (a mapping name → type, in order), masks and rowFilters.
    static func readDataset(_ item: SourceNode, buckets: [BucketSpec], _ d: inout Diagnostics) -> (DatasetDefinition, [CatalogChange])? {
        guard var m = MappingReader(item, allowedKeys: ["name", "bucket", "prefix", "files", "rowsPerFile", "columns", "masks", "rowFilters"],
                                    what: "an odas dataset", diagnostics: &d) else { return nil }
        let name = m.required("name", &d, hint: "database.table").flatMap { Read.string($0, &d) }
        var bucket: String?
        if let bucketNode = m.required("bucket", &d), let text = Read.string(bucketNode, &d) {
            if buckets.contains(where: { $0.name == text }) { bucket = text }
            else if !d.rejectedNames.contains(text) { d.error(bucketNode, unknownMessage("bucket", text, buckets.map(\.name))) }
        }
        let prefix = m.child("prefix").flatMap { Read.string($0, &d) } ?? ""
        let files = m.child("files").flatMap { Read.integer($0, &d, range: 0...10_000, what: "a file count") } ?? 4
        let rows = m.child("rowsPerFile").flatMap { Read.integer($0, &d, range: 0...100_000, what: "a row count") } ?? 100
        var columns: [ColumnDefinition] = []
        if let columnsNode = m.required("columns", &d, hint: "a mapping from column name to type, e.g. {id: bigint, name: string}") {
            if case .mapping(let pairs) = columnsNode.value {
                for pair in pairs {
                    guard let column = Read.string(pair.key, &d), let typeName = Read.string(pair.value, &d) else { continue }
                    guard let type = ColumnType(rawValue: typeName) else {
                        d.error(pair.value, unknownMessage("column type", typeName, ColumnType.allCases.map(\.rawValue)))
                        continue
                    }
                    columns.append(ColumnDefinition(name: column, type: type))
                }
            } else {
                d.error(columnsNode, "expected a mapping from column name to type, e.g. {id: bigint, name: string}")
            }
        }
        var extra: [CatalogChange] = []
        if let list = m.child("masks").flatMap({ Read.list($0, &d, what: "masks") }), let name {
            for maskNode in list {
                guard var k = MappingReader(maskNode, allowedKeys: ["column", "kind", "role"], what: "a mask", diagnostics: &d) else { continue }
                let column = k.required("column", &d).flatMap { Read.string($0, &d) }
                var kind: MaskKind?
                if let kindNode = k.required("kind", &d), let text = Read.string(kindNode, &d) {
                    kind = MaskKind(rawValue: text)
                    if kind == nil { d.error(kindNode, unknownMessage("mask kind", text, MaskKind.allCases.map(\.rawValue))) }
                }
                let role = k.child("role").flatMap { Read.string($0, &d) }
                k.reportUnknownKeys(&d)
                if let column, let kind { extra.append(.setColumnMask(dataset: name, column: column, role: role, kind: kind)) }
            }
        }
        if let list = m.child("rowFilters").flatMap({ Read.list($0, &d, what: "rowFilters") }), let name {
            for filterNode in list {
                guard var f = MappingReader(filterNode, allowedKeys: ["role", "where"], what: "a row filter", diagnostics: &d) else { continue }
                let role = f.required("role", &d).flatMap { Read.string($0, &d) }
                let predicate = f.required("where", &d, hint: "a predicate such as region = 'us'").flatMap { Read.string($0, &d) }
                f.reportUnknownKeys(&d)
                if let role, let predicate { extra.append(.setRowFilter(dataset: name, role: role, predicate: predicate)) }
            }
        }
        m.reportUnknownKeys(&d)
        guard let name, let bucket else { return nil }
        let dataset = DatasetDefinition(name: name, bucket: bucket, prefix: prefix, columns: columns, files: Int(files), rowsPerFile: Int(rows))
        do { try dataset.validate() } catch {
            d.error(item, error.description)
            return nil
        }
        return (dataset, extra)
    }

    /// A grant: `{role, on: server | <database> | <db.table>, columns: [...], privilege: SELECT | ALL}`.
    static func readGrant(_ item: SourceNode, _ d: inout Diagnostics) -> [Grant] {
        guard var g = MappingReader(item, allowedKeys: ["role", "on", "columns", "privilege"], what: "a grant", diagnostics: &d) else { return [] }
        let role = g.required("role", &d).flatMap { Read.string($0, &d) }
        let on = g.required("on", &d, hint: "server, a database, or a dataset db.table").flatMap { Read.string($0, &d) }
        let columns = g.child("columns").map { readStrings($0, &d) }
        var privilege = Privilege.select
        if let node = g.child("privilege"), let text = Read.string(node, &d) {
            if let value = Privilege(rawValue: text.uppercased()) { privilege = value } else {
                d.error(node, unknownMessage("privilege", text, Privilege.allCases.map(\.rawValue)))
            }
        }
        g.reportUnknownKeys(&d)
        guard let role, let on else { return [] }
        if on == "server" { return [Grant(role: role, privilege: privilege, scope: .server)] }
        if !on.contains(".") { return [Grant(role: role, privilege: privilege, scope: .database(on))] }
        if let columns, !columns.isEmpty {
            // The scenario's column list is a shorthand for one grant per column.
            return columns.map { Grant(role: role, privilege: privilege, scope: .column(dataset: on, column: $0)) }
        }
        return [Grant(role: role, privilege: privilege, scope: .dataset(on))]
    }

    /// A list of strings (or one string).
    static func readStrings(_ node: SourceNode, _ d: inout Diagnostics) -> [String] {
        if case .scalar = node.value { return Read.string(node, &d).map { [$0] } ?? [] }
        return (Read.list(node, &d, what: "names") ?? []).compactMap { Read.string($0, &d) }
    }

    /// Applies the changes to a scratch catalog (the real schema on a real
    /// SQLite database), reporting each one the catalog would refuse at its node.
    static func checkCatalog(_ changes: [(CatalogChange, SourceNode)], _ d: inout Diagnostics) -> [CatalogChange] {
        guard let scratch = try? SQLiteDatabase(), (try? scratch.transaction(CatalogSchema.statements)) != nil else { return changes.map(\.0) }
        var accepted: [CatalogChange] = []
        var snapshot = CatalogSnapshot.empty
        for (change, node) in changes {
            do {
                // The catalog accepts grants on objects that do not exist yet
                // (as Sentry does); a scenario naming one is a typo.
                if case .grant(let grant) = change {
                    switch grant.scope {
                    case .dataset(let name) where snapshot.dataset(named: name) == nil,
                         .column(let name, _) where snapshot.dataset(named: name) == nil:
                        d.error(node, unknownMessage("dataset", name, snapshot.datasets.map(\.name)))
                        continue
                    case .column(let name, let column) where snapshot.dataset(named: name)?.position(of: column) == nil:
                        d.error(node, unknownMessage("column of \(name)", column, snapshot.columns(of: name)?.map(\.name) ?? []))
                        continue
                    case .database(let name) where !snapshot.databases.contains(name):
                        d.error(node, unknownMessage("database", name, snapshot.databases))
                        continue
                    default: break
                    }
                }
                try snapshot.check(change)
                _ = try scratch.transaction(try change.statements())
                snapshot = try CatalogSnapshot(combinedRows: try scratch.query(CatalogSnapshot.combinedLoadQuery))
                accepted.append(change)
            } catch let error as CatalogError {
                d.error(node, "\(change.summary): \(error.description)")
            } catch {
                d.error(node, "\(change.summary): \(error)")
            }
        }
        return accepted
    }
}
