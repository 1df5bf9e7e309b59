import Synchronization
import Testing
@testable import RPCServer

@Suite struct RPCServerTests {
    func server(_ configure: (inout RPCRouter) -> Void, configuration: RPCServer.Configuration = .init()) -> RPCServer {
        var router = RPCRouter()
        configure(&router)
        return RPCServer(router: router, configuration: configuration)
    }

    func echoServer(configuration: RPCServer.Configuration = .init()) -> RPCServer {
        server({ router in
            router.unary("/test.Echo/Unary") { (request: RawMessage, _) in request }
            router.clientStreaming("/test.Echo/Collect") { (requests: RPCRequestStream<RawMessage>, _) in
                var all: [UInt8] = []
                for try await message in requests { all += message.bytes }
                return RawMessage(all)
            }
        }, configuration: configuration)
    }

    @Test func unaryCallSendsHeadMessageAndOKTrailers() async throws {
        let stream = RecordingStream()
        let call = echoServer().open(head: grpcHead("/test.Echo/Unary"), stream: stream)
        call.receive(framed([1, 2, 3]))
        call.receiveEnd()
        await stream.waitForFinish()
        let recorded = stream.recorded.withLock { $0 }
        #expect(recorded.head?.first == HeaderField(":status", "200"))
        #expect(recorded.head?.contains(HeaderField("content-type", "application/grpc")) == true)
        #expect(recorded.messages == [framed([1, 2, 3])])
        #expect(recorded.trailersOnly == false)
        #expect(stream.statusCode == 0)
        #expect(recorded.consumed == 8)
    }

    @Test func unknownMethodAndServiceAreUnimplementedTrailersOnly() async {
        let stream = RecordingStream()
        _ = echoServer().open(head: grpcHead("/test.Echo/Nope"), stream: stream)
        #expect(stream.recorded.withLock { $0.trailersOnly })
        #expect(stream.statusCode == RPCStatusCode.unimplemented.rawValue)
        #expect(stream.trailer("grpc-message")?.contains("Nope") == true)
        #expect(stream.trailer(":status") == "200")

        let other = RecordingStream()
        _ = echoServer().open(head: grpcHead("/other.Service/Call"), stream: other)
        #expect(other.statusCode == RPCStatusCode.unimplemented.rawValue)
        #expect(other.trailer("grpc-message")?.contains("other.Service") == true)
    }

    /// A connection's route cache remembers the last method; calls that alternate between
    /// methods, and one to a method that does not exist, must still reach the right place.
    @Test func aConnectionsRouteCacheRoutesEveryCallToItsOwnMethod() async {
        let server = server { router in
            router.unary("/test.Echo/First") { (_: RawMessage, _) in RawMessage([1]) }
            router.unary("/test.Echo/Second") { (_: RawMessage, _) in RawMessage([2]) }
        }
        var routes = RouteCache()
        for (path, answer) in [("/test.Echo/First", 1), ("/test.Echo/Second", 2), ("/test.Echo/Second", 2),
                               ("/test.Echo/First", 1)] as [(String, UInt8)] {
            let stream = RecordingStream()
            let call = server.open(head: grpcHead(path), stream: stream, routes: &routes)
            call.receive(framed([0]))
            call.receiveEnd()
            await stream.waitForFinish()
            #expect(stream.recorded.withLock { $0.messages } == [framed([answer])], "\(path)")
        }
        let missing = RecordingStream()
        _ = server.open(head: grpcHead("/test.Echo/Third"), stream: missing, routes: &routes)
        #expect(missing.statusCode == RPCStatusCode.unimplemented.rawValue)
    }

