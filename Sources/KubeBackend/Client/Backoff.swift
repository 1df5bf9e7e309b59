import Foundation

/// Exponential backoff with jitter: the n-th delay (from 0) is
/// `min(initial * multiplier^n, maximum)`, then scaled by a random factor in
/// `[1 - jitter, 1]`, so that many clients that failed together do not retry together.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// 0 for none, up to 1.
    public var jitter: Double
    /// A number in [0, 1); injectable so that tests get exact delays.
    public var random: @Sendable () -> Double

    public init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0.5,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
        self.random = random
    }

    public func delay(attempt: Int) -> Duration {
        let base = min(initial.seconds * pow(multiplier, Double(max(attempt, 0))), maximum.seconds)
        return .seconds(base * (1 - jitter * random()))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
