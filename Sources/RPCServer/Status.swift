/// A gRPC status code. A struct around a private enum, so that codes can grow without
/// breaking exhaustive switches in callers.
public struct RPCStatusCode: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: Int, Sendable {
        case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound
        case alreadyExists, permissionDenied, resourceExhausted, failedPrecondition, aborted
        case outOfRange, unimplemented, `internal`, unavailable, dataLoss, unauthenticated
    }

    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// The code as it travels in `grpc-status`.
    public var rawValue: Int { wrapped.rawValue }

    /// A code from its wire value; nil for values outside 0...16.
    public init?(rawValue: Int) {
        guard let wrapped = Wrapped(rawValue: rawValue) else { return nil }
        self.wrapped = wrapped
    }

    public static let ok = Self(.ok)
    public static let cancelled = Self(.cancelled)
    public static let unknown = Self(.unknown)
    public static let invalidArgument = Self(.invalidArgument)
    public static let deadlineExceeded = Self(.deadlineExceeded)
    public static let notFound = Self(.notFound)
    public static let alreadyExists = Self(.alreadyExists)
    public static let permissionDenied = Self(.permissionDenied)
    public static let resourceExhausted = Self(.resourceExhausted)
    public static let failedPrecondition = Self(.failedPrecondition)
    public static let aborted = Self(.aborted)
    public static let outOfRange = Self(.outOfRange)
    public static let unimplemented = Self(.unimplemented)
    public static let `internal` = Self(.internal)
    public static let unavailable = Self(.unavailable)
    public static let dataLoss = Self(.dataLoss)
    public static let unauthenticated = Self(.unauthenticated)

    public var description: String {
        switch wrapped {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }
}

/// The outcome of a call as the client sees it in the trailers.
public struct RPCStatus: Sendable, Equatable {
    public var code: RPCStatusCode
    public var message: String
    /// A serialized `google.rpc.Status`, sent as `grpc-status-details-bin`. RPCServer treats
    /// it as opaque bytes; the services layer builds it.
    public var details: [UInt8]?

    public init(code: RPCStatusCode, message: String = "", details: [UInt8]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public static let ok = RPCStatus(code: .ok)
}

/// The error a handler throws to end its call with a specific status and metadata.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: RPCStatus
    /// Extra trailing metadata sent with the status.
    public var trailingMetadata: Metadata

    public init(_ code: RPCStatusCode, _ message: String = "", details: [UInt8]? = nil,
                trailingMetadata: Metadata = Metadata()) {
        self.status = RPCStatus(code: code, message: message, details: details)
        self.trailingMetadata = trailingMetadata
    }

    public var code: RPCStatusCode { status.code }
    public var message: String { status.message }

    public var description: String { "\(status.code): \(status.message)" }
}
