import HTTP2Transport
import Protos
import RPCClient
import RPCServer
import Synchronization

/// What the test service saw, so tests can check what reached the server.
final class ServerProbe: Sendable {
    private struct Counts {
        var started = 0
        var cancelled = 0
        var written = 0
    }
    private let counts = Mutex(Counts())

    var started: Int { counts.withLock { $0.started } }
    var cancelled: Int { counts.withLock { $0.cancelled } }
    var written: Int { counts.withLock { $0.written } }

    func didStart() { counts.withLock { $0.started += 1 } }

    private let lastContext = Mutex<WeakReference>(WeakReference())
    /// Whether the context of the last `remember` call is still alive.
    var lastContextIsAlive: Bool { lastContext.withLock { $0.object != nil } }
    func remember(_ context: ServerContext) { lastContext.withLock { $0 = WeakReference(context) } }
    func didCancel() { counts.withLock { $0.cancelled += 1 } }
    func didWrite() { counts.withLock { $0.written += 1 } }

    /// Polls `condition` until it holds or `timeout` passes.
    func wait(for timeout: Duration = .seconds(5), until condition: (ServerProbe) -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }
}

enum TestPaths {
    static let unary = Grpc_Testing_TestService.Method.unaryCall
    static let empty = Grpc_Testing_TestService.Method.emptyCall
    static let streaming = Grpc_Testing_TestService.Method.streamingOutputCall
    static let unimplemented = Grpc_Testing_TestService.Method.unimplementedCall
    static let failWithDetails = "/rpcclient.test.Test/FailWithDetails"
    static let hang = "/rpcclient.test.Test/Hang"
    static let hangStreaming = "/rpcclient.test.Test/HangStreaming"
    static let flood = "/rpcclient.test.Test/Flood"
    static let echoMetadata = "/rpcclient.test.Test/EchoMetadata"
    static let rememberContext = "/rpcclient.test.Test/RememberContext"
}

struct WeakReference {
    weak var object: AnyObject?
    init(_ object: AnyObject? = nil) { self.object = object }
}

/// grpc.testing messages served the way these tests need: sized payloads, echoed statuses,
/// calls that never answer, a stream that writes as fast as it may.
struct ClientTestService: RPCService {
    static let serviceName = "rpcclient.test.Test"
    let probe: ServerProbe

    func register(into router: inout RPCRouter) {
        router.unary(TestPaths.empty) { (_: Grpc_Testing_Empty, _) in Grpc_Testing_Empty() }
        router.unary(TestPaths.unary) { (request: Grpc_Testing_SimpleRequest, _) in
            try Self.throwEchoStatus(request.responseStatus)
            var response = Grpc_Testing_SimpleResponse()
            response.payload = Self.payload(size: Int(request.responseSize), seed: request.payload?.body.count ?? 0)
            return response
        }
        router.serverStreaming(TestPaths.streaming) {
            (request: Grpc_Testing_StreamingOutputCallRequest, writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
            for (i, parameters) in request.responseParameters.enumerated() {
                if parameters.intervalUs > 0 { try await Task.sleep(for: .microseconds(Int64(parameters.intervalUs))) }
                var response = Grpc_Testing_StreamingOutputCallResponse()
                response.payload = Self.payload(size: Int(parameters.size), seed: i)
                try await writer.write(response)
            }
            try Self.throwEchoStatus(request.responseStatus)
        }
        router.unary(TestPaths.failWithDetails) { (_: Grpc_Testing_Empty, _) -> Grpc_Testing_Empty in
            var badRequest = Google_Rpc_BadRequest()
            var violation = Google_Rpc_BadRequest.FieldViolation()
            violation.field = "resources.cpu_millis"
            violation.description = "must be positive"
            badRequest.fieldViolations = [violation]
            let status = Google_Rpc_Status(code: 3, message: "invalid deploy", details: [try Google_Protobuf_Any(packing: badRequest)])
            throw RPCError(.invalidArgument, "invalid deploy", details: try status.serializedBytes())
        }
        router.unary(TestPaths.hang) { [probe] (_: Grpc_Testing_Empty, _) -> Grpc_Testing_Empty in
            probe.didStart()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                probe.didCancel()
                throw error
            }
            return Grpc_Testing_Empty()
        }
        router.serverStreaming(TestPaths.hangStreaming) { [probe]
            (_: Grpc_Testing_Empty, writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
            probe.didStart()
            try await writer.write(Grpc_Testing_StreamingOutputCallResponse())
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                probe.didCancel()
                throw error
            }
        }
        router.serverStreaming(TestPaths.flood) { [probe]
            (request: Grpc_Testing_StreamingOutputCallRequest, writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
            let count = request.responseParameters.count
            let size = Int(request.responseParameters.first?.size ?? 0)
            for i in 0..<count {
                var response = Grpc_Testing_StreamingOutputCallResponse()
                response.payload = Self.payload(size: size, seed: i)
                try await writer.write(response)
                probe.didWrite()
            }
        }
        router.unary(TestPaths.rememberContext) { [probe] (_: Grpc_Testing_Empty, context: ServerContext) in
            probe.remember(context)
            return Grpc_Testing_Empty()
        }
        router.unary(TestPaths.echoMetadata) { (_: Grpc_Testing_Empty, context: ServerContext) in
            var initial = Metadata()
            var trailing = Metadata()
            if let text = context.requestMetadata.first("x-text") { initial.add("x-text-echo", text) }
            if let binary = context.requestMetadata.firstBinary("x-data-bin") { trailing.add("x-data-echo-bin", binary: binary) }
            context.initialMetadata = initial
            context.trailingMetadata = trailing
            return Grpc_Testing_Empty()
        }
    }

    /// `size` bytes that differ by position and seed, so misordered bytes show.
    static func payload(size: Int, seed: Int) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
        return payload
    }

    static func throwEchoStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        throw RPCError(RPCStatusCode(rawValue: Int(status.code)) ?? .unknown, status.message)
    }
}

/// The in-process server of one test; stopping it twice is harmless.
final class TestServer: Sendable {
    let server: HTTP2Server
    private let stopped = Mutex(false)

    init(server: HTTP2Server) { self.server = server }

    /// Graceful shutdown: GOAWAY, a short grace period for open calls, then the sockets close.
    func stop() async throws {
        guard stopped.withLock({ let was = $0; $0 = true; return !was }) else { return }
        try await server.shutdownGracefully()
    }
}

/// Runs `body` with an in-process server on a free loopback port and a connection to it.
func withTestServer<T>(
    probe: ServerProbe = ServerProbe(),
    configuration: RPCClientConfiguration = RPCClientConfiguration(),
    _ body: (RPCClientConnection, TestServer) async throws -> T
) async throws -> T {
    var router = RPCRouter()
    router.register(ClientTestService(probe: probe))
    var serverConfiguration = HTTP2ServerConfiguration()
    serverConfiguration.port = 0
    serverConfiguration.threads = 1
    serverConfiguration.shutdownGracePeriod = .milliseconds(300)
    serverConfiguration.goAwayDelay = .milliseconds(20)
    let server = TestServer(server: HTTP2Server(configuration: serverConfiguration, rpcServer: RPCServer(router: router)))
    try await server.server.start()
    let connection = try await RPCClientConnection.connect(host: "127.0.0.1", port: server.server.localPort!, configuration: configuration)
    do {
        let result = try await body(connection, server)
        await connection.close()
        try await server.stop()
        return result
    } catch {
        await connection.close()
        try? await server.stop()
        throw error
    }
}
