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
/// request body, and keeps connections alive as HTTP/1.1 asks.
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

    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves `handler`.
    /// With `tls`, every connection speaks TLS first (HTTPS).
    public static func start(group: EventLoopGroup, port: Int, maximumBodyBytes: Int, limits: Limits = Limits(),
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
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        WireHTTPHandler(maximumBodyBytes: maximumBodyBytes, limits: limits, handler: handler))
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

    let maximumBodyBytes: Int
    let limits: LoopbackHTTPServer.Limits
    let handler: @Sendable (WireRequest) -> WireResponse
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false
    /// The shared budget was full: the request is answered 503 SlowDown.
    var overBudget = false
    /// Bytes of `body` taken from the shared budget.
    var reserved = 0
    /// When the current request's head arrived (nil: between requests).
    var requestStarted: NIODeadline?
    /// When the connection last finished a request or was opened.
    var lastActivity = NIODeadline.now()
    /// True while a streamed response (a watch) runs: it has its own timeout.
    var streaming = false
    var timer: RepeatedTask?

    init(maximumBodyBytes: Int, limits: LoopbackHTTPServer.Limits, handler: @escaping @Sendable (WireRequest) -> WireResponse) {
        self.maximumBodyBytes = maximumBodyBytes
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

    /// Closes an idle connection; answers 408 to a request that is not complete in time.
    func checkTimeouts(context: ChannelHandlerContext) {
        guard !streaming, context.channel.isActive else { return }
        let now = NIODeadline.now()
        if let started = requestStarted {
            guard now - started > limits.requestTimeout, let requestHead = head else { return }
            head = nil
            requestStarted = nil
            releaseBody()
            var response = WireResponse(status: 408, headers: [("Content-Type", "application/xml")], body: Array(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.</Message></Error>\n".utf8))
            response.headers.append(("Connection", "close"))
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

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            requestStarted = .now()
            releaseBody()
            tooLarge = false
            overBudget = false
            if let declared = requestHead.headers.first(name: "content-length").flatMap(Int.init), declared > maximumBodyBytes {
                tooLarge = true
            }
            if !tooLarge, requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: requestHead.version, status: .continue))),
                                      promise: nil)
            }
        case .body(var buffer):
            guard !tooLarge, !overBudget, head != nil else { return }
            if body.count + buffer.readableBytes > maximumBodyBytes {
                tooLarge = true
                releaseBody()
                return
            }
            guard limits.reserve(buffer.readableBytes) else {
                overBudget = true
                releaseBody()
                return
            }
            reserved += buffer.readableBytes
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            requestStarted = nil
            let response: WireResponse
            if overBudget {
                response = WireResponse(status: 503, headers: [("Content-Type", "application/xml")], body: Array(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate. (odas-sim serve buffers at most \(limits.maximumBufferedBodyBytes) bytes of request bodies at once)</Message></Error>\n".utf8))
            } else if tooLarge {
                response = WireResponse(status: 413, headers: [("Content-Type", "application/xml")], body: Array(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size (\(maximumBodyBytes) bytes in odas-sim serve)</Message></Error>\n".utf8))
            } else {
                let request = WireRequest(method: requestHead.method.rawValue, target: requestHead.uri,
                                          headers: requestHead.headers.map { ($0.name, $0.value) }, body: body)
                response = handler(request)
            }
            releaseBody()
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
        // A client that disconnects or sends garbage loses its connection, nothing else.
        context.close(promise: nil)
    }
}
