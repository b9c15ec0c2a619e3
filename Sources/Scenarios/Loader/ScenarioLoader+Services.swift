import Foundation
import SimCore
import Yams
import AWSSim
import ODASModel

/// `buckets:`, `database:` and `dns:` — the AWS resources ODAS uses.
extension ScenarioLoader {
    static func readBuckets(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> [BucketSpec] {
        guard let list = Read.list(node, &d, what: "buckets") else { return [] }
        var buckets: [BucketSpec] = []
        var names: Set<String> = []
        let regionNames = context.topology.regions.map(\.name)
        for item in list {
            guard var b = MappingReader(item, allowedKeys: ["name", "region", "objects", "objectSize", "replicateTo",
                                                            "replicaBucket", "replicationTimeControl", "policy", "replicaPolicy",
                                                            "versioning", "encryption", "kmsKey"],
                                        what: "a bucket", diagnostics: &d) else { continue }
            let nameNode = b.required("name", &d)
            var name = nameNode.flatMap { Read.string($0, &d, what: "a bucket name") }
            if let n = name, let nameNode, !S3Bucket.isValidName(n) {
                d.error(nameNode, "\"\(n.prefix(70))\" is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit")
                d.rejectedNames.insert(n)
                name = nil
            }
            var region: String?
            if let regionNode = b.required("region", &d), let r = Read.string(regionNode, &d) {
                if regionNames.contains(r) { region = r } else { d.error(regionNode, unknownMessage("region", r, regionNames)) }
            }
            let objects = b.child("objects").flatMap { Read.integer($0, &d, range: 0...100_000, what: "an object count") } ?? 0
            let size = b.child("objectSize").flatMap { Read.integer($0, &d, range: 0...1_048_576, what: "an object size in bytes") } ?? 1024
            var replicateTo: String?
            if let node = b.child("replicateTo"), let r = Read.string(node, &d) {
                if !regionNames.contains(r) {
                    d.error(node, unknownMessage("region", r, regionNames))
                } else if r == region {
                    d.error(node, "replicateTo must name another region than the bucket's own (\(r))")
                } else {
                    replicateTo = r
                }
            }
            var replicaBucket: String?
            if let node = b.child("replicaBucket"), let r = Read.string(node, &d, what: "a bucket name") {
                if replicateTo == nil, b.child("replicateTo") == nil {
                    d.error(node, "replicaBucket needs replicateTo (the replica's region)")
                } else if !S3Bucket.isValidName(r) {
                    d.error(node, "\"\(r.prefix(70))\" is not a valid S3 bucket name")
                } else {
                    replicaBucket = r
                }
            }
            if replicateTo != nil, replicaBucket == nil, let name, let replicateTo {
                replicaBucket = "\(name)-\(replicateTo)"
            }
            let rtc = b.child("replicationTimeControl").flatMap { Read.bool($0, &d) } ?? false
            let policy = b.child("policy").flatMap { readPolicy($0, &d) }
            var replicaPolicy: String?
            if let node = b.child("replicaPolicy") {
                if replicateTo == nil { d.error(node, "replicaPolicy needs replicateTo (a replica)") }
                replicaPolicy = readPolicy(node, &d)
            }
            let versioning = b.child("versioning").flatMap { Read.bool($0, &d) } ?? false
            var algorithm: String?
            if let node = b.child("encryption"), let text = Read.string(node, &d) {
                if ["AES256", "aws:kms"].contains(text) { algorithm = text } else {
                    d.error(node, "encryption is AES256 (SSE-S3, S3's default) or aws:kms (SSE-KMS, with kmsKey)")
                }
            }
            var kmsKey: String?
            if let node = b.child("kmsKey"), let text = Read.string(node, &d, what: "a KMS alias") {
                if algorithm != "aws:kms" { d.error(node, "kmsKey needs encryption: aws:kms") }
                else if text.hasPrefix("alias/"), text.count > 6, !text.hasPrefix("alias/aws/"),
                        text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_-".contains($0)) }) { kmsKey = text }
                else { d.error(node, "\"\(text.prefix(60))\" is not a KMS alias: alias/ then letters, digits, /, _ and - (alias/aws/ is reserved for AWS managed keys)") }
            } else if algorithm == "aws:kms", let node = b.child("encryption") {
                d.error(node, "encryption aws:kms needs kmsKey (an alias such as alias/okera-data, created in the bucket's region)")
            }
            b.reportUnknownKeys(&d)
            guard let name, let region else { continue }
            for bucketName in [name] + (replicaBucket.map { [$0] } ?? []) where !names.insert(bucketName).inserted {
                d.error(item, "bucket name \"\(bucketName)\" is used twice (bucket names are global)")
            }
            buckets.append(BucketSpec(name: name, region: region, objects: Int(objects), objectSize: Int(size),
                                      replicateTo: replicateTo, replicaBucket: replicaBucket,
                                      replicationTimeControl: rtc, policy: policy, replicaPolicy: replicaPolicy,
                                      versioning: versioning, encryptionAlgorithm: algorithm, kmsKey: kmsKey))
        }
        return buckets
    }

    /// `database:` — one RDS instance: identifier, engine (mysql), region,
    /// primaryAZ, and multiAZ (with an optional standbyAZ, default the region's
    /// next AZ).
    static func readDatabase(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> DatabaseSpec? {
        guard var r = MappingReader(node, allowedKeys: ["identifier", "engine", "region", "primaryAZ", "multiAZ", "standbyAZ",
                                                        "readerAZs", "globalSecondary", "securityGroups"],
                                    what: "a database", diagnostics: &d) else { return nil }
        defer { r.reportUnknownKeys(&d) }
        var identifier: String?
        if let idNode = r.required("identifier", &d), let text = Read.string(idNode, &d, what: "a DB instance identifier") {
            // 1–63 letters, digits or hyphens; first a letter; no trailing or double hyphen (CreateDBInstance).
            let valid = (1...63).contains(text.count) && text.first?.isLetter == true && !text.hasSuffix("-")
                && !text.contains("--") && text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "-") && $0.isASCII }
            if valid { identifier = text.lowercased() } else {
                d.error(idNode, "\"\(text.prefix(60))\" is not a DB instance identifier: 1 to 63 letters, digits or hyphens, starting with a letter")
            }
        }
        var engine = "mysql"
        if let engineNode = r.child("engine"), let text = Read.string(engineNode, &d) {
            if text == "mysql" || text == "aurora-mysql" { engine = text } else {
                d.error(engineNode, "engine \"\(text.prefix(40))\" is not simulated; use mysql or aurora-mysql")
            }
        }
        let regions = context.topology.regions
        var region: Topology.Region? = nil
        if let regionNode = r.required("region", &d), let text = Read.string(regionNode, &d) {
            if let found = regions.first(where: { $0.name == text }) { region = found } else {
                d.error(regionNode, unknownMessage("region", text, regions.map(\.name)))
            }
        }
        var primaryAZ: String?
        if let azNode = r.required("primaryAZ", &d, hint: "the AZ of the primary"), let text = Read.string(azNode, &d), let region {
            if region.availabilityZones.contains(text) { primaryAZ = text } else {
                d.error(azNode, unknownMessage("availability zone of \(region.name)", text, region.availabilityZones))
            }
        }
        let multiAZ = r.child("multiAZ").flatMap { Read.bool($0, &d) } ?? false
        var standbyAZ: String?
        if let standbyNode = r.child("standbyAZ"), let text = Read.string(standbyNode, &d), let region {
            if !multiAZ { d.error(standbyNode, "standbyAZ needs multiAZ: true") }
            else if !region.availabilityZones.contains(text) {
                d.error(standbyNode, unknownMessage("availability zone of \(region.name)", text, region.availabilityZones))
            } else if text == primaryAZ {
                d.error(standbyNode, "the standby must be in another AZ than the primary (\(text))")
            } else { standbyAZ = text }
        } else if multiAZ, let region, let primaryAZ {
            standbyAZ = region.availabilityZones.first { $0 != primaryAZ }
            if standbyAZ == nil { d.error(node, "multiAZ needs a second availability zone in \(region.name)") }
        }
        var readerAZs: [String] = []
        if let readersNode = r.child("readerAZs"), let items = Read.list(readersNode, &d, what: "reader AZs") {
            if engine != "aurora-mysql" { d.error(readersNode, "readerAZs applies to engine aurora-mysql; a mysql instance has multiAZ") }
            for item in items {
                guard let az = Read.string(item, &d), let region else { continue }
                if !region.availabilityZones.contains(az) {
                    d.error(item, unknownMessage("availability zone of \(region.name)", az, region.availabilityZones))
                } else if az == primaryAZ || readerAZs.contains(az) {
                    d.error(item, "reader AZ \(az) repeats the writer's or another reader's AZ")
                } else { readerAZs.append(az) }
            }
        }
        if engine == "aurora-mysql", r.child("multiAZ") != nil {
            d.error(r.child("multiAZ") ?? node, "an Aurora cluster is made highly available by readerAZs, not multiAZ")
        }
        var globalRegion: String?
        var globalAZ: String?
        if let globalNode = r.child("globalSecondary"), let text = Read.string(globalNode, &d, what: "a region") {
            if engine != "aurora-mysql" {
                d.error(globalNode, "globalSecondary (Aurora Global Database) needs engine aurora-mysql")
            } else if let secondary = regions.first(where: { $0.name == text }), secondary.name != region?.name {
                globalRegion = secondary.name
                globalAZ = secondary.availabilityZones.first
            } else {
                d.error(globalNode, text == region?.name ? "globalSecondary must be another region" : unknownMessage("region", text, regions.map(\.name)))
            }
        }
        let groups = r.child("securityGroups").flatMap { Read.list($0, &d, what: "security groups") }?
            .compactMap { Read.name($0, &d, what: "a security group name") } ?? []
        guard let identifier, let region, let primaryAZ, !multiAZ || standbyAZ != nil else { return nil }
        return DatabaseSpec(identifier: identifier, engine: engine, region: region.name, primaryAZ: primaryAZ,
                            standbyAZ: engine == "aurora-mysql" ? nil : standbyAZ, readerAZs: readerAZs,
                            globalSecondaryRegion: globalRegion, globalSecondaryAZ: globalAZ, securityGroups: groups)
    }

