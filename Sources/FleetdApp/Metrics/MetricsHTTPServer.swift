import NIOCore
import NIOHTTP1
import NIOPosix
public import Prometheus

/// Serves `GET /metrics` in the Prometheus text format over HTTP/1.1, on its own port.
public final class MetricsHTTPServer: Sendable {
    let channel: any Channel
    let group: MultiThreadedEventLoopGroup

    public var localPort: Int? { channel.localAddress?.port }

    /// `beforeScrape` brings scrape-time gauges up to date.
    public static func start(host: String, port: Int, registry: PrometheusCollectorRegistry,
                             beforeScrape: @escaping @Sendable () async -> Void) async throws -> MetricsHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsRequestHandler(registry: registry, beforeScrape: beforeScrape))
                }
            }
            .bind(host: host, port: port).get()
        return MetricsHTTPServer(channel: channel, group: group)
    }

    private init(channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.channel = channel
        self.group = group
    }

    public func shutdown() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

/// Answers one request at a time: the metrics for GET /metrics, 404 or 405 otherwise.
final class MetricsRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry
    let beforeScrape: @Sendable () async -> Void
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, beforeScrape: @escaping @Sendable () async -> Void) {
        self.registry = registry
        self.beforeScrape = beforeScrape
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == "/metrics" else {
            write(status: .notFound, body: Array("not found; metrics are at /metrics\n".utf8), contentType: "text/plain", keepAlive: head.isKeepAlive, context: context)
            return
        }
        guard head.method == .GET || head.method == .HEAD else {
            write(status: .methodNotAllowed, body: Array("use GET\n".utf8), contentType: "text/plain", keepAlive: head.isKeepAlive, context: context)
            return
        }
        let registry = self.registry
        let beforeScrape = self.beforeScrape
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await beforeScrape()
            return registry.emitToBuffer()
        }.whenSuccess { body in
            let (handler, context) = loopBound.value
            handler.write(status: .ok, body: head.method == .HEAD ? [] : body,
                          contentType: "text/plain; version=0.0.4; charset=utf-8", keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func write(status: HTTPResponseStatus, body: [UInt8], contentType: String, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
