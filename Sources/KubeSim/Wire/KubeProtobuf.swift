import Foundation

/// Request bodies in Kubernetes' protobuf encoding, which client-go's typed
/// clients send for built-in kinds (kubectl's generators: `kubectl create
/// namespace|deployment|service|configmap|secret …`). Decoded into the same
/// JSON the rest of the adapter speaks.
///
/// The envelope is `k8s\0` + `runtime.Unknown` {typeMeta {apiVersion, kind},
/// raw}; the object is decoded with the field numbers of k8s.io/api's
/// generated.proto for the kinds below. Fields not listed are skipped (a
/// generator does not set them); other kinds are refused with 415.
enum KubeProtobuf {
    typealias JSON = [String: Any]

    /// How a message field maps to JSON.
    indirect enum Field {
        case string(String)
        case int(String)
        case bool(String)
        case bytes(String)             // base64 in JSON
        case message(String, Schema)
        case repeatedString(String)
        case repeatedMessage(String, Schema)
        case stringMap(String)
        case bytesMap(String)
        case quantityMap(String)
        case intOrString(String)
        case time(String)
    }

    typealias Schema = [Int: Field]

    static let objectMeta: Schema = [1: .string("name"), 2: .string("generateName"), 3: .string("namespace"), 7: .int("generation"),
                                     11: .stringMap("labels"), 12: .stringMap("annotations"), 14: .repeatedString("finalizers")]
    static let labelSelectorRequirement: Schema = [1: .string("key"), 2: .string("operator"), 3: .repeatedString("values")]
    static let labelSelector: Schema = [1: .stringMap("matchLabels"), 2: .repeatedMessage("matchExpressions", labelSelectorRequirement)]
    static let containerPort: Schema = [1: .string("name"), 2: .int("hostPort"), 3: .int("containerPort"), 4: .string("protocol")]
    static let envVar: Schema = [1: .string("name"), 2: .string("value")]
    static let resources: Schema = [1: .quantityMap("limits"), 2: .quantityMap("requests")]
    static let container: Schema = [1: .string("name"), 2: .string("image"), 3: .repeatedString("command"), 4: .repeatedString("args"),
                                    5: .string("workingDir"), 6: .repeatedMessage("ports", containerPort), 7: .repeatedMessage("env", envVar),
                                    8: .message("resources", resources), 14: .string("imagePullPolicy")]
    static let podSpec: Schema = [2: .repeatedMessage("containers", container), 3: .string("restartPolicy"),
                                  4: .int("terminationGracePeriodSeconds"), 7: .stringMap("nodeSelector"), 10: .string("nodeName"),
                                  20: .repeatedMessage("initContainers", container)]
    static let podTemplate: Schema = [1: .message("metadata", objectMeta), 2: .message("spec", podSpec)]
    static let rollingUpdate: Schema = [1: .intOrString("maxUnavailable"), 2: .intOrString("maxSurge")]
    static let strategy: Schema = [1: .string("type"), 2: .message("rollingUpdate", rollingUpdate)]
    static let deploymentSpec: Schema = [1: .int("replicas"), 2: .message("selector", labelSelector), 3: .message("template", podTemplate),
                                         4: .message("strategy", strategy), 5: .int("minReadySeconds"), 6: .int("revisionHistoryLimit"),
                                         7: .bool("paused"), 9: .int("progressDeadlineSeconds")]
    static let servicePort: Schema = [1: .string("name"), 2: .string("protocol"), 3: .int("port"), 4: .intOrString("targetPort"),
                                      5: .int("nodePort")]
    static let serviceSpec: Schema = [1: .repeatedMessage("ports", servicePort), 2: .stringMap("selector"), 3: .string("clusterIP"),
                                      4: .string("type"), 5: .repeatedString("externalIPs"), 7: .string("sessionAffinity"),
                                      10: .string("externalName")]
    static let jobSpec: Schema = [1: .int("parallelism"), 2: .int("completions"), 3: .int("activeDeadlineSeconds"),
                                  4: .message("selector", labelSelector), 6: .message("template", podTemplate), 7: .int("backoffLimit"),
                                  9: .string("completionMode")]

    /// Object schemas by kind.
    static let kinds: [String: Schema] = [
        "Namespace": [1: .message("metadata", objectMeta)],
        "ConfigMap": [1: .message("metadata", objectMeta), 2: .stringMap("data"), 3: .bytesMap("binaryData"), 4: .bool("immutable")],
        "Secret": [1: .message("metadata", objectMeta), 2: .bytesMap("data"), 3: .string("type"), 4: .stringMap("stringData"),
                   5: .bool("immutable")],
        "Deployment": [1: .message("metadata", objectMeta), 2: .message("spec", deploymentSpec)],
        "Service": [1: .message("metadata", objectMeta), 2: .message("spec", serviceSpec)],
        "Job": [1: .message("metadata", objectMeta), 2: .message("spec", jobSpec)],
        "Pod": [1: .message("metadata", objectMeta), 2: .message("spec", podSpec)],
    ]

