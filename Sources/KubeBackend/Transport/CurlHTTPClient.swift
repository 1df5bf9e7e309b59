/// An async HTTP client on libcurl's multi interface: HTTP/2 multiplexed over TLS
/// where the server offers it (ALPN), HTTP/1.1 with keep-alive otherwise, with
/// connections reused across requests. One client serves one cluster's TLS settings.
///
/// Errors thrown are `HTTPTransportError`; any HTTP status is a response.
public final class CurlHTTPClient: Sendable {
    public let tls: TLSSettings
    private let loop: CurlEventLoop

    public init(tls: TLSSettings = TLSSettings()) throws(HTTPTransportError) {
        self.tls = tls
        loop = try CurlEventLoop()
    }

    deinit {
        loop.shutdown()
    }

    /// Aborts every transfer in flight with `.shutDown` and stops the loop thread.
    public func shutdown() {
        loop.shutdown()
    }

    /// Sends a request and returns once the whole response is in. Cancelling the
    /// calling task aborts the transfer.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = try makeTransfer(request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.deliver(to: .buffered(continuation))
                loop.start(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Sends a request and returns as soon as the response headers are in; the body
    /// arrives chunk by chunk. Stopping the iteration (or cancelling its task) aborts
    /// the transfer.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let transfer = try makeTransfer(request)
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.deliver(to: .streaming(continuation, onAbandon: { loop.cancel($0) }))
                loop.start(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    private func makeTransfer(_ request: HTTPRequest) throws(HTTPTransportError) -> CurlTransfer {
        guard let easy = CurlEasyHandle() else { throw .other(code: -1, message: "curl_easy_init failed") }
        easy.configure(request, tls: tls)
        return CurlTransfer(easy: easy)
    }
}
