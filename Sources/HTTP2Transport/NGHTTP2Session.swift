internal import CNGHTTP2
import RPCServer

/// What an nghttp2 server session reports to its connection handler, in the order nghttp2
/// parses the input.
protocol NGHTTP2SessionDelegate: AnyObject {
    func streamDidBegin(_ streamID: Int32) -> HTTP2ServerStream
    func stream(_ stream: HTTP2ServerStream, didReceiveHeaders endStream: Bool)
    func stream(_ stream: HTTP2ServerStream, didReceiveData bytes: UnsafeRawBufferPointer)
    func streamDidReceiveEnd(_ stream: HTTP2ServerStream)
    func stream(_ stream: HTTP2ServerStream, didCloseWith errorCode: UInt32)
    func sessionDidReceivePing()
    func sessionDidSendHeadersOrData(streamID: Int32, endStream: Bool)
}

/// The one owner of an `nghttp2_session*` on the server side. Every C callback, stream user
/// data pointer and header array lives in this file.
final class NGHTTP2ServerSession {
    struct Settings {
        var maxConcurrentStreams: UInt32
        var maxHeaderListSize: UInt32
        var initialWindowSize: UInt32
        var streamResetBurst: UInt64
        var streamResetRatePerSecond: UInt64
        var maxSettingsEntries: Int
        var maxOutboundAcks: Int
        var maxContinuations: Int
    }

    private var session: OpaquePointer!
    // The delegate owns this session and outlives it, so callbacks reach it without the
    // retain and release that loading even an unowned(unsafe) reference costs (measured: the
    // largest retain source while sending DATA to 10,000 streams, and about 16 reference count
    // operations per unary call).
    private let delegate: Unmanaged<HTTP2ServerConnectionHandler>

