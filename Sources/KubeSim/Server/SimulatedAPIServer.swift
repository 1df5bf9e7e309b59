public import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A simulated Kubernetes API server (not a real one) listening on a socket:
/// HTTP/1.1, plain or TLS, in front of `KubeAPI`. Many can run in one process.
public final class SimulatedAPIServer: Sendable {
    public struct Configuration: Sendable {
        public enum TLS: Sendable {
            case none
            /// A certificate generated at start for 127.0.0.1 and localhost.
            case selfSigned
            case certificate(SelfSignedCertificate)
        }

        public var host: String
        /// 0 picks a free port.
        public var port: Int
        public var token: String?
        public var tls: TLS
        public var historyCapacity: Int
        /// How often watchers that allow bookmarks get one.
        public var bookmarkInterval: Duration

        public init(host: String = "127.0.0.1", port: Int = 0, token: String? = nil, tls: TLS = .selfSigned,
                    historyCapacity: Int = 10_000, bookmarkInterval: Duration = .seconds(5)) {
            self.host = host
            self.port = port
            self.token = token
            self.tls = tls
            self.historyCapacity = historyCapacity
            self.bookmarkInterval = bookmarkInterval
        }
    }

    public let api: KubeAPI
    public var store: ObjectStore { api.store }
    /// The faults this server injects; switchable at run time.
    public var faults: FaultInjector { api.faults }
    public let port: Int
    public let url: URL
    /// The PEM of the serving certificate, for clients to trust; nil without TLS.
    public let certificatePEM: [UInt8]?
    private let channel: any Channel
    private let bookmarks: RepeatedTask
    private let connections: ConnectionRegistry
    /// How it was started, so that a restart serves the same way on the same port.
    private let configuration: Configuration
    private let givenGroup: (any EventLoopGroup)?
    private let ownedGroup: MultiThreadedEventLoopGroup?

    private init(api: KubeAPI, port: Int, url: URL, certificatePEM: [UInt8]?, channel: any Channel, bookmarks: RepeatedTask,
                 connections: ConnectionRegistry, configuration: Configuration, givenGroup: (any EventLoopGroup)?,
                 ownedGroup: MultiThreadedEventLoopGroup?) {
        self.api = api
        self.port = port
        self.url = url
        self.certificatePEM = certificatePEM
        self.channel = channel
        self.bookmarks = bookmarks
        self.connections = connections
        self.configuration = configuration
        self.givenGroup = givenGroup
        self.ownedGroup = ownedGroup
    }

    /// Binds and starts serving a bare API server (no nodes, no controllers); the store
    /// starts with the default namespaces. `SimulatedCluster` adds a simulated cluster.
    public static func start(_ configuration: Configuration, group: (any EventLoopGroup)? = nil, faults: FaultInjector = FaultInjector()) async throws -> SimulatedAPIServer {
        let store = ObjectStore(historyCapacity: configuration.historyCapacity, initialResourceVersion: initialResourceVersion())
        let api = KubeAPI(store: store, token: configuration.token, serverAddress: "\(configuration.host):\(configuration.port)",
                          now: Date.init, faults: faults, clock: nil)
        api.bootstrap()
        return try await serve(api, configuration, group: group)
    }

    /// The resourceVersion counter starts from the clock, so that a restarted simulator is
    /// visible to clients: their old resourceVersions fall outside its history (410).
    static func initialResourceVersion() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000) % 1_000_000_000_000
    }

    /// Binds and serves `api`.
    static func serve(_ api: KubeAPI, _ configuration: Configuration, group givenGroup: (any EventLoopGroup)?) async throws -> SimulatedAPIServer {
        let store = api.store
        let ownedGroup = givenGroup == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let group = givenGroup ?? ownedGroup!
        let connections = ConnectionRegistry()
        var certificate: SelfSignedCertificate?
        switch configuration.tls {
        case .none: break
        case .selfSigned: certificate = try await SelfSignedCertificate.generateOnOwnThread()
        case .certificate(let given): certificate = given
        }
        var context: NIOSSLContext?
        if let certificate {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(certificate.certificatePEM).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: certificate.privateKeyPEM, format: .pem)))
            tls.applicationProtocols = ["http/1.1"]
            // As Go's crypto/tls does, send close_notify and close at once instead of
            // waiting (5 s by default) for the peer's: a stopped server drops its clients now.
            tls.shutdownTimeout = .zero
            context = try NIOSSLContext(configuration: tls)
        }
        let sslContext = context
        let scheme = sslContext == nil ? "http" : "https"
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(APIChannelHandler(api: api))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let port = channel.localAddress?.port ?? configuration.port
        api.setServerAddress("\(configuration.host):\(port)")
        let interval = TimeAmount.nanoseconds(Int64(configuration.bookmarkInterval.components.seconds) * 1_000_000_000
                                              + configuration.bookmarkInterval.components.attoseconds / 1_000_000_000)
        let bookmarks = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in store.sendBookmarks() }
        var served = configuration
        served.port = port
        served.tls = certificate.map { .certificate($0) } ?? .none
        return SimulatedAPIServer(api: api, port: port, url: URL(string: "\(scheme)://\(configuration.host):\(port)")!,
                                  certificatePEM: certificate?.certificatePEM, channel: channel, bookmarks: bookmarks,
                                  connections: connections, configuration: served, givenGroup: givenGroup, ownedGroup: ownedGroup)
    }

    /// Stops listening, drops every connection, and closes the event loops this server created.
    public func shutdown() async throws {
        bookmarks.cancel()
        try await channel.close()
        await connections.closeAll()
        try await ownedGroup?.shutdownGracefully()
    }

    /// Restarts this API server the way a real one restarts over the same etcd: the
    /// process goes away (every connection and watch is dropped), and a new one serves
    /// the same objects on the same port with the same certificate, with resourceVersions
    /// going on from where they were but an empty watch cache, so that a client resuming
    /// a watch from an older resourceVersion gets 410 Expired and relists. `whileDown`
    /// runs between the two, for writes made meanwhile (as through another apiserver).
    /// Answers the new server; this one is shut down.
    public func restart(whileDown: () throws -> Void = {}) async throws -> SimulatedAPIServer {
        try await shutdown()
        try whileDown()
        api.store.dropWatchHistory()
        return try await Self.serve(api, configuration, group: givenGroup)
    }

    /// Connections open now.
    public var connectionCount: Int { connections.count }

    /// Runs until the listening socket closes.
    public func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
    }
}
