import Foundation

extension AnyKubeObject {
    private struct KindProbe: Decodable { var kind: String? }

    /// Decodes a JSON manifest by its `kind` (unknown fields ignored). Throws a
    /// `KubeError` (`BadRequest`) for an unknown or missing kind, and the
    /// decoder's error for malformed JSON or a missing required field.
    public static func decode(json data: Data) throws -> AnyKubeObject {
        let decoder = JSONDecoder()
        let probe = try decoder.decode(KindProbe.self, from: data)
        guard let kindName = probe.kind, let kind = KubeKind(rawValue: kindName) else {
            throw KubeError(reason: .badRequest, message: "Object 'Kind' is missing or unknown: \(probe.kind ?? "")")
        }
        func go<T: KubeObject>(_ t: T.Type) throws -> AnyKubeObject { try decoder.decode(t, from: data).erased }
        return try go(kind.swiftType)
    }
}
