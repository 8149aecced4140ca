import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves the lake's metrics over HTTP for a Prometheus scraper (`cdp metrics --serve 127.0.0.1:9464`):
/// `GET /metrics` answers the Prometheus text read at that moment; any other request is answered 404 (a
/// path) or 405 (a method). One event-loop thread, one response per connection.
public final class MetricsServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// The port it listens on (the one the system chose when started with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Starts listening on `host:port`.
    /// - Parameter metrics: reads the metrics for one request; an error is answered 500 with its message.
    /// - Throws: `.workspace` when the address cannot be bound (in use, not this machine's), saying which.
    public static func start(
        host: String, port: Int, metrics: @escaping @Sendable () throws(EngineError) -> String
    ) throws(EngineError) -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(metrics: metrics))
                }
            }
        do {
            let channel = try bootstrap.bind(host: host, port: port).wait()
            return MetricsServer(group: group, channel: channel)
        } catch {
            try? group.syncShutdownGracefully()
            throw EngineError(
                .workspace,
                "cannot serve metrics on \(host):\(port): \(error); choose a free port on an address of this machine (e.g. 127.0.0.1:9464)")
        }
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
    }

    /// Blocks until the server is stopped.
    public func wait() {
        try? channel.closeFuture.wait()
    }

    /// Stops listening and ends its thread.
    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Answers one HTTP request on a connection with the metrics, then closes it.
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: @Sendable () throws(EngineError) -> String
    private var head: HTTPRequestHead?

    init(metrics: @escaping @Sendable () throws(EngineError) -> String) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let status: HTTPResponseStatus
            let body: String
            if path != "/metrics" {
                (status, body) = (.notFound, "only /metrics is served here\n")
            } else if request.method != .GET && request.method != .HEAD {
                (status, body) = (.methodNotAllowed, "/metrics answers GET\n")
            } else {
                do {
                    (status, body) = (.ok, try metrics())
                } catch {
                    (status, body) = (.internalServerError, "\(error.description)\n")
                }
            }
            var headers = HTTPHeaders()
            headers.add(
                name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
            headers.add(name: "Connection", value: "close")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
            if request.method != .HEAD {
                var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
                buffer.writeString(body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            // Closed once the response is written; the context stays on its event loop.
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
