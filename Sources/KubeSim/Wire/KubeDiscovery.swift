import Foundation

/// What the apiserver advertises: `/version`, aggregated and legacy
/// discovery, and the OpenAPI v3 documents kubectl probes before `apply`
/// (../shared/design/kube-anchors.md §2.3, §2.6).
enum KubeDiscovery {
    /// The aggregated-discovery media type kubectl asks for; the reply must carry it exactly.
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    struct Resource {
        var kind: KubeKind
        var singular: String
        var shortNames: [String]
        var verbs: [String]
        var categories: [String]
        var subresources: [(name: String, kind: String, group: String, version: String, verbs: [String])]
    }

    static let readWrite = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    static let resources: [Resource] = KubeKind.allCases.sorted().map { kind in
        var shortNames: [String] = []
        var categories: [String] = []
        var subresources: [(String, String, String, String, [String])] = []
        switch kind {
        case .pod:
            shortNames = ["po"]; categories = ["all"]
            subresources = [("eviction", "Eviction", "policy", "v1", ["create"]), ("log", "Pod", "", "v1", ["get"]),
                            ("status", "Pod", "", "v1", ["get", "patch", "update"])]
        case .node: shortNames = ["no"]; subresources = [("status", "Node", "", "v1", ["get", "patch", "update"])]
        case .service: shortNames = ["svc"]; categories = ["all"]
        case .namespace: shortNames = ["ns"]
        case .endpoints: shortNames = ["ep"]
        case .configMap: shortNames = ["cm"]
        case .persistentVolume: shortNames = ["pv"]
        case .persistentVolumeClaim: shortNames = ["pvc"]
        case .storageClass: shortNames = ["sc"]
        case .deployment, .replicaSet, .statefulSet:
            shortNames = kind == .deployment ? ["deploy"] : kind == .replicaSet ? ["rs"] : ["sts"]
            categories = ["all"]
            subresources = [("scale", "Scale", "autoscaling", "v1", ["get", "patch", "update"]),
                            ("status", kind.rawValue, kind.group, "v1", ["get", "patch", "update"])]
        case .daemonSet: shortNames = ["ds"]; categories = ["all"]
        case .job: categories = ["all"]
        case .podDisruptionBudget: shortNames = ["pdb"]
        case .event: shortNames = ["ev"]
        default: break
        }
        return Resource(kind: kind, singular: kind.rawValue.lowercased(), shortNames: shortNames,
                        verbs: kind == .event || kind == .lease || kind == .endpointSlice ? readWrite : readWrite,
                        categories: categories, subresources: subresources)
    }

    /// API groups, core ("") first, then by name.
    static var groups: [String] { Array(Set(KubeKind.allCases.map(\.group))).sorted() }

    static func resource(group: String, plural: String) -> Resource? {
        resources.first { $0.kind.group == group && $0.kind.resource == plural }
    }

    static func version() -> [String: Any] {
        ["major": "1", "minor": "32", "gitVersion": "v1.32.0-odassim", "gitCommit": "odassim", "gitTreeState": "clean",
         "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc", "platform": "linux/amd64"]
    }