    /// Decodes an enveloped object; nil when the bytes are not one this decoder knows.
    static func decode(_ bytes: [UInt8]) -> JSON? {
        guard bytes.count > 4, Array(bytes[0..<4]) == [0x6B, 0x38, 0x73, 0x00] else { return nil } // "k8s\0"
        var reader = Reader(bytes: bytes, position: 4, end: bytes.count)
        var apiVersion = "", kind = ""
        var raw: [UInt8] = []
        while let (field, wire) = reader.tag() {
            switch (field, wire) {
            case (1, 2):
                guard var typeMeta = reader.sub() else { return nil }
                while let (f, w) = typeMeta.tag() {
                    if w == 2, let text = typeMeta.string() { if f == 1 { apiVersion = text } else if f == 2 { kind = text } }
                    else if !typeMeta.skip(w) { return nil }
                }
            case (2, 2):
                guard let data = reader.bytesField() else { return nil }
                raw = data
            default:
                if !reader.skip(wire) { return nil }
            }
        }
        guard let schema = kinds[kind] else { return nil }
        var object = decodeMessage(Reader(bytes: raw, position: 0, end: raw.count), schema) ?? [:]
        object["apiVersion"] = apiVersion
        object["kind"] = kind
        return object
    }

    static func decodeMessage(_ start: Reader, _ schema: Schema) -> JSON? {
        var reader = start
        var out: JSON = [:]
        while let (number, wire) = reader.tag() {
            guard let field = schema[number] else {
                if !reader.skip(wire) { return nil }
                continue
            }
            switch field {
            case .string(let name):
                // Kubernetes' marshaller writes empty strings too; JSON omits them, and so do we.
                guard let value = reader.string() else { return nil }
                if !value.isEmpty { out[name] = value }
            case .int(let name): guard let value = reader.varint() else { return nil }; out[name] = Int64(bitPattern: value)
            case .bool(let name): guard let value = reader.varint() else { return nil }; out[name] = value != 0
            case .bytes(let name): guard let value = reader.bytesField() else { return nil }; out[name] = Data(value).base64EncodedString()
            case .time(let name): guard reader.sub() != nil else { return nil }; out[name] = nil
            case .message(let name, let sub):
                guard let child = reader.sub(), let value = decodeMessage(child, sub) else { return nil }
                // An empty message is an unset field (e.g. a generator's empty strategy, which the apiserver defaults).
                if !value.isEmpty { out[name] = value }
            case .repeatedString(let name):
                guard let value = reader.string() else { return nil }
                out[name] = (out[name] as? [String] ?? []) + [value]
            case .repeatedMessage(let name, let sub):
                guard let child = reader.sub(), let value = decodeMessage(child, sub) else { return nil }
                out[name] = (out[name] as? [JSON] ?? []) + [value]
            case .stringMap(let name), .bytesMap(let name), .quantityMap(let name):
                guard var entry = reader.sub() else { return nil }
                var key = "", value: Any = ""
                while let (f, w) = entry.tag() {
                    if f == 1, w == 2, let text = entry.string() { key = text }
                    else if f == 2, w == 2 {
                        switch field {
                        case .bytesMap: guard let data = entry.bytesField() else { return nil }; value = Data(data).base64EncodedString()
                        case .quantityMap:
                            guard var quantity = entry.sub() else { return nil }
                            while let (qf, qw) = quantity.tag() {
                                if qf == 1, qw == 2, let text = quantity.string() { value = text } else if !quantity.skip(qw) { return nil }
                            }
                        default: guard let text = entry.string() else { return nil }; value = text
                        }
                    } else if !entry.skip(w) { return nil }
                }
                var map = out[name] as? JSON ?? [:]
                map[key] = value
                out[name] = map
            case .intOrString(let name):
                guard var value = reader.sub() else { return nil }
                var type: UInt64 = 0, intValue: Int64 = 0, stringValue = ""
                while let (f, w) = value.tag() {
                    if f == 1, let v = value.varint() { type = v }
                    else if f == 2, let v = value.varint() { intValue = Int64(bitPattern: v) }
                    else if f == 3, w == 2, let text = value.string() { stringValue = text }
                    else if !value.skip(w) { return nil }
                }
                out[name] = type == 1 ? stringValue as Any : intValue as Any
            }
        }
        return out
    }

    /// A protobuf wire-format reader over a byte range; every read is bounds-checked.
    struct Reader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        mutating func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while position < end, shift < 64 {
                let byte = bytes[position]
                position += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }

        mutating func tag() -> (field: Int, wire: Int)? {
            guard position < end, let key = varint(), key >> 3 > 0, key >> 3 < 1 << 29 else { return nil }
            return (Int(key >> 3), Int(key & 7))
        }

        mutating func bytesField() -> [UInt8]? {
            guard let length = varint(), length <= UInt64(end - position) else { return nil }
            let start = position
            position += Int(length)
            return Array(bytes[start..<position])
        }

        mutating func string() -> String? { bytesField().map { String(decoding: $0, as: UTF8.self) } }

        mutating func sub() -> Reader? {
            guard let length = varint(), length <= UInt64(end - position) else { return nil }
            let child = Reader(bytes: bytes, position: position, end: position + Int(length))
            position += Int(length)
            return child
        }

        mutating func skip(_ wire: Int) -> Bool {
            switch wire {
            case 0: return varint() != nil
            case 1: guard end - position >= 8 else { return false }; position += 8; return true
            case 2: return bytesField() != nil
            case 5: guard end - position >= 4 else { return false }; position += 4; return true
            default: return false
            }
        }
    }
}
