import Protos
@testable import RPCClient
import RPCServer
import Testing

@Suite("RPCClient unary calls against the in-process server")
struct UnaryCallTests {
    @Test func unaryRoundTrip() async throws {
        try await withTestServer { connection, _ in
            var request = Grpc_Testing_SimpleRequest()
            request.responseSize = 100
            request.payload = ClientTestService.payload(size: 10, seed: 0)
            let response: Grpc_Testing_SimpleResponse = try await connection.unary(path: TestPaths.unary, request: request)
            #expect(response.payload?.body == ClientTestService.payload(size: 100, seed: 10).body)
        }
    }

    /// The server lets go of a call once its response has been written, even while the
    /// connection stays open: nothing of a finished call is kept.
    @Test func aFinishedCallIsFreedWhileItsConnectionStaysOpen() async throws {
        let probe = ServerProbe()
        try await withTestServer(probe: probe) { connection, _ in
            _ = try await connection.unary(path: TestPaths.rememberContext, request: Grpc_Testing_Empty(),
                                           responseType: Grpc_Testing_Empty.self)
            let freed = await probe.wait { !$0.lastContextIsAlive }
            #expect(freed)
        }
    }

    @Test func emptyMessages() async throws {
        try await withTestServer { connection, _ in
            let response = try await connection.unary(path: TestPaths.empty, request: Grpc_Testing_Empty(),
                                                      responseType: Grpc_Testing_Empty.self)
            #expect(response == Grpc_Testing_Empty())
            let raw = try await connection.unary(path: TestPaths.empty, request: [UInt8]())
            #expect(raw.isEmpty)
        }
    }

    @Test func largeMessagesSpanManyDataFrames() async throws {
        try await withTestServer { connection, _ in
            var request = Grpc_Testing_SimpleRequest()
            request.responseSize = 3_000_000
            request.payload = ClientTestService.payload(size: 2_000_000, seed: 0)
            let response: Grpc_Testing_SimpleResponse = try await connection.unary(path: TestPaths.unary, request: request)
            #expect(response.payload?.body.count == 3_000_000)
            #expect(response.payload?.body == ClientTestService.payload(size: 3_000_000, seed: 2_000_000 % 256).body)
        }
    }

    @Test func responseLargerThanTheLimitIsResourceExhausted() async throws {
        var configuration = RPCClientConfiguration()
        configuration.maxReceiveMessageSize = 1000
        try await withTestServer(configuration: configuration) { connection, _ in
            var request = Grpc_Testing_SimpleRequest()
            request.responseSize = 5000
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.unary, request: request, responseType: Grpc_Testing_SimpleResponse.self)
            }
            #expect(error?.code == .resourceExhausted)
            // The connection still carries calls.
            _ = try await connection.unary(path: TestPaths.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
        }
    }

    @Test func statusWithDetails() async throws {
        try await withTestServer { connection, _ in
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.failWithDetails, request: Grpc_Testing_Empty(),
                                               responseType: Grpc_Testing_Empty.self)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "invalid deploy")
            let status = try Google_Rpc_Status(serializedBytes: try #require(error?.details))
            #expect(status.code == 3)
            let badRequest = try #require(try status.details.first?.unpack(Google_Rpc_BadRequest.self))
            #expect(badRequest.fieldViolations.map(\.field) == ["resources.cpu_millis"])
        }
    }

    @Test func echoedStatusKeepsItsMessage() async throws {
        try await withTestServer { connection, _ in
            var request = Grpc_Testing_SimpleRequest()
            var status = Grpc_Testing_EchoStatus()
            status.code = 9
            status.message = "ünïcode 100% \t\n done"
            request.responseStatus = status
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.unary, request: request, responseType: Grpc_Testing_SimpleResponse.self)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == "ünïcode 100% \t\n done")
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withTestServer { connection, _ in
            let error = await #expect(throws: RPCClientError.self) {
                _ = try await connection.unary(path: TestPaths.unimplemented, request: Grpc_Testing_Empty(),
                                               responseType: Grpc_Testing_Empty.self)
            }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test func customMetadataBothWays() async throws {
        try await withTestServer { connection, _ in
            var metadata = Metadata()
            metadata.add("x-text", "hello there")
            metadata.add("x-data-bin", binary: [0, 1, 2, 250, 251, 252, 253])
            let response = try await connection.unaryCall(path: TestPaths.echoMetadata, request: Grpc_Testing_Empty(),
                                                          responseType: Grpc_Testing_Empty.self, metadata: metadata)
            #expect(response.initialMetadata.first("x-text-echo") == "hello there")
            #expect(response.trailingMetadata.firstBinary("x-data-echo-bin") == [0, 1, 2, 250, 251, 252, 253])
        }
    }

    @Test func twoHundredConcurrentCallsOnOneConnection() async throws {
        try await withTestServer { connection, _ in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        var request = Grpc_Testing_SimpleRequest()
                        request.responseSize = Int32(i * 37)
                        request.payload = ClientTestService.payload(size: i, seed: 0)
                        let response: Grpc_Testing_SimpleResponse = try await connection.unary(path: TestPaths.unary, request: request)
                        return (response.payload?.body ?? []) == ClientTestService.payload(size: i * 37, seed: i).body
                    }
                }
                var correct = 0
                for try await ok in group where ok { correct += 1 }
                #expect(correct == 200)
            }
        }
    }
}
