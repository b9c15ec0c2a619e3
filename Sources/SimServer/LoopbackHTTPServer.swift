import AWSSim
import SimCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTP/1.1 server bound to 127.0.0.1 that hands each complete
/// request to a synchronous wire handler.
///
/// It answers `Expect: 100-continue` at once (botocore sends it on every
/// PutObject and would otherwise stall a second per request), bounds the
/// header section and the body (``WireEndpointRules``), and keeps
/// connections alive as HTTP/1.1 asks. Whatever it refuses — too large, too
/// slow, not HTTP — is answered in the endpoint's protocol.
///
/// No client can hold resources without bound (``Limits``): connections are
/// capped, an idle connection is closed, a request whose body does not
/// arrive in time gets `408 RequestTimeout`, and request bodies buffered by
/// all connections together share one byte budget (`503 SlowDown` beyond it).
public final class LoopbackHTTPServer: Sendable {
    /// Bounds on what clients can hold. One instance may be shared by several servers.
    public final class Limits: Sendable {
        /// Open connections per server; a connection beyond it is closed at once.
        public let maximumConnections: Int
        /// A connection with no request in progress for this long is closed.
        public let idleTimeout: TimeAmount
        /// A request whose head and body are not complete this long after its head arrived gets 408.
        public let requestTimeout: TimeAmount
        /// Request body bytes buffered by all connections together.
        public let maximumBufferedBodyBytes: Int
        let buffered = NIOLockedValueBox(0)

        public init(maximumConnections: Int = 1024, idleTimeout: TimeAmount = .seconds(60),
                    requestTimeout: TimeAmount = .seconds(300), maximumBufferedBodyBytes: Int = 1 << 30) {
            self.maximumConnections = maximumConnections
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.maximumBufferedBodyBytes = maximumBufferedBodyBytes
        }

        /// Takes `bytes` from the shared body budget; false (nothing taken) when it would overflow.
        func reserve(_ bytes: Int) -> Bool {
            buffered.withLockedValue { used in
                guard used + bytes <= maximumBufferedBodyBytes else { return false }
                used += bytes
                return true
            }
        }

        func release(_ bytes: Int) {
            guard bytes > 0 else { return }
            buffered.withLockedValue { $0 = max(0, $0 - bytes) }
        }
    }

    public let port: Int
    let channel: Channel

    init(port: Int, channel: Channel) {
        self.port = port
        self.channel = channel
    }

    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves `handler`,
    /// bounding requests and wording refusals by `rules`.
    /// With `tls`, every connection speaks TLS first (HTTPS).
    public static func start(group: EventLoopGroup, port: Int, rules: WireEndpointRules, limits: Limits = Limits(),
                             tls: NIOSSLContext? = nil,
                             handler: @escaping @Sendable (WireRequest) -> WireResponse) throws -> LoopbackHTTPServer {
        let connections = NIOLockedValueBox(0)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = connections.withLockedValue { count in
                    guard count < limits.maximumConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    // Over the cap: close at once, before reading anything (no fd or buffer is kept).
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    // Parse errors are answered by WireHTTPHandler, in the endpoint's protocol.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(WireHTTPHandler(rules: rules, limits: limits, handler: handler))
                }
            }
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
        let channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        return LoopbackHTTPServer(port: channel.localAddress?.port ?? port, channel: channel)
    }

    /// Stops listening.
    public func close() {
        try? channel.close().wait()
    }

    /// Blocks until the server is closed.
    public func wait() {
        try? channel.closeFuture.wait()
    }
}

