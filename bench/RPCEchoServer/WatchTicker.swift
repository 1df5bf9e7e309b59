import Glibc
import RPCServer

/// The one ticker of `/bench.v1.Bench/Watch`: every period it publishes a 100-byte message
/// whose first 8 bytes are CLOCK_MONOTONIC now in nanoseconds, little-endian, and the rest
/// zero. A tick that overran the period skips the missed ones, as the peers do. Every 10 s it
/// writes a `watch:` line to standard error in the peers' format.
struct WatchTicker: Sendable {
    let group: RPCBroadcastGroup<RawBytes>
    let period: Duration

    static func periodFromEnvironment() -> Int {
        guard let raw = getenv("WATCH_PERIOD_MS"), let value = Int(String(cString: raw)), value > 0 else { return 100 }
        return value
    }

    /// Ticks until the task is cancelled, then ends every Watch call with OK.
    func run() async {
        defer { group.finish() }
        let clock = ContinuousClock()
        let logEvery = max(1, Int(Duration.seconds(10) / period))
        var next = clock.now
        var ticks = 0
        var late = 0
        var message = [UInt8](repeating: 0, count: 100)
        report("watch: ticker started, period \(period)")
        while !Task.isCancelled {
            next = next.advanced(by: period)
            if next < clock.now {
                next = clock.now
                late += 1
            } else {
                do { try await Task.sleep(until: next, tolerance: .zero, clock: clock) } catch { return }
            }
            let now = Self.monotonicNanoseconds()
            message.withUnsafeMutableBytes { $0.storeBytes(of: now.littleEndian, as: UInt64.self) }
            group.publish(serialized: message)
            ticks += 1
            if ticks % logEvery == 0 {
                report("watch: streams=\(group.memberCount) ticks=\(ticks) late_ticks=\(late) drops=\(group.skipped)")
            }
        }
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    private func report(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
