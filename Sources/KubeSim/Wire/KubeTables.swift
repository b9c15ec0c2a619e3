import Foundation
import SimCore

/// Server-side `Table` rendering (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`):
/// the columns of kube-apiserver's printers (pkg/printers/internalversion/printers.go),
/// priority-1 columns shown by `-o wide`. Cells are computed from the
/// object's JSON, at the cluster's virtual now.
enum KubeTables {
    typealias JSON = [String: Any]

    struct Column {
        var name: String
        var type = "string"
        var priority = 0
        var description = ""
    }

    static func columns(_ kind: KubeKind) -> [Column] {
        func c(_ name: String, _ type: String = "string", wide: Bool = false) -> Column {
            Column(name: name, type: type, priority: wide ? 1 : 0)
        }
        switch kind {
        case .pod: return [c("Name"), c("Ready"), c("Status"), c("Restarts", "string"), c("Age"), c("IP", wide: true),
                           c("Node", wide: true), c("Nominated Node", wide: true), c("Readiness Gates", wide: true)]
        case .node: return [c("Name"), c("Status"), c("Roles"), c("Age"), c("Version"), c("Internal-IP", wide: true),
                            c("External-IP", wide: true), c("OS-Image", wide: true), c("Kernel-Version", wide: true),
                            c("Container-Runtime", wide: true)]
        case .deployment: return [c("Name"), c("Ready"), c("Up-to-date", "integer"), c("Available", "integer"), c("Age"),
                                  c("Containers", wide: true), c("Images", wide: true), c("Selector", wide: true)]
        case .replicaSet: return [c("Name"), c("Desired", "integer"), c("Current", "integer"), c("Ready", "integer"), c("Age"),
                                  c("Containers", wide: true), c("Images", wide: true), c("Selector", wide: true)]
        case .statefulSet: return [c("Name"), c("Ready"), c("Age"), c("Containers", wide: true), c("Images", wide: true)]
        case .daemonSet: return [c("Name"), c("Desired", "integer"), c("Current", "integer"), c("Ready", "integer"),
                                 c("Up-to-date", "integer"), c("Available", "integer"), c("Node Selector"), c("Age")]
        case .job: return [c("Name"), c("Status"), c("Completions"), c("Duration"), c("Age")]
        case .service: return [c("Name"), c("Type"), c("Cluster-IP"), c("External-IP"), c("Port(s)"), c("Age"), c("Selector", wide: true)]
        case .event: return [c("Last Seen"), c("Type"), c("Reason"), c("Object"), c("Message"), c("Source", wide: true),
                             c("First Seen", wide: true), c("Count", "integer", wide: true), c("Name", wide: true)]
        case .persistentVolumeClaim: return [c("Name"), c("Status"), c("Volume"), c("Capacity"), c("Access Modes"), c("StorageClass"), c("Age")]
        case .persistentVolume: return [c("Name"), c("Capacity"), c("Access Modes"), c("Reclaim Policy"), c("Status"), c("Claim"),
                                        c("StorageClass"), c("Age")]
        case .podDisruptionBudget: return [c("Name"), c("Min Available"), c("Max Unavailable"), c("Allowed Disruptions", "integer"), c("Age")]
        case .namespace: return [c("Name"), c("Status"), c("Age")]
        case .endpoints: return [c("Name"), c("Endpoints"), c("Age")]
        case .configMap: return [c("Name"), c("Data", "integer"), c("Age")]
        case .secret: return [c("Name"), c("Type"), c("Data", "integer"), c("Age")]
        case .storageClass: return [c("Name"), c("Provisioner"), c("ReclaimPolicy"), c("VolumeBindingMode"), c("Age")]
        case .lease: return [c("Name"), c("Holder"), c("Age")]
        case .endpointSlice: return [c("Name"), c("AddressType"), c("Ports"), c("Endpoints"), c("Age")]
        }
    }

    /// What each row carries (`includeObject`: `Metadata` by default, `Object`
    /// — what `kubectl get --sort-by` asks for, it sorts by the objects — or `None`).
    enum RowObject: String { case metadata = "Metadata", object = "Object", none = "None" }

