import Synchronization

/// What a handler knows about its call, and where it puts response metadata.
public final class ServerContext: Sendable {
    /// The method's full path, `/package.Service/Method`.
    public let path: String
    /// The custom metadata the client sent.
    public let requestMetadata: Metadata
    /// When the client stops waiting; nil when it sent no `grpc-timeout`.
    public let deadline: ContinuousClock.Instant?
    /// The remote address, as the transport names it.
    public let peer: String

    private let responseMetadata = Mutex((initial: Metadata(), trailing: Metadata()))

    public init(path: String, requestMetadata: Metadata, deadline: ContinuousClock.Instant?, peer: String) {
        self.path = path
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.peer = peer
    }

    /// Metadata sent with the response headers. Changes after the first response message
    /// has been written are not sent.
    public var initialMetadata: Metadata {
        get { responseMetadata.withLock { $0.initial } }
        set { responseMetadata.withLock { $0.initial = newValue } }
    }

    /// Metadata sent with the trailers.
    public var trailingMetadata: Metadata {
        get { responseMetadata.withLock { $0.trailing } }
        set { responseMetadata.withLock { $0.trailing = newValue } }
    }
}
