import NIOCore
import RPCServer

/// One HTTP/2 server connection: an nghttp2 session inside a NIO channel handler.
///
/// Bytes read from the socket go into the session; callbacks open, feed and close RPC calls;
/// the output is flushed once per read batch, or once per loop turn when a handler writes
/// outside a read.
final class HTTP2ServerConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let configuration: HTTP2ServerConfiguration
    let rpcServer: RPCServer
    let eventLoop: any EventLoop
    let taskExecutor: EventLoopTaskExecutor
    let deadlines: ConnectionDeadlines
    var repeatedHeaderValues = RepeatedHeaderValues()
    /// The regular fields of the request header block being received, emptied as each stream
    /// begins. HTTP/2 sends each header block whole, never interleaved with another (RFC 9113
    /// §4.3), so one array serves every stream of the connection in turn, and a request costs
    /// no array of its own.
    var requestFields: [HeaderField] = []
    private var routes = RouteCache()
    private(set) var session: NGHTTP2ServerSession!
    private var context: ChannelHandlerContext?
    private let registry: ConnectionRegistry

    private var openStreams = OpenStreamList()
    /// Streams that closed since the last write. Their calls are freed after the write, so that
    /// freeing them does not delay the response bytes that closed them.
    private var closedStreams: [HTTP2ServerStream] = []
    private var reading = false
    private var flushScheduled = false
    private var flushing = false
    private var flushRequested = false
    private var closing = false
    private var peer = ""
    private var keepalive: KeepalivePolicy
    private var shutdown: GracefulShutdownState = .none
    private var outbound: ByteBuffer

    init(configuration: HTTP2ServerConfiguration, rpcServer: RPCServer, eventLoop: any EventLoop,
         taskExecutor: EventLoopTaskExecutor, registry: ConnectionRegistry) {
        self.configuration = configuration
        self.rpcServer = rpcServer
        self.eventLoop = eventLoop
        self.taskExecutor = taskExecutor
        self.deadlines = ConnectionDeadlines(loop: eventLoop)
        self.registry = registry
        self.keepalive = KeepalivePolicy(configuration: configuration.keepalive)
        self.outbound = ByteBufferAllocator().buffer(capacity: 0)
        self.session = nil
        self.session = NGHTTP2ServerSession(settings: configuration.sessionSettings,
                                            constantHeaderBlocks: rpcServer.constantHeaderBlocks, delegate: self)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.outbound = context.channel.allocator.buffer(capacity: 16 * 1024)
        peer = context.channel.remoteAddress.map { "\($0)" } ?? ""
        let draining = registry.add(self)
        if context.channel.isActive { flush() }
        if draining { beginGracefulShutdown() }
    }

    func channelActive(context: ChannelHandlerContext) {
        flush()
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let buffer = unwrapInboundIn(data)
        reading = true
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(NGHTTP2ServerSession.ReceiveError) in
                try session.receive(bytes)
            }
        } catch {
            // A bad preface is a connection error of type PROTOCOL_ERROR (RFC 9113 §3.4);
            // for the other fatal errors nghttp2 has already queued its GOAWAY.
            if case .badClientMagic = error {
                session.submitGoAway(.protocolError, debug: "invalid HTTP/2 connection preface")
            }
            reading = false
            flush()
            close()
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

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            beginGracefulShutdown()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    // MARK: output

    /// Something was submitted to the session: flush now, after this read, or on the next turn.
    func outputPending() {
        guard !reading, !flushScheduled, !closing else { return }
        flushScheduled = true
        eventLoop.execute {
            self.flushScheduled = false
            self.flush()
        }
    }

    private func flush() {
        // Writing to NIO can re-enter through channelWritabilityChanged; nghttp2 must not be,
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
        if !closing, !session.isActive { close() }
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
        releaseClosedStreams()
    }

    /// Writes and flushes the gathered bytes. NIO usually writes them to the socket at once and
    /// lets go of the buffer, so `clear()` finds it unshared and a steady connection reuses one
    /// output buffer instead of allocating one per flush.
    private func writeOutbound(_ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    /// Closes once everything written so far (a GOAWAY, the last trailers) has left.
    private func close() {
        guard !closing, let context else { return }
        closing = true
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: written)
        written.futureResult.whenComplete { _ in context.close(promise: nil) }
    }

    private func tearDown() {
        guard session != nil else { return }
        closing = true
        for stream in session.detachAll(openStreams.removeAll().map(\.id)) {
            stream.didClose()
            stream.inbound?.receiveReset()
        }
        deadlines.removeAll()
        releaseClosedStreams()
        registry.remove(self)
    }

    // MARK: graceful shutdown and keepalive

    func beginGracefulShutdown() {
        guard case .none = shutdown, !closing else { return }
        shutdown = .noticeSent
        session.submitShutdownNotice()
        flush()
        // One round trip later, the final GOAWAY names the last stream this server processes.
        eventLoop.scheduleTask(in: configuration.goAwayDelay) {
            guard case .noticeSent = self.shutdown else { return }
            self.shutdown = .goAwaySent
            self.session.submitGoAway(.noError)
            self.flush()
        }
        eventLoop.scheduleTask(in: configuration.shutdownGracePeriod) {
            self.close()
        }
    }
}

