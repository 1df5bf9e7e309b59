import NIOCore
import RPCServer

/// One HTTP/2 request stream on the server: it collects the request headers, and it is the
/// ``RPCTransportStream`` through which RPCServer answers.
///
/// Its state belongs to the connection's event loop. RPCServer may call the protocol methods
/// from any thread; they hop onto the loop first.
final class HTTP2ServerStream: RPCTransportStream, @unchecked Sendable {
    enum OutboundRead {
        case bytes(Int)
        case deferred
        case endWithTrailers(Int, [HeaderField])
    }

    let id: Int32
    let connection: HTTP2ServerConnectionHandler
    // Links of the connection's list of open streams.
    fileprivate var nextOpen: HTTP2ServerStream?
    fileprivate unowned(unsafe) var previousOpen: HTTP2ServerStream?
    private var loop: any EventLoop { connection.eventLoop }

    // Request, while its headers arrive.
    var method = ""
    var path = ""
    private var headerListSize = 0
    private(set) var headerListTooLarge = false
    var inbound: (any RPCInboundStream)?

    // Response.
    private var responseSubmitted = false
    private var pending = OutboundChunks()
    private(set) var pendingBytes = 0
    private var trailers: [HeaderField]?
    private var dataDeferred = false
    private(set) var closed = false
    private var blockedWriters: [CheckedContinuation<Void, Never>] = []

    init(id: Int32, connection: HTTP2ServerConnectionHandler) {
        self.id = id
        self.connection = connection
    }

    // MARK: request headers

    func addHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard !headerListTooLarge else { return }
        // RFC 9113 §6.5.2: each field counts its name, its value and 32 bytes of overhead.
        headerListSize += name.count + value.count + 32
        if headerListSize > connection.configuration.maxHeaderListSize {
            headerListTooLarge = true
            connection.requestFields.removeAll()
            return
        }
        guard let known = KnownHeaderName(name) else {
            connection.requestFields.append(
                HeaderField(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            return
        }
        switch known {
        case .method: method = KnownHeaderValues.table.string(for: value)
        case .path: path = connection.repeatedHeaderValues.string(for: value)
        // nghttp2 checks :authority, :scheme and content-length itself; gRPC reads none of them.
        case .authority, .scheme, .contentLength: break
        case .userAgent:
            connection.requestFields.append(HeaderField(known.string, connection.repeatedHeaderValues.string(for: value)))
        default: connection.requestFields.append(HeaderField(known.string, KnownHeaderValues.table.string(for: value)))
        }
    }

    // MARK: RPCTransportStream

    func send(head: [HeaderField]?, message: OutboundMessage) async {
        if loop.inEventLoop {
            enqueue(head: head, message: message)
            if pendingBytes > connection.configuration.streamHighWater && !closed {
                await withCheckedContinuation { blockedWriters.append($0) }
            }
            return
        }
        await withCheckedContinuation { continuation in
            loop.execute {
                self.enqueue(head: head, message: message)
                if self.pendingBytes > self.connection.configuration.streamHighWater && !self.closed {
                    self.blockedWriters.append(continuation)
                } else {
                    continuation.resume()
                }
            }
        }
    }

    // Each call runs inline when already on the loop, and only builds a closure (an
    // allocation) when it has to hop.

    func send(head: [HeaderField]) {
        guard loop.inEventLoop else { return loop.execute { self.send(head: head) } }
        guard !closed, !responseSubmitted else { return }
        responseSubmitted = true
        if !connection.session.submitResponse(self, fields: head, hasBody: true) {
            connection.session.submitReset(streamID: id, .internalError)
        }
        connection.outputPending()
    }

    func finish(head: [HeaderField]?, message: OutboundMessage?, trailers: [HeaderField]) {
        guard loop.inEventLoop else {
            return loop.execute { self.finishOnLoop(head: head, message: message, trailers: trailers) }
        }
        finishOnLoop(head: head, message: message, trailers: trailers)
    }

    func cancel() {
        guard loop.inEventLoop else { return loop.execute { self.cancel() } }
        guard !closed else { return }
        connection.session.submitReset(streamID: id, .cancel)
        connection.outputPending()
    }

    func consumed(inboundBytes count: Int) {
        guard loop.inEventLoop else { return loop.execute { self.consumed(inboundBytes: count) } }
        guard !closed else { return }
        connection.session.consumeStream(streamID: id, count)
        connection.outputPending()
    }

    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any RPCScheduledTimer {
        connection.deadlines.schedule(after: delay, body)
    }

    var taskExecutor: (any TaskExecutor)? { connection.taskExecutor }

    var lane: any RPCTransportLane { connection.taskExecutor }

    func offer(_ message: OutboundMessage, maxQueuedBytes: Int) -> Bool {
        guard responseSubmitted, !closed, trailers == nil, pendingBytes < maxQueuedBytes else { return false }
        pending.append(message)
        pendingBytes += message.wireSize
        if dataDeferred {
            dataDeferred = false
            connection.session.resumeData(streamID: id)
        }
        connection.outputPending()
        return true
    }

    // MARK: on the loop

    private func enqueue(head: [HeaderField]?, message: OutboundMessage) {
        guard !closed else { return }
        pending.append(message)
        pendingBytes += message.wireSize
        if let head, !responseSubmitted {
            responseSubmitted = true
            if !connection.session.submitResponse(self, fields: head, hasBody: true) {
                connection.session.submitReset(streamID: id, .internalError)
            }
        } else if dataDeferred {
            dataDeferred = false
            connection.session.resumeData(streamID: id)
        }
        connection.outputPending()
    }

    private func finishOnLoop(head: [HeaderField]?, message: OutboundMessage?, trailers: [HeaderField]) {
        guard !closed, self.trailers == nil else { return }
        if let message {
            pending.append(message)
            pendingBytes += message.wireSize
        }
        if !responseSubmitted {
            responseSubmitted = true
            if let head {
                self.trailers = trailers
                _ = connection.session.submitResponse(self, fields: head, hasBody: true)
            } else {
                _ = connection.session.submitResponse(self, fields: trailers, hasBody: false)
            }
        } else {
            self.trailers = trailers
            if dataDeferred {
                dataDeferred = false
                connection.session.resumeData(streamID: id)
            }
        }
        connection.outputPending()
    }

    /// Copies pending response bytes into a DATA frame payload that nghttp2 is building.
    func readOutbound(into buffer: UnsafeMutableRawBufferPointer) -> OutboundRead {
        let written = pending.read(into: buffer)
        pendingBytes -= written
        if pendingBytes <= connection.configuration.streamLowWater { resumeWriters() }
        if pendingBytes == 0, let trailers {
            return .endWithTrailers(written, trailers)
        }
        if written == 0 {
            dataDeferred = true
            return .deferred
        }
        return .bytes(written)
    }

    /// The stream is gone (ended, reset, or its connection closed).
    func didClose() {
        guard !closed else { return }
        closed = true
        pending = OutboundChunks()
        pendingBytes = 0
        resumeWriters()
    }

    private func resumeWriters() {
        guard !blockedWriters.isEmpty else { return }
        let writers = blockedWriters
        blockedWriters = []
        for writer in writers { writer.resume() }
    }
}

/// The open streams of one connection, as an intrusive doubly linked list: insertion and
/// removal per stream without hashing, and the whole list at hand when the connection dies.
struct OpenStreamList {
    private var first: HTTP2ServerStream?
    private(set) var count = 0

