import Synchronization

/// Sends the same message to many server-streaming calls at once: a feed that thousands of
/// subscribers hold open.
///
/// A handler joins its call with ``join(_:)`` and stays there until the call ends or the group
/// finishes; it takes no part in delivery. ``publish(_:)`` encodes and frames the message once,
/// then hops onto each transport lane (one event loop) once and queues the same bytes on every
/// member stream of that lane: no task wakes up, the bytes are not copied per member, and a
/// member that keeps up costs no allocation.
///
/// Flow control: a member whose stream still holds `maxQueuedBytes` unsent bytes (its client
/// reads slowly, or its HTTP/2 window is closed) skips the message, so memory stays bounded
/// per member whatever the client does. Skipping the newest message, rather than dropping a
/// queued one, never alters what a stream has queued already, which may include messages
/// its own handler wrote. Broadcast messages are never compressed.
public final class RPCBroadcastGroup<Message: RPCMessage>: Sendable {
    /// Unsent bytes a member's stream may hold before it skips messages.
    public let maxQueuedBytes: Int

    private struct State {
        var lanes: [LaneMembers] = []
        var finished = false
    }

    private let state = Mutex(State())
    private let counters = BroadcastCounters()

    public init(maxQueuedBytes: Int = 4096) {
        self.maxQueuedBytes = maxQueuedBytes
    }

    /// Sends the response head at once, then keeps the call subscribed: every message
    /// published from now on is sent on it. Returns when the group finishes; throws
    /// `CancellationError` when the call ends first (client gone, deadline passed).
    public func join(_ writer: RPCResponseWriter<Message>) async throws {
        let call = writer.writer.call
        try call.sendHead()
        let lane = call.transport.lane
        let members = state.withLock { state -> LaneMembers? in
            guard !state.finished else { return nil }
            if let existing = state.lanes.first(where: { $0.lane === lane }) { return existing }
            let created = LaneMembers(lane: lane, counters: counters)
            state.lanes.append(created)
            return created
        }
        guard let members else { return }
        let membership = BroadcastMembership(stream: call.transport)
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if membership.wait(continuation) { members.add(membership) }
            }
        } onCancel: {
            membership.end()
            members.remove(membership)
        }
        try Task.checkCancellation()
    }

    /// Sends `message` to every member.
    public func publish(_ message: Message) throws {
        publish(serialized: try message.serializedBytes())
    }

    /// Sends already encoded message bytes to every member.
    public func publish(serialized payload: [UInt8]) {
        let message = OutboundMessage(payload: payload)
        let lanes = state.withLock { $0.lanes }
        for members in lanes { members.deliver(message, maxQueuedBytes: maxQueuedBytes) }
    }

    /// Ends every membership: the handlers in ``join(_:)`` return, and so do later joins.
    public func finish() {
        let lanes = state.withLock { state in
            state.finished = true
            return state.lanes
        }
        for members in lanes { members.finish() }
    }

    /// Calls subscribed now.
    public var memberCount: Int { counters.members.load(ordering: .relaxed) }
    /// Messages queued on member streams so far.
    public var delivered: Int { counters.delivered.load(ordering: .relaxed) }
    /// Messages not queued: the member's stream held too much unsent, or had just ended.
    public var skipped: Int { counters.skipped.load(ordering: .relaxed) }
}

final class BroadcastCounters: Sendable {
    let members = Atomic(0)
    let delivered = Atomic(0)
    let skipped = Atomic(0)
}

/// The members of one group that live on one lane. Its list is touched only on that lane,
/// which serializes joins, leaves and deliveries without a lock.
///
/// A lane without members is not visited at all: a publish does not wake an event loop that
/// has nothing to send, nor one that has shut down after its connections closed.
final class LaneMembers: @unchecked Sendable {
    let lane: any RPCTransportLane
    private let counters: BroadcastCounters
    // Lane-confined.
    private var members: [BroadcastMembership] = []
    // Read from any thread. `add` counts a member before it looks at `finished`, and `finish`
    // sets `finished` before it looks at the count (both sequentially consistent), so a
    // member added during `finish` is ended by one side or the other.
    private let count = Atomic(0)
    private let finished = Atomic(false)

