import NIOCore
import RPCServer

/// What a finished unary call hands back to the awaiting caller.
struct UnaryResponseParts: Sendable {
    var message: [UInt8]
    var initialMetadata: Metadata
    var trailingMetadata: Metadata
}

/// One call on one HTTP/2 stream: it sends the request, reads the response headers, messages
/// and trailers, and ends exactly once with a message or a status.
///
/// Its state belongs to the connection's event loop; ``cancel()`` may come from any thread.
final class ClientCall: @unchecked Sendable {
    typealias HeaderBlock = ResponseHeaderParser.Block

    enum Receiver {
        /// The caller awaits one message; it is handed over when the call ends.
        case unary
        /// Messages go to a reader as they arrive, within the buffer's flow-control limit.
        case stream(StreamingResponseBuffer)
    }

    private enum State {
        case idle, open, finished
    }

    let connection: HTTP2ClientConnectionHandler
    let path: String
    let metadata: Metadata
    let deadline: ContinuousClock.Instant?
    let receiver: Receiver
    private(set) var streamID: Int32 = 0
    // Links of the connection's list of open calls (see OpenCallList).
    var nextOpen: ClientCall?
    unowned(unsafe) var previousOpen: ClientCall?

    private var state = State.idle
    private var cancelledBeforeStart = false
    private var request: RequestBody
    private var headers = ResponseHeaderParser()
    private var messages: ResponseMessageReader
    private var deadlineTimer: Scheduled<Void>?
    // Unary only.
    var continuation: UnsafeContinuation<UnaryResponseParts, any Error>?
    private var unaryMessage: [UInt8]?

    init(connection: HTTP2ClientConnectionHandler, path: String, request: [UInt8], metadata: Metadata,
         deadline: ContinuousClock.Instant?, receiver: Receiver) {
        self.connection = connection
        self.path = path
        self.metadata = metadata
        self.deadline = deadline
        self.receiver = receiver
        self.request = RequestBody(payload: request)
        self.messages = ResponseMessageReader(maxMessageSize: connection.configuration.maxReceiveMessageSize)
    }

    private var loop: any EventLoop { connection.eventLoop }
    private var session: NGHTTP2ClientSession { connection.session }

    // MARK: starting and ending

    /// Before submitting: the `grpc-timeout` to send, or nil with the call already ended when
    /// it was cancelled or its deadline has passed.
    func prepareToOpen() -> (ok: Bool, timeout: String?) {
        if cancelledBeforeStart {
            finish(.failure(RPCClientError(.cancelled, "the call was cancelled")), reset: false)
            return (false, nil)
        }
        guard let deadline else { return (true, nil) }
        let remaining = deadline - .now
        guard remaining > .zero else {
            finish(.failure(RPCClientError(.deadlineExceeded, "the deadline passed before the call started")), reset: false)
            return (false, nil)
        }
        deadlineTimer = loop.scheduleTask(in: .nanoseconds(remaining.clampedNanoseconds)) { [self] in
            finish(.failure(RPCClientError(.deadlineExceeded, "the deadline passed after \(remaining)")), reset: true)
        }
        return (true, GRPCTimeout.encode(remaining))
    }

    func didOpen(streamID: Int32) {
        self.streamID = streamID
        if state == .idle { state = .open }
    }

    /// Ends the call with `error` without it ever having a stream.
    func failToOpen(_ error: RPCClientError) {
        finish(.failure(error), reset: false)
    }

    /// Cancels from any thread: RST_STREAM(CANCEL) if the stream is open, CANCELLED for the caller.
    func cancel() {
        loop.execute { [self] in
            switch state {
            case .idle: cancelledBeforeStart = true
            case .open: finish(.failure(RPCClientError(.cancelled, "the call was cancelled")), reset: true)
            case .finished: break
            }
        }
    }

    /// Ends the call once; later outcomes are ignored. With `reset`, the stream is cancelled
    /// toward the server (the call ended on our side while the stream was still open).
    private func finish(_ outcome: Result<Metadata, RPCClientError>, reset: Bool) {
        guard state != .finished else { return }
        let wasOpen = state == .open
        state = .finished
        deadlineTimer?.cancel()
        deadlineTimer = nil
        if reset && wasOpen {
            session.submitReset(streamID: streamID, .cancel)
            connection.outputPending()
        }
        switch receiver {
        case .unary:
            let continuation = self.continuation
            self.continuation = nil
            switch outcome {
            case .success(let trailing):
                continuation?.resume(returning: UnaryResponseParts(
                    message: unaryMessage ?? [], initialMetadata: headers.initialMetadata, trailingMetadata: trailing))
            case .failure(let error):
                continuation?.resume(throwing: error)
            }
            unaryMessage = nil
        case .stream(let buffer):
            buffer.finish(outcome, discardingBuffered: false)
        }
    }

    // MARK: nghttp2 events

    func readRequestBody(into out: UnsafeMutableRawBufferPointer) -> (written: Int, isEnd: Bool) {
        request.read(into: out)
    }

