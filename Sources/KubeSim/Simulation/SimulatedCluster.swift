public import Foundation
public import NIOCore
import NIOPosix
import KubeBackend
import Synchronization

/// One simulated Kubernetes cluster (not a real one) in this process: an API server on a
/// loopback port whose nodes come from a profile, with a scheduler, the workload
/// controllers (Deployment, ReplicaSet, Job, CronJob), simulated kubelets, quota status,
/// and fault injection.
public final class SimulatedCluster: Sendable {
    public struct Options: Sendable {
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        public var token: String?
        public var tls: SimulatedAPIServer.Configuration.TLS
        /// Nil follows the wall clock.
        public var clock: SimulationClock?
        public var historyCapacity: Int
        public var bookmarkInterval: Duration

        public init(host: String = "127.0.0.1", port: Int = 0, token: String? = nil, tls: SimulatedAPIServer.Configuration.TLS = .selfSigned,
                    clock: SimulationClock? = nil, historyCapacity: Int = 10_000, bookmarkInterval: Duration = .seconds(5)) {
            self.host = host
            self.port = port
            self.token = token
            self.tls = tls
            self.clock = clock
            self.historyCapacity = historyCapacity
            self.bookmarkInterval = bookmarkInterval
        }
    }

    public let profile: ClusterProfile
    /// The API server serving now; a restart replaces it with one on the same port.
    public var server: SimulatedAPIServer { serving.withLock { $0 } }
    public let clock: SimulationClock
    private let controllers: [ControllerRunner]
    private let serving: Mutex<SimulatedAPIServer>

    public var store: ObjectStore { server.store }
    public var url: URL { server.url }
    public var certificatePEM: [UInt8]? { server.certificatePEM }
    /// Add or remove faults here at run time (or over HTTP under /kubesim/faults).
    public var faults: FaultInjector { server.faults }

    private init(profile: ClusterProfile, server: SimulatedAPIServer, clock: SimulationClock, controllers: [ControllerRunner]) {
        self.profile = profile
        serving = Mutex(server)
        self.clock = clock
        self.controllers = controllers
    }

    /// Creates the profile's nodes, starts the controllers, then starts serving.
    public static func start(_ profile: ClusterProfile, options: Options = Options(), group: (any EventLoopGroup)? = nil) async throws -> SimulatedCluster {
        try profile.validate()
        let clock = options.clock ?? .wall()
        let store = ObjectStore(historyCapacity: options.historyCapacity,
                                initialResourceVersion: SimulatedAPIServer.initialResourceVersion(), now: { clock.now() })
        let faults = FaultInjector(rules: profile.faults)
        let api = KubeAPI(store: store, token: options.token, serverAddress: "\(options.host):\(options.port)",
                          now: { clock.now() }, faults: faults, clock: clock)
        api.bootstrap()
        let context = ClusterContext(store: store, api: api, clock: clock, jobRunSeconds: profile.jobRunSeconds)
        for node in NodeFactory(profile: profile).nodes() {
            try store.create(context.nodes, namespace: nil, node)
        }
        let controllers = try startControllers(context, loadBalancers: LoadBalancerAddresses(cloud: profile.cloud, region: profile.region))
        let configuration = SimulatedAPIServer.Configuration(
            host: options.host, port: options.port, token: options.token, tls: options.tls,
            historyCapacity: options.historyCapacity, bookmarkInterval: options.bookmarkInterval)
        do {
            let server = try await SimulatedAPIServer.serve(api, configuration, group: group)
            return SimulatedCluster(profile: profile, server: server, clock: clock, controllers: controllers)
        } catch {
            for controller in controllers { controller.stop() }
            throw error
        }
    }

    private static func startControllers(_ context: ClusterContext, loadBalancers: LoadBalancerAddresses) throws(APIError) -> [ControllerRunner] {
        [
            try ControllerRunner.start({ _ in PodScheduler(context: context) }, store: context.store),
            try ControllerRunner.start({ inbox in PodRunner(context: context, inbox: inbox) }, store: context.store),
            try ControllerRunner.start({ _ in ReplicaSetController(context: context) }, store: context.store),
            try ControllerRunner.start({ _ in DeploymentController(context: context) }, store: context.store),
            try ControllerRunner.start({ _ in JobController(context: context) }, store: context.store),
            try ControllerRunner.start({ inbox in CronJobController(context: context, inbox: inbox) }, store: context.store),
            try ControllerRunner.start({ _ in QuotaStatusController(context: context) }, store: context.store),
            try ControllerRunner.start({ _ in LoadBalancerController(context: context, addresses: loadBalancers) }, store: context.store),
        ]
    }

    /// Waits until every controller has handled every change so far (and the changes
    /// that handling caused); false if that takes longer than `timeout`.
    @discardableResult
    public func waitUntilSettled(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var quietRounds = 0
        while ContinuousClock.now < deadline {
            if controllers.allSatisfy({ $0.inbox.isIdle }) {
                quietRounds += 1
                if quietRounds >= 3 { return true }
            } else {
                quietRounds = 0
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    public func shutdown() async throws {
        for controller in controllers { controller.stop() }
        try await server.shutdown()
    }

    /// Restarts the cluster's API server as `SimulatedAPIServer.restart` describes; the
    /// objects, the simulated nodes and controllers, and the port stay.
    public func restartAPIServer(whileDown: () throws -> Void = {}) async throws {
        let restarted = try await server.restart(whileDown: whileDown)
        serving.withLock { $0 = restarted }
    }
}

/// Several simulated clusters in one process, each on its own port, sharing one event loop.
public final class SimulatedFleet: Sendable {
    public let clusters: [SimulatedCluster]
    private let group: MultiThreadedEventLoopGroup

    private init(clusters: [SimulatedCluster], group: MultiThreadedEventLoopGroup) {
        self.clusters = clusters
        self.group = group
    }

    /// Starts one cluster per profile; by default the four built-in clusters.
    public static func start(_ profiles: [ClusterProfile] = ClusterProfile.builtinFleet, options: SimulatedCluster.Options = .init()) async throws -> SimulatedFleet {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var clusters: [SimulatedCluster] = []
        do {
            for profile in profiles {
                clusters.append(try await SimulatedCluster.start(profile, options: options, group: group))
            }
        } catch {
            for cluster in clusters { try? await cluster.shutdown() }
            try? await group.shutdownGracefully()
            throw error
        }
        return SimulatedFleet(clusters: clusters, group: group)
    }

    public subscript(name: String) -> SimulatedCluster? {
        clusters.first { $0.profile.name == name }
    }

    public func shutdown() async throws {
        for cluster in clusters { try await cluster.shutdown() }
        try await group.shutdownGracefully()
    }
}