    mutating func insert(_ stream: HTTP2ServerStream) {
        stream.nextOpen = first
        first?.previousOpen = stream
        first = stream
        count += 1
    }

    mutating func remove(_ stream: HTTP2ServerStream) {
        guard stream.previousOpen != nil || first === stream else { return }
        if let previous = stream.previousOpen {
            previous.nextOpen = stream.nextOpen
        } else {
            first = stream.nextOpen
        }
        stream.nextOpen?.previousOpen = stream.previousOpen
        stream.nextOpen = nil
        stream.previousOpen = nil
        count -= 1
    }

    /// Empties the list and returns what it held.
    mutating func removeAll() -> [HTTP2ServerStream] {
        var streams: [HTTP2ServerStream] = []
        while let stream = first {
            remove(stream)
            streams.append(stream)
        }
        return streams
    }
}

/// Response bytes waiting for DATA frames, in order. Most streams hold one message at a time,
/// so the first chunk has a place of its own and the array behind it stays unallocated.
struct OutboundChunks {
    private var current: OutboundMessage?
    /// Wire bytes of `current` already copied out.
    private var offset = 0
    private var later: [OutboundMessage] = []

    mutating func append(_ message: OutboundMessage) {
        if current == nil {
            current = message
            offset = 0
        } else {
            later.append(message)
        }
    }

    /// Copies as many bytes as fit into `buffer`; returns how many.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        while written < buffer.count, let message = current {
            let n = message.copyWireBytes(from: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[written...]))
            written += n
            offset += n
            if offset == message.wireSize {
                current = later.isEmpty ? nil : later.removeFirst()
                offset = 0
            }
        }
        return written
    }
}
