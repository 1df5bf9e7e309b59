/// The gRPC server core: routes request streams to handlers and speaks the gRPC protocol on
/// them (PROTOCOL-HTTP2.md), over whatever transport calls ``open(head:stream:)``.
public final class RPCServer: Sendable {
    public struct Configuration: Sendable {
        /// Larger request messages end the call with RESOURCE_EXHAUSTED.
        public var maxReceiveMessageSize = 4 * 1024 * 1024
        /// Algorithms accepted in `grpc-encoding`, and offered in `grpc-accept-encoding`.
        public var compressions: [any MessageCompression] = [GzipCompression()]
        /// Compress responses with this algorithm when the client accepts it.
        public var responseCompression: String?
        /// Run around every call, the first one outermost.
        public var interceptors: [any ServerInterceptor] = []
        /// Request bytes a streaming handler may leave unread before the client is held back.
        public var inboundBufferLimit = 1 << 20

        public init() {}
    }

    public let router: RPCRouter
    public let configuration: Configuration
    let acceptEncoding: String
    /// The response head of every call without custom metadata or compression, built once.
    let standardResponseHead: [HeaderField]

    /// Header blocks that most calls send as they are: the standard response head and the
    /// OK trailers. RPCServer passes these very arrays to ``RPCTransportStream``, so a
    /// transport may encode them once and know them again by their storage.
    public var constantHeaderBlocks: [[HeaderField]] { [standardResponseHead, ResponseFields.ok] }

    public init(router: RPCRouter, configuration: Configuration = Configuration()) {
        self.router = router
        self.configuration = configuration
        self.acceptEncoding = (["identity"] + configuration.compressions.map(\.name)).joined(separator: ",")
        self.standardResponseHead = [HeaderField(":status", "200"), HeaderField("content-type", "application/grpc"),
                                     HeaderField("grpc-accept-encoding", acceptEncoding)]
    }

    /// Starts serving a new request stream. The transport feeds the returned object with what
    /// the stream receives; everything the call sends goes out through `stream`.
    public func open(head: RequestHead, stream: any RPCTransportStream) -> any RPCInboundStream {
        var routes = RouteCache()
        return open(head: head, stream: stream, routes: &routes)
    }

    /// ``open(head:stream:)`` for a transport that keeps a ``RouteCache`` per connection.
    public func open(head: RequestHead, stream: any RPCTransportStream, routes: inout RouteCache) -> any RPCInboundStream {
        do {
            let setup = try CallSetup.make(head: head, server: self, routes: &routes)
            let call = ServerCall(setup: setup, server: self, transport: stream)
            call.start()
            return call
        } catch {
            stream.finish(head: nil, message: nil, trailers: error.trailersOnly)
            return DiscardingInbound()
        }
    }

    func compression(named name: String) -> (any MessageCompression)? {
        configuration.compressions.first { $0.name == name }
    }
}

/// Everything a call needs that the request headers determine.
struct CallSetup {
    let handler: MethodHandler
    let context: ServerContext
    let timeout: Duration?
    let requestCompression: (any MessageCompression)?
    let responseCompression: (any MessageCompression)?

    /// A request answered at once, without running a handler.
    struct Rejection: Error {
        let trailersOnly: [HeaderField]
    }

    static func make(head: RequestHead, server: RPCServer, routes: inout RouteCache) throws(Rejection) -> CallSetup {
        guard head.method == "POST" else {
            throw Rejection(trailersOnly: httpError(405, .unimplemented, "gRPC requires POST, not \(head.method)"))
        }
        var contentType: String?
        var timeoutValue: String?
        var encoding: String?
        var acceptEncoding: String?
        var metadata = Metadata()
        for field in head.fields {
            switch RequestHeaderRole(name: field.name) {
            case .contentType: contentType = field.value
            case .timeout: timeoutValue = field.value
            case .encoding: encoding = field.value
            case .acceptEncoding: acceptEncoding = field.value
            case .reserved: continue
            case .customMetadata:
                guard metadata.addWireValue(key: field.name, value: field.value) else {
                    throw Rejection(trailersOnly: grpcError(server, .internal,
                        "metadata \(field.name) is not valid base64"))
                }
            }
        }
        guard let contentType, isGRPCContentType(contentType) else {
            throw Rejection(trailersOnly: httpError(415, .internal,
                "invalid gRPC request content-type \(contentType.map { "'\($0)'" } ?? "(none)")"))
        }
        var timeout: Duration?
        if let timeoutValue {
            guard let parsed = GRPCTimeout.parse(timeoutValue) else {
                throw Rejection(trailersOnly: grpcError(server, .internal, "invalid grpc-timeout '\(timeoutValue)'"))
            }
            timeout = parsed
        }
        var requestCompression: (any MessageCompression)?
        if let encoding, encoding != "identity" {
            guard let found = server.compression(named: encoding) else {
                throw Rejection(trailersOnly: grpcError(server, .unimplemented,
                    "message compression '\(encoding)' is not supported; supported: \(server.acceptEncoding)"))
            }
            requestCompression = found
        }
        guard let handler = routes.handler(for: head.path, in: server.router) else {
            throw Rejection(trailersOnly: grpcError(server, .unimplemented, unimplementedMessage(head.path, server.router)))
        }
        var responseCompression: (any MessageCompression)?
        if let preferred = server.configuration.responseCompression,
           let acceptEncoding,
           acceptEncoding.split(separator: ",").contains(where: { $0.trimmingSpaces == preferred }) {
            responseCompression = server.compression(named: preferred)
        }
        let context = ServerContext(path: head.path, requestMetadata: metadata, timeout: timeout, peer: head.peer)
        return CallSetup(handler: handler, context: context, timeout: timeout,
                         requestCompression: requestCompression, responseCompression: responseCompression)
    }

