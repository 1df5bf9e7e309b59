public import Fleet
import HTTP2Transport
public import Prometheus
import Protos
public import Logging
import RPCServer
import ServiceLifecycle
import Services
import StandardServices
import Synchronization

/// fleetd assembled: the fleet manager over its cluster backends, the Fleet API,
/// health and reflection, on the HTTP/2 server.
public final class FleetdServer: Sendable {
    public let manager: FleetManager
    let health: HealthService
    let server: HTTP2Server
    private let fleetTask = Mutex<Task<Void, Never>?>(nil)

    public let registry = PrometheusCollectorRegistry()
    public let fleetMetrics: FleetMetrics
    let metricsAddress: (host: String, port: Int)?
    private let metricsServer = Mutex<MetricsHTTPServer?>(nil)

    /// `grpc_type` of every method fleetd serves, for the gRPC metrics.
    static let methodKinds: [String: String] = [
        Fleet_V1_Fleet.Method.watchCapacity: "server_stream",
        "/grpc.health.v1.Health/Watch": "server_stream",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo": "bidi_stream",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": "bidi_stream",
    ]

    public init(clusters: [any ClusterAPI], store: any FleetStateStore, configuration: FleetConfiguration,
                logger: Logger = Logger(label: "fleetd")) {
        let fleetMetrics = FleetMetrics(registry: registry)
        self.fleetMetrics = fleetMetrics
        manager = FleetManager(clusters: clusters, settings: configuration.settings, store: store, logger: logger,
                               observePlacement: { fleetMetrics.recordPlacement($0) })
        metricsAddress = configuration.metricsHost.map { ($0, configuration.metricsPort) }
        health = HealthService()
        health.setStatus(.serving, for: FleetService.serviceName)
        var router = RPCRouter()
        FleetService(manager: manager).register(into: &router)
        router.registerStandardServices(health: health)
        var serverConfiguration = HTTP2ServerConfiguration()
        serverConfiguration.host = configuration.listenHost
        serverConfiguration.port = configuration.listenPort
        serverConfiguration.tls = configuration.tls.map { TLSFiles(certificateChainPath: $0.certificateFile, privateKeyPath: $0.keyFile) }
        var rpcConfiguration = RPCServer.Configuration()
        rpcConfiguration.interceptors = [GRPCServerMetrics(registry: registry, kinds: Self.methodKinds)]
        server = HTTP2Server(configuration: serverConfiguration, rpcServer: RPCServer(router: router, configuration: rpcConfiguration))
    }

    /// Rebuilds what fleetd knew before a restart, starts the fleet manager and binds
    /// the listening socket; `localPort` is known afterwards.
    public func start() async throws {
        let manager = self.manager
        try await manager.recover()
        fleetTask.withLock { task in
            if task == nil { task = Task { await manager.run() } }
        }
        try await server.start()
        if let (host, port) = metricsAddress {
            let fleetMetrics = self.fleetMetrics
            let started = try await MetricsHTTPServer.start(host: host, port: port, registry: registry) {
                await fleetMetrics.refresh(from: manager)
            }
            metricsServer.withLock { $0 = started }
        }
    }

    /// The metrics endpoint's port, once started.
    public var metricsPort: Int? { metricsServer.withLock { $0?.localPort } }

    /// Waits until every cluster has been listed once, or the timeout passes; the
    /// names of the clusters still not synced.
    public func waitForClusters(timeout: Duration) async -> [ClusterName] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let waiting = manager.clusterNames.filter { !(manager.snapshot(of: $0)?.isSynced ?? false) }
            if waiting.isEmpty || ContinuousClock.now >= deadline { return waiting }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    public var localPort: Int? { server.localPort }

    /// Serves until SIGTERM or SIGINT, then drains: health turns NOT_SERVING, in-flight
    /// calls finish within the grace period, and connections close.
    public func runUntilTerminated(announcing line: String, logger: Logger) async throws {
        // The manager outlives the server's drain, which in-flight calls need.
        defer { fleetTask.withLock { $0?.cancel() } }
        try await server.runUntilTerminated(announcing: line, with: [HealthShutdown(health: health)], logger: logger)
        try await metricsServer.withLock { $0 }?.shutdown()
    }
}

/// Turns health to NOT_SERVING as soon as shutdown begins, so that load balancers stop
/// sending new calls while the in-flight ones finish.
struct HealthShutdown: Service {
    let health: HealthService

    func run() async throws {
        try? await gracefulShutdown()
        health.enterShutdown()
    }
}
