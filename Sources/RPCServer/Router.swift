/// The four shapes of gRPC methods.
public enum RPCKind: Sendable {
    case unary, clientStreaming, serverStreaming, bidiStreaming

    /// Whether the handler starts before the request stream has ended.
    var streamsRequests: Bool { self == .clientStreaming || self == .bidiStreaming }
}

/// What a type-erased handler receives as its request.
enum RequestSource: Sendable {
    case single([UInt8])
    case stream(InboundMessageQueue)
}

/// One registered method with its types erased: bytes in, bytes out.
struct MethodHandler: Sendable {
    enum Body: Sendable {
        /// Returns the call's one response message, which goes out together with the trailers.
        case singleResponse(@Sendable (RequestSource, ServerContext) async throws -> [UInt8])
        /// Returns the call's one response message without suspending.
        case synchronousResponse(SynchronousSingleResponse)
        /// Writes any number of response messages through the writer.
        case responseStream(@Sendable (RequestSource, CallWriter, ServerContext) async throws -> Void)
    }

    let kind: RPCKind
    let body: Body
}

typealias SynchronousSingleResponse = @Sendable (RequestSource, ServerContext) throws -> [UInt8]

/// A group of methods under one service name, registered together.
public protocol RPCService: Sendable {
    /// The fully-qualified service name, such as `grpc.health.v1.Health`.
    static var serviceName: String { get }
    func register(into router: inout RPCRouter)
}

/// Maps `:path` to handlers. A plain value: build it, then give it to ``RPCServer``.
public struct RPCRouter: Sendable {
    private(set) var handlers: [String: MethodHandler] = [:]

    public init() {}

    /// Registers every method of `service`.
    public mutating func register(_ service: some RPCService) {
        service.register(into: &self)
    }

    /// The names of all services with at least one registered method, sorted.
    public var serviceNames: [String] {
        Set(handlers.keys.compactMap { path in
            path.split(separator: "/", omittingEmptySubsequences: true).first.map(String.init)
        }).sorted()
    }

    /// The full paths of all registered methods, sorted.
    public var methodPaths: [String] { handlers.keys.sorted() }

    func handler(for path: String) -> MethodHandler? { handlers[path] }

    public mutating func unary<Request: RPCMessage, Response: RPCMessage>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        add(path, MethodHandler(kind: .unary, body: .singleResponse { source, context in
            let request: Request = try Self.decodeSingle(source)
            return try await handler(request, context).serializedBytes()
        }))
    }

    public mutating func clientStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ path: String,
        _ handler: @escaping @Sendable (RPCRequestStream<Request>, ServerContext) async throws -> Response
    ) {
        add(path, MethodHandler(kind: .clientStreaming, body: .singleResponse { source, context in
            try await handler(Self.decodeStream(source, context), context).serializedBytes()
        }))
    }

    public mutating func serverStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, RPCResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(path, MethodHandler(kind: .serverStreaming, body: .responseStream { source, writer, context in
            let request: Request = try Self.decodeSingle(source)
            try await handler(request, RPCResponseWriter(writer), context)
        }))
    }

    public mutating func bidiStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ path: String,
        _ handler: @escaping @Sendable (RPCRequestStream<Request>, RPCResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(path, MethodHandler(kind: .bidiStreaming, body: .responseStream { source, writer, context in
            try await handler(Self.decodeStream(source, context), RPCResponseWriter(writer), context)
        }))
    }

    /// Registers a unary method that works on raw message bytes, with no decoding at all.
    public mutating func unaryBytes(
        _ path: String,
        _ handler: @escaping @Sendable ([UInt8], ServerContext) async throws -> [UInt8]
    ) {
        add(path, MethodHandler(kind: .unary, body: .singleResponse { source, context in
            guard case .single(let bytes) = source else { preconditionFailure("unary gets one message") }
            return try await handler(bytes, context)
        }))
    }

    /// Registers a unary method whose handler answers without waiting for anything.
    ///
    /// It runs on the connection's thread as the request ends, with no task of its own, so it
    /// costs less than an `async` handler; it must not block. With interceptors configured it
    /// runs inside them, in a task like any other handler.
    public mutating func synchronousUnary<Request: RPCMessage, Response: RPCMessage>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, ServerContext) throws -> Response
    ) {
        add(path, MethodHandler(kind: .unary, body: .synchronousResponse { source, context in
            let request: Request = try Self.decodeSingle(source)
            return try handler(request, context).serializedBytes()
        }))
    }

    /// ``synchronousUnary(_:_:)`` on raw message bytes, with no decoding at all.
    public mutating func synchronousUnaryBytes(
        _ path: String,
        _ handler: @escaping @Sendable ([UInt8], ServerContext) throws -> [UInt8]
    ) {
        add(path, MethodHandler(kind: .unary, body: .synchronousResponse { source, context in
            guard case .single(let bytes) = source else { preconditionFailure("unary gets one message") }
            return try handler(bytes, context)
        }))
    }

    private mutating func add(_ path: String, _ handler: MethodHandler) {
        precondition(path.hasPrefix("/") && path.dropFirst().contains("/"), "a method path is /Service/Method")
        precondition(handlers[path] == nil, "\(path) is registered twice")
        handlers[path] = handler
    }

    private static func decodeSingle<Request: RPCMessage>(_ source: RequestSource) throws -> Request {
        guard case .single(let bytes) = source else { preconditionFailure("this kind gets one message") }
        return try decode(bytes)
    }

    private static func decodeStream<Request: RPCMessage>(_ source: RequestSource, _ context: ServerContext) -> RPCRequestStream<Request> {
        guard case .stream(let queue) = source else { preconditionFailure("this kind gets a stream") }
        return RPCRequestStream(queue: queue, context: context)
    }

    static func decode<Request: RPCMessage>(_ bytes: [UInt8]) throws(RPCError) -> Request {
        do {
            return try Request(serializedBytes: bytes)
        } catch {
            throw RPCError(.internal, "could not decode the request message as \(Request.self): \(error)")
        }
    }
}
