public import Fleet
import HTTP2Transport
public import KubeBackend
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
    /// With leader election: the elector, the gate that holds Fleet calls back until this
    /// replica leads, and what to do once it has lost leadership after holding it.
    private let election: (elector: LeaseElector, gate: StandbyGate, onLost: @Sendable (String) -> Void)?
    private let electionTask = Mutex<Task<Void, Never>?>(nil)
    private let logger: Logger

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

    /// - Parameters:
    ///   - elector: when given, this replica serves the Fleet API only while it holds the
    ///     leader Lease; until then Fleet calls get UNAVAILABLE and health says NOT_SERVING.
    ///   - onLeadershipLost: called once if leadership is lost after it was held (or the
    ///     state could not be recovered on taking it); the process should exit, as
    ///     Kubernetes controllers do, and come back as a standby.
    public init(clusters: [any ClusterAPI], store: any FleetStateStore, configuration: FleetConfiguration,
                logger: Logger = Logger(label: "fleetd"), elector: LeaseElector? = nil,
                onLeadershipLost: @escaping @Sendable (String) -> Void = { _ in }) {
        self.logger = logger
        let fleetMetrics = FleetMetrics(registry: registry)
        self.fleetMetrics = fleetMetrics
        manager = FleetManager(clusters: clusters, settings: configuration.settings, store: store, logger: logger,
                               observePlacement: { fleetMetrics.recordPlacement($0) })
        metricsAddress = configuration.metricsHost.map { ($0, configuration.metricsPort) }
        health = HealthService()
        election = elector.map { ($0, StandbyGate(service: FleetService.serviceName), onLeadershipLost) }
        health.setStatus(elector == nil ? .serving : .notServing, for: FleetService.serviceName)
        var router = RPCRouter()
        FleetService(manager: manager).register(into: &router)
        router.registerStandardServices(health: health)
        var serverConfiguration = HTTP2ServerConfiguration()
        serverConfiguration.host = configuration.listenHost
        serverConfiguration.port = configuration.listenPort
        serverConfiguration.tls = configuration.tls.map { TLSFiles(certificateChainPath: $0.certificateFile, privateKeyPath: $0.keyFile) }
        var rpcConfiguration = RPCServer.Configuration()
        rpcConfiguration.interceptors = [GRPCServerMetrics(registry: registry, kinds: Self.methodKinds)] + (election.map { [$0.gate] } ?? [])
        server = HTTP2Server(configuration: serverConfiguration, rpcServer: RPCServer(router: router, configuration: rpcConfiguration))
    }

    /// Rebuilds what fleetd knew before a restart, starts the fleet manager and binds
    /// the listening socket; `localPort` is known afterwards.
    /// With an elector, the state is recovered and the manager started only once this
    /// replica leads; the socket is bound at once either way.
    public func start() async throws {
        if let election {
            try await server.start()
            campaign(election.elector, gate: election.gate, onLost: election.onLost)
        } else {
            try await startManager()
            try await server.start()
        }
        let manager = self.manager
        if let (host, port) = metricsAddress {
            let fleetMetrics = self.fleetMetrics
            let started = try await MetricsHTTPServer.start(host: host, port: port, registry: registry) {
                await fleetMetrics.refresh(from: manager)
            }
            metricsServer.withLock { $0 = started }
        }
    }

    private func startManager() async throws {
        let manager = self.manager
        try await manager.recover()
        fleetTask.withLock { task in
            if task == nil { task = Task { await manager.run() } }
        }
    }

    private func campaign(_ elector: LeaseElector, gate: StandbyGate, onLost: @escaping @Sendable (String) -> Void) {
        let identity = elector.configuration.identity
        logger.info("standing by until this replica holds the leader Lease", metadata: ["identity": "\(identity)", "lease": "\(elector.configuration.name)"])
        let task = Task {
            await elector.run { leads in
                if leads {
                    // Recovery runs apart from the elector, which must keep renewing meanwhile.
                    Task {
                        do {
                            try await self.startManager()
                        } catch {
                            onLost("took the leader Lease but could not recover the fleet's state: \(error)")
                            return
                        }
                        gate.open()
                        self.health.setStatus(.serving, for: FleetService.serviceName)
                        self.logger.notice("leading: serving the Fleet API", metadata: ["identity": "\(identity)"])
                    }
                } else if !Task.isCancelled {
                    // Leadership changes only after it was taken, so this is a loss, not a start.
                    self.health.setStatus(.notServing, for: FleetService.serviceName)
                    onLost("lost the leader Lease")
                }
            }
        }
        electionTask.withLock { $0 = task }
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
        // A leader gives the Lease up on the way out, so that a standby takes over at once.
        if let campaign = electionTask.withLock({ $0 }) {
            campaign.cancel()
            await campaign.value
        }
        try await metricsServer.withLock { $0 }?.shutdown()
    }
}

/// Turns health to NOT_SERVING as soon as shutdown begins, so that load balancers stop
/// sending new calls while the in-flight ones finish.
struct HealthShutdown: ServiceLifecycle.Service {
    let health: HealthService

    func run() async throws {
        try? await gracefulShutdown()
        health.enterShutdown()
    }
}