enum GracefulShutdownState {
    case none, noticeSent, goAwaySent
}

extension HTTP2ServerConnectionHandler: NGHTTP2SessionDelegate {
    func streamDidBegin(_ streamID: Int32) -> HTTP2ServerStream {
        requestFields.removeAll(keepingCapacity: true)
        let stream = HTTP2ServerStream(id: streamID, connection: self)
        openStreams.insert(stream)
        return stream
    }

    func stream(_ stream: HTTP2ServerStream, didReceiveHeaders endStream: Bool) {
        if stream.headerListTooLarge {
            stream.finish(head: nil, message: nil, trailers: [
                HeaderField(":status", "431"), HeaderField("content-type", "application/grpc"),
                HeaderField("grpc-status", String(RPCStatusCode.resourceExhausted.rawValue)),
                HeaderField("grpc-message", "header list larger than \(configuration.maxHeaderListSize) bytes"),
            ])
            return
        }
        let head = RequestHead(method: stream.method, path: stream.path, fields: requestFields, peer: peer)
        let inbound = rpcServer.open(head: head, stream: stream, routes: &routes)
        stream.inbound = inbound
        if endStream { inbound.receiveEnd() }
    }

    func stream(_ stream: HTTP2ServerStream, didReceiveData bytes: UnsafeRawBufferPointer) {
        if let inbound = stream.inbound {
            inbound.receive(bytes)
        } else {
            session.consumeStream(streamID: stream.id, bytes.count)
        }
    }

    func streamDidReceiveEnd(_ stream: HTTP2ServerStream) {
        stream.inbound?.receiveEnd()
    }

    func stream(_ stream: HTTP2ServerStream, didCloseWith errorCode: UInt32) {
        openStreams.remove(stream)
        stream.didClose()
        // A call still running when its stream closes was cancelled; a finished one ignores this.
        stream.inbound?.receiveReset()
        closedStreams.append(stream)
    }

    private func releaseClosedStreams() {
        guard !closedStreams.isEmpty else { return }
        // The stream and its call refer to each other; this breaks the cycle.
        for stream in closedStreams { stream.inbound = nil }
        closedStreams.removeAll(keepingCapacity: true)
    }

    func sessionDidReceivePing() {
        if keepalive.pingReceived(openStreams: openStreams.count) == .tooManyPings {
            session.submitGoAway(.enhanceYourCalm, debug: "too_many_pings")
            outputPending()
        }
    }

    func sessionDidSendHeadersOrData(streamID: Int32, endStream: Bool) {
        keepalive.dataSent()
        // The response is complete while the client is still sending: tell it to stop.
        if endStream && !session.isRemoteClosed(streamID: streamID) {
            session.submitReset(streamID: streamID, .noError)
        }
    }
}
