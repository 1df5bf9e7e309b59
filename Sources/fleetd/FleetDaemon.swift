import ArgumentParser
import Glibc
import HTTP2Transport
import RPCServer
import StandardServices
import UnixSignals

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
        let ready = "fleetd listening on \(host):\(server.localPort ?? port)\n"
        _ = ready.withCString { write(1, $0, strlen($0)) }

        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        health.enterShutdown()
        try await server.shutdownGracefully()
    }
}
