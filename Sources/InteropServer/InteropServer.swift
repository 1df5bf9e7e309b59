import ArgumentParser
import Logging
import HTTP2Transport
import RPCServer
import StandardServices

/// The interop test server of grpc/grpc's interop-test-descriptions.md, on fleetd's gRPC stack.
@main
struct InteropServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-server",
        abstract: "Serves grpc.testing.TestService for gRPC interop clients.")

    @Option(help: "The TCP port to listen on (0 picks a free one).")
    var port = 10000

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "PEM certificate chain; with --tls-key, serves TLS with ALPN h2.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
    }

    func run() async throws {
        var router = RPCRouter()
        router.register(TestService())
        router.registerStandardServices(health: HealthService())
        var rpc = RPCServer.Configuration()
        rpc.interceptors = [EchoMetadataInterceptor()]
        var configuration = HTTP2ServerConfiguration()
        configuration.host = host
        configuration.port = port
        if let tlsCert, let tlsKey {
            configuration.tls = TLSFiles(certificateChainPath: tlsCert, privateKeyPath: tlsKey)
        }
        let server = HTTP2Server(configuration: configuration, rpcServer: RPCServer(router: router, configuration: rpc))
        try await server.start()
        try await server.runUntilTerminated(
            announcing: "interop-server listening on \(host):\(server.localPort ?? port)",
            logger: Logger(label: "interop-server"))
    }
}
