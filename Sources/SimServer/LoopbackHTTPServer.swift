import AWSSim
import SimCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 server bound to 127.0.0.1 that hands each complete
/// request to a synchronous wire handler.
///
/// It answers `Expect: 100-continue` at once (botocore sends it on every
/// PutObject and would otherwise stall a second per request), bounds the
/// request body, and keeps connections alive as HTTP/1.1 asks.
public final class LoopbackHTTPServer: Sendable {
    public let port: Int
    let channel: Channel

    init(port: Int, channel: Channel) {
        self.port = port
        self.channel = channel
    }

    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves `handler`.
    public static func start(group: EventLoopGroup, port: Int, maximumBodyBytes: Int,
                             handler: @escaping @Sendable (WireRequest) -> WireResponse) throws -> LoopbackHTTPServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        WireHTTPHandler(maximumBodyBytes: maximumBodyBytes, handler: handler))
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
    let handler: @Sendable (WireRequest) -> WireResponse
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false

    init(maximumBodyBytes: Int, handler: @escaping @Sendable (WireRequest) -> WireResponse) {
        self.maximumBodyBytes = maximumBodyBytes
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll(keepingCapacity: true)
            tooLarge = false
            if let declared = requestHead.headers.first(name: "content-length").flatMap(Int.init), declared > maximumBodyBytes {
                tooLarge = true
            }
            if !tooLarge, requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: requestHead.version, status: .continue))),
                                      promise: nil)
            }
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > maximumBodyBytes {
                tooLarge = true
                body.removeAll()
                return
            }
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let response: WireResponse
            if tooLarge {
                response = WireResponse(status: 413, headers: [("Content-Type", "application/xml")], body: Array(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size (\(maximumBodyBytes) bytes in odas-sim serve)</Message></Error>\n".utf8))
            } else {
                let request = WireRequest(method: requestHead.method.rawValue, target: requestHead.uri,
                                          headers: requestHead.headers.map { ($0.name, $0.value) }, body: body)
                response = handler(request)
            }
            body = []
            write(response, for: requestHead, context: context)
        }
    }

    func write(_ response: WireResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
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
        let keepAlive = request.isKeepAlive
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
        func send(_ bytes: [UInt8]) {
            guard !bytes.isEmpty else { return }
            var buffer = bound.value.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            bound.value.writeAndFlush(wrap(.body(.byteBuffer(buffer))), promise: nil)
        }
        send(response.body)
        context.flush()
        let deadline = NIODeadline.now() + .seconds(stream.timeoutSeconds)
        let channel = context.channel
        context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(stream.pollMilliseconds),
                                               delay: .milliseconds(stream.pollMilliseconds)) { task in
            guard channel.isActive else { task.cancel(); return }
            let (bytes, ended) = stream.poll()
            send(bytes)
            if ended || NIODeadline.now() >= deadline {
                task.cancel()
                bound.value.writeAndFlush(wrap(.end(nil)), promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client that disconnects or sends garbage loses its connection, nothing else.
        context.close(promise: nil)
    }
}
