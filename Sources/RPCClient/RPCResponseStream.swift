/// The response messages of a server-streaming call, in order. Iterating ends when the call
/// ends OK, and throws ``RPCClientError`` when it ends with another status.
///
/// Iterate it once. Dropping it before its end, or cancelling the task that reads it, cancels
/// the call (RST_STREAM to the server).
public struct RPCResponseStream<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    private let handle: StreamingCallHandle
    private let decode: @Sendable ([UInt8]) throws(RPCClientError) -> Element

    init(call handle: StreamingCallHandle, decode: @escaping @Sendable ([UInt8]) throws(RPCClientError) -> Element) {
        self.handle = handle
        self.decode = decode
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: handle, decode: decode)
    }

    /// Cancels the call, if it is still running.
    public func cancel() {
        handle.cancel()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let handle: StreamingCallHandle
        fileprivate let decode: @Sendable ([UInt8]) throws(RPCClientError) -> Element

        public mutating func next() async throws -> Element? {
            try await nextMessage()
        }

        private func nextMessage() async throws(RPCClientError) -> Element? {
            let handle = self.handle
            let take = await withTaskCancellationHandler {
                await handle.buffer.take()
            } onCancel: {
                handle.cancel()
            }
            switch take {
            case .message(let bytes, let releaseWindow):
                if releaseWindow { handle.call.releaseWindow(handle.buffer) }
                return try decode(bytes)
            case .end(.success):
                return nil
            case .end(.failure(let error)):
                throw error
            }
        }
    }
}

/// Ties a streaming call's life to the values that read it: when the last one goes away
/// before the call ended, the call is cancelled.
final class StreamingCallHandle: Sendable {
    let call: ClientCall
    let buffer: StreamingResponseBuffer

    init(call: ClientCall, buffer: StreamingResponseBuffer) {
        self.call = call
        self.buffer = buffer
    }

    func cancel() {
        guard !buffer.isFinished else { return }
        buffer.finish(.failure(RPCClientError(.cancelled, "the call was cancelled")), discardingBuffered: true)
        call.cancel()
    }

    deinit {
        cancel()
    }
}
