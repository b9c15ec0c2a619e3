import Crypto

/// The object checksums S3 supports (`x-amz-checksum-*`): CRC32, CRC32C,
/// CRC64NVME, SHA1, SHA256, each sent and returned base64-encoded, big-endian
/// (AmazonS3/latest/userguide/checking-object-integrity.html).
public enum S3ChecksumAlgorithm: String, CaseIterable, Sendable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"

    /// The header carrying this checksum, e.g. `x-amz-checksum-crc32`.
    public var headerName: String { "x-amz-checksum-" + rawValue.lowercased() }

    /// The checksum of `bytes`, base64-encoded as S3 sends it.
    public func checksum(of bytes: [UInt8]) -> String {
        switch self {
        case .crc32: return Base64.encode(bigEndian(UInt64(CRC.crc32(bytes)), width: 4))
        case .crc32c: return Base64.encode(bigEndian(UInt64(CRC.crc32c(bytes)), width: 4))
        case .crc64nvme: return Base64.encode(bigEndian(CRC.crc64nvme(bytes), width: 8))
        case .sha1: return Base64.encode(Array(Insecure.SHA1.hash(data: bytes)))
        case .sha256: return Base64.encode(Array(SHA256.hash(data: bytes)))
        }
    }

    func bigEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (width - 1 - $0))) }
    }

    /// The algorithm whose header is `name` (lowercased), if any.
    public init?(headerName name: String) {
        guard let algorithm = S3ChecksumAlgorithm.allCases.first(where: { $0.headerName == name }) else { return nil }
        self = algorithm
    }
}

/// Table-driven reflected CRCs.
enum CRC {
    static let crc32Table = table32(polynomial: 0xEDB8_8320)
    static let crc32cTable = table32(polynomial: 0x82F6_3B78)
    static let crc64Table: [UInt64] = (0..<256).map { index in
        var crc = UInt64(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x9A6C_9329_AC4B_C9B5 : crc >> 1 }
        return crc
    }

    static func table32(polynomial: UInt32) -> [UInt32] {
        (0..<256).map { index in
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            return crc
        }
    }

    /// CRC-32 (ISO-HDLC, as zlib): check value of "123456789" is 0xCBF43926.
    static func crc32(_ bytes: [UInt8]) -> UInt32 { run32(bytes, crc32Table) }
    /// CRC-32C (Castagnoli): check value 0xE3069283.
    static func crc32c(_ bytes: [UInt8]) -> UInt32 { run32(bytes, crc32cTable) }

    static func run32(_ bytes: [UInt8], _ table: [UInt32]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// CRC-64/NVME: check value 0xAE8B14860A799888.
    static func crc64nvme(_ bytes: [UInt8]) -> UInt64 {
        var crc: UInt64 = .max
        for byte in bytes { crc = crc64Table[Int((crc ^ UInt64(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ .max
    }
}

/// Standard base64 (RFC 4648) without line breaks.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded standard base64; nil if malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        var index = 0
        while index < chars.count {
            var n: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let c = chars[index + offset]
                let value: UInt32
                switch c {
                case 65...90: value = UInt32(c - 65)
                case 97...122: value = UInt32(c - 71)
                case 48...57: value = UInt32(c + 4)
                case 43: value = 62
                case 47: value = 63
                case 61 where index + 4 == chars.count && offset >= 2: value = 0; padding += 1
                default: return nil
                }
                if padding > 0 && c != 61 { return nil }
                n = n << 6 | value
            }
            out.append(UInt8(n >> 16 & 0xFF))
            if padding < 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if padding < 1 { out.append(UInt8(n & 0xFF)) }
            index += 4
        }
        return out
    }
}

/// Lowercase hex.
public enum Hex {
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
