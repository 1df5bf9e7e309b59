#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import NIOCore
import NIOPosix
import NIOSSL
public import RPCServer

/// A gRPC client connection over HTTP/2 (h2c with prior knowledge, or TLS with ALPN h2) that
/// carries many concurrent calls, each on its own stream.
///
/// Calls fail with ``RPCClientError``. The connection does not reconnect: once it is closed,
/// every call fails UNAVAILABLE, and a new connection is needed.
public final class RPCClientConnection: Sendable {
    public let host: String
    public let port: Int
    private let channel: any Channel
    private let handler: HTTP2ClientConnectionHandler

    private init(host: String, port: Int, channel: any Channel, handler: HTTP2ClientConnectionHandler) {
        self.host = host
        self.port = port
        self.channel = channel
        self.handler = handler
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects, and for TLS completes the handshake, before returning; fails UNAVAILABLE with
    /// the reason otherwise, within `configuration.connectTimeout`.
    /// - Parameter eventLoopGroup: where the connection's loop comes from; NIO's shared group by default.
    public static func connect(
        host: String, port: Int, configuration: RPCClientConfiguration = RPCClientConfiguration(),
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) async throws(RPCClientError) -> RPCClientConnection {
        let loop = (eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton).next()
        let target = "\(host):\(port)"
        let tls: (NIOSSLContext, String?)?
        do {
            tls = try configuration.tlsContext(host: host)
        } catch {
            throw RPCClientError(.unavailable, "cannot set up TLS for \(target): \(error)")
        }
        let handler = HTTP2ClientConnectionHandler(
            configuration: configuration, eventLoop: loop,
            authority: configuration.authority ?? Self.authority(host: host, port: port),
            waitsForTLSHandshake: tls != nil)
        let timeout = TimeAmount.nanoseconds(configuration.connectTimeout.clampedNanoseconds)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let (context, serverName) = tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            let reason = Self.describe(error)
            loop.execute { handler.abandonConnecting(reason) }
            throw RPCClientError(.unavailable, "cannot connect to \(target): \(reason)")
        }
        // The TLS handshake must also finish in time.
        let timer = loop.scheduleTask(in: timeout) {
            handler.abandonConnecting("the TLS handshake did not finish within \(configuration.connectTimeout)")
        }
        do {
            try await handler.ready.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            let reason = (error as? RPCClientError)?.message ?? "\(error)"
            throw RPCClientError(.unavailable, "cannot connect to \(target): \(reason)")
        }
        return RPCClientConnection(host: host, port: port, channel: channel, handler: handler)
    }

    /// Closes the connection; calls still open end UNAVAILABLE.
    public func close() async {
        handler.eventLoop.execute { self.handler.close() }
        try? await channel.closeFuture.get()
    }

    // MARK: unary

    /// A unary call: one request, one response message.
    /// - Parameters:
    ///   - deadline: sent as `grpc-timeout`; the call ends DEADLINE_EXCEEDED when it passes.
    public func unary<Request: RPCMessage, Response: RPCMessage>(
        path: String, request: Request, responseType: Response.Type = Response.self,
        metadata: Metadata = Metadata(), deadline: ContinuousClock.Instant? = nil
    ) async throws(RPCClientError) -> Response {
        try await unaryCall(path: path, request: request, responseType: responseType, metadata: metadata, deadline: deadline).message
    }

    /// A unary call, with the response's metadata.
    public func unaryCall<Request: RPCMessage, Response: RPCMessage>(
        path: String, request: Request, responseType: Response.Type = Response.self,
        metadata: Metadata = Metadata(), deadline: ContinuousClock.Instant? = nil
    ) async throws(RPCClientError) -> RPCResponse<Response> {
        let parts = try await unaryParts(path: path, request: Self.serialize(request), metadata: metadata, deadline: deadline)
        return RPCResponse(message: try Self.decode(parts.message, as: Response.self),
                           initialMetadata: parts.initialMetadata, trailingMetadata: parts.trailingMetadata)
    }

    /// A unary call on serialized messages.
    public func unary(
        path: String, request: [UInt8], metadata: Metadata = Metadata(), deadline: ContinuousClock.Instant? = nil
    ) async throws(RPCClientError) -> [UInt8] {
        try await unaryParts(path: path, request: request, metadata: metadata, deadline: deadline).message
    }

