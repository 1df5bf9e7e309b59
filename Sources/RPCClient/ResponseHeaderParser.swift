#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RPCServer

/// Reads a call's response headers and trailers as they arrive, field by field, and says what
/// status the call ended with (PROTOCOL-HTTP2.md, "Responses").
struct ResponseHeaderParser {
    enum Block { case response, trailers }

    private(set) var httpStatus = 0
    private var contentType: String?
    private var grpcStatus: Int?
    private var grpcMessage = ""
    private var statusDetails: [UInt8]?
    private(set) var encoding: String?
    private(set) var initialMetadata = Metadata()
    private(set) var trailingMetadata = Metadata()

    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, in block: Block) {
        switch FieldName(name) {
        case .status:
            httpStatus = Self.decimal(value) ?? -1
        case .contentType:
            contentType = String(decoding: value, as: UTF8.self)
        case .grpcStatus:
            grpcStatus = Self.decimal(value) ?? Int(RPCStatusCode.unknown.rawValue)
        case .grpcMessage:
            grpcMessage = PercentEncoding.decode(value)
        case .grpcStatusDetails:
            var decoded = Metadata()
            if decoded.addWireValue(key: "grpc-status-details-bin", value: String(decoding: value, as: UTF8.self)) {
                statusDetails = decoded.firstBinary("grpc-status-details-bin")
            }
        case .grpcEncoding:
            encoding = String(decoding: value, as: UTF8.self)
        case .ignored:
            break
        case .custom:
            let key = String(decoding: name, as: UTF8.self)
            let text = String(decoding: value, as: UTF8.self)
            switch block {
            case .response: initialMetadata.addWireValue(key: key, value: text)
            case .trailers: trailingMetadata.addWireValue(key: key, value: text)
            }
        }
    }

    /// A 1xx head precedes the real one; nothing in it counts.
    var isInformational: Bool { (100..<200).contains(httpStatus) }

    mutating func forgetInformationalHead() {
        httpStatus = 0
        contentType = nil
        initialMetadata = Metadata()
    }

    /// Why response headers that do not end the stream cannot start a gRPC response, if they cannot.
    func problemWithResponseHead() -> RPCClientError? {
        guard httpStatus == 200 else { return Self.httpError(httpStatus) }
        guard let contentType, contentType.hasPrefix("application/grpc") else {
            return RPCClientError(.unknown, "the response has content-type \(contentType ?? "(none)"), not application/grpc")
        }
        return nil
    }

    /// The status the call ended with, once END_STREAM arrived (after trailers, or a Trailers-Only head).
    func finalStatus() -> RPCStatus {
        if let grpcStatus {
            return RPCStatus(code: RPCStatusCode(rawValue: grpcStatus) ?? .unknown, message: grpcMessage, details: statusDetails)
        }
        if httpStatus != 200, httpStatus != 0 { return Self.httpError(httpStatus).status }
        return RPCStatus(code: .internal, message: "the server ended the stream without a grpc-status")
    }

    /// The gRPC code for an HTTP status that is not 200 (doc/http-grpc-status-mapping.md).
    static func httpError(_ status: Int) -> RPCClientError {
        let code: RPCStatusCode = switch status {
        case 400: .internal
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
        return RPCClientError(code, "the server answered HTTP \(status)")
    }

    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        return n
    }
}

/// The response field names the client acts on, recognized from their bytes without making strings.
private enum FieldName {
    case status, contentType, grpcStatus, grpcMessage, grpcStatusDetails, grpcEncoding, ignored, custom

    init(_ name: UnsafeRawBufferPointer) {
        if Self.matches(name, ":status") { self = .status }
        else if Self.matches(name, "content-type") { self = .contentType }
        else if Self.matches(name, "grpc-status") { self = .grpcStatus }
        else if Self.matches(name, "grpc-message") { self = .grpcMessage }
        else if Self.matches(name, "grpc-status-details-bin") { self = .grpcStatusDetails }
        else if Self.matches(name, "grpc-encoding") { self = .grpcEncoding }
        else if name.first == UInt8(ascii: ":") || Self.matches(name, "grpc-accept-encoding")
                    || Self.matches(name, "content-length") || Self.matches(name, "date") { self = .ignored }
        else { self = .custom }
    }

    private static func matches(_ name: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard name.count == literal.utf8CodeUnitCount else { return false }
        return memcmp(name.baseAddress!, literal.utf8Start, name.count) == 0
    }
}
