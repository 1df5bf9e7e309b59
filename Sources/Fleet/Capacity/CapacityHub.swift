public import Foundation
import Synchronization

/// Fans capacity changes out to subscribers. Every change gets the next revision; a
/// bounded history lets subscribers resume from a recent revision.
///
/// Each subscriber's buffer holds at most one entry per cluster: a slow subscriber
/// gets the latest state of each cluster that changed (conflation), never an
/// unbounded backlog, and never slows the publisher or the other subscribers.
///
/// A publisher only records the change; one fan-out task at a time offers recorded
/// changes to the subscribers, in revision order, so a Deploy does not wait for ten
/// thousand subscribers to be offered the capacity it took.
public final class CapacityHub: Sendable {
    struct Change {
        var revision: UInt64
        var cluster: ClusterName
        /// nil when the cluster left the fleet.
        var capacity: ClusterCapacity?
        /// When the hub recorded it.
        var recordedAt: Date
    }

    private struct State {
        var revision: UInt64
        var current: [ClusterName: ClusterCapacity] = [:]
        var history: [Change] = []
        var historyStart = 0
        var subscribers: [UInt64: CapacitySubscription] = [:]
        var nextSubscriberID: UInt64 = 0
        /// Recorded, not yet offered to the subscribers.
        var unoffered: [Change] = []
        var fanningOut = false
        var waitingForFanOut: [CheckedContinuation<Void, Never>] = []

        /// The oldest revision that can be resumed from: every later change is in history.
        var oldestResumable: UInt64 {
            history.isEmpty ? revision : history[historyStart].revision - 1
        }
    }

    private let state: Mutex<State>
    private let historyLimit: Int

    /// - Parameter initialRevision: where revisions start. Starting from the wall clock
    ///   keeps revisions increasing across restarts, so a resume from before a restart
    ///   is recognised as too old.
    public init(initialRevision: UInt64 = 0, historyLimit: Int = 4096) {
        precondition(historyLimit > 0)
        state = Mutex(State(revision: initialRevision))
        self.historyLimit = historyLimit
    }

    public var revision: UInt64 { state.withLock { $0.revision } }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    public func snapshot(matching filter: CapacityFilter = .all) -> (revision: UInt64, clusters: [ClusterCapacity]) {
        state.withLock { state in
            (state.revision, Self.sorted(state.current.values.filter(filter.matches)))
        }
    }

    /// When the change of `revision` was recorded, while it is still in history.
    public func timeOfChange(revision: UInt64) -> Date? {
        state.withLock { state in
            let history = state.history[state.historyStart...]
            var low = history.startIndex
            var high = history.endIndex
            while low < high {
                let middle = (low + high) / 2
                if history[middle].revision < revision { low = middle + 1 } else { high = middle }
            }
            return low < history.endIndex && history[low].revision == revision ? history[low].recordedAt : nil
        }
    }

    /// Records a cluster's new capacity; does nothing when it did not change.
    public func publish(_ capacity: ClusterCapacity) {
        record(cluster: capacity.cluster.name, capacity: capacity)
    }

    public func removeCluster(named name: ClusterName) {
        record(cluster: name, capacity: nil)
    }

    private func record(cluster: ClusterName, capacity: ClusterCapacity?) {
        let startFanOut = state.withLock { state -> Bool in
            guard state.current[cluster] != capacity else { return false }
            state.revision += 1
            state.current[cluster] = capacity
            let change = Change(revision: state.revision, cluster: cluster, capacity: capacity, recordedAt: Date())
            Self.appendToHistory(change, in: &state, limit: historyLimit)
            state.unoffered.append(change)
            guard !state.fanningOut else { return false }
            state.fanningOut = true
            return true
        }
        if startFanOut { Task.detached { self.fanOut() } }
    }

    /// Offers recorded changes until none is left. A subscription started after a change
    /// was recorded has it in its snapshot already, and ignores the offer.
    private func fanOut() {
        while let batch = nextBatch() {
            for change in batch.changes {
                for subscriber in batch.subscribers { subscriber.offer(change) }
            }
        }
    }

    /// The changes to offer next and whom to offer them; nil, ending the fan-out, when
    /// there are none.
    private func nextBatch() -> (changes: [Change], subscribers: [CapacitySubscription])? {
        let (batch, waiters) = state.withLock { state -> ((changes: [Change], subscribers: [CapacitySubscription])?, [CheckedContinuation<Void, Never>]) in
            guard !state.unoffered.isEmpty else {
                state.fanningOut = false
                defer { state.waitingForFanOut = [] }
                return (nil, state.waitingForFanOut)
            }
            defer { state.unoffered.removeAll(keepingCapacity: true) }
            return ((state.unoffered, Array(state.subscribers.values)), [])
        }
        for waiter in waiters { waiter.resume() }
        return batch
    }

    /// Returns once every change recorded so far has been offered to the subscribers.
    public func fannedOut() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                guard state.fanningOut else { return true }
                state.waitingForFanOut.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private static func appendToHistory(_ change: Change, in state: inout State, limit: Int) {
        state.history.append(change)
        if state.history.count - state.historyStart > limit {
            state.historyStart += 1
            if state.historyStart >= limit {
                state.history.removeFirst(state.historyStart)
                state.historyStart = 0
            }
        }
    }

    /// Starts a subscription. Its first update is a snapshot, unless `resumeAfter`
    /// names a revision still in history: then it is a delta of what changed since
    /// (or nothing, if nothing did).
    public func subscribe(matching filter: CapacityFilter = .all, resumeAfter: UInt64 = 0,
                          heartbeatInterval: Duration = .seconds(15), now: ContinuousClock.Instant = .now) -> CapacitySubscription {
        state.withLock { state in
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            let subscription = CapacitySubscription(id: id, filter: filter, heartbeatInterval: heartbeatInterval, now: now) { [weak self] id in
                self?.unsubscribe(id)
            }
            let canResume = resumeAfter > 0 && resumeAfter >= state.oldestResumable && resumeAfter <= state.revision
            if canResume {
                let visible = Set(state.current.values.filter(filter.matches).map(\.cluster.name))
                subscription.start(visible: visible, revision: state.revision)
                for change in state.history[state.historyStart...] where change.revision > resumeAfter {
                    subscription.offer(change, replaying: true)
                }
            } else {
                let clusters = Self.sorted(state.current.values.filter(filter.matches))
                subscription.start(snapshot: .snapshot(revision: state.revision, clusters: clusters, reset: resumeAfter > 0))
            }
            state.subscribers[id] = subscription
            return subscription
        }
    }

    /// Wakes every subscriber that has received nothing for its heartbeat interval.
    /// One ticker calls this for all subscribers.
    public func emitHeartbeats(now: ContinuousClock.Instant = .now) {
        let (revision, subscribers) = state.withLock { ($0.revision, Array($0.subscribers.values)) }
        for subscriber in subscribers {
            subscriber.heartbeatIfIdle(revision: revision, now: now)
        }
    }

    private func unsubscribe(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    private static func sorted(_ clusters: some Sequence<ClusterCapacity>) -> [ClusterCapacity] {
        clusters.sorted { $0.cluster.name < $1.cluster.name }
    }
}
