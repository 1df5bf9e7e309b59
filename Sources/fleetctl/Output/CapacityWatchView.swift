import Protos

/// The fleet's capacity as a WatchCapacity stream tells it: a snapshot replaces everything,
/// a delta replaces the clusters it names and drops the removed ones, a heartbeat changes nothing.
struct CapacityWatchView {
    private(set) var clusters: [String: Fleet_V1_ClusterCapacity] = [:]
    private(set) var revision: UInt64 = 0
    private(set) var lastUpdate: Fleet_V1_CapacityUpdate?

    mutating func apply(_ update: Fleet_V1_CapacityUpdate) {
        if update.kind == .snapshot { clusters = [:] }
        for cluster in update.clusters { clusters[cluster.cluster] = cluster }
        for name in update.removedClusters { clusters[name] = nil }
        revision = update.revision
        lastUpdate = update
    }

    /// The whole screen for a terminal: a status line, then the capacity table.
    func screen() -> String {
        var status = "revision \(revision)"
        if let update = lastUpdate {
            status += " · last \(FleetTables.short(update.kind))"
            if update.reset { status += " (resumed too late: fresh snapshot)" }
            if let time = update.time { status += " at \(Timestamps.rfc3339(time))" }
        }
        return status + "\n\n" + FleetTables.capacity(Array(clusters.values)) + "\n"
    }

    /// Plain lines for a pipe or a file: one per cluster that changed, or one for a heartbeat.
    static func lines(for update: Fleet_V1_CapacityUpdate) -> [String] {
        let head = "revision=\(update.revision) kind=\(FleetTables.short(update.kind))" + (update.reset ? " reset=true" : "")
        guard !update.clusters.isEmpty || !update.removedClusters.isEmpty else { return [head] }
        var lines = update.clusters.sorted { $0.cluster < $1.cluster }.map { c in
            var line = head + " cluster=\(c.cluster) health=\(FleetTables.short(c.health)) nodes=\(c.readyNodes)/\(c.nodes)"
            if let cpu = c.cpuMillis { line += " cpu_free=\(Quantities.formatCPU(millis: cpu.free))" }
            if let memory = c.memoryBytes { line += " memory_free=\(Quantities.formatBytes(memory.free))" }
            for a in c.accelerators { line += " \(a.type)_free=\(a.devices?.free ?? 0)" }
            return line
        }
        lines += update.removedClusters.map { head + " cluster=\($0) removed=true" }
        return lines
    }
}