    /// `/api` or `/apis` as an `APIGroupDiscoveryList` (aggregated discovery, GA in 1.30).
    static func aggregated(core: Bool) -> [String: Any] {
        let items: [[String: Any]] = groups.filter { ($0.isEmpty) == core }.map { group in
            let entries: [[String: Any]] = resources.filter { $0.kind.group == group }.map { resource in
                var entry: [String: Any] = [
                    "resource": resource.kind.resource, "singularResource": resource.singular,
                    "scope": resource.kind.isNamespaced ? "Namespaced" : "Cluster",
                    "responseKind": ["group": group, "version": "v1", "kind": resource.kind.rawValue],
                    "verbs": resource.verbs,
                ]
                if !resource.shortNames.isEmpty { entry["shortNames"] = resource.shortNames }
                if !resource.categories.isEmpty { entry["categories"] = resource.categories }
                if !resource.subresources.isEmpty {
                    entry["subresources"] = resource.subresources.map { sub in
                        ["subresource": sub.name, "responseKind": ["group": sub.group, "version": sub.version, "kind": sub.kind],
                         "verbs": sub.verbs] as [String: Any]
                    }
                }
                return entry
            }
            var metadata: [String: Any] = [:]
            if !group.isEmpty { metadata["name"] = group }
            return ["metadata": metadata, "versions": [["version": "v1", "freshness": "Current", "resources": entries]]]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:] as [String: Any], "items": items]
    }

    /// Legacy `/api`.
    static func apiVersions(serverAddress: String) -> [String: Any] {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": serverAddress]]]
    }

    /// Legacy `/apis`.
    static func apiGroupList() -> [String: Any] {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": groups.filter { !$0.isEmpty }.map { group in
            ["name": group, "versions": [["groupVersion": "\(group)/v1", "version": "v1"]],
             "preferredVersion": ["groupVersion": "\(group)/v1", "version": "v1"]] as [String: Any]
        }]
    }

    /// Legacy `/api/v1` or `/apis/G/v1`: an `APIResourceList` (with `pods/eviction`, which `kubectl drain` looks for).
    static func resourceList(group: String) -> [String: Any]? {
        guard groups.contains(group) else { return nil }
        var entries: [[String: Any]] = []
        for resource in resources where resource.kind.group == group {
            var entry: [String: Any] = ["name": resource.kind.resource, "singularName": resource.singular,
                                        "namespaced": resource.kind.isNamespaced, "kind": resource.kind.rawValue, "verbs": resource.verbs]
            if !resource.shortNames.isEmpty { entry["shortNames"] = resource.shortNames }
            if !resource.categories.isEmpty { entry["categories"] = resource.categories }
            entries.append(entry)
            for sub in resource.subresources {
                entries.append(["name": "\(resource.kind.resource)/\(sub.name)", "singularName": "", "namespaced": resource.kind.isNamespaced,
                                "group": sub.group, "version": sub.version, "kind": sub.kind, "verbs": sub.verbs])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group.isEmpty ? "v1" : "\(group)/v1", "resources": entries]
    }

    /// `/openapi/v3`: one path per group-version.
    static func openAPIRoot() -> [String: Any] {
        var paths: [String: Any] = [:]
        for group in groups {
            let path = group.isEmpty ? "api/v1" : "apis/\(group)/v1"
            paths[path] = ["serverRelativeURL": "/openapi/v3/\(path)?hash=odassim-v1"]
        }
        return ["paths": paths]
    }

    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/G/v1`: a PATCH operation per kind that
    /// advertises `fieldValidation`, which is what kubectl's validation probe looks for.
    static func openAPIDocument(group: String) -> [String: Any]? {
        guard groups.contains(group) else { return nil }
        var paths: [String: Any] = [:]
        for resource in resources where resource.kind.group == group {
            let prefix = group.isEmpty ? "/api/v1" : "/apis/\(group)/v1"
            let path = resource.kind.isNamespaced ? "\(prefix)/namespaces/{namespace}/\(resource.kind.resource)/{name}"
                : "\(prefix)/\(resource.kind.resource)/{name}"
            let gvk: [String: Any] = ["group": group, "version": "v1", "kind": resource.kind.rawValue]
            let parameters: [[String: Any]] = ["dryRun", "fieldManager", "fieldValidation", "force"].map { ["name": $0, "in": "query", "schema": ["type": "string"]] }
            paths[path] = ["patch": ["operationId": "patch\(resource.kind.rawValue)", "x-kubernetes-action": "patch",
                                     "x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                                     "responses": ["200": ["description": "OK"]]] as [String: Any]]
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes (odas-sim)", "version": "v1.32.0"], "paths": paths,
                "components": ["schemas": [:] as [String: Any]]]
    }
}
