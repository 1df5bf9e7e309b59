import Synchronization

/// Request messages that arrived but that the handler has not taken yet.
///
/// The transport side pushes on the connection's thread; the handler pulls from its task.
/// Flow control: received bytes are released to the transport at once while at most
/// `highWater` bytes wait here; past that they are released only as the handler catches up,
/// so a handler that stops reading stops the client through HTTP/2 windows.
final class InboundMessageQueue: Sendable {
    private struct State {
        var messages: [(payload: [UInt8], wireSize: Int)] = []
        var head = 0
        var bufferedBytes = 0
        var unreleasedBytes = 0
        var end: Result<Void, RPCError>?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private let state = Mutex(State())
    private let highWater: Int
    private let release: @Sendable (Int) -> Void

    init(highWater: Int, release: @escaping @Sendable (Int) -> Void) {
        self.highWater = highWater
        self.release = release
    }

    /// Counts `count` bytes received from the wire; releases them now unless too much waits.
    func noteReceived(_ count: Int) {
        let releasable = state.withLock { state -> Int in
            state.unreleasedBytes += count
            guard state.bufferedBytes <= highWater else { return 0 }
            defer { state.unreleasedBytes = 0 }
            return state.unreleasedBytes
        }
        if releasable > 0 { release(releasable) }
    }

    func push(_ payload: [UInt8], wireSize: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.messages.append((payload, wireSize))
            state.bufferedBytes += wireSize
            return nil
        }
        waiter?.resume(returning: payload)
    }

    /// Ends the stream: cleanly with nil, or with the error every later `next()` throws.
    func finish(_ error: RPCError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if state.end == nil { state.end = error.map { .failure($0) } ?? .success(()) }
            defer { state.waiter = nil }
            return state.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    func next() async throws -> [UInt8]? {
        if let ready = try takeBuffered() { return ready }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<[UInt8]?, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.head < state.messages.count || state.end != nil {
                        return Result { try Self.take(&state) }
                    }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func takeBuffered() throws -> [UInt8]? {
        let (result, releasable): (Result<[UInt8]?, any Error>?, Int) = state.withLock { state in
            guard state.head < state.messages.count || state.end != nil else { return (nil, 0) }
            let result = Result { try Self.take(&state) }
            guard state.bufferedBytes <= highWater, state.unreleasedBytes > 0 else { return (result, 0) }
            defer { state.unreleasedBytes = 0 }
            return (result, state.unreleasedBytes)
        }
        if releasable > 0 { release(releasable) }
        return try result?.get()
    }

    private static func take(_ state: inout State) throws -> [UInt8]? {
        if state.head < state.messages.count {
            let message = state.messages[state.head]
            state.head += 1
            state.bufferedBytes -= message.wireSize
            if state.head == state.messages.count {
                state.messages.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return message.payload
        }
        switch state.end {
        case .failure(let error): throw error
        case .success, nil: return nil
        }
    }
}

/// The request messages of a client-streaming or bidirectional call, in order.
/// Iteration ends when the client half-closes; it throws if the call fails or is cancelled.
public struct RPCRequestStream<Message: RPCMessage>: AsyncSequence, Sendable {
    let queue: InboundMessageQueue
    let context: ServerContext

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: InboundMessageQueue
        let context: ServerContext

        public mutating func next() async throws -> Message? {
            guard let bytes = try await queue.next() else { return nil }
            context.messageReceived()
            return try RPCRouter.decode(bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: queue, context: context) }
}

/// Where a streaming handler writes its response messages.
public struct RPCResponseWriter<Message: RPCMessage>: Sendable {
    let writer: CallWriter

    init(_ writer: CallWriter) { self.writer = writer }

    /// Sends one message. Suspends while the client is not reading fast enough; throws once
    /// the call has ended (cancelled, deadline passed), so the handler can stop.
    public func write(_ message: Message) async throws {
        try await writer.write(message.serializedBytes())
    }
}

/// The type-erased writing side of a call.
struct CallWriter: Sendable {
    let call: ServerCall

    func write(_ payload: [UInt8]) async throws {
        try await call.write(payload)
    }
}