    @Test func nonGRPCContentTypeGets415AndGETGets405() {
        let wrongType = RecordingStream()
        _ = echoServer().open(head: RequestHead(method: "POST", path: "/test.Echo/Unary",
                                                fields: [HeaderField("content-type", "application/json")]),
                              stream: wrongType)
        #expect(wrongType.trailer(":status") == "415")

        let plusProto = RecordingStream()
        _ = echoServer().open(head: RequestHead(method: "POST", path: "/test.Echo/Nope",
                                                fields: [HeaderField("content-type", "application/grpc+proto")]),
                              stream: plusProto)
        #expect(plusProto.trailer(":status") == "200")

        let get = RecordingStream()
        _ = echoServer().open(head: RequestHead(method: "GET", path: "/test.Echo/Unary", fields: []), stream: get)
        #expect(get.trailer(":status") == "405")
    }

    @Test func messagesSplitAcrossFramesAndPackedInOne() async throws {
        let stream = RecordingStream()
        let call = echoServer().open(head: grpcHead("/test.Echo/Collect"), stream: stream)
        let wire = framed([1, 2, 3, 4]) + framed([5]) + framed([]) + framed([6, 7])
        // Byte by byte, then everything else at once.
        for byte in wire.prefix(7) { call.receive([byte]) }
        call.receive(Array(wire.dropFirst(7)))
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == 0)
        #expect(stream.recorded.withLock { $0.messages } == [framed([1, 2, 3, 4, 5, 6, 7])])
    }

    @Test func lengthPrefixCutOffByEndStreamIsInternal() async {
        let stream = RecordingStream()
        let call = echoServer().open(head: grpcHead("/test.Echo/Unary"), stream: stream)
        call.receive([0, 0, 0])
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
    }

    @Test func declaredLengthOverLimitIsResourceExhaustedWithoutRunningTheHandler() async {
        let ran = Mutex(false)
        var configuration = RPCServer.Configuration()
        configuration.maxReceiveMessageSize = 10
        let server = server({ router in
            router.unary("/t.S/M") { (r: RawMessage, _) in ran.withLock { $0 = true }; return r }
        }, configuration: configuration)
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/M"), stream: stream)
        call.receive([0, 0, 0, 0, 11])
        call.receiveEnd()
        #expect(stream.statusCode == RPCStatusCode.resourceExhausted.rawValue)
        #expect(stream.trailer("grpc-message")?.contains("11 vs. 10") == true)
        #expect(ran.withLock { $0 } == false)
    }

    @Test func compressedFlagWithoutEncodingIsInternal() async {
        let stream = RecordingStream()
        let call = echoServer().open(head: grpcHead("/test.Echo/Unary"), stream: stream)
        call.receive(framed([1], compressed: true))
        call.receiveEnd()
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
    }

    @Test func unknownEncodingIsUnimplementedAndListsSupported() {
        let stream = RecordingStream()
        _ = echoServer().open(head: grpcHead("/test.Echo/Unary", extra: [HeaderField("grpc-encoding", "snappy")]),
                              stream: stream)
        #expect(stream.statusCode == RPCStatusCode.unimplemented.rawValue)
        #expect(stream.trailer("grpc-accept-encoding")?.contains("gzip") == true)
    }

    @Test func gzipInBothDirections() async throws {
        var configuration = RPCServer.Configuration()
        configuration.responseCompression = "gzip"
        let gzip = GzipCompression()
        let payload = [UInt8](repeating: 7, count: 1000)
        let stream = RecordingStream()
        let call = echoServer(configuration: configuration).open(
            head: grpcHead("/test.Echo/Unary", extra: [HeaderField("grpc-encoding", "gzip"),
                                                       HeaderField("grpc-accept-encoding", "identity, gzip")]),
            stream: stream)
        call.receive(framed(try gzip.compress(payload), compressed: true))
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == 0)
        let recorded = stream.recorded.withLock { $0 }
        #expect(recorded.head?.contains(HeaderField("grpc-encoding", "gzip")) == true)
        let response = try #require(recorded.messages.first)
        #expect(response[0] == 1)
        #expect(try gzip.decompress(Array(response.dropFirst(5)), limit: 10_000) == payload)
    }

    @Test func gzipBombIsResourceExhausted() async throws {
        var configuration = RPCServer.Configuration()
        configuration.maxReceiveMessageSize = 1000
        let bomb = try GzipCompression().compress([UInt8](repeating: 0, count: 100_000))
        let stream = RecordingStream()
        let call = echoServer(configuration: configuration).open(
            head: grpcHead("/test.Echo/Unary", extra: [HeaderField("grpc-encoding", "gzip")]), stream: stream)
        call.receive(framed(bomb, compressed: true))
        call.receiveEnd()
        #expect(stream.statusCode == RPCStatusCode.resourceExhausted.rawValue)
    }

    @Test func undecodableRequestIsInternal() async {
        let server = server { $0.unary("/t.S/M") { (_: StrictMessage, _) in try StrictMessage(serializedBytes: [1]) } }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/M"), stream: stream)
        call.receive(framed([9, 9]))
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
    }

    @Test func deadlineEndsTheCallAndCancelsTheHandler() async throws {
        let cancelled = Mutex(false)
        let server = server { router in
            router.unary("/t.S/Sleep") { (r: RawMessage, _) in
                do { try await Task.sleep(for: .seconds(60)) } catch { cancelled.withLock { $0 = true }; throw error }
                return r
            }
        }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Sleep", extra: [HeaderField("grpc-timeout", "50m")]), stream: stream)
        #expect(stream.recorded.withLock { $0.timers.first?.0 } == .milliseconds(50))
        call.receive(framed([1]))
        call.receiveEnd()
        stream.fireTimers()
        #expect(stream.statusCode == RPCStatusCode.deadlineExceeded.rawValue)
        for _ in 0..<200 where !cancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(cancelled.withLock { $0 })
    }

    @Test func invalidTimeoutIsRejected() {
        let stream = RecordingStream()
        _ = echoServer().open(head: grpcHead("/test.Echo/Unary", extra: [HeaderField("grpc-timeout", "123456789S")]),
                              stream: stream)
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
    }

    @Test func resetCancelsTheHandler() async throws {
        let started = Mutex(false)
        let cancelled = Mutex(false)
        let server = server { router in
            router.bidiStreaming("/t.S/Bidi") { (requests: RPCRequestStream<RawMessage>, _: RPCResponseWriter<RawMessage>, _) in
                started.withLock { $0 = true }
                do { for try await _ in requests {} } catch { cancelled.withLock { $0 = true }; throw error }
            }
        }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Bidi"), stream: stream)
        #expect(started.withLock { $0 })
        call.receiveReset()
        for _ in 0..<200 where !cancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(cancelled.withLock { $0 })
        #expect(stream.recorded.withLock { $0.trailers } == nil)
    }

    @Test func metadataBothWaysWithBinaryValues() async throws {
        let server = server { router in
            router.unary("/t.S/Meta") { (r: RawMessage, context: ServerContext) in
                #expect(context.requestMetadata.first("x-text") == "hello")
                #expect(context.requestMetadata.firstBinary("x-padded-bin") == [1, 2, 3, 4])
                #expect(context.requestMetadata.firstBinary("x-unpadded-bin") == [1, 2, 3, 4])
                var initial = Metadata()
                initial.add("x-initial", "i")
                context.initialMetadata = initial
                var trailing = Metadata()
                trailing.add("x-trailing-bin", binary: [0xFF, 0xFE])
                context.trailingMetadata = trailing
                return r
            }
        }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Meta", extra: [
            HeaderField("x-text", "hello"), HeaderField("x-padded-bin", "AQIDBA=="),
            HeaderField("x-unpadded-bin", "AQIDBA"),
        ]), stream: stream)
        call.receive(framed([]))
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == 0)
        #expect(stream.recorded.withLock { $0.head }?.contains(HeaderField("x-initial", "i")) == true)
        #expect(stream.trailer("x-trailing-bin") == "//4")
    }

    @Test func invalidBase64InBinaryMetadataIsRejected() {
        let stream = RecordingStream()
        _ = echoServer().open(head: grpcHead("/test.Echo/Unary", extra: [HeaderField("x-bad-bin", "!!!")]), stream: stream)
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
    }

    @Test func errorStatusMessageIsPercentEncodedWithDetails() async {
        let server = server { router in
            router.unary("/t.S/Fail") { (_: RawMessage, _) -> RawMessage in
                throw RPCError(.invalidArgument, "bad\tvalue: 100% ☃", details: [8, 3])
            }
        }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Fail"), stream: stream)
        call.receive(framed([]))
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == RPCStatusCode.invalidArgument.rawValue)
        #expect(stream.trailer("grpc-message") == "bad%09value: 100%25 %E2%98%83")
        #expect(stream.trailer("grpc-status-details-bin") == "CAM")
        #expect(stream.recorded.withLock { $0.trailersOnly })
    }

    @Test func interceptorsRunAroundCallsAndCanReject() async {
        final class RequireToken: ServerInterceptor {
            let log = Mutex<[String]>([])
            func intercept(context: ServerContext, next: () async throws -> Void) async throws {
                guard context.requestMetadata.first("authorization") == "Bearer t" else {
                    throw RPCError(.unauthenticated, "missing token")
                }
                log.withLock { $0.append("before") }
                try await next()
                log.withLock { $0.append("after") }
            }
        }
        let interceptor = RequireToken()
        var configuration = RPCServer.Configuration()
        configuration.interceptors = [interceptor]
        let server = echoServer(configuration: configuration)

        let rejected = RecordingStream()
        let call = server.open(head: grpcHead("/test.Echo/Unary"), stream: rejected)
        call.receive(framed([1]))
        call.receiveEnd()
        await rejected.waitForFinish()
        #expect(rejected.statusCode == RPCStatusCode.unauthenticated.rawValue)

        let accepted = RecordingStream()
        let call2 = server.open(head: grpcHead("/test.Echo/Unary", extra: [HeaderField("authorization", "Bearer t")]),
                                stream: accepted)
        call2.receive(framed([1]))
        call2.receiveEnd()
        await accepted.waitForFinish()
        #expect(accepted.statusCode == 0)
        #expect(interceptor.log.withLock { $0 } == ["before", "after"])
    }

    @Test func interceptorsCanObserveEachMessageSentAndTakenIn() async throws {
        final class CountMessages: ServerInterceptor {
            let counts = Mutex((sent: 0, received: 0))
            func intercept(context: ServerContext, next: () async throws -> Void) async throws {
                context.observeMessages(.init(sent: { self.counts.withLock { $0.sent += 1 } },
                                              received: { self.counts.withLock { $0.received += 1 } }))
                try await next()
            }
        }
        let counter = CountMessages()
        var configuration = RPCServer.Configuration()
        configuration.interceptors = [counter]
        let server = server({ router in
            router.bidiStreaming("/test.Echo/Each") { (requests: RPCRequestStream<RawMessage>, writer: RPCResponseWriter<RawMessage>, _) in
                for try await message in requests {
                    try await writer.write(message)
                    try await writer.write(message)
                }
            }
        }, configuration: configuration)
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/test.Echo/Each"), stream: stream)
        call.receive(framed([1]) + framed([2]) + framed([3]))
        call.receiveEnd()
        await stream.waitForFinish()
        #expect(stream.statusCode == 0)
        #expect(counter.counts.withLock { $0 } == (sent: 6, received: 3))
    }

    @Test func unreadStreamingRequestsStopReleasingFlowControl() async throws {
        var configuration = RPCServer.Configuration()
        configuration.inboundBufferLimit = 1000
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let server = server({ router in
            router.clientStreaming("/t.S/Slow") { (requests: RPCRequestStream<RawMessage>, _) in
                await withCheckedContinuation { c in gate.withLock { $0 = c } }
                var n = 0
                for try await _ in requests { n += 1 }
                return RawMessage([UInt8(n)])
            }
        }, configuration: configuration)
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Slow"), stream: stream)
        for _ in 0..<10 { call.receive(framed([UInt8](repeating: 1, count: 495))) }
        // The first two messages fit under the limit; what came after is held back.
        #expect(stream.recorded.withLock { $0.consumed } == 1000)
        call.receiveEnd()
        gate.withLock { $0 }?.resume()
        await stream.waitForFinish()
        #expect(stream.statusCode == 0)
        #expect(stream.recorded.withLock { $0.consumed } == 5000)
        #expect(stream.recorded.withLock { $0.messages } == [framed([10])])
    }

    @Test func secondMessageForUnaryIsInternal() async {
        let stream = RecordingStream()
        let call = echoServer().open(head: grpcHead("/test.Echo/Unary"), stream: stream)
        call.receive(framed([1]) + framed([2]))
        call.receiveEnd()
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
    }
}