    init(settings: Settings, constantHeaderBlocks: [[HeaderField]] = [], delegate: HTTP2ServerConnectionHandler) {
        self.delegate = Unmanaged.passUnretained(delegate)
        self.constantBlocks = constantHeaderBlocks.map(ConstantHeaderBlock.init)
        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        // Stream windows reopen only as handlers consume what arrived (flow control toward slow handlers).
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_max_settings(option, settings.maxSettingsEntries)
        nghttp2_option_set_max_outbound_ack(option, settings.maxOutboundAcks)
        nghttp2_option_set_stream_reset_rate_limit(option, settings.streamResetBurst, settings.streamResetRatePerSecond)
        nghttp2_option_set_max_continuations(option, settings.maxContinuations)
        var created: OpaquePointer?
        let rc = nghttp2_session_server_new2(&created, Self.callbacks, Unmanaged.passUnretained(self).toOpaque(), option)
        precondition(rc == 0 && created != nil, "nghttp2_session_server_new2 failed: \(rc)")
        session = created
        var entries = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: settings.maxConcurrentStreams),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialWindowSize),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
    }

    deinit {
        nghttp2_session_del(session)
        headerBytes.deallocate()
        nameValues.deallocate()
    }

    // MARK: input and output

    enum ReceiveError: Error {
        case badClientMagic
        case flooded
        case other(String)
    }

    /// Feeds bytes read from the socket; callbacks run before it returns.
    func receive(_ bytes: UnsafeRawBufferPointer) throws(ReceiveError) {
        let rc = nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        guard rc < 0 else { return }
        switch Int32(rc) {
        case NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue: throw .badClientMagic
        case NGHTTP2_ERR_FLOODED.rawValue: throw .flooded
        default: throw .other(String(cString: nghttp2_strerror(Int32(rc))))
        }
    }

    /// Serializes pending frames, handing each chunk of bytes to `write`, until nghttp2 has
    /// nothing more or `write` returns false.
    func send(_ write: (UnsafeRawBufferPointer) -> Bool) {
        while true {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            guard n > 0, let data else { return }
            if !write(UnsafeRawBufferPointer(start: data, count: n)) { return }
        }
    }

    /// False once the session has nothing more to read or write: the connection can close.
    var isActive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    // MARK: submitting

    /// Submits response headers; with `hasBody` the stream's outbound data follows through the
    /// data provider, otherwise the HEADERS frame ends the stream.
    func submitResponse(_ stream: HTTP2ServerStream, fields: [HeaderField], hasBody: Bool) -> Bool {
        nameValues(for: fields) { nva, count in
            if hasBody {
                var provider = nghttp2_data_provider(
                    source: nghttp2_data_source(ptr: Unmanaged.passUnretained(stream).toOpaque()),
                    read_callback: readStreamData)
                return nghttp2_submit_response(session, stream.id, nva, count, &provider) == 0
            }
            return nghttp2_submit_response(session, stream.id, nva, count, nil) == 0
        }
    }

    func submitTrailers(streamID: Int32, fields: [HeaderField]) -> Bool {
        nameValues(for: fields) { nva, count in
            nghttp2_submit_trailer(session, streamID, nva, count) == 0
        }
    }

    func resumeData(streamID: Int32) {
        nghttp2_session_resume_data(session, streamID)
    }

    enum ResetCode: UInt32 {
        case noError = 0x0, protocolError = 0x1, internalError = 0x2, refusedStream = 0x7, cancel = 0x8
        case enhanceYourCalm = 0xb
    }

    func submitReset(streamID: Int32, _ code: ResetCode) {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, code.rawValue)
    }

    func consumeStream(streamID: Int32, _ count: Int) {
        nghttp2_session_consume_stream(session, streamID, count)
    }

    func isRemoteClosed(streamID: Int32) -> Bool {
        nghttp2_session_get_stream_remote_close(session, streamID) == 1
    }

    /// The first GOAWAY of a graceful shutdown: "no new streams soon", last stream id 2^31-1.
    func submitShutdownNotice() {
        nghttp2_submit_shutdown_notice(session)
    }

    /// The final GOAWAY, naming the last stream this server will process.
    func submitGoAway(_ code: ResetCode, debug: String = "") {
        let last = nghttp2_session_get_last_proc_stream_id(session)
        var bytes = Array(debug.utf8)
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, code.rawValue, &bytes, bytes.count)
    }

    // MARK: stream user data

    // The stream the last lookup found: a request's HEADERS, its header fields and its DATA
    // arrive in a row, and each callback would otherwise search nghttp2's stream map again.
    // Attached streams are retained (see `attach`), and `detach` forgets it.
    private var recentStreamID: Int32 = 0
    private var recentStream: Unmanaged<HTTP2ServerStream>?

    /// Runs `body` with the stream attached under `id`, without retaining it (the session
    /// holds it); nil when there is none.
    fileprivate func withStream<R>(_ id: Int32, _ body: (HTTP2ServerStream) -> R) -> R? {
        if id == recentStreamID, let recentStream { return recentStream._withUnsafeGuaranteedRef(body) }
        guard let pointer = nghttp2_session_get_stream_user_data(session, id) else { return nil }
        let stream = Unmanaged<HTTP2ServerStream>.fromOpaque(pointer)
        recentStreamID = id
        recentStream = stream
        return stream._withUnsafeGuaranteedRef(body)
    }

    fileprivate func attach(_ stream: HTTP2ServerStream) {
        nghttp2_session_set_stream_user_data(session, stream.id, Unmanaged.passRetained(stream).toOpaque())
    }

    fileprivate func detach(_ id: Int32) -> HTTP2ServerStream? {
        if id == recentStreamID {
            recentStreamID = 0
            recentStream = nil
        }
        guard let pointer = nghttp2_session_get_stream_user_data(session, id) else { return nil }
        nghttp2_session_set_stream_user_data(session, id, nil)
        return Unmanaged<HTTP2ServerStream>.fromOpaque(pointer).takeRetainedValue()
    }

    /// Streams still attached when the connection goes away, so that their calls can be
    /// cancelled; nghttp2_session_del does not report them closed.
    func detachAll(_ ids: [Int32]) -> [HTTP2ServerStream] {
        ids.compactMap { detach($0) }
    }

    // MARK: header arrays

    // Blocks sent unchanged by most calls, encoded once for the session's lifetime. nghttp2
    // reads their bytes in place (NO_COPY) until the frame is serialized, so they must outlive
    // the session: properties are released after `deinit` has deleted it.
    private let constantBlocks: [ConstantHeaderBlock]

    private func nameValues<R>(for fields: [HeaderField], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        for block in constantBlocks where block.isEncoding(of: fields) {
            return body(block.nameValues.baseAddress!, block.nameValues.count)
        }
        return withNameValues(fields, body)
    }

    // Scratch space for the name/value arrays handed to nghttp2, reused by every submit:
    // nghttp2 copies the bytes during the call.
    private var headerBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)
    private var nameValues = UnsafeMutableBufferPointer<nghttp2_nv>.allocate(capacity: 16)

    private func withNameValues<R>(_ fields: [HeaderField], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        let needed = encodedSize(of: fields)
        if needed > headerBytes.count {
            headerBytes.deallocate()
            headerBytes = .allocate(byteCount: max(needed, 2 * headerBytes.count), alignment: 1)
        }
        if fields.count > nameValues.count {
            nameValues.deallocate()
            nameValues = .allocate(capacity: max(fields.count, 2 * nameValues.count))
        }
        encode(fields, into: headerBytes, pairs: nameValues, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
        return body(nameValues.baseAddress!, fields.count)
    }

    // MARK: callbacks

    // Created once, never mutated after: nghttp2 only reads it when sessions are made.
    nonisolated(unsafe) private static let callbacks: OpaquePointer = {
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunkRecv)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSend)
        return callbacks!
    }()

    /// Runs `body` with the delegate, which outlives the session.
    fileprivate func withDelegate<R>(_ body: (HTTP2ServerConnectionHandler) -> R) -> R {
        delegate._withUnsafeGuaranteedRef(body)
    }

    /// Runs `body` with the session a callback's user data points to. The channel handler keeps
    /// the session alive while nghttp2 calls back, so no retain is needed.
    fileprivate static func with<R>(_ userData: UnsafeMutableRawPointer?, _ body: (NGHTTP2ServerSession) -> R) -> R {
        Unmanaged<NGHTTP2ServerSession>.fromOpaque(userData!)._withUnsafeGuaranteedRef(body)
    }
}