    private static func isGRPCContentType(_ value: String) -> Bool {
        value.withUTF8Bytes { value in
            guard value.starts(withASCII: "application/grpc") else { return false }
            let base = "application/grpc".utf8.count
            return value.count == base || value[base] == UInt8(ascii: "+") || value[base] == UInt8(ascii: ";")
        }
    }

    private static func unimplementedMessage(_ path: String, _ router: RPCRouter) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].isEmpty, router.serviceNames.contains(String(parts[1])) {
            return "method \(parts[2]) is not implemented by service \(parts[1])"
        }
        if parts.count == 3, parts[0].isEmpty {
            return "service \(parts[1]) is not implemented"
        }
        return "no method at path \(path)"
    }

    static func grpcError(_ server: RPCServer, _ code: RPCStatusCode, _ message: String) -> [HeaderField] {
        server.standardResponseHead + ResponseFields.status(RPCStatus(code: code, message: message))
    }

    static func httpError(_ httpStatus: Int, _ code: RPCStatusCode, _ message: String) -> [HeaderField] {
        [HeaderField(":status", String(httpStatus)), HeaderField("content-type", "application/grpc")]
            + ResponseFields.status(RPCStatus(code: code, message: message))
    }
}

/// The method a connection called last. A client usually calls one method again and again, and
/// a transport hands the same `:path` string each time, so comparing with the last one is
/// cheaper than hashing the path into the router. A transport keeps one per connection, for
/// the one server that connection serves.
public struct RouteCache {
    private var path = ""
    private var handler: MethodHandler?

    public init() {}

    mutating func handler(for path: String, in router: RPCRouter) -> MethodHandler? {
        if let handler, path == self.path { return handler }
        guard let found = router.handler(for: path) else { return nil }
        self.path = path
        handler = found
        return found
    }
}

/// What a request header field is to gRPC: one the protocol reads, one it reserves, or
/// custom metadata for the handler.
enum RequestHeaderRole {
    case contentType, timeout, encoding, acceptEncoding
    /// Pseudo-headers, `grpc-*` fields not read here, and HTTP fields such as `te`.
    case reserved
    case customMetadata

    // Switching on the length first spares most comparisons: this runs for every field of
    // every request.
    init(name: String) {
        self = name.withUTF8Bytes { name in
            switch name.count {
            case 12 where name.equals(ASCII: "content-type"): .contentType
            case 12 where name.equals(ASCII: "grpc-timeout"): .timeout
            case 13 where name.equals(ASCII: "grpc-encoding"): .encoding
            case 20 where name.equals(ASCII: "grpc-accept-encoding"): .acceptEncoding
            case 2 where name.equals(ASCII: "te"), 4 where name.equals(ASCII: "host"),
                 10 where name.equals(ASCII: "connection"), 14 where name.equals(ASCII: "content-length"):
                .reserved
            default:
                name.first == UInt8(ascii: ":") || name.starts(withASCII: "grpc-") ? .reserved : .customMetadata
            }
        }
    }
}

enum ResponseFields {
    static let ok = [HeaderField("grpc-status", "0")]

    static func status(_ status: RPCStatus) -> [HeaderField] {
        if status.code == .ok && status.message.isEmpty && status.details == nil { return ok }
        var fields = [HeaderField("grpc-status", String(status.code.rawValue))]
        if !status.message.isEmpty {
            fields.append(HeaderField("grpc-message", PercentEncoding.encode(status.message)))
        }
        if let details = status.details {
            fields.append(HeaderField("grpc-status-details-bin", Base64.encode(details, padded: false)))
        }
        return fields
    }
}

/// The inbound side of a stream that was answered at once: whatever else arrives is dropped.
final class DiscardingInbound: RPCInboundStream {
    func receive(_ bytes: UnsafeRawBufferPointer) {}
    func receiveEnd() {}
    func receiveReset() {}
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
