import Protos
@testable import RPCClient
import RPCServer
import Testing

@Suite("RPCClient server-streaming calls against the in-process server")
struct StreamingCallTests {
    private func request(sizes: [Int], intervalUs: Int32 = 0) -> Grpc_Testing_StreamingOutputCallRequest {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseParameters = sizes.map { size in
            var parameters = Grpc_Testing_ResponseParameters()
            parameters.size = Int32(size)
            parameters.intervalUs = intervalUs
            return parameters
        }
        return request
    }

    @Test func messagesArriveInOrderThenTheStreamEnds() async throws {
        try await withTestServer { connection, _ in
            let sizes = [1, 10, 0, 1000, 100_000, 7]
            let stream = try connection.serverStreaming(path: TestPaths.streaming, request: request(sizes: sizes, intervalUs: 1000),
                                                        responseType: Grpc_Testing_StreamingOutputCallResponse.self)
            var bodies: [[UInt8]] = []
            for try await response in stream { bodies.append(response.payload?.body ?? []) }
            #expect(bodies == sizes.enumerated().map { ClientTestService.payload(size: $1, seed: $0).body })
        }
    }

    @Test func largeStreamedMessages() async throws {
        try await withTestServer { connection, _ in
            let stream = connection.serverStreaming(path: TestPaths.streaming,
                                                    request: try request(sizes: Array(repeating: 1_500_000, count: 6)).serializedBytes())
            var count = 0
            for try await bytes in stream {
                let response = try Grpc_Testing_StreamingOutputCallResponse(serializedBytes: bytes)
                #expect(response.payload?.body == ClientTestService.payload(size: 1_500_000, seed: count).body)
                count += 1
            }
            #expect(count == 6)
        }
    }

    @Test func statusAfterMessagesIsThrownAfterThem() async throws {
        try await withTestServer { connection, _ in
            var request = request(sizes: [5, 5])
            var status = Grpc_Testing_EchoStatus()
            status.code = 10
            status.message = "aborted after two"
            request.responseStatus = status
            let stream = try connection.serverStreaming(path: TestPaths.streaming, request: request,
                                                        responseType: Grpc_Testing_StreamingOutputCallResponse.self)
            var received = 0
            do {
                for try await _ in stream { received += 1 }
                Issue.record("the stream should have thrown")
            } catch let error as RPCClientError {
                #expect(error.code == .aborted)
                #expect(error.message == "aborted after two")
            }
            #expect(received == 2)
        }
    }

    @Test func aSlowReaderHoldsTheServerBack() async throws {
        let probe = ServerProbe()
        var configuration = RPCClientConfiguration()
        configuration.initialStreamWindowSize = 256 * 1024
        configuration.streamBufferLimit = 256 * 1024
        try await withTestServer(probe: probe, configuration: configuration) { connection, _ in
            let total = 400
            let size = 64 * 1024  // 25 MiB in all
            let stream = try connection.serverStreaming(path: TestPaths.flood, request: request(sizes: Array(repeating: size, count: total)),
                                                        responseType: Grpc_Testing_StreamingOutputCallResponse.self)
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
            try await Task.sleep(for: .milliseconds(400))
            // Our window and buffer, plus what the server holds for a stream before its writer waits.
            let written = probe.written
            #expect(written < 40, "the server wrote \(written) messages to a reader that took one")
            var read = 1
            while let response = try await iterator.next() {
                #expect(response.payload?.body.count == size)
                read += 1
            }
            #expect(read == total)
        }
    }

    @Test func droppingTheStreamCancelsTheCall() async throws {
        let probe = ServerProbe()
        try await withTestServer(probe: probe) { connection, _ in
            do {
                let stream = try connection.serverStreaming(path: TestPaths.hangStreaming, request: Grpc_Testing_Empty(),
                                                            responseType: Grpc_Testing_StreamingOutputCallResponse.self)
                for try await _ in stream { break }
            }
            #expect(await probe.wait { $0.cancelled == 1 })
        }
    }

    @Test func cancellingTheReadingTaskCancelsTheCall() async throws {
        let probe = ServerProbe()
        try await withTestServer(probe: probe) { connection, _ in
            let reader = Task {
                let stream = try connection.serverStreaming(path: TestPaths.hangStreaming, request: Grpc_Testing_Empty(),
                                                            responseType: Grpc_Testing_StreamingOutputCallResponse.self)
                var count = 0
                for try await _ in stream { count += 1 }
                return count
            }
            #expect(await probe.wait { $0.started == 1 })
            try await Task.sleep(for: .milliseconds(50))
            reader.cancel()
            let result = await reader.result
            #expect(throws: RPCClientError.self) { try result.get() }
            #expect((try? result.get()) == nil)
            if case .failure(let error as RPCClientError) = result { #expect(error.code == .cancelled) }
            #expect(await probe.wait { $0.cancelled == 1 })
        }
    }
}
