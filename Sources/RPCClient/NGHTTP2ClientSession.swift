internal import CNGHTTP2
import RPCServer

/// What a client session reports about the connection as a whole; stream events go straight
/// to the ``ClientCall`` that owns the stream.
protocol NGHTTP2ClientSessionDelegate: AnyObject {
    func callDidClose(_ call: ClientCall, errorCode: UInt32)
    func sessionDidReceiveGoAway(errorCode: UInt32, debug: String)
}

/// The one owner of an `nghttp2_session*` on the client side. Every C callback, stream user
/// data pointer and header array of the client lives in this file.
///
/// Stream user data is an unretained ``ClientCall``: the connection's list of open calls keeps
/// each call alive until nghttp2 reports its stream closed.
final class NGHTTP2ClientSession {
    struct Settings {
        var initialStreamWindowSize: UInt32
        var connectionWindowSize: UInt32
    }

    private var session: OpaquePointer!
    unowned let delegate: any NGHTTP2ClientSessionDelegate

    init(settings: Settings, delegate: any NGHTTP2ClientSessionDelegate) {
        self.delegate = delegate
        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        // Stream windows reopen only as readers take what arrived (flow control toward slow readers).
        nghttp2_option_set_no_auto_window_update(option, 1)
        var created: OpaquePointer?
        let rc = nghttp2_session_client_new2(&created, Self.callbacks, Unmanaged.passUnretained(self).toOpaque(), option)
        precondition(rc == 0 && created != nil, "nghttp2_session_client_new2 failed: \(rc)")
        session = created
        var entries = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: settings.initialStreamWindowSize),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
        if settings.connectionWindowSize > 65_535 {
            nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                                  Int32(clamping: settings.connectionWindowSize))
        }
    }

    deinit {
        nghttp2_session_del(session)
        headerBytes.deallocate()
        nameValues.deallocate()
    }

    // MARK: input and output

    /// Feeds bytes read from the socket; callbacks run before it returns. Returns nghttp2's
    /// description of a fatal error, after which the connection must close.
    func receive(_ bytes: UnsafeRawBufferPointer) -> String? {
        let rc = nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        return rc < 0 ? String(cString: nghttp2_strerror(Int32(rc))) : nil
    }

    /// Serializes pending frames, handing each chunk to `write`, until nghttp2 has nothing more
    /// or `write` returns false.
    func send(_ write: (UnsafeRawBufferPointer) -> Bool) {
        while true {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            guard n > 0, let data else { return }
            if !write(UnsafeRawBufferPointer(start: data, count: n)) { return }
        }
    }

    /// False once the session has nothing more to read or write (after GOAWAY, with no streams left).
    var isActive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    // MARK: submitting

    /// Submits a request whose body the call provides through ``ClientCall/readRequestBody(into:)``.
    /// `common` are the fields every request of this connection carries. Returns the stream
    /// id, or nil when nghttp2 refuses (stream ids exhausted, session going away).
    func submitRequest(common: [HeaderField], path: String, timeout: String?, metadata: Metadata,
                       call: ClientCall) -> Int32? {
        var fieldCount = common.count + 1 + metadata.count
        var byteCount = 5 + path.utf8.count  // ":path"
        for field in common { byteCount += field.name.utf8.count + field.value.utf8.count }
        if let timeout {
            fieldCount += 1
            byteCount += 12 + timeout.utf8.count  // "grpc-timeout"
        }
        for element in metadata { byteCount += element.key.utf8.count + element.value.wireLengthBound }
        reserve(fields: fieldCount, bytes: byteCount)

        var writer = NameValueWriter(bytes: headerBytes, nameValues: nameValues)
        writer.append(":path", path)
        for field in common { writer.append(field.name, field.value) }
        if let timeout { writer.append("grpc-timeout", timeout) }
        for element in metadata {
            switch element.value {
            case .string(let value): writer.append(element.key, value)
            case .binary(let value): writer.appendBase64(element.key, value)
            }
        }
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: Unmanaged.passUnretained(call).toOpaque()),
            read_callback: readRequestBody)
        let id = nghttp2_submit_request(session, nil, nameValues.baseAddress, writer.count, &provider,
                                        Unmanaged.passUnretained(call).toOpaque())
        return id > 0 ? id : nil
    }

    /// RST_STREAM codes the client sends or interprets.
    enum ErrorCode: UInt32 {
        case noError = 0x0, protocolError = 0x1, internalError = 0x2, flowControlError = 0x3
        case refusedStream = 0x7, cancel = 0x8, enhanceYourCalm = 0xb, inadequateSecurity = 0xc
    }

    func submitReset(streamID: Int32, _ code: ErrorCode) {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, code.rawValue)
    }

    /// Acknowledges stream bytes the reader has taken, so the stream window reopens.
    func consumeStream(streamID: Int32, _ count: Int) {
        nghttp2_session_consume_stream(session, streamID, count)
    }

    /// Closing our side: a GOAWAY with NO_ERROR; streams still open are closed by nghttp2.
    func terminate() {
        nghttp2_session_terminate_session(session, ErrorCode.noError.rawValue)
    }

    fileprivate func call(_ streamID: Int32) -> ClientCall? {
        guard let pointer = nghttp2_session_get_stream_user_data(session, streamID) else { return nil }
        return Unmanaged<ClientCall>.fromOpaque(pointer).takeUnretainedValue()
    }

    // MARK: header arrays

    // Scratch space for the name/value arrays handed to nghttp2, reused by every submit:
    // nghttp2 copies the bytes during the call.
    private var headerBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)
    private var nameValues = UnsafeMutableBufferPointer<nghttp2_nv>.allocate(capacity: 16)

    private func reserve(fields: Int, bytes: Int) {
        if bytes > headerBytes.count {
            headerBytes.deallocate()
            headerBytes = .allocate(byteCount: max(bytes, 2 * headerBytes.count), alignment: 1)
        }
        if fields > nameValues.count {
            nameValues.deallocate()
            nameValues = .allocate(capacity: max(fields, 2 * nameValues.count))
        }
    }

    // MARK: callbacks

    // Created once, never mutated after: nghttp2 only reads it when sessions are made.
    nonisolated(unsafe) private static let callbacks: OpaquePointer = {
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunkRecv)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, onFrameNotSend)
        return callbacks!
    }()

    fileprivate static func from(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2ClientSession {
        Unmanaged<NGHTTP2ClientSession>.fromOpaque(userData!).takeUnretainedValue()
    }
}

