import AWSSim
import Foundation
import KubeSim
import ODASModel
import SimCore

/// ODAS in the world: the catalog in the database, the datasets' files in
/// S3, the services' Kubernetes objects, their processes, and the record of
/// every catalog version committed (the oracle the ODAS checkers judge by).
extension World {
    /// Creates the catalog schema and its initial contents (one transaction per
    /// change, through RDS, so they replicate), writes every dataset's files
    /// to its bucket (and replica), and applies the services' manifests.
    mutating func buildODAS(at now: SimInstant) {
        guard let spec = scenario.odas else { return }
        var changes = spec.bootstrap
        for workload in scenario.workloads {
            if let database = workload.odas?.writeDatabase { changes.append(.createDatabase(database)) }
        }
        do {
            _ = try rds.execute(spec.catalogDatabase, statements: CatalogSchema.statements, faults: faults, now: now)
            for change in changes { _ = try rds.execute(spec.catalogDatabase, statements: try change.statements(), faults: faults, now: now) }
            drainRDS()
            trace.record("odas", "catalog-bootstrap", at: now, ["database": .string(spec.catalogDatabase), "changes": .int(Int64(changes.count))])
        } catch {
            trace.record("odas", "catalog-bootstrap-failed", at: now, ["error": .string("\(error)")])
        }
        recordCatalogVersion()
        for dataset in spec.datasets {
            let replica = scenario.buckets.first { $0.name == dataset.bucket }?.replicaBucket
            for file in 0..<dataset.files {
                let key = DatasetFile.key(dataset: dataset, file: file)
                let body = DatasetFile.generate(dataset: dataset, file: file)
                for bucket in [dataset.bucket] + (replica.map { [$0] } ?? []) {
                    do { try s3.putObject(bucket: bucket, key: key, body: body, now: now) } catch {
                        trace.record("s3", "preload-failed", at: now, ["bucket": .string(bucket), "error": .string(error.code)])
                    }
                }
            }
            trace.record("odas", "dataset-files", at: now, ["dataset": .string(dataset.name), "files": .int(Int64(dataset.files))])
        }
        guard kube != nil else { return }
        for manifest in ODASManifests.render(spec.deployment) {
            do {
                let object = try AnyKubeObject.decode(json: Data(manifest.utf8))
                _ = try kube?.apply(object)
            } catch {
                trace.record("kube", "apply-failed", at: now, ["file": .string("odas"), "error": .string("\(error)")])
            }
        }
        drainKube()
        scheduleKube()
    }

    /// Spawns the processes of the planner, worker and catalog services: one
    /// process per service answers for all of its pods, on their nodes.
    mutating func spawnODASServices() {
        guard let spec = scenario.odas else { return }
        let root = SimRandom(seed: seed).stream("odas")
        let home = listenerDomain
        odasServices[.planner] = spawn(PlannerProcess(spec: spec, random: root.stream("planner")), name: "odas-planner", domain: home)
        odasServices[.worker] = spawn(WorkerProcess(spec: spec, random: root.stream("worker")), name: "odas-worker", domain: home)
        odasServices[.catalog] = spawn(CatalogProcess(spec: spec, random: root.stream("catalog")), name: "odas-catalog", domain: home)
    }

    /// The ready endpoints (pod, node) of an ODAS service, in name order.
    func odasEndpoints(_ component: ODASComponent) -> [(pod: String, node: String)] {
        guard let spec = scenario.odas, let cluster = kube else { return [] }
        var out: [(pod: String, node: String)] = []
        for slice in cluster.endpointSlices(service: component.objectName, namespace: spec.deployment.namespace) {
            for endpoint in slice.endpoints ?? [] where endpoint.conditions?.ready == true {
                guard let node = endpoint.nodeName, let pod = endpoint.targetRef?.name else { continue }
                out.append((pod, node))
            }
        }
        return out.sorted { $0.pod < $1.pod }
    }

    /// Where a pod of an ODAS service answers: the service's process at the pod's node.
    func odasEndpoint(_ component: ODASComponent, node: String) -> Endpoint? {
        odasServices[component].map { Endpoint(process: $0, domain: .host(node)) }
    }

    /// Why the pod cannot serve now, or nil when it runs: it must exist on
    /// that node, be Running and not terminating, on a Ready node (its host's
    /// reachability is the network's business).
    func podRefusal(_ pod: String, node: String) -> String? {
        guard let spec = scenario.odas, let cluster = kube else { return "no Kubernetes cluster" }
        guard let object = cluster.store.pods[spec.deployment.namespace + "/" + pod], object.spec.nodeName == node else {
            return "pod \(pod) is not on \(node)"
        }
        if object.metadata.deletionTimestamp != nil { return "pod \(pod) is terminating" }
        if object.phase != .running { return "pod \(pod) is \(object.phase.rawValue)" }
        if cluster.store.nodes[node]?.isReady != true { return "node \(node) is not Ready" }
        return nil
    }

