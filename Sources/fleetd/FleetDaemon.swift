import ArgumentParser
import Fleet
import KubeBackend
import FleetdApp
import Foundation
import Logging

/// fleetd, the control plane for ML models on many Kubernetes clusters.
@main
struct FleetDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetd",
        abstract: "The control plane for ML models on many Kubernetes clusters.",
        discussion: """
            With --config, fleetd drives the clusters the file names. Without it, fleetd starts \
            an embedded SIMULATED fleet of four clusters (gke-us-central1, aks-westeurope, \
            eks-us-east-1, onprem-dc1) on loopback; --write-kubeconfig lets kubectl look at them.
            """)

    @Option(help: "The configuration file (YAML). Without one, fleetd runs on its embedded simulated fleet.")
    var config: String?

    @Option(help: "HOST:PORT to serve gRPC on; overrides the file. Port 0 picks a free one.")
    var listen: String?

    @Option(help: "HOST:PORT for Prometheus metrics over HTTP (GET /metrics); overrides the file. Port 0 picks a free one.")
    var metricsListen: String?

    @Option(help: "With the embedded fleet: write a kubeconfig for its clusters to this path.")
    var writeKubeconfig: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level \"\(logLevel)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        if let listen, FleetConfiguration.hostAndPort(listen) == nil {
            throw ValidationError("--listen \"\(listen)\" is not HOST:PORT")
        }
        if let metricsListen, FleetConfiguration.hostAndPort(metricsListen) == nil {
            throw ValidationError("--metrics-listen \"\(metricsListen)\" is not HOST:PORT")
        }
        if config != nil && writeKubeconfig != nil {
            throw ValidationError("--write-kubeconfig applies to the embedded fleet only; drop it or --config")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "fleetd")
        var configuration: FleetConfiguration
        let embedded: EmbeddedFleet?
        let clusters: [KubeClusterAPI]
        if let config {
            configuration = try FleetConfiguration.load(path: config)
            embedded = nil
            clusters = try ClusterBackends.make(configuration)
        } else {
            let fleet = try await EmbeddedFleet.start()
            configuration = FleetConfiguration()
            configuration.clusters = fleet.clusters
            configuration.settings = FleetSettings(teams: EmbeddedFleet.teams)
            if let writeKubeconfig {
                try fleet.kubeconfig().write(toFile: writeKubeconfig, atomically: true, encoding: .utf8)
            }
            embedded = fleet
            clusters = try fleet.backends()
        }
        if let listen, let (host, port) = FleetConfiguration.hostAndPort(listen) {
            configuration.listenHost = host
            configuration.listenPort = port
        }
        if let metricsListen, let (host, port) = FleetConfiguration.hostAndPort(metricsListen) {
            configuration.metricsHost = host
            configuration.metricsPort = port
        }
        let store = ClusterBackends.stateStore(configuration, backends: clusters)
        let elector = try await ClusterBackends.elector(configuration, backends: clusters)
        let server = FleetdServer(clusters: clusters, store: store, configuration: configuration, logger: logger, elector: elector) { reason in
            // As Kubernetes controllers do: a replica that stopped leading exits and comes back as a standby.
            logger.critical("exiting: \(reason)")
            Foundation.exit(1)
        }
        try await server.start()
        let unsynced: [ClusterName] = elector == nil ? await server.waitForClusters(timeout: .seconds(30)) : []
        if !unsynced.isEmpty {
            logger.warning("serving before these clusters answered; they count as unreachable until they do", metadata: ["clusters": "\(unsynced)"])
        }
        let fleetName = embedded == nil ? "\(clusters.count) configured cluster(s)" : "the embedded simulated fleet"
        let metrics = server.metricsPort.map { "; metrics on http://\(configuration.metricsHost ?? ""):\($0)/metrics" } ?? ""
        try await server.runUntilTerminated(
            announcing: "fleetd listening on \(configuration.listenHost):\(server.localPort ?? configuration.listenPort) with \(fleetName)\(metrics)",
            logger: logger)
        logger.info("gRPC server stopped")
        if let embedded {
            try await embedded.shutdown()
            logger.info("embedded simulated fleet stopped")
        }
    }
}
