import NIOCore
import NIOSSL
import NIOTLS
import RPCServer

/// One HTTP/2 client connection: an nghttp2 session inside a NIO channel handler, carrying
/// many calls at once.
///
/// Bytes read from the socket go into the session, whose callbacks feed the calls. Output is
/// flushed once per read batch, or once per loop turn for calls started or cancelled outside a read.
final class HTTP2ClientConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let configuration: RPCClientConfiguration
    let eventLoop: any EventLoop
    /// Succeeds once the connection can carry calls: connected, and the TLS handshake done.
    let ready: EventLoopPromise<Void>
    private var readyCompleted = false
    private(set) var session: NGHTTP2ClientSession!
    private let waitsForTLSHandshake: Bool
    /// The fields every request carries besides `:path`, `grpc-timeout` and custom metadata.
    private let commonFields: [HeaderField]
    private var context: ChannelHandlerContext?
    private var openCalls = OpenCallList()
    private var reading = false
    private var flushScheduled = false
    private var flushing = false
    private var flushRequested = false
    /// Why new calls cannot start here any more, once they cannot.
    private var unusable: RPCClientError?
    private var closing = false
    private var outbound: ByteBuffer

    init(configuration: RPCClientConfiguration, eventLoop: any EventLoop, authority: String, waitsForTLSHandshake: Bool) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.ready = eventLoop.makePromise()
        self.waitsForTLSHandshake = waitsForTLSHandshake
        self.commonFields = [
            HeaderField(":method", "POST"),
            HeaderField(":scheme", waitsForTLSHandshake ? "https" : "http"),
            HeaderField(":authority", authority),
            HeaderField("content-type", "application/grpc"),
            HeaderField("te", "trailers"),
            HeaderField("grpc-accept-encoding", "identity,gzip"),
            HeaderField("user-agent", configuration.userAgent),
        ]
        self.outbound = ByteBufferAllocator().buffer(capacity: 0)
        self.session = nil
        self.session = NGHTTP2ClientSession(
            settings: .init(initialStreamWindowSize: configuration.initialStreamWindowSize,
                            connectionWindowSize: configuration.connectionWindowSize),
            delegate: self)
    }

    // MARK: channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 16 * 1024)
        if context.channel.isActive { becameActive() }
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive()
        context.fireChannelActive()
    }

    private func becameActive() {
        flush()  // the connection preface and our SETTINGS
        if !waitsForTLSHandshake { completeReady(nil) }
    }

    private func completeReady(_ error: RPCClientError?) {
        guard !readyCompleted else { return }
        readyCompleted = true
        if let error { ready.fail(error) } else { ready.succeed() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiated) = event {
            if negotiated == nil || negotiated == "h2" {
                completeReady(nil)
            } else {
                fail(RPCClientError(.unavailable, "the server negotiated \(negotiated!) instead of h2 in ALPN"))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown(RPCClientError(.unavailable, "the connection closed"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown(RPCClientError(.unavailable, "the connection closed"))
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(RPCClientError(.unavailable, "connection error: \(error)"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let buffer = unwrapInboundIn(data)
        reading = true
        let failure = buffer.withUnsafeReadableBytes { session.receive($0) }
        if let failure {
            reading = false
            flush()  // nghttp2 has queued its GOAWAY
            fail(RPCClientError(.internal, "HTTP/2 protocol error from the server: \(failure)"))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { flush() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: calls

    /// Starts a call from any thread; on the loop's own thread, at once.
    func start(_ call: ClientCall) {
        if eventLoop.inEventLoop {
            startOnLoop(call)
        } else {
            eventLoop.execute { self.startOnLoop(call) }
        }
    }

    private func startOnLoop(_ call: ClientCall) {
        if let unusable {
            call.failToOpen(unusable)
            return
        }
        let (ok, timeout) = call.prepareToOpen()
        guard ok else { return }
        guard let streamID = session.submitRequest(common: commonFields, path: call.path, timeout: timeout,
                                                   metadata: call.metadata, call: call) else {
            call.failToOpen(RPCClientError(.unavailable, "the connection cannot open another stream"))
            return
        }
        call.didOpen(streamID: streamID)
        openCalls.insert(call)
        outputPending()
    }

    /// Closes the connection: a GOAWAY, then the socket; open calls end UNAVAILABLE.
    func close() {
        guard !closing, context != nil else { return }
        unusable = unusable ?? RPCClientError(.unavailable, "the connection was closed by the client")
        session.terminate()
        flush()
        closeChannel()
    }

    // MARK: output

    /// Something was submitted to the session: flush after this read, or on the next loop turn.
    func outputPending() {
        guard !reading, !flushScheduled, !closing else { return }
        flushScheduled = true
        eventLoop.execute {
            self.flushScheduled = false
            self.flush()
        }
    }

    private func flush() {
        // A write can re-enter through channelWritabilityChanged; nghttp2 must not be re-entered,
        // so a flush asked for meanwhile runs as another round of this one.
        guard !flushing else {
            flushRequested = true
            return
        }
        flushing = true
        defer { flushing = false }
        repeat {
            flushRequested = false
            flushOnce()
        } while flushRequested && !closing
        if !closing, !session.isActive {
            unusable = unusable ?? RPCClientError(.unavailable, "the server closed the connection")
            closeChannel()
        }
    }

    private func flushOnce() {
        guard let context, !closing else { return }
        session.send { bytes in
            outbound.writeBytes(bytes)
            guard outbound.readableBytes >= 64 * 1024 else { return true }
            writeOutbound(context)
            return context.channel.isWritable
        }
        if outbound.readableBytes > 0 { writeOutbound(context) }
    }

    private func writeOutbound(_ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    // MARK: failure and teardown

    /// Connecting failed or took too long: the connection will never be ready.
    func abandonConnecting(_ reason: String) {
        guard !readyCompleted else { return }
        fail(RPCClientError(.unavailable, reason))
    }

    private func fail(_ error: RPCClientError) {
        completeReady(error)
        unusable = unusable ?? error
        closeChannel()
    }

    /// Closes once everything written so far (a GOAWAY, an RST_STREAM) has left.
    private func closeChannel() {
        guard !closing, let context else { return }
        closing = true
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    private func tearDown(_ error: RPCClientError) {
        let error = unusable ?? error
        completeReady(error)
        closing = true
        unusable = error
        for call in openCalls.removeAll() {
            call.connectionDidClose(error)
        }
    }
}

extension HTTP2ClientConnectionHandler: NGHTTP2ClientSessionDelegate {
    func callDidClose(_ call: ClientCall, errorCode: UInt32) {
        openCalls.remove(call)
        call.streamDidClose(errorCode: errorCode)
    }

    func sessionDidReceiveGoAway(errorCode: UInt32, debug: String) {
        var reason = "the server is going away (GOAWAY"
        if errorCode != 0 { reason += ", HTTP/2 error code \(errorCode)" }
        if !debug.isEmpty { reason += ": \(debug)" }
        unusable = unusable ?? RPCClientError(.unavailable, reason + ")")
    }
}

/// The calls whose streams are open, linked through the calls themselves: no allocation or
/// hashing per call, and every one is reachable when the connection goes away.
struct OpenCallList {
    private var head: ClientCall?

    mutating func insert(_ call: ClientCall) {
        call.nextOpen = head
        head?.previousOpen = call
        call.previousOpen = nil
        head = call
    }

    mutating func remove(_ call: ClientCall) {
        guard call.nextOpen != nil || call.previousOpen != nil || head === call else { return }
        if let previous = call.previousOpen {
            previous.nextOpen = call.nextOpen
        } else {
            head = call.nextOpen
        }
        call.nextOpen?.previousOpen = call.previousOpen
        call.nextOpen = nil
        call.previousOpen = nil
    }

    mutating func removeAll() -> [ClientCall] {
        var calls: [ClientCall] = []
        while let call = head {
            head = call.nextOpen
            call.nextOpen = nil
            call.previousOpen = nil
            calls.append(call)
        }
        return calls
    }
}
