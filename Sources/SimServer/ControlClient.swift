#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking HTTP/1.1 client for serve's control endpoint on 127.0.0.1,
/// used by `odas-sim fault` and `odas-sim clock`. One request per connection.
public struct ControlClient: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let host: String
    public let port: UInt16
    /// The serve's `--control-token`, sent as `Authorization: Bearer`.
    public let token: String?

    /// Parses `http://127.0.0.1:PORT` (loopback only: serve never listens elsewhere).
    public init(endpoint: String, token: String? = nil) throws(Failure) {
        self.token = token
        var rest = Substring(endpoint)
        guard rest.hasPrefix("http://") else { throw Failure(description: "endpoint must look like http://127.0.0.1:PORT, got \(endpoint)") }
        rest = rest.dropFirst("http://".count)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]), ["127.0.0.1", "localhost"].contains(String(parts[0])) else {
            throw Failure(description: "endpoint must be http://127.0.0.1:PORT, got \(endpoint)")
        }
        host = "127.0.0.1"
        self.port = port
    }

    /// Sends one request and returns the status and body.
    public func send(method: String, path: String, body: String? = nil) throws(Failure) -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "cannot connect to http://\(host):\(port): is odas-sim serve running?") }
        let payload = body ?? ""
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\(authorization)Content-Type: application/json\r\nContent-Length: \(payload.utf8.count)\r\n\r\n\(payload)"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the control endpoint closed the connection") }
            sent += n
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            response += buffer[0..<n]
            if response.count > 64 << 20 { break }
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"),
              let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap({ Int($0) }) else {
            throw Failure(description: "the control endpoint sent no valid HTTP response")
        }
        return (status, String(text[headerEnd.upperBound...]))
    }
}
