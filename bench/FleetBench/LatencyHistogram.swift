import Histogram

/// Latencies in microseconds, from 1 µs to 10 minutes at three significant digits.
struct LatencyHistogram: Sendable {
    private(set) var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000,
                                                    numberOfSignificantValueDigits: .three)

    init() {
        histogram.autoResize = true
    }

    mutating func record(_ latency: Duration) {
        let micros = max(1, (latency.nanoseconds + 500) / 1000)
        _ = histogram.record(UInt64(micros))
    }

    mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    var count: UInt64 { histogram.totalCount }

    var summary: LatencySummary {
        guard count > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0) }
        return LatencySummary(
            count: Int(count),
            p50: histogram.valueAtPercentile(50), p90: histogram.valueAtPercentile(90),
            p99: histogram.valueAtPercentile(99), p999: histogram.valueAtPercentile(99.9),
            max: histogram.max, mean: histogram.mean)
    }
}

/// The percentiles a report shows, in microseconds.
struct LatencySummary: Codable, Equatable, Sendable {
    var count: Int
    var p50: UInt64
    var p90: UInt64
    var p99: UInt64
    var p999: UInt64
    var max: UInt64
    var mean: Double

    /// `812 µs`, `12.4 ms`, `1.25 s`: three significant digits, like the histogram.
    static func format(micros: UInt64) -> String {
        switch micros {
        case ..<1000: return "\(micros) µs"
        case ..<1_000_000: return significant(Double(micros) / 1e3) + " ms"
        default: return significant(Double(micros) / 1e6) + " s"
        }
    }

    private static func significant(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        var text = String(Int((value * pow10(decimals)).rounded()))
        guard decimals > 0 else { return text }
        while text.count <= decimals { text = "0" + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
        return text
    }

    private static func pow10(_ n: Int) -> Double { n == 0 ? 1 : n == 1 ? 10 : 100 }

    /// The cells of a Markdown row: p50, p90, p99, p99.9, max.
    var cells: [String] {
        [p50, p90, p99, p999, max].map { count == 0 ? "–" : Self.format(micros: $0) }
    }
}
