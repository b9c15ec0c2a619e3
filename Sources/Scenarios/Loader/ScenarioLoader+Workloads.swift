import Foundation
import SimCore
import Yams
import AWSSim
import ODASModel

/// `workload:` — the clients and what each kind talks to.
extension ScenarioLoader {
    /// The IAM users and roles a workload's `principal` may name.
    struct IdentityNames {
        var users: [String]
        var roles: [String]
    }

    static func readWorkloads(_ node: SourceNode, _ context: Context, _ buckets: [BucketSpec], _ database: DatabaseSpec?,
                              _ dns: DNSSpec?, _ network: NetworkSpec, _ identities: IdentityNames,
                              kubeServices: [String], odas: ODASSpec? = nil, _ d: inout Diagnostics) -> [WorkloadSpec] {
        guard let list = Read.list(node, &d, what: "workloads") else { return [] }
        var workloads: [WorkloadSpec] = []
        var names: Set<String> = []
        let kinds = WorkloadKind.allCases.map(\.rawValue)
        for item in list {
            guard var w = MappingReader(item, allowedKeys: ["name", "kind", "from", "rate", "bucket", "database", "record", "endpoint", "failover",
                                                            "failoverAfter", "timeout", "start", "stop", "principal", "external", "service",
                                                            "as", "dataset", "planners", "cluster", "changes", "retry"],
                                        what: "a workload", diagnostics: &d) else { continue }
            let name = w.required("name", &d).flatMap { Read.label($0, &d, what: "a workload name") }
            var kind: WorkloadKind?
            if let kindNode = w.required("kind", &d, hint: "one of \(kinds.joined(separator: ", "))"),
               let text = Read.string(kindNode, &d) {
                kind = WorkloadKind(rawValue: text)
                if kind == nil { d.error(kindNode, unknownMessage("workload kind", text, kinds)) }
            }
            var from: FaultDomain? = context.topology.regions.first.map { .region($0.name) }
            if let fromNode = w.child("from"), let text = Read.string(fromNode, &d) {
                from = context.domain(named: text)
                if from == nil { d.error(fromNode, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames)) }
            }
            let rate = w.required("rate", &d, hint: "operations per second or minute, e.g. 5/s")
                .flatMap { Read.rate($0, &d, maximumPerSecond: maximumRatePerSecond) }
            var bucket: BucketSpec?
            var target: String?
            var odasOptions: ODASWorkloadOptions?
            if kind == .http {
                if let serviceNode = w.required("service", &d, hint: "the Kubernetes Service it calls, name or namespace/name"),
                   let text = Read.string(serviceNode, &d) {
                    let qualified = text.contains("/") ? text : "default/\(text)"
                    if kubeServices.contains(qualified) { target = qualified }
                    else if kubeServices.isEmpty { d.error(serviceNode, "http calls a Service, but the kubernetes section's manifests define none") }
                    else { d.error(serviceNode, unknownMessage("Service", qualified, kubeServices)) }
                }
            } else if kind == .scan || kind == .catalogWrite {
                if let read = readODASWorkload(&w, item, kind: kind ?? .scan, name: name ?? "", odas: odas, dns: dns, context, &d) {
                    target = read.target
                    odasOptions = read.options
                }
            } else if kind == .eksAPI {
                if let cluster = network.eks { target = cluster.name } else { d.error(item, "eks-api needs compute.eks") }
            } else if kind == .dnsResolve {
                if let recordNode = w.required("record", &d, hint: "the DNS name to resolve"), let text = Read.string(recordNode, &d) {
                    let names = dns?.records.map(\.name) ?? []
                    if names.contains(text.lowercased()) { target = text.lowercased() } else {
                        d.error(recordNode, unknownMessage("record", text, Array(Set(names)).sorted()))
                    }
                }
            } else if kind?.usesDatabase == true {
                if let dbNode = w.child("database"), let text = Read.string(dbNode, &d), text.lowercased() != database?.identifier {
                    d.error(dbNode, unknownMessage("database", text, database.map { [$0.identifier] } ?? []))
                } else if let database {
                    target = database.identifier
                } else {
                    d.error(item, "\(kind?.rawValue ?? "") needs the scenario's database section")
                }
            } else if let bucketNode = w.required("bucket", &d, hint: "the bucket the workload reads or writes"),
                      let text = Read.string(bucketNode, &d) {
                bucket = buckets.first { $0.name == text }
                if bucket == nil, !d.rejectedNames.contains(text) { d.error(bucketNode, unknownMessage("bucket", text, buckets.map(\.name))) }
                if let bucket, kind == .s3Get, bucket.objects == 0 {
                    d.error(bucketNode, "s3-get reads preloaded objects, but bucket \(text) has objects: 0; give it objects: N")
                }
                target = bucket?.name
            }
            var failover = false
            if let node = w.child("failover"), let value = Read.bool(node, &d) {
                failover = value
                if value, kind?.usesDatabase == true {
                    d.error(node, "failover applies to S3 workloads; the database fails over by itself (Multi-AZ)")
                } else if value, let bucket, bucket.replicaBucket == nil {
                    d.error(node, "failover needs a replica, but bucket \(bucket.name) has no replicateTo")
                }
            }
            var readerEndpoint = false
            if let endpointNode = w.child("endpoint"), let text = Read.string(endpointNode, &d) {
                if kind != .dbRead || database?.isAurora != true {
                    d.error(endpointNode, "endpoint applies to db-read on an aurora-mysql database")
                } else if text == "reader" { readerEndpoint = true } else if text != "cluster" {
                    d.error(endpointNode, "endpoint is cluster (the writer) or reader")
                }
            }
            let failoverAfter = w.child("failoverAfter").flatMap { Read.integer($0, &d, range: 1...1000, what: "a count of consecutive failures") } ?? 3
            let timeout = w.child("timeout").flatMap { Read.duration($0, &d, allowZero: false) } ?? .seconds(5)
            let start = w.child("start").flatMap { Read.duration($0, &d) } ?? .zero
            let stop = w.child("stop").flatMap { Read.duration($0, &d) }
            if let stopNode = w.child("stop"), let stop, let duration = context.duration {
                if stop <= start { d.error(stopNode, "stop (\(stop)) must come after start (\(start))") }
                else if stop > duration { d.error(stopNode, "stop (\(stop)) is after the end of the run (\(duration))") }
            }
            if let startNode = w.child("start"), let duration = context.duration, start >= duration {
                d.error(startNode, "start (\(start)) is not inside the run (duration \(duration))")
            }
            var principal: WorkloadPrincipal?
            if let principalNode = w.child("principal"), let text = Read.string(principalNode, &d) {
                let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
                if parts.count == 2, parts[0] == "role", identities.roles.contains(parts[1]) { principal = .role(parts[1]) }
                else if parts.count == 2, parts[0] == "user", identities.users.contains(parts[1]) { principal = .user(parts[1]) }
                else {
                    d.error(principalNode, unknownMessage("principal", text, identities.roles.map { "role/\($0)" } + identities.users.map { "user/\($0)" }))
                }
                if kind.map({ $0 != .s3Get && $0 != .s3Put }) == true {
                    d.error(principalNode, "principal applies to S3 workloads (s3-get, s3-put)")
                }
            }
            let external = w.child("external").flatMap { Read.bool($0, &d) } ?? false
            let retry = w.child("retry").flatMap { readRetry($0, kind: kind, &d) }
            w.reportUnknownKeys(&d)
            guard let name, let kind, let from, let rate, let target else { continue }
            guard names.insert(name).inserted else {
                d.error(item, "workload name \"\(name)\" is used twice")
                continue
            }
            workloads.append(WorkloadSpec(name: name, kind: kind, from: from, ratePerSecond: rate, target: target,
                                          failover: failover, failoverAfter: Int(failoverAfter), timeout: timeout,
                                          readerEndpoint: readerEndpoint, start: start, stop: stop, principal: principal,
                                          external: external, odas: odasOptions, retry: retry))
        }
        return workloads
    }
}
