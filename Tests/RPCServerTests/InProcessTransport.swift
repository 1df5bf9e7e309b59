import Synchronization
@testable import RPCServer

/// An in-process transport double: it records what RPCServer sends on one stream, and the
/// test drives the inbound side by hand. No sockets, no HTTP/2.
final class RecordingStream: RPCTransportStream, Sendable {
    struct Recorded {
        var head: [HeaderField]?
        var messages: [[UInt8]] = []
        var trailers: [HeaderField]?
        var trailersOnly = false
        var cancelled = false
        var consumed = 0
        var timers: [(Duration, @Sendable () -> Void)] = []
        /// Bytes offered but not yet "sent": the test empties it to play a reading client.
        var unsentOffered = 0
    }

    let recorded = Mutex(Recorded())
    private let finished = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let isFinished = Mutex(false)

    func send(head: [HeaderField]?, message: OutboundMessage) async {
        recorded.withLock { r in
            if let head { r.head = head }
            r.messages.append(message.wireBytes)
        }
    }

    func send(head: [HeaderField]) {
        recorded.withLock { r in
            if r.head == nil { r.head = head }
        }
    }

    var lane: any RPCTransportLane { lane_ }
    private let lane_: any RPCTransportLane

    init(lane: any RPCTransportLane = InlineLane()) {
        lane_ = lane
    }

    func offer(_ message: OutboundMessage, maxQueuedBytes: Int) -> Bool {
        recorded.withLock { r in
            guard r.head != nil, r.trailers == nil, r.unsentOffered < maxQueuedBytes else { return false }
            r.messages.append(message.wireBytes)
            r.unsentOffered += message.wireSize
            return true
        }
    }

    func finish(head: [HeaderField]?, message: OutboundMessage?, trailers: [HeaderField]) {
        recorded.withLock { r in
            if let head { r.head = head }
            if let message { r.messages.append(message.wireBytes) }
            r.trailersOnly = r.head == nil
            r.trailers = trailers
        }
        let waiters = finished.withLock { w in defer { w = [] }; return w }
        isFinished.withLock { $0 = true }
        for w in waiters { w.resume() }
    }

    func cancel() { recorded.withLock { $0.cancelled = true } }

    func consumed(inboundBytes count: Int) { recorded.withLock { $0.consumed += count } }

    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any RPCScheduledTimer {
        recorded.withLock { $0.timers.append((delay, body)) }
        return NoTimer()
    }

    var taskExecutor: (any TaskExecutor)? { nil }

    /// Waits until the call has sent its trailers.
    func waitForFinish() async {
        await withCheckedContinuation { c in
            let done = isFinished.withLock { $0 }
            if done { c.resume() } else {
                finished.withLock { $0.append(c) }
                // Re-check: finish may have raced between the two locks.
                if isFinished.withLock({ $0 }) {
                    let waiters = finished.withLock { w in defer { w = [] }; return w }
                    for w in waiters { w.resume() }
                }
            }
        }
    }

    /// The trailer (or Trailers-Only) value of `name`.
    func trailer(_ name: String) -> String? {
        recorded.withLock { $0.trailers?.first(where: { $0.name == name })?.value }
    }

    var statusCode: Int? { trailer("grpc-status").flatMap { Int($0) } }

    func fireTimers() {
        let timers = recorded.withLock { $0.timers }
        for (_, fire) in timers { fire() }
    }
}

final class NoTimer: RPCScheduledTimer { func cancel() {} }

/// A lane that runs everything at once, on the caller's thread.
final class InlineLane: RPCTransportLane {
    var isCurrent: Bool { true }
    func execute(_ body: @escaping @Sendable () -> Void) { body() }
}

/// A lane that runs what it is given only when the test says so, to check what is and is not
/// done on the lane.
final class ManualLane: RPCTransportLane {
    private let queue = Mutex<[@Sendable () -> Void]>([])
    var isCurrent: Bool { false }
    func execute(_ body: @escaping @Sendable () -> Void) { queue.withLock { $0.append(body) } }

    /// Runs everything queued so far, and what that queues in turn; returns how many ran.
    @discardableResult
    func run() -> Int {
        var count = 0
        while true {
            let jobs = queue.withLock { q in defer { q = [] }; return q }
            if jobs.isEmpty { return count }
            for job in jobs { job() }
            count += jobs.count
        }
    }
}

/// Bytes as a message, for tests that need no protobuf.
struct RawMessage: RPCMessage, Equatable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(serializedBytes: [UInt8]) throws { bytes = serializedBytes }
    func serializedBytes() throws -> [UInt8] { bytes }
}

/// A message whose decoding fails for any input that does not start with 0x01.
struct StrictMessage: RPCMessage {
    struct Invalid: Error {}
    init(serializedBytes: [UInt8]) throws { guard serializedBytes.first == 1 else { throw Invalid() } }
    func serializedBytes() throws -> [UInt8] { [1] }
}

func framed(_ payload: [UInt8], compressed: Bool = false) -> [UInt8] {
    OutboundMessage(payload: payload, compressed: compressed).wireBytes
}

func grpcHead(_ path: String, extra: [HeaderField] = []) -> RequestHead {
    RequestHead(method: "POST", path: path,
                fields: [HeaderField("content-type", "application/grpc"), HeaderField("te", "trailers")] + extra)
}

extension RPCInboundStream {
    func receive(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { receive($0) }
    }
}
