import Foundation
import SimCore

/// The Kubernetes API over HTTP, enough for kubectl 1.32 unchanged: version,
/// discovery (aggregated and legacy), OpenAPI v3 for apply's validation probe,
/// list / get (JSON or server-side Tables, label and field selectors), watch
/// (streamed by the server, see ``KubeWatch``), create, update, patch
/// (strategic merge, merge, JSON patch, server-side apply), delete, the
/// `scale`, `status` and `eviction` subresources, and `Status` errors
/// (../shared/design/kube-anchors.md §2).
///
/// A pure function over the cluster: the server owns threads and sockets.
public enum KubeAPIAdapter {
    typealias JSON = [String: Any]

    /// What a request produced: a response, or a watch the server streams.
    public enum Outcome: Sendable {
        case response(WireResponse)
        case watch(KubeWatch)
    }

    /// A resource path: group, namespace, resource, name and subresource.
    struct Route {
        var group: String
        var namespace: String?
        var resource: String
        var name: String?
        var subresource: String?
    }

    /// `timeShiftSeconds` moves every timestamp on the wire (the simulation's
    /// clock starts at ``KubeTime/epochDescription``; `serve` shifts it to the
    /// wall-clock time it started, so kubectl's ages read right).
    public static func handle(_ request: WireRequest, cluster: inout KubeCluster, serverAddress: String,
                              timeShiftSeconds: Int64 = 0) -> Outcome {
        switch handleUnshifted(request, cluster: &cluster, serverAddress: serverAddress) {
        case .watch(var watch):
            watch.timeShiftSeconds = timeShiftSeconds
            return .watch(watch)
        case .response(var response):
            if timeShiftSeconds != 0, response.header("content-type") == "application/json",
               let value = try? JSONSerialization.jsonObject(with: Data(response.body)) {
                response.body = KubeJSON.serialize(WireTime.shift(value, by: timeShiftSeconds))
            }
            return .response(response)
        }
    }

