import Synchronization

/// One call from its request headers to its trailers.
///
/// The inbound methods run on the transport's connection. An async handler runs in its own
/// task, which starts on the connection's executor and may move elsewhere when it suspends; a
/// synchronous one, without interceptors, runs right there as the request ends. The
/// deframer and the unary request are touched by the connection only; everything both
/// sides touch lives in `shared`.
final class ServerCall: RPCInboundStream, @unchecked Sendable {
    private struct Shared {
        var headSent = false
        var finished = false
        /// The handler itself ended the call: its task is done and needs no cancelling.
        var handlerReturned = false
        var task: Task<Void, Never>?
        var timer: (any RPCScheduledTimer)?
    }

    private let setup: CallSetup
    var context: ServerContext { setup.context }
    private let server: RPCServer
    let transport: any RPCTransportStream
    private let shared = Mutex(Shared())

    // Connection-confined.
    private var deframer: MessageDeframer
    private var unaryRequest: [UInt8]?
    private var extraRequestMessages = false
    private var inboundClosed = false
    private let queue: InboundMessageQueue?

    init(setup: CallSetup, server: RPCServer, transport: any RPCTransportStream) {
        self.setup = setup
        self.server = server
        self.transport = transport
        self.deframer = MessageDeframer(maxMessageSize: server.configuration.maxReceiveMessageSize)
        if setup.handler.kind.streamsRequests {
            queue = InboundMessageQueue(highWater: server.configuration.inboundBufferLimit) { [transport] count in
                transport.consumed(inboundBytes: count)
            }
        } else {
            queue = nil
        }
    }

    func start() {
        if let timeout = setup.timeout {
            let timer = transport.schedule(after: timeout) { [weak self] in
                self?.fail(RPCStatus(code: .deadlineExceeded, message: "deadline exceeded after \(timeout)"))
            }
            shared.withLock { $0.timer = timer }
        }
        if let queue { launch(.stream(queue)) }
    }

    // MARK: inbound, on the connection

    func receive(_ bytes: UnsafeRawBufferPointer) {
        guard !inboundClosed else { return }
        var decodeFailure: RPCError?
        do throws(MessageDeframer.Failure) {
            try deframer.append(bytes) { message in
                guard decodeFailure == nil else { return }
                do {
                    let payload = try decompress(message)
                    if let queue {
                        queue.push(payload, wireSize: message.wireSize)
                    } else if unaryRequest == nil {
                        unaryRequest = payload
                    } else {
                        extraRequestMessages = true
                    }
                } catch let error as RPCError {
                    decodeFailure = error
                } catch {
                    decodeFailure = RPCError(.internal, "\(error)")
                }
            }
        } catch {
            switch error {
            case .messageTooLarge(let declared, let limit):
                return failInbound(RPCStatus(code: .resourceExhausted,
                    message: "received message larger than max (\(declared) vs. \(limit))"))
            case .invalidCompressionFlag(let flag):
                return failInbound(RPCStatus(code: .internal, message: "invalid message compression flag \(flag)"))
            }
        }
        if let decodeFailure { return failInbound(decodeFailure.status) }
        if let queue {
            queue.noteReceived(bytes.count)
        } else {
            transport.consumed(inboundBytes: bytes.count)
        }
    }

    func receiveEnd() {
        guard !inboundClosed else { return }
        inboundClosed = true
        if deframer.hasPartialMessage {
            return fail(RPCStatus(code: .internal, message: "the request ended inside a length-prefixed message"))
        }
        if let queue {
            queue.finish()
            return
        }
        if extraRequestMessages {
            return fail(RPCStatus(code: .internal, message: "more than one request message for a single-request method"))
        }
        guard let request = unaryRequest else {
            return fail(RPCStatus(code: .internal, message: "the request ended without a message"))
        }
        unaryRequest = nil
        launch(.single(request))
    }

    func receiveReset() {
        inboundClosed = true
        let (task, timer) = shared.withLock { state in
            state.finished = true
            defer { state.task = nil; state.timer = nil }
            return (state.task, state.timer)
        }
        timer?.cancel()
        task?.cancel()
        queue?.finish(RPCError(.cancelled, "the client cancelled the call"))
    }

    private func failInbound(_ status: RPCStatus) {
        inboundClosed = true
        fail(status)
    }

    private func decompress(_ message: FramedMessage) throws(RPCError) -> [UInt8] {
        guard message.compressed else { return message.bytes }
        guard let compression = setup.requestCompression else {
            throw RPCError(.internal, "compressed message received without grpc-encoding")
        }
        do {
            return try compression.decompress(message.bytes, limit: server.configuration.maxReceiveMessageSize)
        } catch is DecompressionLimitExceeded {
            throw RPCError(.resourceExhausted,
                "decompressed message larger than max (\(server.configuration.maxReceiveMessageSize))")
        } catch {
            throw RPCError(.internal, "could not decompress the message: \(error)")
        }
    }

    // MARK: the handler

    private func launch(_ source: RequestSource) {
        if case .synchronousResponse(let body) = setup.handler.body, server.configuration.interceptors.isEmpty {
            return runSynchronously(body, source)
        }
        let task = Task.immediate(executorPreference: transport.taskExecutor) {
            await self.run(source)
        }
        let cancelNow = shared.withLock { state in
            if state.finished { return !state.handlerReturned }
            state.task = task
            return false
        }
        if cancelNow { task.cancel() }
    }

