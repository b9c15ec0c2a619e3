import Foundation
import SimCore

/// One open watch (`GET …?watch=true`): the server polls it and streams what
/// it returns as newline-delimited `{"type": …, "object": …}` events, with
/// Table-wrapped objects when the client asked for Tables (`kubectl get -w`).
/// Without a resourceVersion (or with 0) it starts with an ADDED event per
/// existing object, as the apiserver does.
public struct KubeWatch: Sendable {
    let kind: KubeKind
    let namespace: String?
    let labels: Selector?
    let fields: FieldSelector?
    let asTable: Bool
    /// What a Table row carries (`includeObject`).
    let rowObject: KubeTables.RowObject
    var resourceVersion: Int64
    var sentColumns = false
    var initial: [AnyKubeObject] = []
    /// How long the client asked the watch to last (`timeoutSeconds`, default 30 minutes).
    public let timeoutSeconds: Int
    /// Moves timestamps to the server's wall-clock epoch (see ``KubeAPIAdapter/handle(_:cluster:serverAddress:timeShiftSeconds:)``).
    var timeShiftSeconds: Int64 = 0

    init(_ request: WireRequest, kind: KubeKind, namespace: String?, cluster: KubeCluster) throws(KubeError) {
        self.kind = kind
        self.namespace = namespace
        labels = try request.query("labelSelector").map { text throws(KubeError) in try Selector.parse(text) }
        fields = try request.query("fieldSelector").map { text throws(KubeError) in try FieldSelector.parse(text) }
        asTable = (request.header("accept") ?? "").contains("as=Table")
        rowObject = KubeAPIAdapter.rowObject(request)
        timeoutSeconds = request.query("timeoutSeconds").flatMap { Int($0) }.map { min(max($0, 1), 3600) } ?? 1800
        let given = request.query("resourceVersion").flatMap { Int64($0) } ?? 0
        if given == 0 {
            resourceVersion = cluster.store.resourceVersion
            func go<T: KubeObject>(_ type: T.Type) -> [AnyKubeObject] {
                cluster.store.list(T.self, namespace: namespace, labelSelector: labels, fieldSelector: fields).map(\.erased)
            }
            initial = go(kind.swiftType)
        } else {
            resourceVersion = given
            _ = try cluster.store.watchEvents(since: given, kind: kind) // 410 Expired now rather than mid-stream
        }
    }

    func matches(_ object: AnyKubeObject) -> Bool {
        if let namespace, kind.isNamespaced, object.metadata.namespaceOrEmpty != namespace { return false }
        if let labels, !labels.matches(object.metadata.labelsOrEmpty) { return false }
        if let fields, !fields.matches(object) { return false }
        return true
    }

    /// The events since the last poll, encoded; nil when the watch must end
    /// (its history was compacted: an ERROR event with a 410 Status is sent first).
    public mutating func poll(_ cluster: KubeCluster) -> (bytes: [UInt8], ended: Bool) {
        var out: [UInt8] = []
        for object in initial { out += line("ADDED", object, now: cluster.now) }
        initial = []
        do throws(KubeError) {
            for event in try cluster.store.watchEvents(since: resourceVersion, kind: kind) {
                resourceVersion = event.resourceVersion
                guard matches(event.object) else { continue }
                out += line(event.type.rawValue, event.object, now: cluster.now)
            }
        } catch {
            let status = KubeAPIAdapter.encodeStatus(error)
            return (Array("{\"type\":\"ERROR\",\"object\":".utf8) + status + Array("}\n".utf8), true)
        }
        return (out, false)
    }

    mutating func line(_ type: String, _ object: AnyKubeObject, now: SimInstant) -> [UInt8] {
        guard var json = try? KubeAPIAdapter.encodeAny(object) else { return [] }
        if asTable {
            json = KubeTables.table(kind, objects: [json], now: now, resourceVersion: String(resourceVersion), includeColumns: !sentColumns,
                                    include: rowObject)
            sentColumns = true
        }
        let event: [String: Any] = ["type": type, "object": WireTime.shift(json, by: timeShiftSeconds)]
        return KubeJSON.serialize(event) + [0x0A]
    }
}