    func receiveHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, in block: HeaderBlock) {
        guard state == .open else { return }
        headers.add(name: name, value: value, in: block)
    }

    func headerBlockDidEnd(_ block: HeaderBlock, endStream: Bool) {
        guard state == .open else { return }
        if block == .response && !endStream {
            if headers.isInformational {
                headers.forgetInformationalHead()
            } else if let problem = headers.problemWithResponseHead() {
                finish(.failure(problem), reset: true)
            }
            return
        }
        if endStream { responseDidEnd() }
    }

    func receiveData(_ bytes: UnsafeRawBufferPointer) {
        var consumeNow = true
        if state == .open {
            do {
                try messages.append(bytes) { message in deliver(message) }
            } catch {
                let failure = switch error {
                case .tooLarge(let declared, let limit):
                    RPCClientError(.resourceExhausted, "a response message of \(declared) bytes is larger than the limit of \(limit)")
                case .badCompressionFlag(let flag):
                    RPCClientError(.internal, "a response message has compression flag \(flag)")
                }
                finish(.failure(failure), reset: true)
            }
            if state == .open, case .stream(let buffer) = receiver {
                consumeNow = buffer.admit(bytes.count)
            }
        }
        if consumeNow { session.consumeStream(streamID: streamID, bytes.count) }
    }

    func responseDidEnd() {
        guard state == .open else { return }
        if messages.hasPartialMessage {
            finish(.failure(RPCClientError(.internal, "the response ended inside a message")), reset: false)
            return
        }
        let status = headers.finalStatus()
        guard status.code == .ok else {
            finish(.failure(RPCClientError(status: status, trailingMetadata: headers.trailingMetadata)), reset: false)
            return
        }
        if case .unary = receiver, unaryMessage == nil {
            finish(.failure(RPCClientError(.internal, "the server sent no response message for a unary call")), reset: false)
            return
        }
        finish(.success(headers.trailingMetadata), reset: false)
    }

    /// nghttp2 closed the stream: a call not yet ended was reset, or the connection went away.
    func streamDidClose(errorCode: UInt32) {
        guard state != .finished else { return }
        finish(.failure(Self.resetError(errorCode)), reset: false)
    }

    func requestWasNotSent(reason: String) {
        finish(.failure(RPCClientError(.unavailable, "the request could not be sent: \(reason)")), reset: false)
    }

    /// The connection closed under the call.
    func connectionDidClose(_ error: RPCClientError) {
        finish(.failure(error), reset: false)
    }

    /// Hands the window of messages a reader has taken back to the server.
    func releaseWindow(_ buffer: StreamingResponseBuffer) {
        loop.execute { [self] in
            let owed = buffer.takeOwedBytes()
            guard owed > 0, state == .open else { return }
            session.consumeStream(streamID: streamID, owed)
            connection.outputPending()
        }
    }

    // MARK: messages

    private func deliver(_ message: ResponseMessageReader.Message) {
        guard state == .open else { return }
        var bytes = message.bytes
        if message.compressed {
            guard headers.encoding == "gzip" else {
                finish(.failure(RPCClientError(.internal, "a compressed response message with grpc-encoding \(headers.encoding ?? "(none)")")), reset: true)
                return
            }
            do {
                bytes = try GzipCompression().decompress(bytes, limit: messages.maxMessageSize)
            } catch {
                finish(.failure(RPCClientError(.internal, "a response message could not be decompressed: \(error)")), reset: true)
                return
            }
        }
        switch receiver {
        case .unary:
            guard unaryMessage == nil else {
                finish(.failure(RPCClientError(.internal, "the server sent more than one message for a unary call")), reset: true)
                return
            }
            unaryMessage = bytes
        case .stream(let buffer):
            buffer.append(bytes, wireSize: message.wireSize)
        }
    }

    private static func resetError(_ code: UInt32) -> RPCClientError {
        switch NGHTTP2ClientSession.ErrorCode(rawValue: code) {
        case .refusedStream: RPCClientError(.unavailable, "the server refused the stream")
        case .cancel: RPCClientError(.cancelled, "the server cancelled the stream")
        case .enhanceYourCalm: RPCClientError(.resourceExhausted, "the server reset the stream: ENHANCE_YOUR_CALM")
        case .inadequateSecurity: RPCClientError(.permissionDenied, "the server reset the stream: INADEQUATE_SECURITY")
        case .noError: RPCClientError(.internal, "the server closed the stream before sending a status")
        default: RPCClientError(.internal, "the server reset the stream with HTTP/2 error code \(code)")
        }
    }
}

/// The request as DATA: the 5-byte gRPC prefix, then the serialized message.
struct RequestBody {
    private let payload: [UInt8]
    private var offset = 0  // into prefix + payload

    init(payload: [UInt8]) { self.payload = payload }

    mutating func read(into out: UnsafeMutableRawBufferPointer) -> (written: Int, isEnd: Bool) {
        var written = 0
        while offset < 5 && written < out.count {
            out[written] = offset == 0 ? 0 : UInt8(truncatingIfNeeded: payload.count >> (8 * (4 - offset)))
            offset += 1
            written += 1
        }
        let start = offset - 5
        let take = min(payload.count - start, out.count - written)
        if take > 0 {
            payload.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: out[written..<written + take])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<start + take]))
            }
            offset += take
            written += take
        }
        return (written, offset == payload.count + 5)
    }
}
