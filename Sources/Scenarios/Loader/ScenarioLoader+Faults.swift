import Foundation
import SimCore
import Yams
import AWSSim

/// `faults:` — the fault schedule and its targets.
extension ScenarioLoader {
    static func readFaults(_ node: SourceNode, _ context: Context, _ database: DatabaseSpec?, _ dns: DNSSpec?,
                           kubeNodes: [String], buckets: [BucketSpec] = [], _ d: inout Diagnostics) -> [FaultSpec] {
        guard let list = Read.list(node, &d, what: "faults") else { return [] }
        var faults: [FaultSpec] = []
        var names: Set<String> = []
        let actions = FaultAction.allCases.map(\.rawValue)
        let topology = context.topology
        for (index, item) in list.enumerated() {
            guard var f = MappingReader(item, allowedKeys: ["name", "action", "target", "peers", "latency", "at", "duration", "operations", "percentage", "loss"],
                                        what: "a fault", diagnostics: &d) else { continue }
            let name = f.child("name").flatMap { Read.label($0, &d, what: "a fault name") } ?? "fault-\(index + 1)"
            var action: FaultAction?
            if let actionNode = f.required("action", &d, hint: "one of \(actions.joined(separator: ", "))"),
               let text = Read.string(actionNode, &d) {
                action = FaultAction(rawValue: text)
                if action == nil { d.error(actionNode, unknownMessage("fault action", text, actions)) }
            }
            var target: FaultDomain?
            if let targetNode = f.required("target", &d, hint: "the region, AZ, subnet or host the fault hits"),
               let text = Read.string(targetNode, &d) {
                switch action {
                case .azOutage:
                    if topology.availabilityZones.contains(text) { target = .availabilityZone(text) }
                    else { d.error(targetNode, unknownMessage("availability zone", text, topology.availabilityZones)) }
                case .regionOutage:
                    if topology.regions.contains(where: { $0.name == text }) { target = .region(text) }
                    else { d.error(targetNode, unknownMessage("region", text, topology.regions.map(\.name))) }
                case .hostCrash:
                    if topology.hosts.contains(where: { $0.name == text }) { target = .host(text) }
                    else if topology.hosts.isEmpty { d.error(targetNode, "unknown host \"\(text.prefix(60))\"; the topology declares no hosts (topology.hosts)") }
                    else { d.error(targetNode, unknownMessage("host", text, topology.hosts.map(\.name))) }
                case .nodeCrash:
                    if kubeNodes.contains(text) { target = .host(text) }
                    else if kubeNodes.isEmpty { d.error(targetNode, "node-crash needs the kubernetes section's nodes") }
                    else { d.error(targetNode, unknownMessage("Kubernetes node", text, kubeNodes)) }
                case .apiInternalError, .apiThrottleError, .apiUnavailableError:
                    if text == "s3" { target = .host(APIFaults.s3Service) }
                    else { d.error(targetNode, "API faults target a service; the simulated clients' service is s3, not \(text.prefix(40))") }
                case .s3ReplicationPause:
                    let replicated = buckets.filter { $0.replicateTo != nil }.map(\.name)
                    if replicated.contains(text) { target = .host(text) }
                    else if buckets.contains(where: { $0.name == text }) { d.error(targetNode, "bucket \(text) does not replicate (no replicateTo); s3-replication-pause needs a replicated bucket") }
                    else { d.error(targetNode, unknownMessage("replicated bucket", text, replicated)) }
                case .dnsHealthCheckFailure:
                    let names = dns?.healthChecks.map(\.name) ?? []
                    if names.contains(text) { target = .host(text) } else { d.error(targetNode, unknownMessage("health check", text, names)) }
                case .dbPrimaryCrash, .dbGlobalFailover, .dbGlobalSwitchover:
                    if action != .dbPrimaryCrash, text.lowercased() == database?.identifier, database?.globalSecondaryRegion == nil {
                        d.error(targetNode, "\(action?.rawValue ?? "") needs an Aurora Global Database (database.globalSecondary)")
                    } else if text.lowercased() == database?.identifier { target = .host(text.lowercased()) }
                    else { d.error(targetNode, unknownMessage("database", text, database.map { [$0.identifier] } ?? [])) }
                case .networkPartition, .networkLatency, .networkPacketLoss, nil:
                    target = context.domain(named: text)
                    if target == nil { d.error(targetNode, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames)) }
                }
            }
            var peers: [FaultDomain]?
            if let peersNode = f.child("peers") {
                if action != .networkPartition {
                    d.error(peersNode, "peers applies only to network-partition")
                } else if let items = Read.list(peersNode, &d, what: "peer domains") {
                    if items.isEmpty { d.error(peersNode, "peers is empty; omit it to cut the target off from everything else") }
                    peers = items.compactMap { peer in
                        guard let text = Read.string(peer, &d) else { return nil }
                        guard let domain = context.domain(named: text) else {
                            d.error(peer, unknownMessage("region, AZ, subnet or host", text, context.allDomainNames))
                            return nil
                        }
                        return domain
                    }
                }
            }
            var latency: SimDuration?
            if let latencyNode = f.child("latency") {
                if action != .networkLatency { d.error(latencyNode, "latency applies only to network-latency") }
                else { latency = Read.duration(latencyNode, &d, allowZero: false) }
            } else if action == .networkLatency {
                d.error(item, "network-latency needs latency, the added one-way delay (e.g. 200ms)")
            }
            var operations: [String]?
            var percentage: Double?
            if action?.isAPIFault == true {
                if let node = f.child("operations"), let items = Read.list(node, &d, what: "API operations") {
                    operations = items.compactMap { item in
                        guard let text = Read.string(item, &d) else { return nil }
                        guard APIFaults.s3Operations.contains(text) else {
                            d.error(item, unknownMessage("S3 operation", text, APIFaults.s3Operations))
                            return nil
                        }
                        return text
                    }
                    if items.isEmpty { d.error(node, "operations is empty; omit it for every operation") }
                }
                if let node = f.required("percentage", &d, hint: "the share of calls that fail, e.g. 50%") {
                    percentage = Read.percentage(node, &d)
                    if percentage == 0 { d.error(node, "percentage 0% fails nothing; give more than 0%") }
                }
            } else if action == .networkPacketLoss {
                if let node = f.required("loss", &d, hint: "the share of packets dropped, e.g. 10%") {
                    percentage = Read.percentage(node, &d)
                    if percentage == 0 { d.error(node, "loss 0% drops nothing; give more than 0%") }
                }
                if let node = f.child("operations") ?? f.child("percentage") { d.error(node, "operations and percentage apply only to the API faults; packet loss takes loss") }
            } else {
                if let node = f.child("loss") { d.error(node, "loss applies only to network-packet-loss") }
                for key in ["operations", "percentage"] {
                    if let node = f.child(key) { d.error(node, "\(key) applies only to the API faults (api-internal-error, api-throttle-error, api-unavailable-error)") }
                }
            }
            let atNode = f.required("at", &d, hint: "when the fault starts, e.g. 20m")
            let at = atNode.flatMap { Read.duration($0, &d) }
            let durationNode = f.child("duration")
            if let durationNode, let action, action.isInstant {
                d.error(durationNode, "\(action.rawValue) is an instant event (RDS then fails over, restarts or promotes); it takes no duration")
            }
            let length = action?.isInstant == true ? nil : durationNode.flatMap { Read.duration($0, &d, allowZero: false) }
            if let at, let atNode, let runLength = context.duration {
                if at >= runLength {
                    d.error(atNode, "fault starts at \(at), outside the run (duration \(runLength))")
                } else if let length, let durationNode, at + length > runLength {
                    d.error(durationNode, "fault ends at \(at + length), after the run ends at \(runLength); shorten it or omit duration to last until the end")
                }
            }
            f.reportUnknownKeys(&d)
            guard let action, let target, let at else { continue }
            guard names.insert(name).inserted else {
                d.error(item, "fault name \"\(name)\" is used twice")
                continue
            }
            faults.append(FaultSpec(name: name, action: action, target: target, peers: peers, latency: latency,
                                    at: at, duration: length, operations: operations, percentage: percentage))
        }
        return faults
    }
}
