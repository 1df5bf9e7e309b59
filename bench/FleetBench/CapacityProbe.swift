import Protos
import Synchronization

/// The driver's own WatchCapacity stream: it learns the revision of each change the
/// driver makes by watching the changed cluster's requested CPU reach the value the
/// change must give it.
final class CapacityProbe: Sendable {
    private struct State {
        var latestRevision: UInt64 = 0
        /// Per cluster: (revision, requested CPU millicores) in arrival order.
        var history: [String: [(revision: UInt64, requested: Int64)]] = [:]
        var snapshotSeen = false
    }

    private let state = Mutex(State())

    func apply(_ update: Fleet_V1_CapacityUpdate) {
        state.withLock { state in
            if update.kind == .snapshot { state.snapshotSeen = true }
            state.latestRevision = max(state.latestRevision, update.revision)
            for cluster in update.clusters {
                state.history[cluster.cluster, default: []].append((update.revision, cluster.cpuMillis?.requested ?? 0))
            }
        }
    }

    var snapshotSeen: Bool { state.withLock { $0.snapshotSeen } }
    var latestRevision: UInt64 { state.withLock { $0.latestRevision } }

    /// The cluster's requested CPU as of `revision`.
    func requested(in cluster: String, asOf revision: UInt64) -> Int64? {
        state.withLock { state in
            state.history[cluster]?.last { $0.revision <= revision }?.requested
        }
    }

    /// The first revision after `baseline` at which the cluster's requested CPU is `value`.
    func revision(where cluster: String, requested value: Int64, after baseline: UInt64) -> UInt64? {
        state.withLock { state in
            state.history[cluster]?.first { $0.revision > baseline && $0.requested == value }?.revision
        }
    }

    /// Polls for ``revision(where:requested:after:)`` every millisecond, until `timeout`.
    func waitForRevision(where cluster: String, requested value: Int64, after baseline: UInt64, timeout: Duration) async -> UInt64? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if let found = revision(where: cluster, requested: value, after: baseline) { return found }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return revision(where: cluster, requested: value, after: baseline)
    }
}