    /// `dns:` — a hosted zone, record sets (simple, failover PRIMARY/SECONDARY,
    /// weighted) whose targets are topology names, and health checks.
    static func readDNS(_ node: SourceNode, _ context: Context, _ d: inout Diagnostics) -> DNSSpec? {
        guard var r = MappingReader(node, allowedKeys: ["zone", "private", "records", "healthChecks"], what: "a dns section",
                                    diagnostics: &d) else { return nil }
        defer { r.reportUnknownKeys(&d) }
        var zone: String?
        if let zoneNode = r.required("zone", &d, hint: "the hosted zone, e.g. odas.example.com"), let text = Read.string(zoneNode, &d) {
            let labels = text.lowercased().split(separator: ".", omittingEmptySubsequences: false)
            if labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) {
                zone = text.lowercased()
            } else { d.error(zoneNode, "\"\(text.prefix(60))\" is not a DNS zone name such as odas.example.com") }
        }
        var checks: [DNSSpec.HealthCheck] = []
        if let list = r.child("healthChecks").flatMap({ Read.list($0, &d, what: "health checks") }) {
            for item in list {
                guard var h = MappingReader(item, allowedKeys: ["name", "target", "interval", "failureThreshold"],
                                            what: "a health check", diagnostics: &d) else { continue }
                let name = h.required("name", &d).flatMap { Read.name($0, &d, what: "a health check name") }
                var target: FaultDomain?
                var odasService: String?
                if let targetNode = h.required("target", &d), let text = Read.string(targetNode, &d) {
                    target = context.domain(named: text) ?? context.odasServiceTargets[text]
                    if context.odasServiceTargets[text] != nil { odasService = text }
                    if target == nil { d.error(targetNode, unknownMessage("region, AZ, subnet, host or ODAS Service", text, context.dnsTargetNames)) }
                }
                var interval = SimDuration.seconds(30)
                if let intervalNode = h.child("interval"), let value = Read.duration(intervalNode, &d) {
                    // Route 53 offers standard (30 s) and fast (10 s) intervals (HealthCheckConfig.RequestInterval).
                    if value == .seconds(30) || value == .seconds(10) { interval = value } else {
                        d.error(intervalNode, "a Route 53 request interval is 30s (standard) or 10s (fast)")
                    }
                }
                let threshold = h.child("failureThreshold").flatMap { Read.integer($0, &d, range: 1...10, what: "a failure threshold") } ?? 3
                h.reportUnknownKeys(&d)
                guard let name, let target else { continue }
                if checks.contains(where: { $0.name == name }) { d.error(item, "health check \(name) is defined twice"); continue }
                checks.append(DNSSpec.HealthCheck(name: name, target: target, interval: interval, failureThreshold: Int(threshold),
                                                  odasService: odasService))
            }
        }
        var records: [DNSSpec.Record] = []
        var recordNodes: [SourceNode] = []
        if let list = r.child("records").flatMap({ Read.list($0, &d, what: "records") }) {
            for item in list {
                guard var rec = MappingReader(item, allowedKeys: ["name", "type", "ttl", "target", "alias", "evaluateTargetHealth",
                                                                  "failover", "weight", "healthCheck"],
                                              what: "a record", diagnostics: &d) else { continue }
                var name: String?
                if let nameNode = rec.required("name", &d), let text = Read.string(nameNode, &d) {
                    if let zone, text.lowercased() == zone || text.lowercased().hasSuffix("." + zone) { name = text.lowercased() }
                    else { d.error(nameNode, "record \(text.prefix(60)) is not in the zone \(zone ?? "")") }
                }
                let type = rec.child("type").flatMap { Read.string($0, &d) } ?? "A"
                if !["A", "AAAA", "CNAME"].contains(type), let typeNode = rec.child("type") {
                    d.error(typeNode, "record type \(type.prefix(20)) is not simulated; use A, AAAA or CNAME")
                }
                let ttl = rec.child("ttl").flatMap { Read.duration($0, &d) } ?? .seconds(300)
                var target: String?
                var alias: String?
                if let aliasNode = rec.child("alias"), let text = Read.string(aliasNode, &d) {
                    if rec.child("target") != nil { d.error(aliasNode, "a record has a target or an alias, not both") }
                    let component = ODASComponent.allCases.first { component in context.primaryODASCluster.map { $0 + "/" + component.objectName } == text }
                    if let zone, text.lowercased().hasSuffix("." + zone) || text.lowercased() == zone {
                        alias = text.lowercased()
                        target = ""
                    } else if let component {
                        if component.serviceType != "LoadBalancer" {
                            d.error(aliasNode, "\(text) is a \(component.serviceType) Service: only LoadBalancer Services (planner, worker, rest-server) get a load balancer to alias")
                        } else if !context.hasEKS {
                            d.error(aliasNode, "an alias of \(text)'s load balancer needs EKS (compute.eks): the AWS Load Balancer Controller provisions it there")
                        } else {
                            alias = text
                            target = ""
                        }
                    } else { d.error(aliasNode, "alias \(text.prefix(60)) must name a record of the zone \(zone ?? "") or the primary ODAS cluster's LoadBalancer Service (odas/odas-planner)") }
                } else if let targetNode = rec.required("target", &d, hint: "the topology name the record points at (or alias: another record)"),
                   let text = Read.string(targetNode, &d) {
                    if context.domain(named: text) != nil || context.odasServiceTargets[text] != nil { target = text } else {
                        d.error(targetNode, unknownMessage("region, AZ, subnet, host or ODAS Service", text, context.dnsTargetNames))
                    }
                }
                let evaluate = rec.child("evaluateTargetHealth").flatMap { Read.bool($0, &d) } ?? false
                var failover: String?
                if let failoverNode = rec.child("failover"), let text = Read.string(failoverNode, &d) {
                    if text == "PRIMARY" || text == "SECONDARY" { failover = text } else {
                        d.error(failoverNode, "failover is PRIMARY or SECONDARY")
                    }
                }
                let weight = rec.child("weight").flatMap { Read.integer($0, &d, range: 0...255, what: "a weight") }.map { Int($0) }
                if failover != nil, weight != nil { d.error(item, "a record has failover or weight routing, not both") }
                var healthCheck: String?
                if let checkNode = rec.child("healthCheck"), let text = Read.string(checkNode, &d) {
                    if checks.contains(where: { $0.name == text }) { healthCheck = text } else {
                        d.error(checkNode, unknownMessage("health check", text, checks.map(\.name)))
                    }
                }
                rec.reportUnknownKeys(&d)
                guard let name, let target else { continue }
                records.append(DNSSpec.Record(name: name, type: type, ttl: ttl, target: target, failover: failover,
                                              weight: weight, healthCheck: healthCheck, alias: alias,
                                              evaluateTargetHealth: evaluate))
                recordNodes.append(item)
            }
        }
        for (record, item) in zip(records, recordNodes) where record.alias != nil && !record.aliasesServiceLoadBalancer {
            if !records.contains(where: { $0.name == record.alias && $0.alias == nil }) {
                d.error(item, "alias \(record.alias ?? "") names no record of the zone (aliases of aliases are not simulated)")
            }
        }
        let isPrivate = r.child("private").flatMap { Read.bool($0, &d) } ?? false
        guard let zone else { return nil }
        return DNSSpec(zone: zone, records: records, healthChecks: checks,
                       privateRegion: isPrivate ? context.topology.regions.first?.name : nil)
    }
}
