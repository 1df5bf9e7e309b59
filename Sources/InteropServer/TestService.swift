import Protos
import RPCServer

/// `grpc.testing.TestService` as grpc/grpc doc/interop-test-descriptions.md describes the
/// server side: sized payloads, `response_status` echoed as the call's status, streaming
/// responses paced by `interval_us`.
struct TestService: RPCService {
    static let serviceName = Grpc_Testing_TestService.serviceName
    typealias Method = Grpc_Testing_TestService.Method

    func register(into router: inout RPCRouter) {
        router.unary(Method.emptyCall) { (_: Grpc_Testing_Empty, _) in Grpc_Testing_Empty() }
        router.unary(Method.unaryCall, Self.unary)
        router.unary(Method.cacheableUnaryCall, Self.unary)
        router.serverStreaming(Method.streamingOutputCall) {
            (request: Grpc_Testing_StreamingOutputCallRequest, writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
            try await Self.respond(to: request, with: writer)
        }
        router.clientStreaming(Method.streamingInputCall) {
            (requests: RPCRequestStream<Grpc_Testing_StreamingInputCallRequest>, _) in
            var total = 0
            for try await request in requests { total += request.payload?.body.count ?? 0 }
            var response = Grpc_Testing_StreamingInputCallResponse()
            response.aggregatedPayloadSize = Int32(total)
            return response
        }
        router.bidiStreaming(Method.fullDuplexCall) {
            (requests: RPCRequestStream<Grpc_Testing_StreamingOutputCallRequest>,
             writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
            for try await request in requests {
                try await Self.respond(to: request, with: writer)
            }
        }
        router.bidiStreaming(Method.halfDuplexCall) {
            (requests: RPCRequestStream<Grpc_Testing_StreamingOutputCallRequest>,
             writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
            var buffered: [Grpc_Testing_StreamingOutputCallRequest] = []
            for try await request in requests { buffered.append(request) }
            for request in buffered { try await Self.respond(to: request, with: writer) }
        }
        // UnimplementedCall is left unregistered on purpose: clients must see UNIMPLEMENTED.
    }

    @Sendable
    static func unary(_ request: Grpc_Testing_SimpleRequest, _ context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        try throwEchoStatus(request.responseStatus)
        var response = Grpc_Testing_SimpleResponse()
        if request.responseSize > 0 {
            response.payload = payload(size: request.responseSize)
        }
        return response
    }

    static func respond(to request: Grpc_Testing_StreamingOutputCallRequest,
                        with writer: RPCResponseWriter<Grpc_Testing_StreamingOutputCallResponse>) async throws {
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int64(parameters.intervalUs)))
            }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = payload(size: parameters.size)
            try await writer.write(response)
        }
        try throwEchoStatus(request.responseStatus)
    }

    static func payload(size: Int32) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.type = .compressable
        payload.body = [UInt8](repeating: 0, count: Int(max(0, size)))
        return payload
    }

    static func throwEchoStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        throw RPCError(RPCStatusCode(rawValue: Int(status.code)) ?? .unknown, status.message)
    }
}

/// Echoes `x-grpc-test-echo-initial` into the response headers and
/// `x-grpc-test-echo-trailing-bin` into the trailers, as the custom_metadata case expects.
struct EchoMetadataInterceptor: ServerInterceptor {
    func intercept(context: ServerContext, next: () async throws -> Void) async throws {
        if let initial = context.requestMetadata.first("x-grpc-test-echo-initial") {
            var metadata = context.initialMetadata
            metadata.add("x-grpc-test-echo-initial", initial)
            context.initialMetadata = metadata
        }
        if let trailing = context.requestMetadata.firstBinary("x-grpc-test-echo-trailing-bin") {
            var metadata = context.trailingMetadata
            metadata.add("x-grpc-test-echo-trailing-bin", binary: trailing)
            context.trailingMetadata = metadata
        }
        try await next()
    }
}
