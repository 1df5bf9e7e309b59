import NIOCore
import RPCServer
import Synchronization

/// Messages of a streaming response between the event loop, which appends them, and the
/// reader's task, which takes them.
///
/// It also keeps the flow-control books: while the reader leaves `limit` bytes or more
/// untaken, arriving DATA is not acknowledged to the server (its bytes are owed), so the
/// stream window closes and the server is held back instead of us buffering without bound.
final class StreamingResponseBuffer: Sendable {
    enum Take {
        /// `releaseWindow`: owed bytes may now be acknowledged (see ``ClientCall/releaseWindow(_:)``).
        case message([UInt8], releaseWindow: Bool)
        case end(Result<Metadata, RPCClientError>)
    }

    private struct State {
        var messages = CircularBuffer<(bytes: [UInt8], wireSize: Int)>()
        var bufferedBytes = 0
        var owedBytes = 0
        var releaseScheduled = false
        var end: Result<Metadata, RPCClientError>?
        var waiter: UnsafeContinuation<Take, Never>?
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    // MARK: the event loop's side

    func append(_ bytes: [UInt8], wireSize: Int) {
        let waiter = state.withLock { state -> UnsafeContinuation<Take, Never>? in
            guard state.end == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.messages.append((bytes, wireSize))
            state.bufferedBytes += wireSize
            return nil
        }
        waiter?.resume(returning: .message(bytes, releaseWindow: false))
    }

    /// Whether `count` bytes that just arrived may be acknowledged now; if not, they are owed.
    func admit(_ count: Int) -> Bool {
        state.withLock { state in
            if state.bufferedBytes < limit { return true }
            state.owedBytes += count
            return false
        }
    }

    /// Owed bytes, which the caller now acknowledges.
    func takeOwedBytes() -> Int {
        state.withLock { state in
            defer {
                state.owedBytes = 0
                state.releaseScheduled = false
            }
            return state.owedBytes
        }
    }

    /// The call ended. Buffered messages are still read first, unless discarded (cancellation).
    func finish(_ end: Result<Metadata, RPCClientError>, discardingBuffered: Bool) {
        let waiter = state.withLock { state -> UnsafeContinuation<Take, Never>? in
            guard state.end == nil else { return nil }
            state.end = end
            if discardingBuffered {
                state.messages.removeAll()
                state.bufferedBytes = 0
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .end(end))
    }

    var isFinished: Bool {
        state.withLock { $0.end != nil }
    }

    // MARK: the reader's side

    /// The next message, or the end; waits while there is neither.
    func take() async -> Take {
        if let ready = state.withLock({ Self.takeReady(&$0, limit: limit) }) { return ready }
        return await withUnsafeContinuation { continuation in
            let ready = state.withLock { state -> Take? in
                if let ready = Self.takeReady(&state, limit: limit) { return ready }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private static func takeReady(_ state: inout State, limit: Int) -> Take? {
        if let (bytes, wireSize) = state.messages.popFirst() {
            state.bufferedBytes -= wireSize
            var release = false
            if state.owedBytes > 0 && state.bufferedBytes < limit && !state.releaseScheduled {
                state.releaseScheduled = true
                release = true
            }
            return .message(bytes, releaseWindow: release)
        }
        return state.end.map { .end($0) }
    }
}