@Suite struct MessageFramingTests {
    @Test func deframerRejectsBadFlagsAndTracksPartials() {
        var deframer = MessageDeframer(maxMessageSize: 100)
        var out: [FramedMessage] = []
        #expect(feed(&deframer, [0, 0, 0, 0, 2, 9], into: &out) == nil)
        #expect(out.isEmpty)
        #expect(deframer.hasPartialMessage)
        #expect(feed(&deframer, [8, 2, 0, 0, 0, 0], into: &out) == .invalidCompressionFlag(2))
        #expect(out == [FramedMessage(compressed: false, bytes: [9, 8])])
    }

    @Test func deframerTakesWholeMessagesAtOnceAndBuffersOnlyTheCutOne() {
        var deframer = MessageDeframer(maxMessageSize: 100)
        var out: [FramedMessage] = []
        // Two whole messages and the first bytes of a third, then the rest of it.
        #expect(feed(&deframer, [0, 0, 0, 0, 2, 1, 2, 1, 0, 0, 0, 1, 3, 0, 0, 0], into: &out) == nil)
        #expect(out == [FramedMessage(compressed: false, bytes: [1, 2]), FramedMessage(compressed: true, bytes: [3])])
        #expect(deframer.hasPartialMessage)
        #expect(feed(&deframer, [0, 3, 4, 5], into: &out) == nil)
        #expect(deframer.hasPartialMessage)
        #expect(feed(&deframer, [6, 0, 0, 0, 0, 0], into: &out) == nil)
        #expect(out.dropFirst(2) == [FramedMessage(compressed: false, bytes: [4, 5, 6]), FramedMessage(compressed: false, bytes: [])])
        #expect(!deframer.hasPartialMessage)
    }

