import ArgumentParser
import Foundation
import KubeBackend

/// Watch events applied to an informer's cache, on whatever core the process is pinned
/// to: the events are the pods of a PodList file, sent as a server sends them (ADDED,
/// then MODIFIED with a new resourceVersion, then DELETED), one JSON line each. Times
/// decoding a line and applying it (what the informer does per event, past the socket),
/// once dropping each event after it is applied and once keeping them all, and applying
/// already-decoded events alone. The same events decoded as `PodClaim`s, what fleetd's
/// pod informer decodes for its capacity view, are timed too. The decode + apply loops run
/// through `WatchReplay`, the code specialized for each kind, as fleetd runs it.
struct InformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "informer", abstract: "Watch events per second into the informer cache.")

    @Argument(help: "A PodList JSON file (from `kube-bench generate`).") var file: String
    @Option(help: "Distinct pods the events are about.") var pods = 10_000
    @Option(help: "Rounds of ADDED, MODIFIED, MODIFIED, DELETED over those pods.") var rounds = 5
    @Option(help: "Times to run the decode + apply loop; with more than one, only that loop runs and the median is printed.")
    var streamingRuns = 1

    func run() throws {
        let list = try KubeJSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        let items = Array((list["items"]?.arrayValue ?? []).prefix(pods))
        guard !items.isEmpty else { throw ValidationError("\(file) has no items") }
        var lines: [[UInt8]] = []
        var version = 1_000_000
        for _ in 0..<rounds {
            for type in ["ADDED", "MODIFIED", "MODIFIED", "DELETED"] {
                for item in items {
                    version += 1
                    var object = item
                    if case .object(var root) = object, case .object(var metadata)? = root["metadata"] {
                        metadata["resourceVersion"] = .string(String(version))
                        root["metadata"] = .object(metadata)
                        root["kind"] = "Pod"
                        root["apiVersion"] = "v1"
                        object = .object(root)
                    }
                    lines.append(KubeJSON.serialize(["type": .string(type), "object": object]))
                }
            }
        }
        let bytes = lines.reduce(0) { $0 + $1.count }
        if streamingRuns > 1 {
            try runStreamingOnly(lines)
            return
        }

        // What an informer does per event: decode it, apply it, let it go.
        let streamingCache = InformerCache<Pod>()
        let cpuBefore = threadCPUSeconds()
        let decodeAndApplyStreaming = try measure {
            try WatchReplay.apply(lines, to: streamingCache)
        }
        let decodeAndApplyCPU = threadCPUSeconds() - cpuBefore
        let claimCache = InformerCache<PodClaim>()
        let claimCPUBefore = threadCPUSeconds()
        let claimSeconds = try measure {
            try WatchReplay.apply(lines, to: claimCache)
        }
        let claimCPU = threadCPUSeconds() - claimCPUBefore
        // As first measured: every decoded event is also kept (for the apply-only runs),
        // so the timing includes growing the heap to hold 200,000 pods.
        let cache = InformerCache<Pod>()
        var decoded: [WatchEvent<Pod>] = []
        decoded.reserveCapacity(lines.count)
        let decodeAndApply = try measure {
            for line in lines {
                let event = try KubeJSON.decode(WatchEvent<Pod>.self, from: line)
                cache.apply(event)
                decoded.append(event)
            }
        }
        let applyOnly = InformerCache<Pod>()
        var applySeconds: [Double] = []
        for _ in 0..<3 {
            applySeconds.append(measure { for event in decoded { applyOnly.apply(event) } })
        }
        let count = Double(lines.count)
        print("events: \(lines.count) (\(items.count) pods, mean line \(bytes / lines.count) bytes)")
        print(String(format: "decode + apply:                      %.0f events/s (%.2f s; %.0f events per CPU second)",
                     count / decodeAndApplyStreaming, decodeAndApplyStreaming, count / decodeAndApplyCPU))
        print(String(format: "decode + apply as PodClaim:          %.0f events/s (%.2f s; %.0f events per CPU second)",
                     count / claimSeconds, claimSeconds, count / claimCPU))
        print(String(format: "decode + apply, keeping every event: %.0f events/s (%.2f s)", count / decodeAndApply, decodeAndApply))
        print(String(format: "apply only:                          %.0f events/s (median of 3, %.3f s)", count / median(applySeconds), median(applySeconds)))
    }

    /// The decode + apply loops alone, full pods and claims alternating, `streamingRuns`
    /// times each: for comparing builds on a shared machine, where one run varies too much.
    private func runStreamingOnly(_ lines: [[UInt8]]) throws {
        var pods = StreamingRates(), claims = StreamingRates()
        for _ in 0..<streamingRuns {
            try pods.time(lines.count) {
                try WatchReplay.apply(lines, to: InformerCache<Pod>())
            }
            try claims.time(lines.count) {
                try WatchReplay.apply(lines, to: InformerCache<PodClaim>())
            }
        }
        print("decode + apply,          \(pods.summary)")
        print("decode + apply as claim, \(claims.summary)")
    }
}

/// Events per second of repeated runs of one loop, and their medians.
private struct StreamingRates {
    private var rates: [Double] = []
    private var cpuRates: [Double] = []

    mutating func time(_ events: Int, _ body: () throws -> Void) rethrows {
        let cpuBefore = threadCPUSeconds()
        let seconds = try measure(body)
        rates.append(Double(events) / seconds)
        cpuRates.append(Double(events) / (threadCPUSeconds() - cpuBefore))
    }

    var summary: String {
        String(format: "median of %d: %.0f events/s (%.0f events per CPU second; runs: %@)",
               rates.count, median(rates), median(cpuRates), rates.map { String(format: "%.0f", $0) }.joined(separator: " "))
    }
}
