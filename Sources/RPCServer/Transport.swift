/// The contract between RPCServer and a transport. RPCServer knows no sockets and no HTTP/2
/// library: a transport turns each incoming request stream into a ``RequestHead`` and an
/// ``RPCTransportStream``, hands them to ``RPCServer/open(head:stream:)``, and feeds what the
/// stream receives into the returned ``RPCInboundStream``.

/// The request headers of a new stream, as the transport received them.
public struct RequestHead: Sendable {
    /// The `:method` pseudo-header.
    public var method: String
    /// The `:path` pseudo-header, for gRPC `/package.Service/Method`.
    public var path: String
    /// Every regular (non-pseudo) header field, in arrival order, names lower-case.
    public var fields: [HeaderField]
    /// Who is calling, for logs and the handler's context (for example `127.0.0.1:53412`).
    public var peer: String

    public init(method: String, path: String, fields: [HeaderField], peer: String = "") {
        self.method = method
        self.path = path
        self.fields = fields
        self.peer = peer
    }

    func value(_ name: String) -> String? {
        fields.first(where: { $0.name == name })?.value
    }
}

/// The outbound half of one request stream, implemented by a transport.
///
/// RPCServer may call these methods from any thread; a transport serializes them onto the
/// stream's connection in call order. The calls for one stream never overlap: RPCServer waits
/// for ``send(head:message:)`` to return before it sends more.
public protocol RPCTransportStream: AnyObject, Sendable {
    /// Sends the response head if one is given (only on the first send), then one gRPC
    /// message. Returns once the transport is ready for more, so a handler that writes faster
    /// than the peer reads is held back here.
    func send(head: [HeaderField]?, message: OutboundMessage) async

    /// Sends the response head alone, now, so that a call which may stay quiet for long is
    /// seen as established. A later ``send(head:message:)`` then passes no head.
    func send(head: [HeaderField])

    /// Ends the response: `head` first when given (only when none was sent before), then
    /// `message` (one gRPC message) when given, then `trailers`. A call with one
    /// response message ends in this one step. When no head was ever sent and none is given,
    /// `trailers` is sent alone as a Trailers-Only response (it then carries `:status` and
    /// `content-type`).
    func finish(head: [HeaderField]?, message: OutboundMessage?, trailers: [HeaderField])

    /// Resets the stream (RST_STREAM with CANCEL): the call is abandoned.
    func cancel()

    /// Tells the transport that `count` received bytes were consumed, so that flow-control
    /// windows can reopen.
    func consumed(inboundBytes count: Int)

    /// Runs `body` once after `delay`, on the stream's connection, unless cancelled first.
    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any RPCScheduledTimer

    /// Where handlers for this stream start, so that a call stays on its connection's thread
    /// until it truly suspends. Nil runs them on the global concurrent executor.
    var taskExecutor: (any TaskExecutor)? { get }

    /// The serial context this stream lives on; ``offer(_:maxQueuedBytes:)`` is called there.
    var lane: any RPCTransportLane { get }

    /// On ``lane``, without waiting: queues one message after the response
    /// head, unless the stream has ended or still holds `maxQueuedBytes` or more unsent bytes.
    /// Returns whether the message was queued. `message` may be shared by many streams.
    func offer(_ message: OutboundMessage, maxQueuedBytes: Int) -> Bool
}

/// A serial context on which a transport serves many streams (for HTTP/2 on SwiftNIO, one
/// event loop). A broadcast hops onto each lane once per message, not once per stream.
public protocol RPCTransportLane: AnyObject, Sendable {
    /// True when the caller is already running on this lane.
    var isCurrent: Bool { get }
    /// Runs `body` on the lane, after what was submitted before it.
    func execute(_ body: @escaping @Sendable () -> Void)
}

/// A timer a transport scheduled for RPCServer.
public protocol RPCScheduledTimer: AnyObject, Sendable {
    func cancel()
}

/// The inbound half of one request stream, implemented by RPCServer. A transport calls these
/// on the stream's connection, in the order things arrived.
public protocol RPCInboundStream: AnyObject {
    /// Bytes of DATA frames, in order. The transport may reuse the buffer after the call.
    func receive(_ bytes: UnsafeRawBufferPointer)
    /// The client half-closed the stream (END_STREAM).
    func receiveEnd()
    /// The stream was reset by the client or its connection went away.
    func receiveReset()
}