    /// Puts changes of the planner, worker and catalog Services' ready
    /// endpoints on the timeline: once when every replica is first ready, then
    /// each endpoint dropped (with its node) and each replacement that became ready.
    mutating func noteODASEndpoints() {
        guard let spec = scenario.odas else { return }
        let watched: [ODASComponent] = [.planner, .worker, .catalog]
        var current: [ODASComponent: [(pod: String, node: String)]] = [:]
        for component in watched { current[component] = odasEndpoints(component) }
        if !odasReadyAnnounced {
            let complete = watched.allSatisfy { (current[$0]?.count ?? 0) >= (spec.deployment.component($0)?.replicas ?? 0) }
            guard complete else { return }
            odasReadyAnnounced = true
            for component in watched { odasReady[component] = (current[component] ?? []).map(\.pod) }
            let counts = watched.map { "\(current[$0]?.count ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            timeline.append(TimelineEntry(at: loop.now, kind: "odas-ready", text: "ODAS services ready: \(counts) endpoints"))
            trace.record("odas", "ready", at: loop.now, ["endpoints": .string(counts)])
            return
        }
        for component in watched {
            let now = current[component] ?? []
            let before = odasReady[component] ?? []
            guard now.map(\.pod) != before else { continue }
            let wanted = spec.deployment.component(component)?.replicas ?? 0
            for pod in before where !now.contains(where: { $0.pod == pod }) {
                timeline.append(TimelineEntry(at: loop.now, kind: "odas-endpoint-removed",
                                              text: "\(component.objectName): endpoint \(pod) removed (\(now.count) of \(wanted) ready)"))
            }
            for entry in now where !before.contains(entry.pod) {
                timeline.append(TimelineEntry(at: loop.now, kind: "odas-endpoint-added",
                                              text: "\(component.objectName): \(entry.pod) Running and ready on \(entry.node) (\(now.count) of \(wanted) ready)"))
            }
            trace.record("odas", "endpoints", at: loop.now, ["service": .string(component.objectName), "ready": .int(Int64(now.count))])
            odasReady[component] = now.map(\.pod)
        }
    }

    /// The IMDS credentials of an ODAS node (its instance profile's role).
    mutating func nodeCredentials(node: String) -> Credentials? {
        guard let role = scenario.odas?.nodeRole ?? (scenario.iamRoles.isEmpty ? World.defaultRole : nil) else { return nil }
        let profile = scenario.iamRoles.first { $0.name == role }?.instanceProfile ?? role
        guard let session = sts.instanceCredentials(iam: iam, instanceId: node, instanceProfile: profile, now: loop.now) else { return nil }
        return Credentials(accessKeyId: session.accessKeyId, sessionToken: session.sessionToken, source: .host(node))
    }

    /// The rows of the tables that decide a scan (roles, groups, grants,
    /// masks, filters, and the scanned datasets' definitions), as one string.
    func accessFingerprint(_ database: String) -> String? {
        var text = ""
        for query in CatalogSnapshot.loadQueries[4...] {
            guard let rows = try? rds.inspect(database, query: query) else { return nil }
            for row in rows { text += row.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}") + "\u{2}" }
            text += "\u{3}"
        }
        for dataset in scannedDatasets.sorted() {
            let name = CatalogNames.sqlLiteral(dataset)
            let query = "SELECT d.bucket, d.prefix, d.file_count, d.rows_per_file, c.position, c.name, c.type FROM odas_datasets d "
                + "JOIN odas_columns c ON c.dataset = d.name WHERE d.name = \(name) ORDER BY c.position"
            guard let rows = try? rds.inspect(database, query: query) else { return nil }
            for row in rows { text += row.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}") + "\u{2}" }
        }
        return text
    }

    /// The datasets some scan reads.
    var scannedDatasets: Set<String> { Set(scenario.workloads.compactMap { $0.kind == .scan ? $0.odas?.dataset : nil }) }

    /// Whether two catalog versions may decide a scan differently: users,
    /// roles, grants, masks, filters, or the scanned datasets' definitions
    /// changed (new datasets nobody scans do not count).
    static func accessDiffers(_ a: CatalogSnapshot, _ b: CatalogSnapshot, scanned: Set<String>) -> Bool {
        if a.grants != b.grants || a.masks != b.masks || a.roleGroups != b.roleGroups || a.userGroups != b.userGroups
            || a.roles != b.roles || a.rowFilters.map(\.predicate) != b.rowFilters.map(\.predicate)
            || a.rowFilters.map(\.role) != b.rowFilters.map(\.role) { return true }
        return scanned.sorted().contains { a.dataset(named: $0) != b.dataset(named: $0) }
    }

    /// Reads the catalog from the primary (no network: the oracle's view) and
    /// appends it to the timeline when its version changed.
    mutating func recordCatalogVersion() {
        guard let spec = scenario.odas, let instance = rds.instances[spec.catalogDatabase] else { return }
        // Most commits (new datasets nobody scans) cannot change a decision:
        // compare a cheap fingerprint of the access tables first.
        let fingerprint = accessFingerprint(spec.catalogDatabase)
        if fingerprint != nil, fingerprint == catalogAccessFingerprint { return }
        catalogAccessFingerprint = fingerprint
        guard let rows = try? rds.inspect(instance.identifier, query: CatalogSnapshot.combinedLoadQuery),
              let snapshot = try? CatalogSnapshot(combinedRows: rows) else { return }
        if let last = catalogTimeline.last?.snapshot, last.version == snapshot.version || !Self.accessDiffers(last, snapshot, scanned: scannedDatasets) {
            return
        }
        catalogTimeline.append((loop.now, snapshot))
    }
}
