/// A `Status` the API server answered with (any non-2xx response), typed.
public struct KubeStatusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status code.
    public var code: Int
    /// The machine-readable reason: NotFound, AlreadyExists, Conflict, Invalid, Expired, TooManyRequests, ...
    public var reason: String
    public var message: String
    public var details: StatusDetails?
    /// How long the server asked the client to wait (Retry-After, or details.retryAfterSeconds).
    public var retryAfter: Duration?
    /// The Status as the server sent it (or as synthesized for a body that was not one).
    public var status: Status

    /// The field-level causes, e.g. one per invalid field of a 422.
    public var causes: [StatusCause] { details?.causes ?? [] }

    public init(status: Status, httpCode: Int, retryAfter: Duration? = nil) {
        code = Int(status.code ?? Int32(httpCode))
        reason = status.reason.flatMap { $0.isEmpty ? nil : $0 } ?? Self.reason(forCode: code)
        message = status.message ?? ""
        details = status.details
        self.retryAfter = retryAfter ?? status.details?.retryAfterSeconds.map { .seconds(Int64($0)) }
        self.status = status
    }

    /// The error for a response: its body's Status when it has one, otherwise one
    /// synthesized from the code, as client-go does for proxies' HTML error pages.
    init(response: HTTPResponse) {
        let retryAfter = RetryAfter.parse(response.head.value(for: "Retry-After"))
        if let status = try? KubeJSON.decode(Status.self, from: response.body), status.kind == "Status" {
            self.init(status: status, httpCode: response.status, retryAfter: retryAfter)
            return
        }
        let text = String(decoding: response.body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = Self.reason(forCode: response.status)
        let message = text.isEmpty ? "the server responded with HTTP \(response.status) (\(reason))" : text
        self.init(status: Status(status: "Failure", message: message, reason: reason, code: Int32(response.status)),
                  httpCode: response.status, retryAfter: retryAfter)
    }

    /// The reason the apiserver gives each code when it has no more specific one.
    static func reason(forCode code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }

    public var description: String {
        "\(code) \(reason): \(message)"
    }
}

/// Everything a `KubeClient` call can fail with. API errors (a Status) and
/// transport failures are separate cases, so that a caller never mistakes a
/// broken connection for a missing object.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// 409 Conflict: the object changed since it was read (its resourceVersion or a
    /// delete precondition no longer matches). Read it again and retry.
    case conflict(KubeStatusError)
    /// Any other Status the server answered with.
    case status(KubeStatusError)
    /// No response: the connection failed, broke, timed out or was cancelled.
    case transport(HTTPTransportError)
    /// The credential provider (token file, exec plugin) failed.
    case credentials(any Error)
    /// A 2xx response whose body is not what the call expects.
    case invalidResponse(String)
    /// The call cannot be sent as asked (e.g. an object without a name).
    case invalidRequest(String)

    /// The Status behind an API error, conflicts included.
    public var statusError: KubeStatusError? {
        switch self {
        case .conflict(let error), .status(let error): return error
        default: return nil
        }
    }

    public var transportError: HTTPTransportError? {
        if case .transport(let error) = self { return error }
        return nil
    }

    /// The HTTP code of an API error; nil for every other case.
    public var code: Int? { statusError?.code }
    public var reason: String? { statusError?.reason }

    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { if case .conflict = self { return true } else { return false } }
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    /// 410: a resourceVersion or continue token too old to serve; relist from scratch.
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
    public var isTooManyRequests: Bool { code == 429 }
    public var isInvalid: Bool { code == 422 }
    public var isForbidden: Bool { code == 403 }
    public var isUnauthorized: Bool { code == 401 }
    public var isBadRequest: Bool { code == 400 }
    public var isServerError: Bool { (code ?? 0) >= 500 }
    public var isTimeout: Bool {
        transportError == .timedOut || code == 504 || reason == "Timeout"
    }
    public var isCancelled: Bool { transportError == .cancelled }
    public var isTransport: Bool { transportError != nil }

    /// How long the server asked to wait before trying again, if it said.
    public var retryAfter: Duration? { statusError?.retryAfter }

    public var description: String {
        switch self {
        case .conflict(let error), .status(let error): return error.description
        case .transport(let error): return error.description
        case .credentials(let error): return "could not get credentials: \(error)"
        case .invalidResponse(let reason): return "invalid response: \(reason)"
        case .invalidRequest(let reason): return "invalid request: \(reason)"
        }
    }

    /// `.conflict` for a 409 Conflict, `.status` for every other code.
    static func api(_ error: KubeStatusError) -> KubeClientError {
        error.code == 409 && error.reason == "Conflict" ? .conflict(error) : .status(error)
    }
}

/// The Retry-After header in delay-seconds, which is what the apiserver sends; an HTTP-date is ignored.
enum RetryAfter {
    static func parse(_ value: String?) -> Duration? {
        guard let value, let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
