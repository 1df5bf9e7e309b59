import Synchronization

/// Client-side rate limiting for one cluster: a token bucket that refills at `qps`
/// tokens per second up to `burst`. Each request takes a token, waiting when none
/// is left. Waiters reserve their token up front (the count may go negative), so
/// they are served in arrival order without polling.
public final class TokenBucketRateLimiter: Sendable {
    public let qps: Double
    public let burst: Int
    private let clock: any KubeClock

    private struct Bucket {
        var tokens: Double
        var refilledAt: Duration
    }

    private let bucket: Mutex<Bucket>

    public init(qps: Double, burst: Int, clock: any KubeClock = SystemKubeClock()) {
        self.qps = max(qps, 0.001)
        self.burst = max(burst, 1)
        self.clock = clock
        bucket = Mutex(Bucket(tokens: Double(max(burst, 1)), refilledAt: clock.now()))
    }

    /// Waits for a token. Throws `CancellationError` if the task is cancelled while
    /// waiting; the reserved token is then given back.
    public func acquire() async throws {
        let wait = reserve()
        guard wait > .zero else { return }
        do {
            try await clock.sleep(for: wait)
        } catch {
            bucket.withLock { $0.tokens += 1 }
            throw error
        }
    }

    /// Takes a token and answers how long to wait before using it.
    func reserve() -> Duration {
        bucket.withLock { bucket in
            let now = clock.now()
            let elapsed = (now - bucket.refilledAt).seconds
            bucket.tokens = min(Double(burst), bucket.tokens + elapsed * qps)
            bucket.refilledAt = now
            bucket.tokens -= 1
            return bucket.tokens >= 0 ? .zero : .seconds(-bucket.tokens / qps)
        }
    }
}
