/// When a failed request is tried again, and after how long.
///
/// Only where it is safe: a request the server cannot have acted on (a 429, which
/// the apiserver's priority and fairness sends before doing anything, or a
/// connection that was never made) is retried whatever its verb. A failure that may
/// have happened after the server acted (a 5xx, a broken connection, a timeout) is
/// retried only for reads: GET, LIST and establishing a WATCH.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    public var maximumRetries: Int
    public var backoff: Backoff
    /// A longer Retry-After is not waited for: the call fails at once with the error,
    /// which carries the server's `retryAfter`.
    public var maximumRetryAfter: Duration

    public init(maximumRetries: Int = 5, backoff: Backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10)),
                maximumRetryAfter: Duration = .seconds(30)) {
        self.maximumRetries = maximumRetries
        self.backoff = backoff
        self.maximumRetryAfter = maximumRetryAfter
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maximumRetries: 0)

    /// How long to wait before retry number `attempt + 1`, or nil to fail with `failure`.
    /// `attempt` counts the retries already made.
    public func delay(after failure: KubeClientError, attempt: Int, isRead: Bool) -> Duration? {
        guard attempt < maximumRetries else { return nil }
        switch failure {
        case .transport(.connectionFailed):
            return backoff.delay(attempt: attempt)
        case .transport(.timedOut), .transport(.connectionLost):
            return isRead ? backoff.delay(attempt: attempt) : nil
        case .status(let error):
            let retryable = error.code == 429 || (isRead && error.code >= 500 && error.code != 501)
            guard retryable else { return nil }
            if let retryAfter = error.retryAfter {
                return retryAfter <= maximumRetryAfter ? retryAfter : nil
            }
            return backoff.delay(attempt: attempt)
        default:
            return nil
        }
    }
}
