/// Time as the client's rate limiter, retries and informers see it, so that tests
/// can drive backoff without sleeping.
public protocol KubeClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    func now() -> Duration
    /// Throws `CancellationError` when the calling task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `ContinuousClock`.
public struct SystemKubeClock: KubeClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Duration {
        ContinuousClock.now - origin
    }

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await Task.sleep(for: duration)
    }
}
