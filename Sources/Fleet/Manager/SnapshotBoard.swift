import Synchronization

/// The latest snapshot of every cluster, readable without an actor hop: dry runs
/// and placement plans read it, cluster actors replace their entry.
final class SnapshotBoard: Sendable {
    private let snapshots: Mutex<[ClusterName: ClusterSnapshot]>

    init() {
        snapshots = Mutex([:])
    }

    func update(_ snapshot: ClusterSnapshot) {
        snapshots.withLock { $0[snapshot.name] = snapshot }
    }

    /// Every cluster's snapshot, in name order.
    var all: [ClusterSnapshot] {
        snapshots.withLock { $0.values.sorted { $0.name < $1.name } }
    }

    subscript(name: ClusterName) -> ClusterSnapshot? {
        snapshots.withLock { $0[name] }
    }
}
