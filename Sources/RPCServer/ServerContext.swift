import Synchronization

/// What a handler knows about its call, and where it puts response metadata.
public final class ServerContext: Sendable {
    /// The method's full path, `/package.Service/Method`.
    public let path: String
    /// The custom metadata the client sent.
    public let requestMetadata: Metadata
    /// When the client stops waiting; nil when it sent no `grpc-timeout`.
    public var deadline: ContinuousClock.Instant? {
        deadlineSinceEpoch.map { DeadlineEpoch.instant.advanced(by: $0) }
    }
    /// The remote address, as the transport names it.
    public let peer: String

    // ContinuousClock.Instant is not frozen, so storing one would make every call's context
    // copy and destroy it through the runtime; a Duration is plain data.
    private let deadlineSinceEpoch: Duration?
    private struct ResponseMetadata {
        var initial = Metadata()
        var trailing = Metadata()
    }
    private let responseMetadataStorage = Mutex(ResponseMetadata())
    /// Whether response metadata was ever set: most calls have none, and skip its lock.
    private let responseMetadataSet = Atomic(false)
    private let messageObserver = Mutex<MessageObserver?>(nil)
    /// Whether `messageObserver` was ever set: most calls have none, and skip its lock.
    private let observed = Atomic(false)

    /// Told about each message of the call as it is sent, and each request message of a
    /// streaming call as the handler takes it in.
    public struct MessageObserver: Sendable {
        public var sent: @Sendable () -> Void
        public var received: @Sendable () -> Void

        public init(sent: @escaping @Sendable () -> Void, received: @escaping @Sendable () -> Void) {
            self.sent = sent
            self.received = received
        }
    }

    public convenience init(path: String, requestMetadata: Metadata, deadline: ContinuousClock.Instant?, peer: String) {
        self.init(path: path, requestMetadata: requestMetadata,
                  timeout: deadline.map { $0 - ContinuousClock.now }, peer: peer)
    }

    /// A context whose deadline is `timeout` from now, or none.
    init(path: String, requestMetadata: Metadata, timeout: Duration?, peer: String) {
        self.path = path
        self.requestMetadata = requestMetadata
        self.deadlineSinceEpoch = timeout.map { DeadlineEpoch.instant.duration(to: .now) + $0 }
        self.peer = peer
    }

    /// Metadata sent with the response headers. Changes after the first response message
    /// has been written are not sent.
    public var initialMetadata: Metadata {
        get { responseMetadata(\.initial) }
        set { setResponseMetadata(\.initial, newValue) }
    }

    /// Metadata sent with the trailers.
    public var trailingMetadata: Metadata {
        get { responseMetadata(\.trailing) }
        set { setResponseMetadata(\.trailing, newValue) }
    }

    private func responseMetadata(_ part: KeyPath<ResponseMetadata, Metadata>) -> Metadata {
        guard responseMetadataSet.load(ordering: .acquiring) else { return Metadata() }
        return responseMetadataStorage.withLock { $0[keyPath: part] }
    }

    private func setResponseMetadata(_ part: WritableKeyPath<ResponseMetadata, Metadata>, _ value: Metadata) {
        responseMetadataStorage.withLock { $0[keyPath: part] = value }
        responseMetadataSet.store(true, ordering: .releasing)
    }

    /// Observes the call's messages from now on, so that metrics count them while a long
    /// stream is open; an interceptor sets it before the handler runs. The one request of a
    /// unary or server-streaming call was taken in before interceptors ran, and is not told.
    public func observeMessages(_ observer: MessageObserver) {
        messageObserver.withLock { $0 = observer }
        observed.store(true, ordering: .releasing)
    }

    func messageSent() {
        guard observed.load(ordering: .acquiring) else { return }
        messageObserver.withLock { $0 }?.sent()
    }

    func messageReceived() {
        guard observed.load(ordering: .acquiring) else { return }
        messageObserver.withLock { $0 }?.received()
    }
}

/// The instant call deadlines are counted from, fixed when the first one is set.
private enum DeadlineEpoch {
    static let instant = ContinuousClock.now
}