    init(lane: any RPCTransportLane, counters: BroadcastCounters) {
        self.lane = lane
        self.counters = counters
    }

    func add(_ membership: BroadcastMembership) {
        onLane {
            guard membership.isWaiting, membership.index < 0 else { return }
            membership.index = self.members.count
            self.members.append(membership)
            self.count.add(1, ordering: .sequentiallyConsistent)
            self.counters.members.add(1, ordering: .relaxed)
            if self.finished.load(ordering: .sequentiallyConsistent) { self.endAll() }
        }
    }

    func remove(_ membership: BroadcastMembership) {
        onLane {
            let index = membership.index
            guard index >= 0 else { return }
            let last = self.members.removeLast()
            if last !== membership {
                self.members[index] = last
                last.index = index
            }
            membership.index = -1
            self.count.subtract(1, ordering: .relaxed)
            self.counters.members.subtract(1, ordering: .relaxed)
        }
    }

    /// Members offered a message in one turn of the lane. Between slices the lane runs what
    /// the offers scheduled (for HTTP/2, one flush per connection touched), so the first
    /// members' bytes leave while the last ones are still being offered.
    static let sliceSize = 256

    func deliver(_ message: OutboundMessage, maxQueuedBytes: Int) {
        guard count.load(ordering: .relaxed) > 0 else { return }
        onLane {
            // A snapshot: members who join or leave meanwhile wait for the next message.
            self.deliver(message, maxQueuedBytes: maxQueuedBytes, to: self.members, from: 0)
        }
    }

    private func deliver(_ message: OutboundMessage, maxQueuedBytes: Int, to members: [BroadcastMembership], from start: Int) {
        let end = min(start + Self.sliceSize, members.count)
        var delivered = 0
        for index in start..<end where members[index].stream.offer(message, maxQueuedBytes: maxQueuedBytes) {
            delivered += 1
        }
        counters.delivered.add(delivered, ordering: .relaxed)
        counters.skipped.add(end - start - delivered, ordering: .relaxed)
        guard end < members.count else { return }
        lane.execute { self.deliver(message, maxQueuedBytes: maxQueuedBytes, to: members, from: end) }
    }

    func finish() {
        finished.store(true, ordering: .sequentiallyConsistent)
        guard count.load(ordering: .sequentiallyConsistent) > 0 else { return }
        onLane { self.endAll() }
    }

    private func endAll() {
        for membership in members {
            membership.index = -1
            membership.end()
        }
        count.subtract(members.count, ordering: .relaxed)
        counters.members.subtract(members.count, ordering: .relaxed)
        members = []
    }

    private func onLane(_ body: @escaping @Sendable () -> Void) {
        if lane.isCurrent { body() } else { lane.execute(body) }
    }
}

/// One call subscribed to a group: its stream, and the handler waiting until it leaves.
final class BroadcastMembership: @unchecked Sendable {
    private enum Waiting {
        case notYet
        case waiting(CheckedContinuation<Void, Never>)
        case ended
    }

    let stream: any RPCTransportStream
    /// Position in its lane's list, or -1; lane-confined.
    var index = -1
    private let waiting = Mutex(Waiting.notYet)

    init(stream: any RPCTransportStream) {
        self.stream = stream
    }

    /// Parks the handler; returns false (and resumes it) when the membership already ended.
    func wait(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        let parked = waiting.withLock { state -> Bool in
            guard case .notYet = state else { return false }
            state = .waiting(continuation)
            return true
        }
        if !parked { continuation.resume() }
        return parked
    }

    var isWaiting: Bool {
        waiting.withLock { state in
            if case .waiting = state { return true }
            return false
        }
    }

    /// Lets the handler go on; later calls do nothing.
    func end() {
        let continuation = waiting.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state = .ended }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume()
    }
}
