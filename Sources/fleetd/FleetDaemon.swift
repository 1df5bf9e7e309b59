import ArgumentParser
import HTTP2Transport
import RPCServer
import StandardServices
import Logging
import ServiceLifecycle

/// fleetd, the ML fleet control plane. For now it serves the standard gRPC services (health
/// and reflection); the Fleet API and the embedded simulated fleet come next.
@main
struct FleetDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetd",
        abstract: "The control plane for ML models on many Kubernetes clusters.")

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The TCP port to listen on (0 picks a free one).")
    var port = 50051

    func run() async throws {
        let health = HealthService()
        var router = RPCRouter()
        router.registerStandardServices(health: health)
        var configuration = HTTP2ServerConfiguration()
        configuration.host = host
        configuration.port = port
        let server = HTTP2Server(configuration: configuration, rpcServer: RPCServer(router: router))
        try await server.start()
        try await server.runUntilTerminated(
            announcing: "fleetd listening on \(host):\(server.localPort ?? port)",
            with: [HealthShutdown(health: health)],
            logger: Logger(label: "fleetd"))
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
