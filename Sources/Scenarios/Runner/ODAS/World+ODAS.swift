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
        // With an installer, the catalog and the primary's services come when it deploys ODAS (``deployODAS()``).
        if !installs { bootstrapCatalog(spec, at: now) }
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
        for index in odasClusters.indices where kubeCluster(index) != nil && !(index == 0 && installs) {
            applyODASManifests(cluster: index, at: now)
        }
    }

    /// The catalog schema and its initial contents, one transaction per change through RDS (so they replicate).
    mutating func bootstrapCatalog(_ spec: ODASSpec, at now: SimInstant) {
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
    }

    /// Applies an ODAS cluster's manifests (the services' Deployments and Services) to its Kubernetes cluster.
    mutating func applyODASManifests(cluster index: Int, at now: SimInstant) {
        guard let cluster = odasCluster(index) else { return }
        for manifest in ODASManifests.render(cluster.deployment) {
            let applied: String? = updateKube(index) { kube in
                do {
                    let object = try AnyKubeObject.decode(json: Data(manifest.utf8))
                    _ = try kube.apply(object)
                    return nil
                } catch {
                    return "\(error)"
                }
            } ?? nil
            if let applied { trace.record("kube", "apply-failed", at: now, ["file": .string(cluster.name), "error": .string(applied)]) }
        }
        drainKube(index)
        scheduleKube(index)
    }

    /// Spawns the processes of the planner, worker and catalog services of
    /// each ODAS cluster: one process per service answers for all of its
    /// pods, on their nodes.
    mutating func spawnODASServices() {
        guard let spec = scenario.odas else { return }
        let root = SimRandom(seed: seed).stream("odas")
        let home = listenerDomain
        for (index, cluster) in odasClusters.enumerated() {
            // The primary's names and streams are those of a single-cluster run.
            let random = index == 0 ? root : root.stream(cluster.name)
            let prefix = index == 0 ? "" : cluster.name + "/"
            odasServices[index] = [
                .planner: spawn(PlannerProcess(spec: spec, cluster: index, random: random.stream("planner")), name: prefix + "odas-planner", domain: home),
                .worker: spawn(WorkerProcess(spec: spec, cluster: index, random: random.stream("worker")), name: prefix + "odas-worker", domain: home),
                .catalog: spawn(CatalogProcess(spec: spec, cluster: index, random: random.stream("catalog")), name: prefix + "odas-catalog", domain: home),
            ]
        }
    }

    /// The ODAS cluster at `index` (0: the primary).
    func odasCluster(_ index: Int) -> ODASClusterSpec? {
        odasClusters.indices.contains(index) ? odasClusters[index] : nil
    }

    /// The ODAS cluster whose Service a DNS answer names (`CLUSTER/odas-planner`).
    func odasCluster(serviceTarget target: String, _ component: ODASComponent) -> Int? {
        odasClusters.firstIndex { $0.serviceTarget(component) == target }
    }

    /// How the timeline names a cluster's object: plain with one cluster,
    /// `CLUSTER/...` when there are several.
    func odasLabel(_ cluster: Int, _ name: String) -> String {
        guard scenario.odas?.standby != nil, let spec = odasCluster(cluster) else { return name }
        return spec.name + "/" + name
    }

    /// The ready endpoints (pod, node) of an ODAS service, in name order.
    func odasEndpoints(_ component: ODASComponent, cluster: Int = 0) -> [(pod: String, node: String)] {
        guard let spec = odasCluster(cluster), let kube = kubeCluster(cluster) else { return [] }
        var out: [(pod: String, node: String)] = []
        for slice in kube.endpointSlices(service: component.objectName, namespace: spec.deployment.namespace) {
            for endpoint in slice.endpoints ?? [] where endpoint.conditions?.ready == true {
                guard let node = endpoint.nodeName, let pod = endpoint.targetRef?.name else { continue }
                out.append((pod, node))
            }
        }
        return out.sorted { $0.pod < $1.pod }
    }

    /// Where a pod of an ODAS service answers: the service's process at the pod's node.
    func odasEndpoint(_ component: ODASComponent, cluster: Int = 0, node: String) -> Endpoint? {
        odasServices[cluster]?[component].map { Endpoint(process: $0, domain: .host(node)) }
    }

    /// The node an ODAS pod is bound to ("" when it is not).
    func odasPodNode(_ pod: String, cluster: Int) -> String {
        guard let spec = odasCluster(cluster) else { return "" }
        return kubeCluster(cluster)?.store.pods[spec.deployment.namespace + "/" + pod]?.spec.nodeName ?? ""
    }

    /// Why the pod cannot serve now, or nil when it runs: it must exist on
    /// that node, be Running and not terminating, on a Ready node (its host's
    /// reachability is the network's business).
    func podRefusal(_ pod: String, node: String, cluster: Int = 0) -> String? {
        guard let spec = odasCluster(cluster), let kube = kubeCluster(cluster) else { return "no Kubernetes cluster" }
        guard let object = kube.store.pods[spec.deployment.namespace + "/" + pod], object.spec.nodeName == node else {
            return "pod \(pod) is not on \(node)"
        }
        if object.metadata.deletionTimestamp != nil { return "pod \(pod) is terminating" }
        if object.phase != .running { return "pod \(pod) is \(object.phase.rawValue)" }
        if kube.store.nodes[node]?.isReady != true { return "node \(node) is not Ready" }
        return nil
    }

    /// Puts changes of a cluster's planner, worker and catalog Services' ready
    /// endpoints on the timeline: once when every replica is first ready, then
    /// each endpoint dropped (with its node) and each replacement that became
    /// ready. Route 53 health checks that probe one of its Services learn
    /// whether it has a ready endpoint behind its load balancer.
    mutating func noteODASEndpoints(cluster: Int) {
        guard let spec = odasCluster(cluster) else { return }
        let watched: [ODASComponent] = [.planner, .worker, .catalog]
        var current: [ODASComponent: [(pod: String, node: String)]] = [:]
        for component in watched { current[component] = odasEndpoints(component, cluster: cluster) }
        for check in scenario.dns?.healthChecks ?? [] {
            guard let target = check.odasService, let component = watched.first(where: { spec.serviceTarget($0) == target }) else { continue }
            route53.setEndpointAnswers(check.name, !(current[component] ?? []).isEmpty)
        }
        var fields: [(key: String, value: TraceValue)] = []
        if cluster > 0 { fields.append(("cluster", .string(spec.name))) }
        if !odasReadyAnnounced.contains(cluster) {
            let complete = watched.allSatisfy { (current[$0]?.count ?? 0) >= (spec.deployment.component($0)?.replicas ?? 0) }
            guard complete else { return }
            odasReadyAnnounced.insert(cluster)
            defer { if cluster == 0 { observeInstall(.odasReady) } }
            for component in watched { odasReady[cluster, default: [:]][component] = (current[component] ?? []).map(\.pod) }
            let counts = watched.map { "\(current[$0]?.count ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            let subject = scenario.odas?.standby == nil ? "ODAS services" : "ODAS cluster \(spec.name) (\(spec.region))"
            timeline.append(TimelineEntry(at: loop.now, kind: "odas-ready", text: "\(subject) ready: \(counts) endpoints"))
            trace.record("odas", "ready", at: loop.now, attributes: [("endpoints", .string(counts))] + fields)
            return
        }
        for component in watched {
            let now = current[component] ?? []
            let before = odasReady[cluster]?[component] ?? []
            guard now.map(\.pod) != before else { continue }
            let wanted = spec.deployment.component(component)?.replicas ?? 0
            let service = odasLabel(cluster, component.objectName)
            for pod in before where !now.contains(where: { $0.pod == pod }) {
                timeline.append(TimelineEntry(at: loop.now, kind: "odas-endpoint-removed",
                                              text: "\(service): endpoint \(pod) removed (\(now.count) of \(wanted) ready)"))
            }
            for entry in now where !before.contains(entry.pod) {
                timeline.append(TimelineEntry(at: loop.now, kind: "odas-endpoint-added",
                                              text: "\(service): \(entry.pod) Running and ready on \(entry.node) (\(now.count) of \(wanted) ready)"))
            }
            trace.record("odas", "endpoints", at: loop.now,
                         attributes: [("service", .string(component.objectName)), ("ready", .int(Int64(now.count)))] + fields)
            odasReady[cluster, default: [:]][component] = now.map(\.pod)
        }
    }

    /// The IMDS credentials of an ODAS node (its cluster's instance profile's role).
    mutating func nodeCredentials(node: String, cluster: Int = 0) -> Credentials? {
        guard let role = odasCluster(cluster)?.nodeRole ?? (scenario.iamRoles.isEmpty ? World.defaultRole : nil) else { return nil }
        let profile = scenario.iamRoles.first { $0.name == role }?.instanceProfile ?? role
        guard let session = sts.instanceCredentials(iam: iam, instanceId: node, instanceProfile: profile, now: loop.now) else { return nil }
        return Credentials(accessKeyId: session.accessKeyId, sessionToken: session.sessionToken, source: .host(node))
    }

    /// The copy of a dataset's bucket a cluster's workers read: the bucket
    /// itself, or its replica when the bucket is in another region and
    /// replicates to the cluster's (a DR cluster reads its region's copy).
    func datasetBucket(_ bucket: String, cluster: Int) -> String {
        guard let region = odasCluster(cluster)?.region, let spec = scenario.buckets.first(where: { $0.name == bucket }),
              spec.region != region, spec.replicateTo == region, let replica = spec.replicaBucket else { return bucket }
        return replica
    }
}