    private func run(_ source: RequestSource) async {
        let context = setup.context
        let interceptors = server.configuration.interceptors
        do {
            switch setup.handler.body {
            case .singleResponse(let body):
                var response: [UInt8]?
                try await interceptors.run(context: context) {
                    response = try await body(source, context)
                }
                finish(.ok, trailing: context.trailingMetadata, response: response, fromHandler: true)
            case .synchronousResponse(let body):
                var response: [UInt8]?
                try await interceptors.run(context: context) {
                    response = try body(source, context)
                }
                finish(.ok, trailing: context.trailingMetadata, response: response, fromHandler: true)
            case .responseStream(let body):
                try await interceptors.run(context: context) {
                    try await body(source, CallWriter(call: self), context)
                }
                finish(.ok, trailing: context.trailingMetadata, fromHandler: true)
            }
        } catch {
            finish(handlerError: error)
        }
    }

    /// Runs a handler that answers without waiting, here and now: no task, no hops.
    private func runSynchronously(_ body: SynchronousSingleResponse, _ source: RequestSource) {
        let context = setup.context
        do {
            let response = try body(source, context)
            finish(.ok, trailing: context.trailingMetadata, response: response, fromHandler: true)
        } catch {
            finish(handlerError: error)
        }
    }

    private func finish(handlerError error: any Error) {
        switch error {
        case let error as RPCError:
            var trailing = setup.context.trailingMetadata
            for element in error.trailingMetadata { trailing.append(element) }
            finish(error.status, trailing: trailing, fromHandler: true)
        case is CancellationError:
            finish(RPCStatus(code: .cancelled, message: "the call was cancelled"), trailing: Metadata(), fromHandler: true)
        default:
            finish(RPCStatus(code: .unknown, message: "the handler failed: \(type(of: error))"), trailing: Metadata(),
                   fromHandler: true)
        }
    }

    // MARK: outbound, from the handler's task or the connection

    func write(_ payload: [UInt8]) async throws {
        let message = try outbound(payload)
        let outcome = shared.withLock { state -> (ok: Bool, needsHead: Bool) in
            guard !state.finished else { return (false, false) }
            defer { state.headSent = true }
            return (true, !state.headSent)
        }
        guard outcome.ok else { throw RPCError(.cancelled, "the call has already ended") }
        await transport.send(head: outcome.needsHead ? responseHead() : nil, message: message)
        setup.context.messageSent()
    }

    /// Sends the response head now unless it went out already; throws once the call has ended.
    func sendHead() throws(RPCError) {
        let needsHead = shared.withLock { state -> Bool? in
            guard !state.finished else { return nil }
            defer { state.headSent = true }
            return !state.headSent
        }
        guard let needsHead else { throw RPCError(.cancelled, "the call has already ended") }
        if needsHead { transport.send(head: responseHead()) }
    }

    private func outbound(_ payload: [UInt8]) throws(RPCError) -> OutboundMessage {
        guard let compression = setup.responseCompression else {
            return OutboundMessage(payload: payload)
        }
        do {
            return OutboundMessage(payload: try compression.compress(payload), compressed: true)
        } catch {
            throw RPCError(.internal, "could not compress the response message: \(error)")
        }
    }

    private func responseHead() -> [HeaderField] {
        let metadata = setup.context.initialMetadata
        if metadata.isEmpty && setup.responseCompression == nil { return server.standardResponseHead }
        var head = server.standardResponseHead
        if let compression = setup.responseCompression {
            head.append(HeaderField("grpc-encoding", compression.name))
        }
        head += metadata.wireFields
        return head
    }

    /// Ends the call with `status` unless it has ended already, and stops the handler.
    private func fail(_ status: RPCStatus) {
        finish(status, trailing: Metadata(), fromHandler: false)
    }

    /// Ends the call unless it has ended already. `response`, the one message of a
    /// single-response call, goes out with the head and the trailers. The handler's task is
    /// cancelled unless it is the one finishing.
    private func finish(_ status: RPCStatus, trailing: Metadata, response: [UInt8]? = nil, fromHandler: Bool) {
        var status = status
        var message: OutboundMessage?
        if let response {
            do {
                message = try outbound(response)
            } catch {
                status = error.status
            }
        }
        let ended = shared.withLock { state -> (headSent: Bool, task: Task<Void, Never>?, timer: (any RPCScheduledTimer)?)? in
            guard !state.finished else { return nil }
            state.finished = true
            state.handlerReturned = fromHandler
            defer { state.task = nil; state.timer = nil }
            return (state.headSent, state.task, state.timer)
        }
        guard let ended else { return }
        ended.timer?.cancel()
        if !fromHandler { ended.task?.cancel() }
        queue?.finish(RPCError(status.code == .ok ? .cancelled : status.code, status.message))
        let trailers = trailing.isEmpty ? ResponseFields.status(status) : ResponseFields.status(status) + trailing.wireFields
        if let message {
            transport.finish(head: ended.headSent ? nil : responseHead(), message: message, trailers: trailers)
            setup.context.messageSent()
        } else if ended.headSent {
            transport.finish(head: nil, message: nil, trailers: trailers)
        } else {
            // Trailers-Only: one HEADERS frame carries the status, with the initial metadata.
            transport.finish(head: nil, message: nil,
                             trailers: server.standardResponseHead + setup.context.initialMetadata.wireFields + trailers)
        }
    }
}