extension Metadata.Value {
    /// At least the bytes the value takes on the wire (base64 for binary values).
    fileprivate var wireLengthBound: Int {
        switch self {
        case .string(let s): s.utf8.count
        case .binary(let b): (b.count + 2) / 3 * 4
        }
    }
}

/// Fills the scratch arrays with name/value pairs; the caller has reserved enough room.
private struct NameValueWriter {
    let bytes: UnsafeMutableRawBufferPointer
    let nameValues: UnsafeMutableBufferPointer<nghttp2_nv>
    private var offset = 0
    private(set) var count = 0

    init(bytes: UnsafeMutableRawBufferPointer, nameValues: UnsafeMutableBufferPointer<nghttp2_nv>) {
        self.bytes = bytes
        self.nameValues = nameValues
    }

    mutating func append(_ name: String, _ value: String) {
        let nameStart = offset
        copy(name)
        let valueStart = offset
        copy(value)
        add(nameStart: nameStart, valueStart: valueStart)
    }

    mutating func appendBase64(_ name: String, _ value: [UInt8]) {
        let nameStart = offset
        copy(name)
        let valueStart = offset
        offset += Base64.encode(value, into: UnsafeMutableRawBufferPointer(rebasing: bytes[offset...]))
        add(nameStart: nameStart, valueStart: valueStart)
    }

    private mutating func copy(_ string: String) {
        var string = string
        let n = string.withUTF8 { utf8 in
            UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + utf8.count]).copyMemory(from: UnsafeRawBufferPointer(utf8))
            return utf8.count
        }
        offset += n
    }

    private mutating func add(nameStart: Int, valueStart: Int) {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        nameValues[count] = nghttp2_nv(name: base + nameStart, value: base + valueStart,
                                       namelen: valueStart - nameStart, valuelen: offset - valueStart,
                                       flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
        count += 1
    }
}

private func headersKind(_ frame: UnsafePointer<nghttp2_frame>) -> ClientCall.HeaderBlock {
    frame.pointee.headers.cat == NGHTTP2_HCAT_RESPONSE ? .response : .trailers
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int, _ value: UnsafePointer<UInt8>?, _ valueLength: Int,
    _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
          let call = NGHTTP2ClientSession.from(userData).call(frame.pointee.hd.stream_id) else { return 0 }
    call.receiveHeader(name: UnsafeRawBufferPointer(start: name, count: nameLength),
                       value: UnsafeRawBufferPointer(start: value, count: valueLength),
                       in: headersKind(frame))
    return 0
}

private func onFrameRecv(_ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let frame else { return 0 }
    let owner = NGHTTP2ClientSession.from(userData)
    let endStream = frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    switch UInt32(frame.pointee.hd.type) {
    case NGHTTP2_HEADERS.rawValue:
        owner.call(frame.pointee.hd.stream_id)?.headerBlockDidEnd(headersKind(frame), endStream: endStream)
    case NGHTTP2_DATA.rawValue:
        if endStream { owner.call(frame.pointee.hd.stream_id)?.responseDidEnd() }
    case NGHTTP2_GOAWAY.rawValue:
        let goaway = frame.pointee.goaway
        let debug = goaway.opaque_data_len > 0
            ? String(decoding: UnsafeBufferPointer(start: goaway.opaque_data, count: goaway.opaque_data_len), as: UTF8.self)
            : ""
        owner.delegate.sessionDidReceiveGoAway(errorCode: goaway.error_code, debug: debug)
    default:
        break
    }
    return 0
}

private func onDataChunkRecv(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    // The connection window reopens at once; only stream windows wait for readers.
    nghttp2_session_consume_connection(session, length)
    guard let call = NGHTTP2ClientSession.from(userData).call(streamID) else {
        nghttp2_session_consume_stream(session, streamID, length)
        return 0
    }
    call.receiveData(UnsafeRawBufferPointer(start: data, count: length))
    return 0
}

private func onStreamClose(_ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    let owner = NGHTTP2ClientSession.from(userData)
    guard let call = owner.call(streamID) else { return 0 }
    nghttp2_session_set_stream_user_data(session, streamID, nil)
    owner.delegate.callDidClose(call, errorCode: errorCode)
    return 0
}

private func onFrameNotSend(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ errorCode: Int32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    // A request whose HEADERS never left (GOAWAY received, stream ids exhausted, cancelled while
    // queued): nghttp2 closes the stream too, but the reason is only known here.
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
          let call = NGHTTP2ClientSession.from(userData).call(frame.pointee.hd.stream_id) else { return 0 }
    call.requestWasNotSent(reason: String(cString: nghttp2_strerror(errorCode)))
    return 0
}

private func readRequestBody(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ dataFlags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    let call = Unmanaged<ClientCall>.fromOpaque(source!.pointee.ptr).takeUnretainedValue()
    let (written, isEnd) = call.readRequestBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: length))
    if isEnd { dataFlags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
    return written
}
