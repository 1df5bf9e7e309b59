import CCurl

/// The only two types that hold libcurl pointers: `CurlEasyHandle` owns one
/// transfer's `CURL*` (and the C memory it points at), `CurlMultiHandle` owns the
/// `CURLM*`. Everything else in the transport sees Swift types only.

/// curl_global_init is not thread-safe; a lazy global runs it exactly once.
private let curlGlobalInitialized: Bool = {
    curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}()

/// Callbacks the easy handle forwards libcurl's data to, on the loop thread.
protocol CurlTransferDelegate: AnyObject {
    func curlDidReceiveHeaderLine(_ line: UnsafeRawBufferPointer)
    func curlDidReceiveBody(_ bytes: UnsafeRawBufferPointer)
}

final class CurlEasyHandle {
    fileprivate let pointer: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard curlGlobalInitialized, let pointer = curl_easy_init() else { return nil }
        self.pointer = pointer
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        fleetd_curl_easy_setopt_pointer(pointer, CURLOPT_ERRORBUFFER, errorBuffer)
        fleetd_curl_easy_setopt_long(pointer, CURLOPT_NOSIGNAL, 1)
    }

    deinit {
        curl_easy_cleanup(pointer)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    func configure(_ request: HTTPRequest, tls: TLSSettings) {
        fleetd_curl_easy_setopt_string(pointer, CURLOPT_URL, request.url.absoluteString)
        // h2 over TLS when the server's ALPN offers it, HTTP/1.1 (kept alive) otherwise.
        fleetd_curl_easy_setopt_long(pointer, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        fleetd_curl_easy_setopt_long(pointer, CURLOPT_PIPEWAIT, 1)
        fleetd_curl_easy_setopt_long(pointer, CURLOPT_TCP_KEEPALIVE, 1)
        if let timeout = request.timeout {
            fleetd_curl_easy_setopt_long(pointer, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        }

        switch request.method {
        case "GET":
            fleetd_curl_easy_setopt_long(pointer, CURLOPT_HTTPGET, 1)
        case "HEAD":
            fleetd_curl_easy_setopt_long(pointer, CURLOPT_NOBODY, 1)
        default:
            fleetd_curl_easy_setopt_string(pointer, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            fleetd_curl_easy_setopt_off_t(pointer, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            // COPYPOSTFIELDS copies (POSTFIELDSIZE bytes, NULs included), so the array need not outlive this.
            if body.isEmpty {
                fleetd_curl_easy_setopt_string(pointer, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBufferPointer { buffer in
                    _ = buffer.withMemoryRebound(to: CChar.self) { chars in
                        fleetd_curl_easy_setopt_string(pointer, CURLOPT_COPYPOSTFIELDS, chars.baseAddress!)
                    }
                }
            }
        }

        // An empty "Expect:" stops curl from waiting for 100-continue before a body.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        fleetd_curl_easy_setopt_slist(pointer, CURLOPT_HTTPHEADER, headerList)

        configureTLS(tls)
    }

    private func configureTLS(_ tls: TLSSettings) {
        if tls.insecureSkipVerify {
            fleetd_curl_easy_setopt_long(pointer, CURLOPT_SSL_VERIFYPEER, 0)
            fleetd_curl_easy_setopt_long(pointer, CURLOPT_SSL_VERIFYHOST, 0)
        } else if let certificateAuthority = tls.certificateAuthorityPEM {
            setBlob(CURLOPT_CAINFO_BLOB, certificateAuthority)
        }
        if let client = tls.clientCertificate {
            fleetd_curl_easy_setopt_string(pointer, CURLOPT_SSLCERTTYPE, "PEM")
            setBlob(CURLOPT_SSLCERT_BLOB, client.certificatePEM)
            fleetd_curl_easy_setopt_string(pointer, CURLOPT_SSLKEYTYPE, "PEM")
            setBlob(CURLOPT_SSLKEY_BLOB, client.privateKeyPEM)
        }
    }

    private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) {
        var copy = bytes
        copy.withUnsafeMutableBytes { buffer in
            var blob = curl_blob(data: buffer.baseAddress, len: buffer.count, flags: UInt32(CURL_BLOB_COPY))
            fleetd_curl_easy_setopt_blob(pointer, option, &blob)
        }
    }

    /// Points libcurl's header and body callbacks at `delegate`, which must stay
    /// alive while the handle is in a multi.
    func setDelegate(_ delegate: some CurlTransferDelegate) {
        let context = Unmanaged.passUnretained(delegate as AnyObject).toOpaque()
        fleetd_curl_easy_setopt_data_callback(pointer, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let length = size * count
            guard let context, let delegate = Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue() as? any CurlTransferDelegate else {
                return 0
            }
            delegate.curlDidReceiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        fleetd_curl_easy_setopt_pointer(pointer, CURLOPT_HEADERDATA, context)
        fleetd_curl_easy_setopt_data_callback(pointer, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            let length = size * count
            guard let context, let delegate = Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue() as? any CurlTransferDelegate else {
                return 0
            }
            delegate.curlDidReceiveBody(UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        fleetd_curl_easy_setopt_pointer(pointer, CURLOPT_WRITEDATA, context)
    }

    var responseCode: Int {
        var code = 0
        fleetd_curl_easy_getinfo_long(pointer, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// "1.1" or "2" for the response received.
    var httpVersion: String {
        var version = 0
        fleetd_curl_easy_getinfo_long(pointer, CURLINFO_HTTP_VERSION, &version)
        switch version {
        case Int(CURL_HTTP_VERSION_2_0): return "2"
        case Int(CURL_HTTP_VERSION_1_0): return "1.0"
        default: return "1.1"
        }
    }

    /// How many new connections this transfer opened (0 when it reused one).
    var newConnectionCount: Int {
        var count = 0
        fleetd_curl_easy_getinfo_long(pointer, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// Maps a finished transfer's result code to an error, nil on success.
    fileprivate func error(for code: CURLcode) -> HTTPTransportError? {
        guard code != CURLE_OK else { return nil }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectionFailed(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return .tlsFailed(message)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost(message)
        default:
            return .other(code: Int(code.rawValue), message: message)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// Only `wakeUp` may be called off the loop thread (curl_multi_wakeup is thread-safe);
/// everything else is confined to the loop thread.
final class CurlMultiHandle: @unchecked Sendable {
    private let pointer: UnsafeMutableRawPointer
    private var members: [UnsafeMutableRawPointer: CurlEasyHandle] = [:]

    init?() {
        guard curlGlobalInitialized, let pointer = curl_multi_init() else { return nil }
        self.pointer = pointer
        fleetd_curl_multi_setopt_long(pointer, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit {
        curl_multi_cleanup(pointer)
    }

    func add(_ easy: CurlEasyHandle) -> Bool {
        guard curl_multi_add_handle(pointer, easy.pointer) == CURLM_OK else { return false }
        members[easy.pointer] = easy
        return true
    }

    func remove(_ easy: CurlEasyHandle) {
        guard members.removeValue(forKey: easy.pointer) != nil else { return }
        curl_multi_remove_handle(pointer, easy.pointer)
    }

    /// Runs whatever transfers can make progress without blocking.
    func perform() {
        var running: Int32 = 0
        curl_multi_perform(pointer, &running)
    }

    /// Blocks until a socket is ready, `wakeUp()` is called, or the timeout passes.
    func poll(timeoutMilliseconds: Int32) {
        curl_multi_poll(pointer, nil, 0, timeoutMilliseconds, nil)
    }

    /// Interrupts `poll`; safe from any thread.
    func wakeUp() {
        curl_multi_wakeup(pointer)
    }

    /// Transfers finished since the last call, each with its error (nil on success).
    /// They stay in the multi until `remove` is called.
    func completedTransfers() -> [(CurlEasyHandle, HTTPTransportError?)] {
        var finished: [(CurlEasyHandle, HTTPTransportError?)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(pointer, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easyPointer = message.pointee.easy_handle,
                  let handle = members[easyPointer]
            else { continue }
            finished.append((handle, handle.error(for: message.pointee.data.result)))
        }
        return finished
    }
}
