import Foundation

/// The results of a unary run, as JSON (`--json`) and as a Markdown table.
struct UnaryReport: Codable, Equatable {
    struct OperationRow: Codable, Equatable {
        var name: String
        var ok: Int
        var errors: [String: Int]
        var errorCount: Int
        /// Completed operations per second of the measured window.
        var throughput: Double
        var latencyMicros: LatencySummary
    }

    var tool = "fleet-bench"
    var mode = "unary"
    var server: String
    var transport: String
    var connections: Int
    var workers: Int
    var pacing: String
    var targetRate: Double?
    var mix: String
    var warmupSeconds: Double
    var durationSeconds: Double
    var operations: [OperationRow]
    var total: OperationRow
    /// gRPC calls made in the window (deploy-delete makes two).
    var rpcs: Int
    var rpcsPerSecond: Double
    var deploysByCluster: [String: Int]
    var queuedDeploys: Int
    var serverUsage: ProcessUsage?
    /// fleet-bench's own CPU: near one core, the client is the limit.
    var clientUsage: ProcessUsage?
    var rpcsPerServerCPUSecond: Double?

    init(plan: UnaryPlan, mixText: String, server: String, transport: String, connections: Int,
         results: UnaryTally.Results, usage: ProcessUsage?, clientUsage: ProcessUsage? = nil) {
        self.server = server
        self.transport = transport
        self.connections = connections
        workers = plan.workers
        mix = mixText
        warmupSeconds = plan.warmup.seconds
        durationSeconds = plan.duration.seconds
        switch plan.pacing {
        case .openLoop(let schedule): pacing = "open-loop"; targetRate = schedule.rate
        case .closedLoop: pacing = "closed-loop"; targetRate = nil
        }
        let seconds = plan.duration.seconds
        let keys = Set(results.latency.keys).union(results.errors.keys).sorted { Self.order($0) < Self.order($1) }
        var totalLatency = LatencyHistogram()
        var totalErrors: [String: Int] = [:]
        var totalOK = 0
        operations = keys.map { key in
            let errors = results.errors[key] ?? [:]
            let histogram = results.latency[key] ?? LatencyHistogram()
            let ok = results.ok[key] ?? 0
            if Operation(rawValue: key) != nil {
                totalLatency.add(histogram)
                totalOK += ok
                totalErrors.merge(errors, uniquingKeysWith: +)
            }
            return OperationRow(name: key, ok: ok, errors: errors, errorCount: errors.values.reduce(0, +),
                                throughput: seconds > 0 ? Double(ok) / seconds : 0, latencyMicros: histogram.summary)
        }
        total = OperationRow(name: "total", ok: totalOK, errors: totalErrors, errorCount: totalErrors.values.reduce(0, +),
                             throughput: seconds > 0 ? Double(totalOK) / seconds : 0, latencyMicros: totalLatency.summary)
        rpcs = results.rpcs
        rpcsPerSecond = seconds > 0 ? Double(results.rpcs) / seconds : 0
        deploysByCluster = results.deploysByCluster
        queuedDeploys = results.queuedDeploys
        serverUsage = usage
        self.clientUsage = clientUsage
        rpcsPerServerCPUSecond = usage.flatMap { $0.cpuSeconds > 0 ? Double(results.rpcs) / $0.cpuSeconds : nil }
    }

    /// Operations in their declared order, each followed by its steps.
    private static func order(_ key: String) -> (Int, String) {
        let base = Operation.allCases.firstIndex { key.hasPrefix($0.rawValue) } ?? Operation.allCases.count
        return (base, key)
    }

    var markdown: String {
        var lines = [
            "| operation | ok | errors | ops/s | p50 | p90 | p99 | p99.9 | max |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in operations + (operations.count > 1 ? [total] : []) {
            let name = Operation(rawValue: row.name) == nil && row.name != "total" ? "  ↳ \(row.name)" : row.name
            let errors = row.errorCount == 0 ? "0" : "\(row.errorCount) (" + row.errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
            let isStep = Operation(rawValue: row.name) == nil && row.name != "total"
            let ok = isStep ? "" : Progress.grouped(row.ok)
            let rate = isStep ? "" : Progress.grouped(Int(row.throughput.rounded()))
            lines.append("| \(name) | \(ok) | \(isStep ? "" : errors) | \(rate) | " + row.latencyMicros.cells.joined(separator: " | ") + " |")
        }
        var notes: [String] = []
        let target = targetRate.map { ", target \(Progress.grouped(Int($0)))/s" } ?? ""
        notes.append("\(server) over \(transport), \(connections) connection(s), \(workers) concurrent calls at most, \(pacing)\(target); "
                     + "\(DurationText.format(.nanoseconds(Int64(warmupSeconds * 1e9)))) warm-up, \(DurationText.format(.nanoseconds(Int64(durationSeconds * 1e9)))) measured; "
                     + "\(Progress.grouped(rpcs)) gRPC calls (\(Progress.grouped(Int(rpcsPerSecond.rounded())))/s).")
        if !deploysByCluster.isEmpty || queuedDeploys > 0 {
            let clusters = deploysByCluster.sorted { $0.key < $1.key }.map { "\($0.key) \(Progress.grouped($0.value))" }.joined(separator: ", ")
            notes.append("Real deploys by cluster: \(clusters)\(queuedDeploys > 0 ? "; queued \(queuedDeploys)" : "").")
        }
        if let usage = serverUsage {
            let perCPU = rpcsPerServerCPUSecond.map { "; \(Progress.grouped(Int($0.rounded()))) calls per server CPU-second" } ?? ""
            notes.append(String(format: "Server pid %d: %.2f CPU-s (%.0f%% of a core)", usage.pid, usage.cpuSeconds, usage.cores * 100)
                         + perCPU + "; RSS \(Self.mebibytes(usage.rssBytesStart)) → \(Self.mebibytes(usage.rssBytesEnd)).")
        }
        if let client = clientUsage {
            notes.append(String(format: "fleet-bench itself: %.0f%% of a core.", client.cores * 100))
        }
        return (lines + [""] + notes).joined(separator: "\n")
    }

    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