final class WireHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let rules: WireEndpointRules
    let limits: LoopbackHTTPServer.Limits
    let handler: @Sendable (WireRequest) -> WireResponse
    var head: HTTPRequestHead?
    /// The current request without its body, as the rules saw it.
    var headRequest: WireRequest?
    var body: [UInt8] = []
    /// The body limit for the current request.
    var bodyLimit = 0
    /// The answer decided before the body arrived (a refusal); the body is read and dropped.
    var decided: WireResponse?
    /// Bytes of `body` taken from the shared budget.
    var reserved = 0
    /// When the current request's head arrived (nil: between requests).
    var requestStarted: NIODeadline?
    /// When the connection last finished a request or was opened.
    var lastActivity = NIODeadline.now()
    /// True while a streamed response (a watch) runs: it has its own timeout.
    var streaming = false
    var timer: RepeatedTask?

    init(rules: WireEndpointRules, limits: LoopbackHTTPServer.Limits, handler: @escaping @Sendable (WireRequest) -> WireResponse) {
        self.rules = rules
        self.limits = limits
        self.handler = handler
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let check = min(limits.idleTimeout, limits.requestTimeout, .seconds(1))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { _ in
            bound.value.0.checkTimeouts(context: bound.value.1)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        limits.release(reserved)
        reserved = 0
    }

    /// Closes an idle connection; refuses a request that is not complete in time.
    func checkTimeouts(context: ChannelHandlerContext) {
        guard !streaming, context.channel.isActive else { return }
        let now = NIODeadline.now()
        if let started = requestStarted {
            guard now - started > limits.requestTimeout, let requestHead = head else { return }
            let response = rules.refusal(.timeout, headRequest)
            finishRequest()
            write(response, for: requestHead, context: context, close: true)
        } else if now - lastActivity > limits.idleTimeout {
            context.close(promise: nil)
        }
    }

    func releaseBody() {
        body = []
        limits.release(reserved)
        reserved = 0
    }

    func finishRequest() {
        head = nil
        headRequest = nil
        requestStarted = nil
        decided = nil
        releaseBody()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            finishRequest()
            head = requestHead
            requestStarted = .now()
            let fields = requestHead.headers.map { ($0.name, $0.value) }
            let request = WireRequest(method: requestHead.method.rawValue, target: requestHead.uri, headers: fields, body: [])
            headRequest = request
            let headerBytes = WireEndpointRules.headerSectionBytes(method: requestHead.method.rawValue, target: requestHead.uri,
                                                                   headers: fields)
            bodyLimit = rules.maximumBodyBytes(request)
            if headerBytes > rules.maximumHeaderBytes {
                decided = rules.refusal(.headerSectionTooLarge(limit: rules.maximumHeaderBytes), request)
            } else if let refused = rules.admit(request) {
                decided = refused
            } else if let declared = requestHead.headers.first(name: "content-length").flatMap(Int.init), declared > bodyLimit {
                decided = rules.refusal(.bodyTooLarge(limit: bodyLimit), request)
            }
            if decided == nil, requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: requestHead.version, status: .continue))),
                                      promise: nil)
            }
        case .body(var buffer):
            guard decided == nil, head != nil else { return }
            if body.count + buffer.readableBytes > bodyLimit {
                decided = rules.refusal(.bodyTooLarge(limit: bodyLimit), headRequest)
                releaseBody()
                return
            }
            guard limits.reserve(buffer.readableBytes) else {
                decided = rules.refusal(.bufferBudget(limit: limits.maximumBufferedBodyBytes), headRequest)
                releaseBody()
                return
            }
            reserved += buffer.readableBytes
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let requestHead = head, var request = headRequest else { return }
            let response: WireResponse
            if let decided {
                response = decided
            } else {
                request.body = body
                response = handler(request)
            }
            finishRequest()
            lastActivity = .now()
            write(response, for: requestHead, context: context)
        }
    }

    func write(_ response: WireResponse, for request: HTTPRequestHead, context: ChannelHandlerContext, close: Bool = false) {
        if let stream = response.stream {
            writeStream(response, stream, for: request, context: context)
            return
        }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        let bodyless = response.status == 204 || response.status == 304 || (100..<200).contains(response.status)
        if !bodyless, !headers.contains(name: "content-length") {
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        if bodyless { headers.remove(name: "content-length") }
        headers.add(name: "Server", value: "odas-sim")
        let keepAlive = request.isKeepAlive && !close
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty, request.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        }
    }

    /// A streamed body: chunked transfer encoding, polled on the channel's
    /// event loop until the stream ends, times out or the client leaves.
    func writeStream(_ response: WireResponse, _ stream: WireStream, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Server", value: "odas-sim")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status),
                                                             headers: headers))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let wrap: @Sendable (HTTPServerResponsePart) -> NIOAny = { NIOAny($0) }
        @Sendable func send(_ bytes: [UInt8]) {
            guard !bytes.isEmpty else { return }
            var buffer = bound.value.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            bound.value.writeAndFlush(wrap(.body(.byteBuffer(buffer))), promise: nil)
        }
        send(response.body)
        context.flush()
        streaming = true
        let handlerBox = NIOLoopBound(self, eventLoop: context.eventLoop)
        let deadline = NIODeadline.now() + .seconds(stream.timeoutSeconds)
        let channel = context.channel
        context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(stream.pollMilliseconds),
                                               delay: .milliseconds(stream.pollMilliseconds)) { task in
            guard channel.isActive else { task.cancel(); return }
            let (bytes, ended) = stream.poll()
            send(bytes)
            if ended || NIODeadline.now() >= deadline {
                task.cancel()
                handlerBox.value.streaming = false
                handlerBox.value.lastActivity = .now()
                bound.value.writeAndFlush(wrap(.end(nil)), promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Bytes that are not HTTP/1.1 get the endpoint's refusal, then the
        // connection closes (the decoder stops after an error). A client that
        // disconnects loses its connection, nothing else.
        if let parseError = error as? HTTPParserError, !streaming, context.channel.isActive {
            let refusal: WireRefusal = parseError == .headerOverflow
                ? .headerSectionTooLarge(limit: 80 << 10) : .malformed(Self.describe(parseError))
            let request = head ?? HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
            let response = rules.refusal(refusal, headRequest)
            finishRequest()
            write(response, for: request, context: context, close: true)
            return
        }
        context.close(promise: nil)
    }

    /// The parser's reason in words a person reads.
    static func describe(_ error: HTTPParserError) -> String {
        switch error {
        case .invalidChunkSize: return "invalid chunk size"
        case .invalidContentLength: return "invalid Content-Length"
        case .invalidHeaderToken: return "invalid character in a header"
        case .invalidMethod: return "invalid method"
        case .invalidURL: return "invalid request target"
        case .invalidVersion: return "invalid HTTP version"
        case .unexpectedContentLength: return "unexpected Content-Length"
        default: return "\(error)"
        }
    }
}
