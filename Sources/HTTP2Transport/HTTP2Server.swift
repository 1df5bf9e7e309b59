import NIOCore
import NIOPosix
import NIOSSL
public import RPCServer
import Synchronization
public import ServiceLifecycle

/// A gRPC server on HTTP/2: SwiftNIO sockets and event loops, one nghttp2 session per
/// connection, calls served by an ``RPCServer``.
///
/// As a `Service` in a `ServiceGroup`, it runs until graceful shutdown is triggered (SIGTERM),
/// then drains: see ``shutdownGracefully()``.
public final class HTTP2Server: Service, Sendable {
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
        let tls = try configuration.tls.map(Self.makeTLSContext)
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
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        channel.withLock { $0 = bound }
    }

    /// TLS 1.2+ with ALPN offering only h2, as gRPC requires.
    private static func makeTLSContext(_ files: TLSFiles) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.applicationProtocols = ["h2"]
        tls.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: tls)
    }

    /// The port the server listens on, once started.
    public var localPort: Int? {
        channel.withLock { $0?.localAddress?.port }
    }

    /// Serves until graceful shutdown is triggered, then drains and returns.
    public func run() async throws {
        if localPort == nil { try await start() }
        try await withGracefulShutdownHandler {
            try await waitUntilClosed()
        } onGracefulShutdown: {
            self.stopAccepting()
        }
        try await drain()
    }

    /// Waits until the listening socket is closed.
    public func waitUntilClosed() async throws {
        guard let listening = channel.withLock({ $0 }) else { return }
        try await listening.closeFuture.get()
    }

    /// Stops accepting connections, tells every client with the two-step GOAWAY, lets in-flight
    /// calls run for the grace period, then closes what is left and returns.
    public func shutdownGracefully() async throws {
        stopAccepting()
        try await drain()
    }

    private func stopAccepting() {
        channel.withLock { $0 }?.close(promise: nil)
    }

    private func drain() async throws {
        try? await channel.withLock({ $0 })?.closeFuture.get()
        registry.startDraining()
        // Connections accepted before the listener closed may not have registered yet: one
        // turn of every loop runs their setup, and from now on they drain as they register.
        for loop in group.makeIterator() {
            try? await loop.submit {}.get()
        }
        for connection in registry.all() {
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
        var draining = false
    }
    private let state = Mutex(State())

    /// Registers a new connection; returns true when the server is already draining, in
    /// which case the connection should begin its graceful shutdown at once.
    func add(_ connection: HTTP2ServerConnectionHandler) -> Bool {
        state.withLock { state in
            state.connections[ObjectIdentifier(connection)] = connection
            return state.draining
        }
    }

    func startDraining() {
        state.withLock { $0.draining = true }
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
