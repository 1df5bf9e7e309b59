import NIOCore
import NIOPosix
public import RPCServer
import Synchronization

/// A gRPC server on HTTP/2: SwiftNIO sockets and event loops, one nghttp2 session per
/// connection, calls served by an ``RPCServer``.
public final class HTTP2Server: Sendable {
    public let configuration: HTTP2ServerConfiguration
    private let rpcServer: RPCServer
    private let group: MultiThreadedEventLoopGroup
    private let registry = ConnectionRegistry()
    private let channel = Mutex<(any Channel)?>(nil)

    public init(configuration: HTTP2ServerConfiguration, rpcServer: RPCServer) {
        self.configuration = configuration
        self.rpcServer = rpcServer
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
    }

    /// Binds and starts accepting connections.
    public func start() async throws {
        let configuration = self.configuration
        let rpcServer = self.rpcServer
        let registry = self.registry
        let executors = Dictionary(uniqueKeysWithValues: group.makeIterator().map {
            (ObjectIdentifier($0), EventLoopTaskExecutor(loop: $0))
        })
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let loop = channel.eventLoop
                    let handler = HTTP2ServerConnectionHandler(
                        configuration: configuration, rpcServer: rpcServer, eventLoop: loop,
                        taskExecutor: executors[ObjectIdentifier(loop)] ?? EventLoopTaskExecutor(loop: loop),
                        registry: registry)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        channel.withLock { $0 = bound }
    }

    /// The port the server listens on, once started.
    public var localPort: Int? {
        channel.withLock { $0?.localAddress?.port }
    }

    /// Waits until the listening socket is closed.
    public func waitUntilClosed() async throws {
        guard let listening = channel.withLock({ $0 }) else { return }
        try await listening.closeFuture.get()
    }

    /// Stops accepting connections, tells every client with the two-step GOAWAY, lets in-flight
    /// calls run for the grace period, then closes what is left and returns.
    public func shutdownGracefully() async throws {
        if let listening = channel.withLock({ $0 }) {
            try? await listening.close()
        }
        let connections = registry.all()
        for connection in connections {
            connection.eventLoop.execute { connection.beginGracefulShutdown() }
        }
        await registry.waitUntilEmpty()
        try await group.shutdownGracefully()
    }
}

/// The open connections, so that shutdown can reach every one.
final class ConnectionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: HTTP2ServerConnectionHandler] = [:]
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func add(_ connection: HTTP2ServerConnectionHandler) {
        state.withLock { $0.connections[ObjectIdentifier(connection)] = connection }
    }

    func remove(_ connection: HTTP2ServerConnectionHandler) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.connections[ObjectIdentifier(connection)] = nil
            guard state.connections.isEmpty else { return [] }
            defer { state.emptyWaiters = [] }
            return state.emptyWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func all() -> [HTTP2ServerConnectionHandler] {
        state.withLock { Array($0.connections.values) }
    }

    var count: Int { state.withLock { $0.connections.count } }

    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let empty = state.withLock { state -> Bool in
                if state.connections.isEmpty { return true }
                state.emptyWaiters.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
