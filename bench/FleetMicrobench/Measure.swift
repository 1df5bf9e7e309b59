import Foundation

/// Latency samples of one benchmark case, summarised as percentiles.
struct Samples {
    private(set) var nanoseconds: [UInt64] = []

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanoseconds.append(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
    }

    func percentile(_ p: Double) -> Duration {
        guard !nanoseconds.isEmpty else { return .zero }
        let sorted = nanoseconds.sorted()
        let index = Swift.min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return .nanoseconds(Int64(sorted[Swift.max(0, index)]))
    }

    var max: Duration { .nanoseconds(Int64(nanoseconds.max() ?? 0)) }
    var count: Int { nanoseconds.count }
}

/// Times `body` `iterations` times after `warmup` untimed runs.
func measure(iterations: Int, warmup: Int = 10, _ body: () -> Void) -> Samples {
    for _ in 0..<warmup { body() }
    var samples = Samples()
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let start = clock.now
        body()
        samples.record(clock.now - start)
    }
    return samples
}

func microseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let value = Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    return value < 10 ? String(format: "%.2f", value) : String(format: "%.0f", value)
}

/// Resident memory of this process in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A deterministic generator, so every run measures the same fleet and workloads.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Collects Markdown tables.
struct Report {
    private(set) var text = ""

    mutating func section(_ title: String, _ note: String) {
        text += "\n### \(title)\n\n\(note)\n\n"
    }

    mutating func table(_ header: [String], _ rows: [[String]]) {
        text += "| " + header.joined(separator: " | ") + " |\n"
        text += "|" + header.map { _ in " --- |" }.joined() + "\n"
        for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
    }
}
