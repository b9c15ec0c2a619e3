import Foundation
import SimCore

/// Bounded lists and validated resource versions, as the apiserver does them.
///
/// `limit` and `continue` (apimachinery `ListOptions`; "Retrieving large
/// results sets in chunks", kubernetes.io/docs/reference/using-api/api-concepts/):
/// a list answers at most `limit` items and, when more remain, a
/// `metadata.continue` token and `remainingItemCount`; the next call passes
/// the token. The token, like the apiserver's (k8s.io/apiserver
/// pkg/storage/continue.go), is base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":KEY}`;
/// here the next page starts after KEY in the current state (the apiserver
/// serves it from the snapshot at `rv`).
enum KubeListPaging {
    struct Token: Codable {
        var v: String
        var rv: Int64
        var start: String
    }

    /// The `limit` query parameter: absent or 0 is unlimited, as on the apiserver.
    static func limit(_ request: WireRequest) throws(KubeError) -> Int? {
        guard let text = request.query("limit"), !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw KubeError(reason: .badRequest, message: "limit: Invalid value: \"\(text)\": must be a non-negative integer")
        }
        return value == 0 ? nil : Int(min(value, Int64(Int32.max)))
    }

    /// The key after which the page starts (nil: from the beginning).
    static func start(_ request: WireRequest) throws(KubeError) -> String? {
        guard let text = request.query("continue"), !text.isEmpty else { return nil }
        var padded = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let token = try? JSONDecoder().decode(Token.self, from: data),
              token.v == "meta.k8s.io/v1" else {
            throw KubeError(reason: .badRequest, message: "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return token.start
    }

    static func token(resourceVersion: Int64, after key: String) -> String {
        let data = (try? JSONEncoder().encode(Token(v: "meta.k8s.io/v1", rv: resourceVersion, start: key))) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The `resourceVersion` query parameter must be a resource version: the
    /// apiserver answers 400 BadRequest otherwise (k8s.io/apiserver
    /// pkg/storage/etcd3 APIObjectVersioner.ParseResourceVersion).
    static func validateResourceVersion(_ request: WireRequest) throws(KubeError) {
        guard let text = request.query("resourceVersion"), !text.isEmpty, UInt64(text) == nil else { return }
        throw KubeError(reason: .badRequest,
                        message: "resourceVersion: Invalid value: \"\(text)\": strconv.ParseUint: parsing \"\(text)\": invalid syntax")
    }

    /// One page of `objects` (in key order): the items, the continue token and how many remain after it.
    static func page<T>(_ objects: [T], key: (T) -> String, limit: Int?, after start: String?,
                        resourceVersion: Int64) -> (items: ArraySlice<T>, continue: String?, remaining: Int?) {
        var from = objects.startIndex
        if let start { from = objects.firstIndex { key($0) > start } ?? objects.endIndex }
        guard let limit, objects.endIndex - from > limit else { return (objects[from...], nil, nil) }
        let items = objects[from..<from + limit]
        let last = items.last.map(key) ?? ""
        return (items, token(resourceVersion: resourceVersion, after: last), objects.endIndex - from - limit)
    }
}
