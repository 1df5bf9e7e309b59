import ArgumentParser
import Logging
import HTTP2Transport
import RPCServer

/// The echo server that joins ../shared/peers/run-peers.sh: `/bench.v1.Bench/Echo` returns the
/// request message bytes unchanged, through the same routing, deadline, metadata and trailer
/// path as every other RPC.
@main
struct RPCEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-echo-server",
        abstract: "Serves /bench.v1.Bench/Echo for side-by-side benchmarks.")

    @Option(help: "The TCP port to listen on.")
    var port = 50060

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    func run() async throws {
        var router = RPCRouter()
        router.unaryBytes("/bench.v1.Bench/Echo") { request, _ in request }
        var configuration = HTTP2ServerConfiguration()
        configuration.host = host
        configuration.port = port
        if let threads { configuration.threads = threads }
        let server = HTTP2Server(configuration: configuration, rpcServer: RPCServer(router: router))
        try await server.start()
        try await server.runUntilTerminated(
            announcing: "rpc-echo-server listening on \(host):\(server.localPort ?? port)",
            logger: Logger(label: "rpc-echo-server"))
    }
}
