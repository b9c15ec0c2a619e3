/// An HTTP request as a wire adapter sees it: no sockets, no framing — the
/// server (SimServer) has already read the head and the whole body.
public struct WireRequest: Sendable {
    public var method: String
    /// The request target as sent: path and query, still percent-encoded.
    public var target: String
    /// Header fields in the order received; names as sent.
    public var headers: [(name: String, value: String)] {
        didSet { loweredNames = headers.map { $0.name.lowercased() } }
    }
    public var body: [UInt8]
    /// Header names lowercased once, for case-insensitive lookups.
    private var loweredNames: [String]
    /// Query parameters, percent-decoded, parsed once.
    public let queryItems: [(name: String, value: String)]

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        loweredNames = headers.map { $0.name.lowercased() }
        queryItems = WireRequest.parseQuery(target)
    }

    /// The value of a header (case-insensitive); repeated fields are joined with commas.
    /// `name` must be given in lowercase.
    public func header(_ name: String) -> String? {
        var found: String?
        for (index, lowered) in loweredNames.enumerated() where lowered == name {
            found = found.map { $0 + "," + headers[index].value } ?? headers[index].value
        }
        return found
    }

    /// The raw (still encoded) path, without the query.
    public var rawPath: Substring {
        target.firstIndex(of: "?").map { target[..<$0] } ?? Substring(target)
    }

    /// The raw (still encoded) query string, without `?`.
    public var rawQuery: Substring {
        target.firstIndex(of: "?").map { target[target.index(after: $0)...] } ?? ""
    }

    /// Query parameters, percent-decoded, in order. A parameter without `=` has an empty value.
    static func parseQuery(_ target: String) -> [(name: String, value: String)] {
        let rawQuery = target.firstIndex(of: "?").map { target[target.index(after: $0)...] } ?? ""
        return rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (PercentEncoding.decode(pair[..<equals]), PercentEncoding.decode(pair[pair.index(after: equals)...]))
            }
            return (PercentEncoding.decode(pair), "")
        }
    }

    /// The first value of a query parameter.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}

/// A response body that is produced over time (a Kubernetes watch): the
/// server sends `body` first, then calls `poll` every `pollMilliseconds` and
/// sends what it returns as chunks, until it says the stream ended, the
/// client goes away or `timeoutSeconds` of wall time have passed.
public struct WireStream: Sendable {
    public var poll: @Sendable () -> (bytes: [UInt8], ended: Bool)
    public var pollMilliseconds: Int64
    public var timeoutSeconds: Int64

    public init(pollMilliseconds: Int64 = 50, timeoutSeconds: Int64, poll: @escaping @Sendable () -> (bytes: [UInt8], ended: Bool)) {
        self.poll = poll
        self.pollMilliseconds = pollMilliseconds
        self.timeoutSeconds = timeoutSeconds
    }
}

/// An HTTP response produced by a wire adapter.
public struct WireResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// When set, the body continues as a stream (chunked transfer encoding).
    public var stream: WireStream?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Percent-encoding as SigV4 and S3 use it (RFC 3986: only `A-Z a-z 0-9 - _ . ~` stay as they are).
public enum PercentEncoding {
    /// Decodes `%XX` escapes; invalid escapes are kept literally. `+` stays `+`.
    public static func decode<S: StringProtocol>(_ text: S) -> String {
        String(decoding: decodeBytes(text), as: UTF8.self)
    }

    /// Decodes `%XX` escapes to raw bytes (keys may hold bytes that are not UTF-8).
    public static func decodeBytes<S: StringProtocol>(_ text: S) -> [UInt8] {
        var bytes = [UInt8]()
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 37, index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return bytes
    }

    /// Encodes every byte except unreserved characters (and `/` when `keepSlash`).
    public static func encode<S: StringProtocol>(_ text: S, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case 65...90, 97...122, 48...57, 45, 46, 95, 126: out.append(byte)
            case 47 where keepSlash: out.append(byte)
            default: out += [37, digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}