private func isRequestHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Bool {
    frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) && frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
}

private func onBeginHeaders(_ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let frame, isRequestHeaders(frame) else { return 0 }
    NGHTTP2ServerSession.with(userData) { owner in
        owner.attach(owner.withDelegate { $0.streamDidBegin(frame.pointee.hd.stream_id) })
    }
    return 0
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int, _ value: UnsafePointer<UInt8>?, _ valueLength: Int,
    _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
    NGHTTP2ServerSession.with(userData) { owner in
        _ = owner.withStream(frame.pointee.hd.stream_id) { stream in
            stream.addHeader(name: UnsafeRawBufferPointer(start: name, count: nameLength),
                             value: UnsafeRawBufferPointer(start: value, count: valueLength))
        }
    }
    return 0
}

private func onFrameRecv(_ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let frame else { return 0 }
    let endStream = frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    NGHTTP2ServerSession.with(userData) { owner in
        switch UInt32(frame.pointee.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            _ = owner.withStream(frame.pointee.hd.stream_id) { stream in
                if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                    owner.withDelegate { $0.stream(stream, didReceiveHeaders: endStream) }
                } else if endStream {
                    owner.withDelegate { $0.streamDidReceiveEnd(stream) }
                }
            }
        case NGHTTP2_DATA.rawValue:
            if endStream {
                _ = owner.withStream(frame.pointee.hd.stream_id) { stream in
                    owner.withDelegate { $0.streamDidReceiveEnd(stream) }
                }
            }
        case NGHTTP2_PING.rawValue:
            if frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 {
                owner.withDelegate { $0.sessionDidReceivePing() }
            }
        default:
            break
        }
    }
    return 0
}

