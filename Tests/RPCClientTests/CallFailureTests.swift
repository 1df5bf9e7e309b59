import Protos
@testable import RPCClient
import RPCServer
import Testing

@Suite("RPCClient deadlines, cancellation and connection failures")
struct CallFailureTests {
    @Test func deadlineExceeded() async throws {
        let probe = ServerProbe()
        try await withTestServer(probe: probe) { connection, _ in
            let start = ContinuousClock.now
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.hang, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self,
                                               deadline: .now + .milliseconds(200))
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(ContinuousClock.now - start < .seconds(5), "the call never answers: only the deadline ends it")
            #expect(await probe.wait { $0.cancelled == 1 })
        }
    }

    @Test func aDeadlineAlreadyPassedFailsAtOnce() async throws {
        try await withTestServer { connection, _ in
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self,
                                               deadline: .now - .seconds(1))
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test func cancellingTheTaskResetsTheStream() async throws {
        let probe = ServerProbe()
        try await withTestServer(probe: probe) { connection, _ in
            let call = Task {
                try await connection.unary(path: TestPaths.hang, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
            }
            #expect(await probe.wait { $0.started == 1 })
            call.cancel()
            let result = await call.result
            if case .failure(let error as RPCClientError) = result {
                #expect(error.code == .cancelled)
            } else {
                Issue.record("expected CANCELLED, got \(result)")
            }
            #expect(await probe.wait { $0.cancelled == 1 })
            // The connection still carries calls.
            _ = try await connection.unary(path: TestPaths.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
        }
    }

    @Test func aServerThatGoesAwayEndsOpenCalls() async throws {
        let probe = ServerProbe()
        try await withTestServer(probe: probe) { connection, server in
            let call = Task {
                try await connection.unary(path: TestPaths.hang, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
            }
            #expect(await probe.wait { $0.started == 1 })
            try await server.stop()
            let result = await call.result
            guard case .failure(let error as RPCClientError) = result else {
                Issue.record("expected a failure, got \(result)")
                return
            }
            #expect([.unavailable, .cancelled].contains(error.code))
            let next = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
            }
            #expect(next?.code == .unavailable)
        }
    }

    @Test func connectionRefusedFailsQuickly() async throws {
        // Refused is answered at once, not when the connect timeout runs out; the bound is
        // loose because this runs beside hundreds of other tests on a busy machine.
        var configuration = RPCClientConfiguration()
        configuration.connectTimeout = .seconds(30)
        let start = ContinuousClock.now
        let error = await #expect(throws: RPCClientError.self) {
            _ = try await RPCClientConnection.connect(host: "127.0.0.1", port: 1, configuration: configuration)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("cannot connect to 127.0.0.1:1") == true)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func anUnansweredConnectTimesOut() async throws {
        var configuration = RPCClientConfiguration()
        configuration.connectTimeout = .milliseconds(300)
        let start = ContinuousClock.now
        // A non-routable address: either nothing answers (the timeout) or the network says so at once.
        let error = await #expect(throws: RPCClientError.self) {
            _ = try await RPCClientConnection.connect(host: "10.255.255.1", port: 50051, configuration: configuration)
        }
        #expect(error?.code == .unavailable)
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func aHostThatDoesNotResolve() async throws {
        let error = await #expect(throws: RPCClientError.self) {
            _ = try await RPCClientConnection.connect(host: "no-such-host.invalid", port: 50051)
        }
        #expect(error?.code == .unavailable)
    }

    @Test func callsAfterCloseFailUnavailable() async throws {
        try await withTestServer { connection, _ in
            await connection.close()
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
            }
            #expect(error?.code == .unavailable)
        }
    }
}
