import Synchronization
import Testing
@testable import RPCServer

/// Handlers registered with `synchronousUnary` answer as the request ends, on the caller's
/// thread, with no task; with interceptors configured they run inside them, in a task.
@Suite struct SynchronousHandlerTests {
    func server(interceptors: [any ServerInterceptor] = [], _ configure: (inout RPCRouter) -> Void) -> RPCServer {
        var router = RPCRouter()
        configure(&router)
        var configuration = RPCServer.Configuration()
        configuration.interceptors = interceptors
        return RPCServer(router: router, configuration: configuration)
    }

    @Test func answersBeforeTheRequestEndReturnsInTheCallersOwnTask() {
        // The handler runs in whatever task delivered the request's end (here, the test's):
        // no task of its own was created for it.
        let handlerTask = Mutex<Int?>(nil)
        let server = server { router in
            router.synchronousUnary("/t.S/Echo") { (request: RawMessage, _) in
                handlerTask.withLock { $0 = withUnsafeCurrentTask { $0?.hashValue } }
                return RawMessage(request.bytes.reversed())
            }
        }
        let testTask = withUnsafeCurrentTask { $0?.hashValue }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Echo"), stream: stream)
        call.receive(framed([1, 2, 3]))
        call.receiveEnd()
        // No waiting: the whole response went out inside receiveEnd.
        let recorded = stream.recorded.withLock { $0 }
        #expect(recorded.messages == [framed([3, 2, 1])])
        #expect(recorded.trailers != nil)
        #expect(stream.statusCode == 0)
        #expect(testTask != nil)
        #expect(handlerTask.withLock { $0 } == testTask)
    }

    @Test func bytesHandlerGetsTheMessageAsItArrived() {
        let server = server { router in
            router.synchronousUnaryBytes("/t.S/Raw") { bytes, _ in bytes + [9] }
        }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Raw"), stream: stream)
        call.receive(framed([7, 8]))
        call.receiveEnd()
        #expect(stream.recorded.withLock { $0.messages } == [framed([7, 8, 9])])
        #expect(stream.statusCode == 0)
    }

    @Test func thrownErrorsAndResponseMetadataReachTheClient() {
        let server = server { router in
            router.synchronousUnary("/t.S/Fail") { (_: RawMessage, context: ServerContext) -> RawMessage in
                var trailing = Metadata()
                trailing.add("x-from-handler", "t")
                context.trailingMetadata = trailing
                throw RPCError(.failedPrecondition, "not now",
                               trailingMetadata: { var m = Metadata(); m.add("x-from-error", "e"); return m }())
            }
            router.synchronousUnary("/t.S/Meta") { (request: RawMessage, context: ServerContext) in
                var initial = Metadata()
                initial.add("x-initial", "i")
                context.initialMetadata = initial
                return request
            }
            router.synchronousUnary("/t.S/Crash") { (_: RawMessage, _) -> RawMessage in
                struct Unexpected: Error {}
                throw Unexpected()
            }
        }
        let failed = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Fail"), stream: failed)
        call.receive(framed([]))
        call.receiveEnd()
        #expect(failed.statusCode == RPCStatusCode.failedPrecondition.rawValue)
        #expect(failed.trailer("grpc-message") == "not now")
        #expect(failed.trailer("x-from-handler") == "t")
        #expect(failed.trailer("x-from-error") == "e")

        let meta = RecordingStream()
        let call2 = server.open(head: grpcHead("/t.S/Meta"), stream: meta)
        call2.receive(framed([1]))
        call2.receiveEnd()
        #expect(meta.statusCode == 0)
        #expect(meta.recorded.withLock { $0.head }?.contains(HeaderField("x-initial", "i")) == true)

        let crashed = RecordingStream()
        let call3 = server.open(head: grpcHead("/t.S/Crash"), stream: crashed)
        call3.receive(framed([]))
        call3.receiveEnd()
        #expect(crashed.statusCode == RPCStatusCode.unknown.rawValue)
    }

    @Test func aRequestThatDoesNotDecodeIsInternalWithoutRunningTheHandler() {
        let ran = Mutex(false)
        let server = server { router in
            router.synchronousUnary("/t.S/Strict") { (request: StrictMessage, _) in
                ran.withLock { $0 = true }
                return request
            }
        }
        let stream = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Strict"), stream: stream)
        call.receive(framed([0xFF]))
        call.receiveEnd()
        #expect(stream.statusCode == RPCStatusCode.internal.rawValue)
        #expect(ran.withLock { $0 } == false)
    }

    @Test func interceptorsStillRunAroundASynchronousHandler() async {
        final class Reject: ServerInterceptor {
            let seen = Mutex<[String]>([])
            func intercept(context: ServerContext, next: () async throws -> Void) async throws {
                seen.withLock { $0.append(context.path) }
                guard context.requestMetadata.first("x-allow") == "yes" else {
                    throw RPCError(.permissionDenied, "not allowed")
                }
                try await next()
            }
        }
        let interceptor = Reject()
        let handlerRan = Mutex(0)
        let server = server(interceptors: [interceptor]) { router in
            router.synchronousUnary("/t.S/Guarded") { (request: RawMessage, _) in
                handlerRan.withLock { $0 += 1 }
                return request
            }
        }
        let denied = RecordingStream()
        let call = server.open(head: grpcHead("/t.S/Guarded"), stream: denied)
        call.receive(framed([1]))
        call.receiveEnd()
        await denied.waitForFinish()
        #expect(denied.statusCode == RPCStatusCode.permissionDenied.rawValue)

        let allowed = RecordingStream()
        let call2 = server.open(head: grpcHead("/t.S/Guarded", extra: [HeaderField("x-allow", "yes")]), stream: allowed)
        call2.receive(framed([1]))
        call2.receiveEnd()
        await allowed.waitForFinish()
        #expect(allowed.statusCode == 0)
        #expect(allowed.recorded.withLock { $0.messages } == [framed([1])])
        #expect(handlerRan.withLock { $0 } == 1)
        #expect(interceptor.seen.withLock { $0 } == ["/t.S/Guarded", "/t.S/Guarded"])
    }
}
