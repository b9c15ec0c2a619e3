import Foundation
import SimCore

/// JSON text of `JSONSerialization` values with sorted keys, written here
/// rather than by `JSONSerialization.data(withJSONObject:options: .sortedKeys)`,
/// which compares keys as NSStrings with locale support: an object with
/// 90,000 labels took seconds to write, all under the world's lock. Keys sort
/// by Swift's `String` order, so the bytes are the same in every process.
enum KubeJSON {
    static func serialize(_ value: Any) -> [UInt8] {
        var out = ""
        write(value, to: &out)
        return Array(out.utf8)
    }

    static func write(_ value: Any, to out: inout String) {
        switch value {
        case let object as [String: Any]:
            out += "{"
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONText.appendString(key, to: &out)
                out += ":"
                write(object[key] ?? NSNull(), to: &out)
            }
            out += "}"
        case let list as [Any]:
            out += "["
            for (index, element) in list.enumerated() {
                if index > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        case let text as String:
            JSONText.appendString(text, to: &out)
        case is NSNull:
            out += "null"
        default:
            out += scalar(value)
        }
    }

    /// Booleans and numbers, native or as `NSNumber` (whose `objCType` tells a boolean, "c", from a number).
    static func scalar(_ value: Any) -> String {
        if type(of: value) == Bool.self, let flag = value as? Bool { return flag ? "true" : "false" }
        if let integer = value as? Int, type(of: value) == Int.self { return String(integer) }
        if let number = value as? Double, type(of: value) == Double.self { return number.isFinite ? "\(number)" : "null" }
        if let number = value as? NSNumber {
            switch String(cString: number.objCType) {
            case "c", "B": return number.boolValue ? "true" : "false"
            case "d", "f":
                let double = number.doubleValue
                guard double.isFinite else { return "null" }
                return double == double.rounded() && abs(double) < 1e15 ? String(Int64(double)) : "\(double)"
            case "Q": return String(number.uint64Value)
            default: return String(number.int64Value)
            }
        }
        if let integer = value as? Int64 { return String(integer) }
        if let integer = value as? Int32 { return String(integer) }
        if let integer = value as? UInt64 { return String(integer) }
        return "null"
    }
}
