import KubeBackend
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP/1.1 connection to the simulated API server: collects each request,
/// answers it through `KubeAPI` on the event loop, and streams watches as chunked
/// newline-delimited JSON.
final class APIChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A watcher this many events behind is cut off, as the apiserver drops slow watchers.
    static let maximumPendingWatchEvents = 50_000

    private let api: KubeAPI
    private var requestHead: HTTPRequestHead?
    private var requestBody = ByteBuffer()
    /// Set while the handler is in a pipeline; watch deliveries hop to the loop and use it.
    private var context: ChannelHandlerContext?
    private var registration: WatchRegistration?
    private var watchTimeout: Scheduled<Void>?
    private var unregisterFromFaults: (@Sendable () -> Void)?
    /// Events queued for an earlier watch on this connection are dropped.
    private var activeWatchID = 0
    private var nextWatchID = 0

    init(api: KubeAPI) {
        self.api = api
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopWatch()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
            requestBody.clear()
        case .body(var chunk):
            requestBody.writeBuffer(&chunk)
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            respond(to: head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopWatch()
        context.fireChannelInactive()
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let body = Array(requestBody.readableBytesView)
        let request = APIRequest(method: head.method.rawValue, target: head.uri, headers: headers, body: body)
        // Faults apply only to authenticated requests, so a wrong token still sees 401.
        let authenticated = api.token == nil || headers["authorization"] == "Bearer \(api.token!)"
        let decision = authenticated ? api.attributes(of: request).map { api.faults.decide(for: $0) } : nil
        guard let decision, decision.latencyMilliseconds > 0 else {
            perform(request, head: head, outcome: decision?.outcome ?? .proceed, context: context)
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(decision.latencyMilliseconds))) {
            guard let context = handler.value.context else { return }
            handler.value.perform(request, head: head, outcome: decision.outcome, context: context)
        }
    }

    private func perform(_ request: APIRequest, head: HTTPRequestHead, outcome: FaultInjector.Decision.Outcome, context: ChannelHandlerContext) {
        let response: APIResponse
        switch outcome {
        case .disconnect:
            context.close(promise: nil)
            return
        case .fail(let error):
            response = .error(error)
        case .proceed, .expireWatch, .dropWatch:
            response = api.handle(request)
        }
        switch response {
        case .full(let status, let extraHeaders, let responseBody):
            writeFull(status: status, headers: extraHeaders, body: responseBody, keepAlive: head.isKeepAlive, version: head.version, context: context)
        case .watch(let plan):
            if outcome == .expireWatch {
                writeWatchHead(keepAlive: head.isKeepAlive, version: head.version, context: context)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: WatchPlan.errorLine(expired(plan)))))), promise: nil)
                finish(keepAlive: head.isKeepAlive, context: context)
                return
            }
            startWatch(plan, keepAlive: head.isKeepAlive, version: head.version, context: context)
            if case .dropWatch(let seconds) = outcome {
                let channel = context.channel
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { channel.close(promise: nil) }
            }
        }
    }

    private func expired(_ plan: WatchPlan) -> APIError {
        let current = api.store.currentResourceVersion
        return APIError.tooOldResourceVersion(requested: plan.request.resourceVersion ?? 0, oldest: current)
    }

    private func writeFull(status: Int, headers extraHeaders: [(String, String)], body: [UInt8], keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(extraHeaders)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Cache-Control", value: "no-cache, private")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        finish(keepAlive: keepAlive, context: context)
    }

    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func writeWatchHead(keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
        context.flush()
    }

    private func startWatch(_ plan: WatchPlan, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        writeWatchHead(keepAlive: keepAlive, version: version, context: context)

        nextWatchID += 1
        let watchID = nextWatchID
        activeWatchID = watchID
        let channel = context.channel
        let eventLoop = context.eventLoop
        let pending = PendingCounter()
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        // Called under the store's lock, from any thread: only count and hop to the loop.
        let send: @Sendable (WatchMessage) -> Void = { message in
            guard pending.increment() <= APIChannelHandler.maximumPendingWatchEvents else {
                channel.close(promise: nil)
                return
            }
            eventLoop.execute {
                handler.value.writeWatchLine(plan.line(for: message), watchID: watchID, pending: pending)
            }
        }
        do {
            registration = try api.store.watch(plan.request, deliver: send)
        } catch {
            // The apiserver reports an expired resourceVersion as an ERROR event in a 200 stream.
            activeWatchID = 0
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: WatchPlan.errorLine(error))))), promise: nil)
            finish(keepAlive: keepAlive, context: context)
            return
        }
        unregisterFromFaults = api.faults.registerWatch { interruption in
            eventLoop.execute { handler.value.interrupt(watchID: watchID, interruption, plan: plan, keepAlive: keepAlive) }
        }
        if let seconds = plan.timeoutSeconds, seconds > 0 {
            watchTimeout = eventLoop.scheduleTask(in: .seconds(Int64(seconds))) {
                handler.value.endWatch(watchID: watchID, keepAlive: keepAlive)
            }
        }
    }

    private func writeWatchLine(_ line: [UInt8], watchID: Int, pending: PendingCounter) {
        guard activeWatchID == watchID, let context else {
            pending.decrement()
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: line))))).whenComplete { _ in
            pending.decrement()
        }
    }

    private func endWatch(watchID: Int, keepAlive: Bool) {
        guard activeWatchID == watchID, let context else { return }
        stopWatch()
        finish(keepAlive: keepAlive, context: context)
    }

    private func interrupt(watchID: Int, _ interruption: FaultInjector.Interruption, plan: WatchPlan, keepAlive: Bool) {
        guard activeWatchID == watchID, let context else { return }
        switch interruption {
        case .drop:
            stopWatch()
            context.close(promise: nil)
        case .expire:
            stopWatch()
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: WatchPlan.errorLine(expired(plan)))))), promise: nil)
            finish(keepAlive: keepAlive, context: context)
        }
    }

    private func stopWatch() {
        unregisterFromFaults?()
        unregisterFromFaults = nil
        activeWatchID = 0
        registration?.cancel()
        registration = nil
        watchTimeout?.cancel()
        watchTimeout = nil
    }
}

/// Events handed to a watch connection but not yet written.
private final class PendingCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
    func decrement() { count.subtract(1, ordering: .relaxed) }
}
