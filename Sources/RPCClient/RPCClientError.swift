public import RPCServer

/// How a call failed: the status the server sent, or one the client made up for a failure on
/// its side (no connection, deadline passed, cancelled, a malformed response).
public struct RPCClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: RPCStatus
    /// The trailers' custom metadata, when the server sent the status.
    public var trailingMetadata: Metadata

    public init(_ code: RPCStatusCode, _ message: String, details: [UInt8]? = nil, trailingMetadata: Metadata = Metadata()) {
        self.status = RPCStatus(code: code, message: message, details: details)
        self.trailingMetadata = trailingMetadata
    }

    init(status: RPCStatus, trailingMetadata: Metadata) {
        self.status = status
        self.trailingMetadata = trailingMetadata
    }

    public var code: RPCStatusCode { status.code }
    public var message: String { status.message }
    /// The serialized `google.rpc.Status` of `grpc-status-details-bin`, base64 already undone.
    public var details: [UInt8]? { status.details }

    public var description: String {
        message.isEmpty ? "\(code)" : "\(code): \(message)"
    }
}
