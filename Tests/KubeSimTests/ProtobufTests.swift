import Foundation
import SimCore
import Testing
@testable import KubeSim

/// Kubernetes' protobuf request bodies (kubectl's generators): decoded when
/// well formed, refused without a crash when not.
@Suite struct ProtobufTests {
    /// Protobuf helpers to build test messages.
    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var v = value
        repeat {
            var byte = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { byte |= 0x80 }
            out.append(byte)
        } while v != 0
        return out
    }
    static func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes }
    static func string(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }

    static func envelope(apiVersion: String, kind: String, raw: [UInt8]) -> [UInt8] {
        [0x6B, 0x38, 0x73, 0x00] + field(1, string(1, apiVersion) + string(2, kind)) + field(2, raw)
    }

    @Test func aConfigMapDecodes() throws {
        let metadata = Self.string(1, "cfg") + Self.string(3, "") + Self.field(11, Self.string(1, "app") + Self.string(2, "odas"))
        let raw = Self.field(1, metadata) + Self.field(2, Self.string(1, "mode") + Self.string(2, "ha"))
        let object = try #require(KubeProtobuf.decode(Self.envelope(apiVersion: "v1", kind: "ConfigMap", raw: raw)))
        #expect(object["kind"] as? String == "ConfigMap")
        let meta = try #require(object["metadata"] as? [String: Any])
        #expect(meta["name"] as? String == "cfg" && meta["namespace"] == nil)
        #expect((meta["labels"] as? [String: Any])?["app"] as? String == "odas")
        #expect((object["data"] as? [String: Any])?["mode"] as? String == "ha")
    }

    @Test func truncatedOrForeignBytesAreRefused() {
        let good = Self.envelope(apiVersion: "v1", kind: "ConfigMap", raw: Self.field(1, Self.string(1, "cfg")))
        for cut in 0..<good.count { _ = KubeProtobuf.decode(Array(good.prefix(cut))) } // never crashes
        #expect(KubeProtobuf.decode(Array(good.prefix(good.count - 2))) == nil)
        #expect(KubeProtobuf.decode(Self.envelope(apiVersion: "v1", kind: "Unknown", raw: [])) == nil)
        #expect(KubeProtobuf.decode(Array("{\"kind\":\"Pod\"}".utf8)) == nil)
        var random = SimRandom(seed: 7)
        for _ in 0..<500 {
            let noise = [0x6B, 0x38, 0x73, 0x00] + (0..<64).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = KubeProtobuf.decode(noise)
        }
    }
}