    /// A Table of `objects` (already JSON), with rows carrying `include`.
    static func table(_ kind: KubeKind, objects: [JSON], now: SimInstant, resourceVersion: String, includeColumns: Bool = true,
                      include: RowObject = .metadata) -> JSON {
        var table: JSON = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": resourceVersion]]
        if includeColumns {
            table["columnDefinitions"] = columns(kind).map { column in
                ["name": column.name, "type": column.type, "format": column.name == "Name" ? "name" : "", "description": column.description,
                 "priority": column.priority] as JSON
            }
        }
        table["rows"] = objects.map { object in
            let metadata = object["metadata"] as? JSON ?? [:]
            var partial: JSON = ["name": metadata["name"] ?? ""]
            for key in ["namespace", "uid", "resourceVersion", "creationTimestamp", "labels", "deletionTimestamp"] {
                if let value = metadata[key] { partial[key] = value }
            }
            switch include {
            case .object: return ["cells": cells(kind, object, now: now), "object": object] as JSON
            case .none: return ["cells": cells(kind, object, now: now)] as JSON
            case .metadata:
                return ["cells": cells(kind, object, now: now),
                        "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": partial] as JSON] as JSON
            }
        }
        return table
    }

    // MARK: Cells

    static func path(_ object: JSON, _ keys: String...) -> Any? {
        var current: Any? = object
        for key in keys { current = (current as? JSON)?[key] }
        return current
    }

    static func string(_ object: JSON, _ keys: String...) -> String {
        var current: Any? = object
        for key in keys { current = (current as? JSON)?[key] }
        if let text = current as? String { return text }
        if let number = current as? NSNumber { return number.stringValue }
        return ""
    }

    static func int(_ object: JSON, _ keys: String...) -> Int {
        var current: Any? = object
        for key in keys { current = (current as? JSON)?[key] }
        return (current as? NSNumber)?.intValue ?? 0
    }

    /// `kubectl`'s short human durations: `45s`, `5m12s`, `3h2m`, `2d5h`.
    static func age(_ timestamp: String, now: SimInstant) -> String {
        guard let time = KubeTime(rfc3339: timestamp) else { return "<unknown>" }
        return human(now - time.instant)
    }

    static func human(_ duration: SimDuration) -> String {
        let seconds = max(0, duration.nanoseconds / 1_000_000_000)
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if days < 8 { return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h" }
        return "\(days)d"
    }

    static func selectorText(_ selector: Any?) -> String {
        let labels = ((selector as? JSON)?["matchLabels"] as? [String: Any]) ?? (selector as? [String: Any]) ?? [:]
        return labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }

    static func containers(_ object: JSON) -> (names: String, images: String) {
        let list = (path(object, "spec", "template", "spec", "containers") as? [JSON]) ?? []
        return (list.map { $0["name"] as? String ?? "" }.joined(separator: ","), list.map { $0["image"] as? String ?? "" }.joined(separator: ","))
    }

    static func cells(_ kind: KubeKind, _ o: JSON, now: SimInstant) -> [Any] {
        let name = string(o, "metadata", "name")
        let age = age(string(o, "metadata", "creationTimestamp"), now: now)
        switch kind {
        case .pod:
            let statuses = (path(o, "status", "containerStatuses") as? [JSON]) ?? []
            let total = ((path(o, "spec", "containers") as? [Any]) ?? []).count
            let ready = statuses.filter { ($0["ready"] as? Bool) == true }.count
            let restarts = statuses.reduce(0) { $0 + (($1["restartCount"] as? NSNumber)?.intValue ?? 0) }
            var status = string(o, "status", "phase")
            if let reason = path(o, "status", "reason") as? String, !reason.isEmpty { status = reason }
            for container in statuses {
                if let waiting = path(container, "state", "waiting", "reason") as? String { status = waiting }
            }
            if path(o, "metadata", "deletionTimestamp") != nil { status = status == "NodeLost" ? "Unknown" : "Terminating" }
            let conditions = (path(o, "status", "conditions") as? [JSON]) ?? []
            if status == "Pending", conditions.contains(where: { $0["type"] as? String == "PodScheduled" && $0["status"] as? String == "False" }) {
                status = "Pending"
            }
            let ip = string(o, "status", "podIP")
            let node = string(o, "spec", "nodeName")
            return [name, "\(ready)/\(total)", status, "\(restarts)", age, ip.isEmpty ? "<none>" : ip, node.isEmpty ? "<none>" : node,
                    "<none>", "<none>"]
        case .node:
            let conditions = (path(o, "status", "conditions") as? [JSON]) ?? []
            let ready = conditions.first { $0["type"] as? String == "Ready" }
            var status: String
            switch ready?["status"] as? String {
            case "True": status = "Ready"
            case "False": status = "NotReady"
            default: status = "NotReady" // Unknown prints as NotReady, as kubectl does
            }
            if (path(o, "spec", "unschedulable") as? Bool) == true { status += ",SchedulingDisabled" }
            let labels = (path(o, "metadata", "labels") as? [String: Any]) ?? [:]
            let roles = labels.keys.filter { $0.hasPrefix("node-role.kubernetes.io/") }.map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
            let addresses = (path(o, "status", "addresses") as? [JSON]) ?? []
            let internalIP = addresses.first { $0["type"] as? String == "InternalIP" }?["address"] as? String ?? "<none>"
            let external = addresses.first { $0["type"] as? String == "ExternalIP" }?["address"] as? String ?? "<none>"
            return [name, status, roles.isEmpty ? "<none>" : roles.joined(separator: ","), age, string(o, "status", "nodeInfo", "kubeletVersion"),
                    internalIP, external, string(o, "status", "nodeInfo", "osImage"), string(o, "status", "nodeInfo", "kernelVersion"),
                    string(o, "status", "nodeInfo", "containerRuntimeVersion")]
        case .deployment:
            let (names, images) = containers(o)
            return [name, "\(int(o, "status", "readyReplicas"))/\(int(o, "spec", "replicas"))", int(o, "status", "updatedReplicas"),
                    int(o, "status", "availableReplicas"), age, names, images, selectorText(path(o, "spec", "selector"))]
        case .replicaSet:
            let (names, images) = containers(o)
            return [name, int(o, "spec", "replicas"), int(o, "status", "replicas"), int(o, "status", "readyReplicas"), age, names, images,
                    selectorText(path(o, "spec", "selector"))]
        case .statefulSet:
            let (names, images) = containers(o)
            return [name, "\(int(o, "status", "readyReplicas"))/\(int(o, "spec", "replicas"))", age, names, images]
        case .daemonSet:
            let selector = (path(o, "spec", "template", "spec", "nodeSelector") as? [String: Any]) ?? [:]
            return [name, int(o, "status", "desiredNumberScheduled"), int(o, "status", "currentNumberScheduled"), int(o, "status", "numberReady"),
                    int(o, "status", "updatedNumberScheduled"), int(o, "status", "numberAvailable"),
                    selector.isEmpty ? "<none>" : selectorText(selector), age]
        case .job:
            let succeeded = int(o, "status", "succeeded")
            let completions = (path(o, "spec", "completions") as? NSNumber)?.intValue ?? 1
            let status = succeeded >= completions ? "Complete" : int(o, "status", "failed") > 0 ? "Failed" : "Running"
            return [name, status, "\(succeeded)/\(completions)", "", age]
        case .service:
            let ports = ((path(o, "spec", "ports") as? [JSON]) ?? []).map { port in
                let nodePort = (port["nodePort"] as? NSNumber)?.intValue ?? 0
                return "\(string(port, "port"))\(nodePort > 0 ? ":\(nodePort)" : "")/\(port["protocol"] as? String ?? "TCP")"
            }
            let clusterIP = string(o, "spec", "clusterIP")
            // kubectl's EXTERNAL-IP: the load balancer's addresses, <pending> until it has one.
            let ingress = ((path(o, "status", "loadBalancer", "ingress") as? [JSON]) ?? []).compactMap { ($0["ip"] ?? $0["hostname"]) as? String }
            let external = !ingress.isEmpty ? ingress.joined(separator: ",") : string(o, "spec", "type") == "LoadBalancer" ? "<pending>" : "<none>"
            return [name, string(o, "spec", "type").isEmpty ? "ClusterIP" : string(o, "spec", "type"), clusterIP.isEmpty ? "None" : clusterIP,
                    external, ports.isEmpty ? "<none>" : ports.joined(separator: ","), age,
                    selectorText(path(o, "spec", "selector")).isEmpty ? "<none>" : selectorText(path(o, "spec", "selector"))]
        case .event:
            let object = "\(string(o, "involvedObject", "kind").lowercased())/\(string(o, "involvedObject", "name"))"
            let last = string(o, "lastTimestamp")
            return [last.isEmpty ? "<unknown>" : KubeTables.age(last, now: now), string(o, "type"), string(o, "reason"), object,
                    string(o, "message"), string(o, "source", "component"), KubeTables.age(string(o, "firstTimestamp"), now: now),
                    int(o, "count"), name]
        case .persistentVolumeClaim:
            return [name, string(o, "status", "phase"), string(o, "spec", "volumeName"), string(o, "status", "capacity", "storage"),
                    ((path(o, "spec", "accessModes") as? [String]) ?? []).joined(separator: ","), string(o, "spec", "storageClassName"), age]
        case .persistentVolume:
            let claim = path(o, "spec", "claimRef").map { _ in "\(string(o, "spec", "claimRef", "namespace"))/\(string(o, "spec", "claimRef", "name"))" } ?? ""
            return [name, string(o, "spec", "capacity", "storage"), ((path(o, "spec", "accessModes") as? [String]) ?? []).joined(separator: ","),
                    string(o, "spec", "persistentVolumeReclaimPolicy"), string(o, "status", "phase"), claim, string(o, "spec", "storageClassName"), age]
        case .podDisruptionBudget:
            let minAvailable = string(o, "spec", "minAvailable"), maxUnavailable = string(o, "spec", "maxUnavailable")
            return [name, minAvailable.isEmpty ? "N/A" : minAvailable, maxUnavailable.isEmpty ? "N/A" : maxUnavailable,
                    int(o, "status", "disruptionsAllowed"), age]
        case .namespace:
            return [name, string(o, "status", "phase").isEmpty ? "Active" : string(o, "status", "phase"), age]
        case .endpoints:
            var addresses: [String] = []
            for subset in (path(o, "subsets") as? [JSON]) ?? [] {
                let ports = ((subset["ports"] as? [JSON]) ?? []).map { string($0, "port") }
                for address in (subset["addresses"] as? [JSON]) ?? [] {
                    let ip = string(address, "ip")
                    addresses += ports.isEmpty ? [ip] : ports.map { "\(ip):\($0)" }
                }
            }
            return [name, addresses.isEmpty ? "<none>" : addresses.joined(separator: ","), age]
        case .configMap: return [name, ((o["data"] as? JSON) ?? [:]).count, age]
        case .secret: return [name, string(o, "type").isEmpty ? "Opaque" : string(o, "type"), ((o["data"] as? JSON) ?? [:]).count, age]
        case .storageClass:
            return [name, string(o, "provisioner"), string(o, "reclaimPolicy").isEmpty ? "Delete" : string(o, "reclaimPolicy"),
                    string(o, "volumeBindingMode").isEmpty ? "Immediate" : string(o, "volumeBindingMode"), age]
        case .lease: return [name, string(o, "spec", "holderIdentity"), age]
        case .endpointSlice:
            let addresses = ((o["endpoints"] as? [JSON]) ?? []).flatMap { ($0["addresses"] as? [String]) ?? [] }
            let ports = ((o["ports"] as? [JSON]) ?? []).map { string($0, "port") }
            return [name, string(o, "addressType"), ports.isEmpty ? "<unset>" : ports.joined(separator: ","),
                    addresses.isEmpty ? "<unset>" : addresses.joined(separator: ","), age]
        }
    }
}
