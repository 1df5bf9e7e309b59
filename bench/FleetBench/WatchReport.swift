import Foundation

/// The results of a watch run, as JSON (`--json`) and as a Markdown table.
struct WatchReport: Codable, Equatable {
    struct Changes: Codable, Equatable {
        var made: Int
        var attributed: Int
        var unattributed: Int
        var perSecond: Double
    }

    struct Delivery: Codable, Equatable {
        /// Attributed changes × subscribers.
        var expected: Int
        var delivered: Int
        var missing: Int
        /// Delivered inside a conflated update of a later revision.
        var conflated: Int
        var completeness: Double
        var changesThatReachedEverySubscriber: Int
    }

    struct Updates: Codable, Equatable {
        var snapshots: Int
        var deltas: Int
        var heartbeats: Int
    }

    struct Memory: Codable, Equatable {
        var rssBeforeStreamsBytes: Int
        var rssWithStreamsBytes: Int
        var bytesPerSubscriber: Double
    }

    var tool = "fleet-bench"
    var mode = "watch"
    var server: String
    var transport: String
    var connections: Int
    var subscribers: Int
    var targetChangeRate: Double
    var durationSeconds: Double
    var graceSeconds: Double
    var changes: Changes
    var delivery: Delivery
    /// From the fleet manager recording each change to each subscriber's receipt of it.
    var recordedToReceiptMicros: LatencySummary
    /// From the driver's Deploy or DeleteDeployment call to each subscriber's receipt.
    var deliveryLatencyMicros: LatencySummary
    /// From the driver's call to the last subscriber's receipt, per change that reached all.
    var timeToAllMicros: LatencySummary
    /// From the first subscriber's receipt of a change to the last one's: the fan-out alone.
    var spreadMicros: LatencySummary
    /// The driver's Deploy and DeleteDeployment calls themselves.
    var driverCallLatencyMicros: LatencySummary
    var updates: Updates
    var subscriberErrors: [String: Int]
    var driverErrors: [String: Int]
    var deploysByCluster: [String: Int]
    var memory: Memory?
    var serverUsage: ProcessUsage?

    var markdown: String {
        var lines = [
            "| measure | count | p50 | p90 | p99 | p99.9 | max |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for (name, summary) in [("change recorded in the fleet manager → each subscriber", recordedToReceiptMicros),
                                ("delivery, driver's call → each subscriber", deliveryLatencyMicros),
                                ("driver's call → every subscriber", timeToAllMicros),
                                ("first → last subscriber (fan-out spread)", spreadMicros),
                                ("driver's Deploy/DeleteDeployment call", driverCallLatencyMicros)] {
            lines.append("| \(name) | \(Progress.grouped(summary.count)) | " + summary.cells.joined(separator: " | ") + " |")
        }
        var notes = [
            "\(server) over \(transport): \(Progress.grouped(subscribers)) WatchCapacity subscribers on \(connections) connection(s); "
                + String(format: "%d changes in %.0f s (%.1f/s, target %.1f/s), %d not seen by the probe.",
                         changes.made, durationSeconds, changes.perSecond, targetChangeRate, changes.unattributed),
            String(format: "Completeness: %@ of %@ expected deliveries (%.3f%%), %@ of them conflated; %d of %d changes reached every subscriber.",
                   Progress.grouped(delivery.delivered), Progress.grouped(delivery.expected), delivery.completeness * 100,
                   Progress.grouped(delivery.conflated), delivery.changesThatReachedEverySubscriber, changes.attributed),
            "Updates received: \(Progress.grouped(updates.snapshots)) snapshots, \(Progress.grouped(updates.deltas)) deltas, \(Progress.grouped(updates.heartbeats)) heartbeats.",
        ]
        if !subscriberErrors.isEmpty { notes.append("Streams that ended early: \(subscriberErrors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")).") }
        if !driverErrors.isEmpty { notes.append("Driver errors: \(driverErrors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")).") }
        if let memory {
            notes.append(String(format: "Server RSS %@ before the streams, %@ with them: %.1f KiB per subscriber.",
                                UnaryReport.mebibytes(memory.rssBeforeStreamsBytes), UnaryReport.mebibytes(memory.rssWithStreamsBytes),
                                memory.bytesPerSubscriber / 1024))
        }
        if let usage = serverUsage {
            notes.append(String(format: "Server pid %d while driving: %.2f CPU-s (%.0f%% of a core), RSS %@ at the end.",
                                usage.pid, usage.cpuSeconds, usage.cores * 100, UnaryReport.mebibytes(usage.rssBytesEnd)))
        }
        return (lines + [""] + notes).joined(separator: "\n")
    }
}
