public import Foundation

public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// The whole exchange must finish within this; nil for none (a watch).
    public var timeout: Duration?

    public init(method: String = "GET", url: URL, headers: [HTTPHeader] = [], body: [UInt8]? = nil, timeout: Duration? = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The status line and headers of a response.
public struct HTTPResponseHead: Sendable, Hashable {
    public var status: Int
    /// "1.1" or "2".
    public var httpVersion: String
    public var headers: [HTTPHeader]
    /// 0 when the request went over a connection that was already open.
    public var newConnectionCount: Int

    /// The first value of a header, matched case-insensitively.
    public func value(for name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A complete response. Any status, 5xx included, is a response, not an error.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
}

/// A response whose body arrives as it is sent, for watches. Iterating the body
/// to its end (or abandoning it) ends the transfer.
public struct HTTPStreamingResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: AsyncThrowingStream<[UInt8], any Error>
}

/// Failures to exchange a request and response at all; a response with an error
/// status is never one of these.
public enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request's timeout passed.
    case timedOut
    /// The calling task was cancelled; the transfer was aborted.
    case cancelled
    /// No connection could be made (refused, unresolvable).
    case connectionFailed(String)
    /// The TLS handshake or certificate verification failed.
    case tlsFailed(String)
    /// The connection broke mid-exchange.
    case connectionLost(String)
    /// The client was shut down.
    case shutDown
    case other(code: Int, message: String)

    public var description: String {
        switch self {
        case .timedOut: return "the request timed out"
        case .cancelled: return "the request was cancelled"
        case .connectionFailed(let message): return "could not connect: \(message)"
        case .tlsFailed(let message): return "TLS failed: \(message)"
        case .connectionLost(let message): return "the connection was lost: \(message)"
        case .shutDown: return "the HTTP client was shut down"
        case .other(let code, let message): return "transfer failed (curl \(code)): \(message)"
        }
    }
}
