#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Protos

/// Timestamps for people: RFC 3339 in UTC, and ages like kubectl's.
enum Timestamps {
    static func rfc3339(_ timestamp: Google_Protobuf_Timestamp) -> String {
        var seconds = time_t(timestamp.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Seconds since the Unix epoch, now.
    static func nowSeconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }

    /// `45s`, `12m`, `3h`, `5d` from `timestamp` to `now`; `-` without a timestamp.
    static func age(of timestamp: Google_Protobuf_Timestamp?, now: Int64) -> String {
        guard let timestamp, timestamp.seconds > 0 else { return "-" }
        let elapsed = max(0, now - timestamp.seconds)
        switch elapsed {
        case ..<60: return "\(elapsed)s"
        case ..<3600: return "\(elapsed / 60)m"
        case ..<86400: return "\(elapsed / 3600)h"
        default: return "\(elapsed / 86400)d"
        }
    }
}
