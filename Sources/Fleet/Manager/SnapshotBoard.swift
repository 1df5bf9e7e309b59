import Synchronization

/// The latest snapshot of every cluster, readable without an actor hop: dry runs
/// and placement plans read it, cluster actors replace their entry.
final class SnapshotBoard: Sendable {
    /// Kept in name order, because every placement reads them all in that order and
    /// reads far outnumber updates.
    private let snapshots: Mutex<[ClusterSnapshot]>
    private let roomUpdates = Atomic(0)

    init() {
        snapshots = Mutex([])
    }

    /// How many updates so far may have added room somewhere: a pass over the queue that
    /// sees it change knows that work it already skipped may fit now.
    var roomRevision: Int { roomUpdates.load(ordering: .sequentiallyConsistent) }

    func update(_ snapshot: ClusterSnapshot, mayAddRoom: Bool = false) {
        // Counted before the snapshot is visible: whoever reads the new snapshot then reads
        // the new revision.
        if mayAddRoom { roomUpdates.add(1, ordering: .sequentiallyConsistent) }
        snapshots.withLock { snapshots in
            let index = Self.insertionIndex(of: snapshot.name, in: snapshots)
            if index < snapshots.count && snapshots[index].name == snapshot.name {
                snapshots[index] = snapshot
            } else {
                snapshots.insert(snapshot, at: index)
            }
        }
    }

    /// Every cluster's snapshot, in name order.
    var all: [ClusterSnapshot] {
        snapshots.withLock { $0 }
    }

    subscript(name: ClusterName) -> ClusterSnapshot? {
        snapshots.withLock { snapshots in
            let index = Self.insertionIndex(of: name, in: snapshots)
            return index < snapshots.count && snapshots[index].name == name ? snapshots[index] : nil
        }
    }

    /// Where `name` is or would go in name order.
    private static func insertionIndex(of name: ClusterName, in snapshots: [ClusterSnapshot]) -> Int {
        var low = 0
        var high = snapshots.count
        while low < high {
            let middle = (low + high) / 2
            if snapshots[middle].name < name { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