    static func handleUnshifted(_ request: WireRequest, cluster: inout KubeCluster, serverAddress: String) -> Outcome {
        let path = String(request.rawPath.split(separator: "?", maxSplits: 1).first ?? "")
        let accept = request.header("accept") ?? ""
        // A kubeadm control plane without etcd quorum: the apiserver cannot serve (kubectl reports the 503 Status).
        if !cluster.isAPIAvailable, path != "/version", path != "/version/" {
            return .response(status(KubeError(reason: .serviceUnavailable,
                                              message: "the server is currently unable to handle the request (etcd has no quorum)")))
        }
        switch (request.method, path) {
        case ("GET", "/version"), ("GET", "/version/"):
            return .response(json(200, KubeDiscovery.version()))
        case ("GET", "/api"), ("GET", "/apis"):
            if accept.contains("as=APIGroupDiscoveryList") {
                return .response(json(200, KubeDiscovery.aggregated(core: path == "/api"), contentType: KubeDiscovery.aggregatedContentType))
            }
            return .response(json(200, path == "/api" ? KubeDiscovery.apiVersions(serverAddress: serverAddress) : KubeDiscovery.apiGroupList()))
        case ("GET", "/api/v1"):
            return .response(json(200, KubeDiscovery.resourceList(group: "") ?? [:]))
        case ("GET", "/openapi/v3"):
            return .response(json(200, KubeDiscovery.openAPIRoot()))
        case ("GET", "/openapi/v2"):
            // A minimal OpenAPI v2 document in protobuf (`swagger: "2.0"`, nothing else): kubectl
            // falls back to it for kinds the v3 documents do not name, and then reports an unknown
            // kind as a real cluster makes it: no matches for kind.
            return .response(WireResponse(status: 200, headers: [("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")],
                                          body: [0x0A, 0x03] + Array("2.0".utf8)))
        case ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/livez"):
            return .response(WireResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8)))
        default:
            break
        }
        if request.method == "GET", path.hasPrefix("/openapi/v3/") {
            let rest = path.dropFirst("/openapi/v3/".count)
            let group = rest == "api/v1" ? "" : rest.hasPrefix("apis/") && rest.hasSuffix("/v1")
                ? String(rest.dropFirst("apis/".count).dropLast("/v1".count)) : "-"
            if let document = KubeDiscovery.openAPIDocument(group: group) { return .response(json(200, document)) }
        }
        if request.method == "GET", path.hasPrefix("/apis/"), path.hasSuffix("/v1"), path.split(separator: "/").count == 3 {
            let group = String(path.split(separator: "/")[1])
            if let list = KubeDiscovery.resourceList(group: group) { return .response(json(200, list)) }
        }
        guard let route = route(path) else {
            return .response(status(KubeError(reason: .notFound, message: "the server could not find the requested resource")))
        }
        guard let resource = KubeDiscovery.resource(group: route.group, plural: route.resource) else {
            return .response(status(KubeError(reason: .notFound,
                                              message: "the server could not find the requested resource (\(route.resource)\(route.group.isEmpty ? "" : "." + route.group))")))
        }
        do throws(KubeError) {
            return try dispatch(request, route: route, kind: resource.kind, cluster: &cluster)
        } catch {
            return .response(status(error))
        }
    }

    /// `/api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUB]]`, `/apis/G/v1/…`.
    static func route(_ path: String) -> Route? {
        var parts = path.split(separator: "/").map { PercentEncoding.decode($0) }
        var group = ""
        if parts.first == "api", parts.count >= 2, parts[1] == "v1" {
            parts.removeFirst(2)
        } else if parts.first == "apis", parts.count >= 3, parts[2] == "v1" {
            group = parts[1]
            parts.removeFirst(3)
        } else {
            return nil
        }
        guard !parts.isEmpty else { return nil }
        var namespace: String?
        if parts[0] == "namespaces", parts.count >= 3 {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        guard !parts.isEmpty, parts.count <= 3 else { return nil }
        return Route(group: group, namespace: namespace, resource: parts[0], name: parts.count > 1 ? parts[1] : nil,
                     subresource: parts.count > 2 ? parts[2] : nil)
    }

    // MARK: Verbs

    static func dispatch(_ request: WireRequest, route: Route, kind: KubeKind, cluster: inout KubeCluster) throws(KubeError) -> Outcome {
        if kind.isNamespaced == false, route.namespace != nil {
            throw KubeError(reason: .notFound, message: "the server could not find the requested resource")
        }
        let namespace = kind.isNamespaced ? (route.namespace ?? "") : ""
        let asTable = (request.header("accept") ?? "").contains("as=Table")
        try KubeListPaging.validateResourceVersion(request)
        switch (request.method, route.name, route.subresource) {
        case ("GET", nil, nil):
            if request.query("watch") == "true" || request.query("watch") == "1" {
                return .watch(try KubeWatch(request, kind: kind, namespace: route.namespace, cluster: cluster))
            }
            return .response(try list(request, kind: kind, namespace: route.namespace, asTable: asTable, cluster: cluster))
        case ("GET", let name?, nil):
            let object = try read(kind, namespace, name, cluster)
            if asTable {
                return .response(json(200, KubeTables.table(kind, objects: [object], now: cluster.now,
                                                          resourceVersion: String(cluster.store.resourceVersion),
                                                          include: rowObject(request))))
            }
            return .response(json(200, object))
        case ("GET", let name?, "status"):
            return .response(json(200, try read(kind, namespace, name, cluster)))
        case ("GET", _?, "log"):
            throw KubeError(reason: .badRequest,
                            message: "container logs are not simulated by odas-sim: its pods run no processes (see docs/fidelity.md, KubeSim)")
        case ("GET", let name?, "scale"):
            return .response(json(200, try scale(kind, namespace, name, cluster)))
        case ("POST", nil, nil):
            guard route.namespace != nil || !kind.isNamespaced else {
                throw KubeError(reason: .badRequest, message: "the namespace of the object must be given in the path")
            }
            var object = try body(request)
            try check(&object, kind: kind, namespace: route.namespace, name: nil)
            return .response(json(201, try create(try decode(object), &cluster)))
        case ("POST", let name?, "eviction"):
            guard kind == .pod else { throw KubeError(reason: .notFound, message: "the server could not find the requested resource") }
            try cluster.evict(namespace: namespace, name: name)
            return .response(json(201, ["kind": "Status", "apiVersion": "v1", "metadata": [:] as JSON, "status": "Success", "code": 201]))
        case ("PUT", let name?, let sub) where sub == nil || sub == "status":
            var object = try body(request)
            try check(&object, kind: kind, namespace: route.namespace, name: name)
            return .response(json(200, try update(try decode(object), &cluster)))
        case ("PUT", let name?, "scale"), ("PATCH", let name?, "scale"):
            let patch = try body(request)
            let current = try scale(kind, namespace, name, cluster)
            let patched = request.method == "PUT" ? patch : (KubePatch.mergePatch(current, patch) as? JSON ?? current)
            guard let replicas = (patched["spec"] as? JSON)?["replicas"] as? NSNumber else {
                throw KubeError(reason: .invalid, message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Required value")
            }
            var object = try read(kind, namespace, name, cluster)
            var spec = object["spec"] as? JSON ?? [:]
            spec["replicas"] = replicas
            object["spec"] = spec
            object["metadata"] = (object["metadata"] as? JSON).map { var m = $0; m["resourceVersion"] = nil; return m }
            _ = try update(try decode(object), &cluster)
            return .response(json(200, try scale(kind, namespace, name, cluster)))
        case ("PATCH", let name?, let sub) where sub == nil || sub == "status":
            return .response(try patch(request, kind: kind, namespace: namespace, name: name, cluster: &cluster))
        case ("DELETE", let name?, nil):
            let options = (try? body(request)) ?? [:]
            let existing = try read(kind, namespace, name, cluster)
            var deleteOptions = DeleteOptions()
            if let grace = (options["gracePeriodSeconds"] as? NSNumber)?.int64Value ?? request.query("gracePeriodSeconds").flatMap({ Int64($0) }) {
                deleteOptions.gracePeriodSeconds = grace
            }
            switch options["propagationPolicy"] as? String ?? request.query("propagationPolicy") {
            case "Foreground": deleteOptions.propagationPolicy = .foreground
            case "Orphan": deleteOptions.propagationPolicy = .orphan
            default: deleteOptions.propagationPolicy = .background
            }
            try delete(kind, namespace, name, deleteOptions, &cluster)
            // The object as it is now (terminating), or as it was when it is gone.
            return .response(json(200, (try? read(kind, namespace, name, cluster)) ?? existing))
        default:
            throw KubeError(reason: .badRequest,
                            message: "the server does not allow this method on the requested resource (\(request.method) \(kind.resource)\(route.subresource.map { "/" + $0 } ?? ""))")
        }
    }

    static func list(_ request: WireRequest, kind: KubeKind, namespace: String?, asTable: Bool, cluster: KubeCluster) throws(KubeError) -> WireResponse {
        let labels = try request.query("labelSelector").map { text throws(KubeError) in try Selector.parse(text) }
        let fields = try request.query("fieldSelector").map { text throws(KubeError) in try FieldSelector.parse(text) }
        let (objects, next, remaining) = try listObjects(kind, namespace: namespace, labels: labels, fields: fields,
                                                         limit: try KubeListPaging.limit(request),
                                                         after: try KubeListPaging.start(request), cluster: cluster)
        let resourceVersion = String(cluster.store.resourceVersion)
        var metadata: JSON = ["resourceVersion": resourceVersion]
        if let next { metadata["continue"] = next }
        if let remaining { metadata["remainingItemCount"] = remaining }
        if asTable {
            var table = KubeTables.table(kind, objects: objects, now: cluster.now, resourceVersion: resourceVersion,
                                         include: rowObject(request))
            table["metadata"] = metadata
            return json(200, table)
        }
        return json(200, ["kind": "\(kind.rawValue)List", "apiVersion": kind.apiVersion, "metadata": metadata, "items": objects])
    }

    /// One page of a list (everything without `limit`): only the page's objects are encoded.
    static func listObjects(_ kind: KubeKind, namespace: String?, labels: Selector?, fields: FieldSelector?, limit: Int? = nil,
                            after: String? = nil, cluster: KubeCluster) throws(KubeError) -> (items: [JSON], continue: String?, remaining: Int?) {
        func go<T: KubeObject>(_ type: T.Type) -> (ArraySlice<AnyKubeObject>, String?, Int?) {
            let all = cluster.store.list(T.self, namespace: namespace, labelSelector: labels, fieldSelector: fields)
            let page = KubeListPaging.page(all, key: { $0.metadata.namespaceOrEmpty + "/" + $0.metadata.nameOrEmpty }, limit: limit,
                                           after: after, resourceVersion: cluster.store.resourceVersion)
            return (page.items.map(\.erased)[...], page.continue, page.remaining)
        }
        let (page, next, remaining) = go(kind.swiftType)
        var out: [JSON] = []
        out.reserveCapacity(page.count)
        for object in page { out.append(try encodeAny(object)) }
        return (out, next, remaining)
    }

    static func read(_ kind: KubeKind, _ namespace: String, _ name: String, _ cluster: KubeCluster) throws(KubeError) -> JSON {
        func go<T: KubeObject>(_ type: T.Type) -> AnyKubeObject? {
            cluster.store.get(T.self, namespace, name)?.erased
        }
        // A node's Lease as the kubelet last renewed it (renewals are computed, not stored).
        if kind == .lease, namespace == "kube-node-lease", let lease = cluster.lease(ofNode: name) { return try encode(lease) }
        guard let object = go(kind.swiftType) else { throw KubeError.notFound(kind, name) }
        return try encodeAny(object)
    }

    static func delete(_ kind: KubeKind, _ namespace: String, _ name: String, _ options: DeleteOptions,
                       _ cluster: inout KubeCluster) throws(KubeError) {
        func go<T: KubeObject>(_ type: T.Type) throws(KubeError) {
            try cluster.delete(T.self, namespace: namespace, name: name, options: options)
        }
        try go(kind.swiftType)
    }

    /// The `scale` subresource of a Deployment, ReplicaSet or StatefulSet.
    static func scale(_ kind: KubeKind, _ namespace: String, _ name: String, _ cluster: KubeCluster) throws(KubeError) -> JSON {
        guard [.deployment, .replicaSet, .statefulSet].contains(kind) else {
            throw KubeError(reason: .notFound, message: "the server could not find the requested resource")
        }
        let object = try read(kind, namespace, name, cluster)
        let metadata = object["metadata"] as? JSON ?? [:]
        let spec = object["spec"] as? JSON ?? [:]
        let statusObject = object["status"] as? JSON ?? [:]
        return ["kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": ["name": name, "namespace": namespace, "uid": metadata["uid"] ?? "", "resourceVersion": metadata["resourceVersion"] ?? "",
                             "creationTimestamp": metadata["creationTimestamp"] ?? ""] as JSON,
                "spec": ["replicas": spec["replicas"] ?? 1],
                "status": ["replicas": statusObject["replicas"] ?? 0, "selector": KubeTables.selectorText(spec["selector"])]]
    }

    /// PATCH: strategic merge (kubectl apply, cordon), merge, JSON patch, or
    /// server-side apply (create when missing).
    static func patch(_ request: WireRequest, kind: KubeKind, namespace: String, name: String,
                      cluster: inout KubeCluster) throws(KubeError) -> WireResponse {
        let type = (request.header("content-type") ?? "").split(separator: ";").first.map(String.init) ?? ""
        let current = try? read(kind, namespace, name, cluster)
        var patched: JSON
        switch type {
        case "application/apply-patch+yaml":
            var desired = try body(request)
            try check(&desired, kind: kind, namespace: kind.isNamespaced ? namespace : nil, name: name)
            guard let current else {
                return json(201, try create(try decode(desired), &cluster))
            }
            patched = KubePatch.strategicMerge(current, desired) as? JSON ?? current
        case "application/strategic-merge-patch+json":
            guard let current else { throw KubeError.notFound(kind, name) }
            patched = KubePatch.strategicMerge(current, try body(request)) as? JSON ?? current
        case "application/merge-patch+json":
            guard let current else { throw KubeError.notFound(kind, name) }
            patched = KubePatch.mergePatch(current, try body(request)) as? JSON ?? current
        case "application/json-patch+json":
            guard let current else { throw KubeError.notFound(kind, name) }
            guard let operations = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [JSON] else {
                throw KubeError(reason: .badRequest, message: "the JSON patch is not a list of operations")
            }
            patched = try KubePatch.jsonPatch(current, operations)
        default:
            return WireResponse(status: 415, headers: [("Content-Type", "application/json")], body: encodeStatus(
                KubeError(reason: .badRequest, message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"), code: 415))
        }
        // The patch edits the stored object; optimistic concurrency is the patch's business, not ours.
        if var metadata = patched["metadata"] as? JSON {
            metadata["resourceVersion"] = nil
            patched["metadata"] = metadata
        }
        try check(&patched, kind: kind, namespace: kind.isNamespaced ? namespace : nil, name: name)
        return json(200, try update(try decode(patched), &cluster))
    }

    static func create(_ object: AnyKubeObject, _ cluster: inout KubeCluster) throws(KubeError) -> JSON {
        func go<T: KubeObject>(_ value: T) throws(KubeError) -> JSON { try encode(try cluster.create(value)) }
        return try go(object.unwrapped)
    }

    static func update(_ object: AnyKubeObject, _ cluster: inout KubeCluster) throws(KubeError) -> JSON {
        func go<T: KubeObject>(_ value: T) throws(KubeError) -> JSON { try encode(try cluster.update(value)) }
        return try go(object.unwrapped)
    }

    // MARK: JSON

    static func body(_ request: WireRequest) throws(KubeError) -> JSON {
        if (request.header("content-type") ?? "").contains("protobuf") {
            // client-go's typed clients (kubectl's generators) send built-in kinds as protobuf.
            guard let object = KubeProtobuf.decode(request.body) else {
                throw KubeError(reason: .unsupportedMediaType,
                                message: "odas-sim decodes protobuf bodies of Namespace, ConfigMap, Secret, Deployment, Service, Job and Pod only; send JSON (kubectl create -f)")
            }
            return object
        }
        guard !request.body.isEmpty else { throw KubeError(reason: .badRequest, message: "the request body is empty") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? JSON else {
            throw KubeError(reason: .badRequest, message: "the request body is not a JSON object (odas-sim speaks JSON, not protobuf)")
        }
        return object
    }

    /// The body must be of the path's kind, in the path's namespace and (for item paths) with the path's name.
    static func check(_ object: inout JSON, kind: KubeKind, namespace: String?, name: String?) throws(KubeError) {
        let bodyKind = object["kind"] as? String
        if let bodyKind, bodyKind != kind.rawValue {
            throw KubeError(reason: .badRequest, message: "the kind of the body (\(bodyKind)) does not match the path (\(kind.rawValue))")
        }
        object["kind"] = kind.rawValue
        object["apiVersion"] = kind.apiVersion
        var metadata = object["metadata"] as? JSON ?? [:]
        if let namespace {
            if let given = metadata["namespace"] as? String, !given.isEmpty, given != namespace {
                throw KubeError(reason: .badRequest, message: "the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata["namespace"] = namespace
        }
        if let name {
            if let given = metadata["name"] as? String, !given.isEmpty, given != name {
                throw KubeError(reason: .badRequest, message: "the name of the object (\(given)) does not match the name on the URL (\(name))")
            }
            metadata["name"] = name
        }
        object["metadata"] = metadata
    }

    /// The largest object the store keeps, in bytes of JSON: etcd's default `--max-request-bytes`.
    static let maximumObjectBytes = 1_572_864

    static func decode(_ object: JSON) throws(KubeError) -> AnyKubeObject {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else {
            throw KubeError(reason: .badRequest, message: "the object cannot be encoded as JSON")
        }
        // etcd's default request limit, 1.5 MiB (--max-request-bytes 1572864), bounds every
        // stored object; the apiserver passes etcd's refusal on as a 500.
        guard data.count <= maximumObjectBytes else {
            throw KubeError(reason: .internalError, message: "etcdserver: request is too large")
        }
        do { return try AnyKubeObject.decode(json: data) } catch let error as KubeError { throw error } catch {
            throw KubeError(reason: .badRequest, message: "\(object["kind"] as? String ?? "object") in version \"v1\" cannot be handled: \(describe(error))")
        }
    }

    /// A decoding error as the apiserver words a type mismatch.
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingPrefix(".").description
        }
        switch decoding {
        case .typeMismatch(let type, let context): return "json: cannot unmarshal into field \(path(context)) of type \(type)"
        case .valueNotFound(_, let context): return "\(path(context)): Required value"
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue): Required value"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    static func encodeAny(_ object: AnyKubeObject) throws(KubeError) -> JSON {
        func go<T: KubeObject>(_ value: T) throws(KubeError) -> JSON { try encode(value) }
        return try go(object.unwrapped)
    }

    static func encode<T: KubeObject>(_ object: T) throws(KubeError) -> JSON {
        guard let data = try? JSONEncoder().encode(object), var json = (try? JSONSerialization.jsonObject(with: data)) as? JSON else {
            throw KubeError(reason: .internalError, message: "could not encode \(T.kubeKind.rawValue)")
        }
        json["kind"] = T.kubeKind.rawValue
        json["apiVersion"] = T.kubeKind.apiVersion
        return json
    }

    static func encodeStatus(_ error: KubeError, code: Int? = nil) -> [UInt8] {
        var status = error.status
        if let code { status.code = code }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(status)) ?? Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}"#.utf8))
    }

    static func status(_ error: KubeError) -> WireResponse {
        WireResponse(status: error.code, headers: [("Content-Type", "application/json")], body: encodeStatus(error))
    }

    static func json(_ code: Int, _ value: Any, contentType: String = "application/json") -> WireResponse {
        WireResponse(status: code, headers: [("Content-Type", contentType)], body: KubeJSON.serialize(value))
    }

    /// `includeObject` of a Table request; other values get the default, Metadata.
    static func rowObject(_ request: WireRequest) -> KubeTables.RowObject {
        request.query("includeObject").flatMap(KubeTables.RowObject.init(rawValue:)) ?? .metadata
    }
}

/// Timestamps on the wire: shifted to the server's wall-clock epoch, and
/// Lease times in MicroTime form (`2026-11-27T08:00:00.000000Z`), which
/// kubectl parses strictly.
enum WireTime {
    static let timeKeys: Set<String> = ["creationTimestamp", "deletionTimestamp", "lastHeartbeatTime", "lastTransitionTime",
                                        "startTime", "startedAt", "finishedAt", "firstTimestamp", "lastTimestamp", "eventTime",
                                        "renewTime", "acquireTime", "lastProbeTime", "lastUpdateTime", "completionTime", "timeAdded"]
    static let microKeys: Set<String> = ["renewTime", "acquireTime", "eventTime"]

    static func shift(_ value: Any, by seconds: Int64, key: String? = nil) -> Any {
        if let object = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (name, child) in object { out[name] = shift(child, by: seconds, key: name) }
            return out
        }
        if let list = value as? [Any] { return list.map { shift($0, by: seconds, key: key) } }
        guard let key, timeKeys.contains(key), let text = value as? String, let time = KubeTime(rfc3339: text) else { return value }
        let shifted = KubeTime(time.instant + .seconds(seconds)).description
        if microKeys.contains(key), shifted.hasSuffix("Z"), !shifted.contains(".") { return String(shifted.dropLast()) + ".000000Z" }
        return shifted
    }
}