    private func unaryParts(
        path: String, request: [UInt8], metadata: Metadata, deadline: ContinuousClock.Instant?
    ) async throws(RPCClientError) -> UnaryResponseParts {
        let call = ClientCall(connection: handler, path: path, request: request, metadata: metadata,
                              deadline: deadline, receiver: .unary)
        let handler = self.handler
        do {
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    call.continuation = continuation
                    handler.start(call)
                }
            } onCancel: {
                call.cancel()
            }
        } catch {
            throw error as? RPCClientError ?? RPCClientError(.unknown, "\(error)")
        }
    }

    // MARK: server streaming

    /// A server-streaming call: one request, then the response messages as they arrive. The call
    /// starts at once; its status comes out of the sequence (an error thrown while iterating).
    /// Dropping the sequence before its end, or cancelling the reading task, cancels the call.
    public func serverStreaming<Request: RPCMessage, Response: RPCMessage>(
        path: String, request: Request, responseType: Response.Type = Response.self,
        metadata: Metadata = Metadata(), deadline: ContinuousClock.Instant? = nil
    ) throws(RPCClientError) -> RPCResponseStream<Response> {
        let bytes = try Self.serialize(request)
        return RPCResponseStream(call: startStreaming(path: path, request: bytes, metadata: metadata, deadline: deadline)) {
            bytes throws(RPCClientError) in try Self.decode(bytes, as: Response.self)
        }
    }

    /// A server-streaming call on serialized messages.
    public func serverStreaming(
        path: String, request: [UInt8], metadata: Metadata = Metadata(), deadline: ContinuousClock.Instant? = nil
    ) -> RPCResponseStream<[UInt8]> {
        RPCResponseStream(call: startStreaming(path: path, request: request, metadata: metadata, deadline: deadline)) { $0 }
    }

    private func startStreaming(path: String, request: [UInt8], metadata: Metadata,
                                deadline: ContinuousClock.Instant?) -> StreamingCallHandle {
        let buffer = StreamingResponseBuffer(limit: handler.configuration.streamBufferLimit)
        let call = ClientCall(connection: handler, path: path, request: request, metadata: metadata,
                              deadline: deadline, receiver: .stream(buffer))
        handler.start(call)
        return StreamingCallHandle(call: call, buffer: buffer)
    }

    // MARK: helpers

    private static func serialize(_ message: some RPCMessage) throws(RPCClientError) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            throw RPCClientError(.internal, "cannot serialize the request: \(error)")
        }
    }

    fileprivate static func decode<M: RPCMessage>(_ bytes: [UInt8], as: M.Type) throws(RPCClientError) -> M {
        do {
            return try M(serializedBytes: bytes)
        } catch {
            throw RPCClientError(.internal, "cannot decode the response as \(M.self): \(error)")
        }
    }

    private static func authority(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? ChannelError, case .connectTimeout(let amount) = error {
            return "no answer within \(Duration.nanoseconds(amount.nanoseconds))"
        }
        if let error = error as? NIOConnectionError {
            var reasons: [String] = []
            for attempt in error.connectionErrors {
                let reason = describe(attempt.error)
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            if reasons.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve \(error.host)" }
            return reasons.isEmpty ? "\(error)" : reasons.joined(separator: "; ")
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }
}

/// A unary response with its metadata.
public struct RPCResponse<Message: Sendable>: Sendable {
    public var message: Message
    /// Custom metadata of the response headers.
    public var initialMetadata: Metadata
    /// Custom metadata of the trailers.
    public var trailingMetadata: Metadata
}

extension RPCClientConfiguration {
    /// The TLS context and the name for SNI and verification, or nil for plaintext.
    fileprivate func tlsContext(host: String) throws -> (NIOSSLContext, String?)? {
        guard case .tls(let options) = security else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2"]
        tls.minimumTLSVersion = .tlsv12
        if let caFile = options.caFile {
            tls.trustRoots = .file(caFile)
        }
        if options.insecureSkipVerify {
            tls.certificateVerification = .none
        }
        let name = options.serverName ?? host
        // SNI carries names only; an address is verified against the certificate's IP entries.
        let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        return (try NIOSSLContext(configuration: tls), isAddress ? nil : name)
    }
}
