import Foundation

/// The patch formats kubectl sends: strategic merge patch (`apply`,
/// `cordon`), JSON merge patch (`scale`, `patch --type merge`) and JSON
/// patch (`patch --type json`), applied to an object's JSON.
enum KubePatch {
    typealias JSON = [String: Any]

    /// Merge keys of the lists the strategic merge patch merges element by
    /// element (the `patchMergeKey` tags of k8s.io/api); other lists are replaced.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
        "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
        "ports": "containerPort", "conditions": "type", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
        "ownerReferences": "uid", "addresses": "type",
    ]

    /// RFC 7386: objects merge recursively, `null` deletes, everything else replaces.
    static func mergePatch(_ original: Any?, _ patch: Any) -> Any? {
        guard let patchObject = patch as? JSON else { return patch }
        var result = (original as? JSON) ?? [:]
        for (key, value) in patchObject {
            if value is NSNull { result[key] = nil } else { result[key] = mergePatch(result[key], value) }
        }
        return result
    }

    /// Strategic merge patch: like a merge patch, but lists with a merge key
    /// merge by that key, and the directives `$patch` (`delete`, `replace`),
    /// `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are honoured.
    static func strategicMerge(_ original: Any?, _ patch: Any, key: String? = nil) -> Any? {
        guard let patchObject = patch as? JSON else {
            if let list = patch as? [Any], let key, let mergeKey = mergeKeys[key] {
                return mergeList(original as? [Any] ?? [], list, mergeKey: mergeKey)
            }
            return patch
        }
        if let directive = patchObject["$patch"] as? String {
            if directive == "replace" {
                var replaced = patchObject
                replaced["$patch"] = nil
                return replaced
            }
            if directive == "delete" { return nil }
        }
        var result = (original as? JSON) ?? [:]
        if let retain = patchObject["$retainKeys"] as? [String] {
            result = result.filter { retain.contains($0.key) }
        }
        for (field, value) in patchObject.sorted(by: { $0.key < $1.key }) {
            if field == "$patch" || field == "$retainKeys" { continue }
            if field.hasPrefix("$setElementOrder/") {
                let listKey = String(field.dropFirst("$setElementOrder/".count))
                if let order = value as? [Any], let list = result[listKey] as? [Any], let mergeKey = mergeKeys[listKey] {
                    result[listKey] = reorder(list, order, mergeKey: mergeKey)
                }
                continue
            }
            if field.hasPrefix("$deleteFromPrimitiveList/") {
                let listKey = String(field.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = (value as? [Any] ?? []).map { "\($0)" }
                result[listKey] = (result[listKey] as? [Any] ?? []).filter { !remove.contains("\($0)") }
                continue
            }
            if value is NSNull { result[field] = nil; continue }
            result[field] = strategicMerge(result[field], value, key: field)
        }
        return result
    }

    static func mergeList(_ original: [Any], _ patch: [Any], mergeKey: String) -> [Any] {
        var result = original
        for item in patch {
            guard let object = item as? JSON, let id = object[mergeKey].map({ "\($0)" }) else {
                result.append(item)
                continue
            }
            let index = result.firstIndex { ($0 as? JSON)?[mergeKey].map { "\($0)" } == id }
            if object["$patch"] as? String == "delete" {
                if let index { result.remove(at: index) }
                continue
            }
            if let index {
                if let merged = strategicMerge(result[index], object) { result[index] = merged }
            } else {
                result.append(object)
            }
        }
        return result
    }

    static func reorder(_ list: [Any], _ order: [Any], mergeKey: String) -> [Any] {
        let ids = order.compactMap { ($0 as? JSON)?[mergeKey].map { "\($0)" } }
        func rank(_ item: Any) -> Int {
            let id = (item as? JSON)?[mergeKey].map { "\($0)" } ?? ""
            return ids.firstIndex(of: id) ?? Int.max
        }
        return list.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// RFC 6902 JSON patch: `add`, `remove`, `replace`, `test` on JSON pointers.
    static func jsonPatch(_ original: JSON, _ operations: [JSON]) throws(KubeError) -> JSON {
        var document: Any = original
        for operation in operations {
            guard let op = operation["op"] as? String, let path = operation["path"] as? String else {
                throw KubeError(reason: .badRequest, message: "the JSON patch operation needs \"op\" and \"path\"")
            }
            let tokens = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
                .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
            switch op {
            case "add", "replace":
                guard let value = operation["value"] else { throw KubeError(reason: .badRequest, message: "\(op) needs a value") }
                document = try set(document, Array(tokens), value, insert: op == "add")
            case "remove":
                document = try set(document, Array(tokens), nil, insert: false)
            case "test":
                continue
            default:
                throw KubeError(reason: .badRequest, message: "unsupported JSON patch operation \"\(op)\"")
            }
        }
        guard let object = document as? JSON else { throw KubeError(reason: .badRequest, message: "the patch replaced the whole object") }
        return object
    }

    static func set(_ node: Any, _ path: [String], _ value: Any?, insert: Bool) throws(KubeError) -> Any {
        guard let head = path.first else { return value ?? NSNull() }
        let rest = Array(path.dropFirst())
        if var object = node as? JSON {
            if rest.isEmpty { object[head] = value } else {
                guard let child = object[head] else { throw KubeError(reason: .invalid, message: "the path /\(path.joined(separator: "/")) does not exist") }
                object[head] = try set(child, rest, value, insert: insert)
            }
            return object
        }
        if var list = node as? [Any] {
            let index = head == "-" ? list.count : Int(head) ?? -1
            guard index >= 0, index <= list.count else { throw KubeError(reason: .invalid, message: "index \(head) is out of range") }
            if rest.isEmpty {
                if let value {
                    if insert { list.insert(value, at: index) } else if index < list.count { list[index] = value }
                } else if index < list.count { list.remove(at: index) }
            } else if index < list.count {
                list[index] = try set(list[index], rest, value, insert: insert)
            }
            return list
        }
        throw KubeError(reason: .invalid, message: "the path /\(path.joined(separator: "/")) does not exist")
    }
}
