import Synchronization
import Testing
@testable import RPCServer

@Suite struct BroadcastGroupTests {
    func feed(_ group: RPCBroadcastGroup<RawMessage>) -> RPCServer {
        var router = RPCRouter()
        router.serverStreaming("/t.Feed/Watch") { (_: RawMessage, writer: RPCResponseWriter<RawMessage>, _) in
            try await group.join(writer)
        }
        return RPCServer(router: router)
    }

    /// Opens a Watch call on a new stream and sends its request.
    func subscribe(_ server: RPCServer, lane: any RPCTransportLane = InlineLane()) -> (RecordingStream, any RPCInboundStream) {
        let stream = RecordingStream(lane: lane)
        let call = server.open(head: grpcHead("/t.Feed/Watch"), stream: stream)
        call.receive(framed([]))
        call.receiveEnd()
        return (stream, call)
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<400 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func joinSendsTheHeadAtOnceAndPublishReachesEveryMember() async throws {
        let group = RPCBroadcastGroup<RawMessage>()
        let server = feed(group)
        let streams = (0..<3).map { _ in subscribe(server).0 }
        try await waitUntil { group.memberCount == 3 }
        #expect(group.memberCount == 3)
        for stream in streams {
            #expect(stream.recorded.withLock { $0.head?.first } == HeaderField(":status", "200"))
            #expect(stream.recorded.withLock { $0.messages }.isEmpty)
        }
        try group.publish(RawMessage([1, 2, 3]))
        group.publish(serialized: [4])
        for stream in streams {
            #expect(stream.recorded.withLock { $0.messages } == [framed([1, 2, 3]), framed([4])])
        }
        #expect(group.delivered == 6)
        #expect(group.skipped == 0)
    }

    @Test func aMemberThatHoldsTooMuchUnsentSkipsMessagesUntilItDrains() async throws {
        let group = RPCBroadcastGroup<RawMessage>(maxQueuedBytes: 10)
        let server = feed(group)
        let (slow, _) = subscribe(server)
        let (fast, _) = subscribe(server)
        try await waitUntil { group.memberCount == 2 }
        group.publish(serialized: [1, 1, 1, 1, 1, 1, 1, 1])
        fast.recorded.withLock { $0.unsentOffered = 0 }
        group.publish(serialized: [2])
        #expect(slow.recorded.withLock { $0.messages } == [framed([1, 1, 1, 1, 1, 1, 1, 1])])
        #expect(fast.recorded.withLock { $0.messages }.count == 2)
        #expect(group.skipped == 1)
        slow.recorded.withLock { $0.unsentOffered = 0 }
        group.publish(serialized: [3])
        #expect(slow.recorded.withLock { $0.messages }.last == framed([3]))
    }

    @Test func aResetCallLeavesTheGroupAndItsHandlerIsCancelled() async throws {
        let group = RPCBroadcastGroup<RawMessage>()
        let server = feed(group)
        let (kept, _) = subscribe(server)
        let (gone, goneCall) = subscribe(server)
        try await waitUntil { group.memberCount == 2 }
        goneCall.receiveReset()
        try await waitUntil { group.memberCount == 1 }
        #expect(group.memberCount == 1)
        group.publish(serialized: [7])
        #expect(kept.recorded.withLock { $0.messages } == [framed([7])])
        #expect(gone.recorded.withLock { $0.messages }.isEmpty)
    }

    @Test func finishEndsEveryCallWithOKAndLaterJoinsReturnAtOnce() async throws {
        let group = RPCBroadcastGroup<RawMessage>()
        let server = feed(group)
        let (first, _) = subscribe(server)
        try await waitUntil { group.memberCount == 1 }
        group.finish()
        await first.waitForFinish()
        #expect(first.statusCode == 0)
        #expect(first.recorded.withLock { $0.trailersOnly } == false)
        #expect(group.memberCount == 0)

        let (late, _) = subscribe(server)
        await late.waitForFinish()
        #expect(late.statusCode == 0)
    }

    @Test func publishHopsOntoALaneOnceForAllItsMembers() async throws {
        let lane = ManualLane()
        let group = RPCBroadcastGroup<RawMessage>()
        let server = feed(group)
        let streams = (0..<4).map { _ in subscribe(server, lane: lane).0 }
        try await waitUntil { lane.run(); return group.memberCount == 4 }
        #expect(group.memberCount == 4)
        group.publish(serialized: [5])
        #expect(streams[0].recorded.withLock { $0.messages }.isEmpty)
        #expect(lane.run() == 1)
        for stream in streams {
            #expect(stream.recorded.withLock { $0.messages } == [framed([5])])
        }
    }

    @Test func aLargeLaneIsServedInSlicesSoThatItsFirstStreamsFlushEarly() async throws {
        let lane = ManualLane()
        let group = RPCBroadcastGroup<RawMessage>()
        let server = feed(group)
        let count = 2 * LaneMembers.sliceSize + 1
        let streams = (0..<count).map { _ in subscribe(server, lane: lane).0 }
        try await waitUntil { lane.run(); return group.memberCount == count }
        group.publish(serialized: [6])
        #expect(lane.run() == 3)
        #expect(streams.allSatisfy { $0.recorded.withLock { $0.messages } == [framed([6])] })
        #expect(group.delivered == count)
    }

    @Test func aCallCancelledBeforeItsJoinReachesTheLaneNeverJoins() async throws {
        let lane = ManualLane()
        let group = RPCBroadcastGroup<RawMessage>()
        let server = feed(group)
        let (stream, call) = subscribe(server, lane: lane)
        call.receiveReset()
        lane.run()
        #expect(group.memberCount == 0)
        group.publish(serialized: [1])
        lane.run()
        #expect(stream.recorded.withLock { $0.messages }.isEmpty)
    }
}