    @Test func outboundMessageCopiesItsWireBytesInPiecesOfAnySize() {
        for (payload, compressed) in [([UInt8](), false), ([7, 8, 9], true), ((0..<300).map { UInt8($0 % 256) }, false)] {
            let message = OutboundMessage(payload: payload, compressed: compressed)
            let n = payload.count
            let expected: [UInt8] = [compressed ? 1 : 0, UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF),
                                     UInt8(n & 0xFF)] + payload
            #expect(message.wireBytes == expected)
            #expect(message.wireSize == expected.count)
            for piece in [1, 2, 4, 7, 1000] {
                var copied: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: piece)
                while copied.count < message.wireSize {
                    let n = buffer.withUnsafeMutableBytes { message.copyWireBytes(from: copied.count, into: $0) }
                    #expect(n == min(piece, message.wireSize - copied.count))
                    copied += buffer[..<n]
                }
                #expect(copied == expected, "pieces of \(piece)")
            }
        }
    }

    private func feed(_ deframer: inout MessageDeframer, _ bytes: [UInt8], into out: inout [FramedMessage]) -> MessageDeframer.Failure? {
        var failure: MessageDeframer.Failure?
        bytes.withUnsafeBytes { buffer in
            do throws(MessageDeframer.Failure) {
                try deframer.append(buffer) { out.append($0) }
            } catch {
                failure = error
            }
        }
        return failure
    }
}
