import Foundation
import Synchronization

/// One thread that drives every transfer of a client through a libcurl multi
/// handle: `curl_multi_poll` sleeps until a socket is ready or a command arrives
/// (`curl_multi_wakeup`), so no cooperative-pool thread ever blocks on I/O.
final class CurlEventLoop: Sendable {
    private enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
        case shutdown
    }

    private struct Inbox: ~Copyable {
        var commands: [Command] = []
        var isShutDown = false
    }

    /// Touched only on the loop thread.
    private final class LoopState: @unchecked Sendable {
        let multi: CurlMultiHandle
        var transfers: [ObjectIdentifier: CurlTransfer] = [:]

        init(multi: CurlMultiHandle) {
            self.multi = multi
        }
    }

    private let inbox = Mutex(Inbox())
    private let state: LoopState
    /// Kept outside the loop-thread state so that any thread may wake the loop.
    private let waker: CurlMultiHandle

    init() throws(HTTPTransportError) {
        guard let multi = CurlMultiHandle() else { throw .other(code: -1, message: "curl_multi_init failed") }
        state = LoopState(multi: multi)
        waker = multi
        let thread = Thread { [self] in run() }
        thread.name = "fleetd-curl"
        thread.start()
    }

    func start(_ transfer: CurlTransfer) {
        submit(.start(transfer), orElse: transfer)
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.markCancelled()
        submit(.cancel(transfer), orElse: nil)
    }

    func shutdown() {
        submit(.shutdown, orElse: nil)
    }

    private func submit(_ command: Command, orElse rejected: CurlTransfer?) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.isShutDown else { return false }
            if case .shutdown = command { inbox.isShutDown = true }
            inbox.commands.append(command)
            return true
        }
        if accepted {
            waker.wakeUp()
        } else {
            rejected?.complete(error: .shutDown)
        }
    }

    private func run() {
        while true {
            let commands = inbox.withLock { inbox in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return inbox.commands
            }
            for command in commands {
                switch command {
                case .start(let transfer):
                    begin(transfer)
                case .cancel(let transfer):
                    finish(transfer, error: .cancelled)
                case .shutdown:
                    for transfer in state.transfers.values { finish(transfer, error: .shutDown) }
                    return
                }
            }
            state.multi.perform()
            for (easy, error) in state.multi.completedTransfers() {
                if let transfer = state.transfers[ObjectIdentifier(easy)] { finish(transfer, error: error) }
            }
            state.multi.poll(timeoutMilliseconds: 1000)
        }
    }

    private func begin(_ transfer: CurlTransfer) {
        if transfer.isCancelled {
            transfer.complete(error: .cancelled)
        } else if state.multi.add(transfer.easy) {
            state.transfers[ObjectIdentifier(transfer.easy)] = transfer
        } else {
            transfer.complete(error: .other(code: -1, message: "curl_multi_add_handle failed"))
        }
    }

    private func finish(_ transfer: CurlTransfer, error: HTTPTransportError?) {
        guard state.transfers.removeValue(forKey: ObjectIdentifier(transfer.easy)) != nil else { return }
        state.multi.remove(transfer.easy)
        transfer.complete(error: error)
    }
}

/// One request in flight: collects what libcurl hands over on the loop thread
/// and resumes the waiting Swift task.
final class CurlTransfer: CurlTransferDelegate, @unchecked Sendable {
    enum Delivery {
        /// Resume once the whole body is in.
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        /// Resume as soon as the headers are in; the body follows on a stream.
        case streaming(CheckedContinuation<HTTPStreamingResponse, any Error>, onAbandon: @Sendable (CurlTransfer) -> Void)
    }

    let easy: CurlEasyHandle
    private let cancelled = Atomic(false)
    // The rest is confined to the loop thread once the transfer has started.
    private var delivery: Delivery?
    private var headers: [HTTPHeader] = []
    private var body: [UInt8] = []
    private var head: HTTPResponseHead?
    private var bodyStream: AsyncThrowingStream<[UInt8], any Error>.Continuation?

    init(easy: CurlEasyHandle) {
        self.easy = easy
        easy.setDelegate(self)
    }

    /// Set before the transfer is handed to the loop.
    func deliver(to delivery: Delivery) {
        self.delivery = delivery
    }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func markCancelled() {
        cancelled.store(true, ordering: .releasing)
    }

    func curlDidReceiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        guard head == nil else { return }  // trailers
        switch HTTPHeaderLine(line) {
        case .end:
            let status = easy.responseCode
            // 1xx responses (100 Continue) are followed by the real header block.
            if status >= 200 { headersDidComplete(status: status) } else { headers = [] }
        case .statusLine:
            headers = []
        case .field(let header):
            headers.append(header)
        case .other:
            break
        }
    }

    func curlDidReceiveBody(_ bytes: UnsafeRawBufferPointer) {
        if let bodyStream {
            bodyStream.yield(Array(bytes))
        } else {
            body.append(contentsOf: bytes)
        }
    }

    private func headersDidComplete(status: Int) {
        let head = HTTPResponseHead(
            status: status, httpVersion: easy.httpVersion, headers: headers, newConnectionCount: easy.newConnectionCount)
        self.head = head
        guard case .streaming(let continuation, let onAbandon) = delivery else { return }
        let (stream, streamContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        streamContinuation.onTermination = { [self] termination in
            if case .cancelled = termination { onAbandon(self) }
        }
        bodyStream = streamContinuation
        delivery = nil
        continuation.resume(returning: HTTPStreamingResponse(head: head, body: stream))
    }

    /// Ends the transfer exactly once, from the loop thread (or from `submit` when
    /// the loop is already gone).
    func complete(error: HTTPTransportError?) {
        if let bodyStream {
            self.bodyStream = nil
            if let error { bodyStream.finish(throwing: error) } else { bodyStream.finish() }
            return
        }
        guard let delivery else { return }
        self.delivery = nil
        switch delivery {
        case .buffered(let continuation):
            if let error {
                continuation.resume(throwing: error)
            } else {
                continuation.resume(returning: HTTPResponse(head: head ?? fallbackHead, body: body))
            }
        case .streaming(let continuation, _):
            if let error {
                continuation.resume(throwing: error)
            } else {
                let (stream, streamContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
                if !body.isEmpty { streamContinuation.yield(body) }
                streamContinuation.finish()
                continuation.resume(returning: HTTPStreamingResponse(head: head ?? fallbackHead, body: stream))
            }
        }
    }

    /// For a transfer that ended without a header block (HTTP/0.9, or HEAD quirks).
    private var fallbackHead: HTTPResponseHead {
        HTTPResponseHead(status: easy.responseCode, httpVersion: easy.httpVersion, headers: headers, newConnectionCount: easy.newConnectionCount)
    }
}