private func onDataChunkRecv(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    // The connection window reopens at once; only stream windows wait for the handler.
    nghttp2_session_consume_connection(session, length)
    let delivered: Void? = NGHTTP2ServerSession.with(userData) { owner in
        owner.withStream(streamID) { stream in
            owner.withDelegate { $0.stream(stream, didReceiveData: UnsafeRawBufferPointer(start: data, count: length)) }
        }
    }
    if delivered == nil {
        nghttp2_session_consume_stream(session, streamID, length)
    }
    return 0
}

private func onStreamClose(_ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    NGHTTP2ServerSession.with(userData) { owner in
        if let stream = owner.detach(streamID) {
            owner.withDelegate { $0.stream(stream, didCloseWith: errorCode) }
        }
    }
    return 0
}

private func onFrameSend(_ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let frame else { return 0 }
    let type = UInt32(frame.pointee.hd.type)
    if type == NGHTTP2_HEADERS.rawValue || type == NGHTTP2_DATA.rawValue {
        let streamID = frame.pointee.hd.stream_id
        let endStream = frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        NGHTTP2ServerSession.with(userData) { owner in
            owner.withDelegate { $0.sessionDidSendHeadersOrData(streamID: streamID, endStream: endStream) }
        }
    }
    return 0
}

private func readStreamData(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ dataFlags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    // The session holds the stream (attach retained it) for as long as nghttp2 may call this.
    let read = Unmanaged<HTTP2ServerStream>.fromOpaque(source!.pointee.ptr)._withUnsafeGuaranteedRef {
        $0.readOutbound(into: UnsafeMutableRawBufferPointer(start: buffer, count: length))
    }
    switch read {
    case .bytes(let n):
        return n
    case .deferred:
        return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    case .endWithTrailers(let n, let trailers):
        dataFlags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
        let submitted = NGHTTP2ServerSession.with(userData) { $0.submitTrailers(streamID: streamID, fields: trailers) }
        guard submitted else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        return n
    }
}

/// One header block encoded once as nghttp2 name/value pairs that point into bytes it owns,
/// flagged so that nghttp2 does not copy them. It keeps the fields array it was made from, so
/// that array's storage cannot be freed and reused while the block recognizes it.
private final class ConstantHeaderBlock {
    private let fields: [HeaderField]
    private let bytes: UnsafeMutableRawBufferPointer
    private let storage: UnsafeMutableBufferPointer<nghttp2_nv>

    var nameValues: UnsafeBufferPointer<nghttp2_nv> { UnsafeBufferPointer(rebasing: storage[..<fields.count]) }

    init(_ fields: [HeaderField]) {
        self.fields = fields
        bytes = .allocate(byteCount: max(encodedSize(of: fields), 1), alignment: 1)
        storage = .allocate(capacity: max(fields.count, 1))
        encode(fields, into: bytes, pairs: storage,
               flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue | NGHTTP2_NV_FLAG_NO_COPY_VALUE.rawValue))
    }

    deinit {
        bytes.deallocate()
        storage.deallocate()
    }

    /// Whether `other` is the very array this block was made from (the same storage), which
    /// a constant block is handed again and again.
    func isEncoding(of other: [HeaderField]) -> Bool {
        other.count == fields.count
            && other.withUnsafeBufferPointer { a in fields.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }
}

/// The bytes `fields` take as name/value pairs.
private func encodedSize(of fields: [HeaderField]) -> Int {
    fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
}

/// Writes `fields` as nghttp2 name/value pairs into `pairs`, pointing into `bytes`, which must
/// hold `encodedSize(of: fields)` bytes; every pair gets `flags`.
private func encode(_ fields: [HeaderField], into bytes: UnsafeMutableRawBufferPointer,
                    pairs: UnsafeMutableBufferPointer<nghttp2_nv>, flags: UInt8) {
    let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
    var offset = 0
    func append(_ text: String) -> Int {
        let start = offset
        for byte in text.utf8 {
            base[offset] = byte
            offset += 1
        }
        return offset - start
    }
    for (i, field) in fields.enumerated() {
        let name = base + offset
        let nameLength = append(field.name)
        let value = base + offset
        let valueLength = append(field.value)
        pairs[i] = nghttp2_nv(name: name, value: value, namelen: nameLength, valuelen: valueLength, flags: flags)
    }
}
