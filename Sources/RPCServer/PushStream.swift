/// A response message made ready for the wire once, to be pushed on many streams.
public struct RPCFramedMessage: Sendable {
    let message: OutboundMessage

    /// `payload`, to be sent uncompressed.
    public init(serialized payload: [UInt8]) {
        message = OutboundMessage(payload: payload)
    }
}

/// The response side of a server-streaming call, for code that delivers on the call's
/// lane without waking the handler: a feed that pushes each message to thousands of
/// subscribers from one place. The handler keeps its ``RPCResponseWriter`` for what it
/// writes itself; what it writes and what is pushed go out in the order they were queued.
///
/// ``RPCBroadcastGroup`` is the same idea for one message to every member; a push stream
/// suits feeds where each subscriber gets its own sequence.
public struct RPCPushStream: Sendable {
    let transport: any RPCTransportStream
    let context: ServerContext

    /// The serial context to call ``offer(_:maxQueuedBytes:)`` on.
    public var lane: any RPCTransportLane { transport.lane }

    /// On ``lane``, without waiting: queues `message` unless the call has ended or its stream
    /// still holds `maxQueuedBytes` or more unsent bytes. Returns whether it was queued.
    public func offer(_ message: RPCFramedMessage, maxQueuedBytes: Int) -> Bool {
        guard transport.offer(message.message, maxQueuedBytes: maxQueuedBytes) else { return false }
        context.messageSent()
        return true
    }
}

extension RPCResponseWriter {
    /// Sends the response head now and returns the call's push side. Throws once the call
    /// has ended.
    public func pushStream() throws(RPCError) -> RPCPushStream {
        try writer.call.sendHead()
        return RPCPushStream(transport: writer.call.transport, context: writer.call.context)
    }
}
