import ArgumentParser
import Logging
import HTTP2Transport
import RPCServer

/// The echo server that joins ../shared/peers/run-peers.sh and run-fanout.sh:
/// - `/bench.v1.Bench/Echo` returns the request message bytes unchanged, through the same
///   routing, deadline, metadata and trailer path as every other RPC. Its handler is
///   synchronous (`synchronousUnaryBytes`), so it runs with no task; `--async-echo` registers
///   it as an `async` handler instead, which runs in a task of its own as most handlers do;
/// - `/bench.v1.Bench/Watch` (server streaming) ignores its request and sends every open stream
///   the same 100-byte message every `WATCH_PERIOD_MS` milliseconds (default 100), from one
///   ticker, through an ``RPCBroadcastGroup``.
@main
struct RPCEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-echo-server",
        abstract: "Serves /bench.v1.Bench/Echo and /bench.v1.Bench/Watch for side-by-side benchmarks.")

    @Option(help: "The TCP port to listen on.")
    var port = 50060

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Flag(help: "Register Echo as an async handler, which runs in a task of its own, instead of a synchronous one.")
    var asyncEcho = false

    func run() async throws {
        let watchers = RPCBroadcastGroup<RawBytes>()
        var router = RPCRouter()
        if asyncEcho {
            router.unaryBytes("/bench.v1.Bench/Echo") { request, _ async in request }
        } else {
            router.synchronousUnaryBytes("/bench.v1.Bench/Echo") { request, _ in request }
        }
        router.serverStreaming("/bench.v1.Bench/Watch") { (_: RawBytes, writer: RPCResponseWriter<RawBytes>, _) in
            try await watchers.join(writer)
        }
        var configuration = HTTP2ServerConfiguration()
        configuration.host = host
        configuration.port = port
        if let threads { configuration.threads = threads }
        // Watch streams never end by themselves: a drain need not wait long for them.
        configuration.shutdownGracePeriod = .seconds(1)
        let server = HTTP2Server(configuration: configuration, rpcServer: RPCServer(router: router))
        try await server.start()
        let ticker = WatchTicker(group: watchers, period: .milliseconds(WatchTicker.periodFromEnvironment()))
        let ticking = Task { await ticker.run() }
        defer { ticking.cancel() }
        try await server.runUntilTerminated(
            announcing: "rpc-echo-server listening on \(host):\(server.localPort ?? port)",
            logger: Logger(label: "rpc-echo-server"))
    }
}

/// Message bytes as they are: the bench protocol has no protobuf.
struct RawBytes: RPCMessage {
    var bytes: [UInt8]
    init(serializedBytes: [UInt8]) { bytes = serializedBytes }
    func serializedBytes() -> [UInt8] { bytes }
}
