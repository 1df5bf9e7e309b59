import Synchronization

/// One subscriber's conflating buffer, read as an async sequence of updates. Cancelling
/// the reading task or calling `finish()` unsubscribes; the hub holds every
/// subscription until then.
///
/// With ``enablePush(_:)``, updates reach the subscriber without waking its reader: while
/// the reader waits, a change calls the push hook, and the pusher takes updates with
/// ``takeForPush()``. When the pusher cannot deliver (its stream is full), it hands the
/// update back with ``handToReader(_:)``; the reader writes it, waiting as long as the
/// subscriber needs, and what changes meanwhile is conflated as usual.
public final class CapacitySubscription: AsyncSequence, Sendable {
    public typealias Element = CapacityUpdate

    private struct State {
        var initial: CapacityUpdate?
        /// Latest state of each changed cluster not yet delivered: at most one per cluster.
        var changed: [ClusterName: ClusterCapacity] = [:]
        var removed: Set<ClusterName> = []
        /// Clusters the subscriber currently sees, to report those that stop matching.
        var visible: Set<ClusterName> = []
        var revision: UInt64 = 0
        /// The revision the subscription started at: later live changes only are taken.
        var startRevision: UInt64 = 0
        var heartbeat: UInt64?
        var lastDelivery: ContinuousClock.Instant
        var waiter: CheckedContinuation<CapacityUpdate?, Never>?
        var push: (@Sendable () -> Void)?
        /// The push hook was called and the pusher has not taken updates since.
        var pushScheduled = false
        var finished = false

        var hasPending: Bool { initial != nil || !changed.isEmpty || !removed.isEmpty || heartbeat != nil }

        mutating func takePending(now: ContinuousClock.Instant) -> CapacityUpdate? {
            defer { lastDelivery = now }
            if let initial {
                self.initial = nil
                return initial
            }
            if !changed.isEmpty || !removed.isEmpty {
                // Most deltas carry one cluster: it moves out of the buffer, with no sort
                // and no copy (a copy retains every reference the capacity holds).
                let clusters = changed.count == 1 ? [changed.popFirst()!.value] : changed.values.sorted { $0.cluster.name < $1.cluster.name }
                let update = CapacityUpdate.delta(revision: revision, changed: clusters, removed: removed.isEmpty ? [] : removed.sorted())
                changed.removeAll(keepingCapacity: true)
                removed.removeAll(keepingCapacity: true)
                heartbeat = nil
                return update
            }
            if let heartbeat {
                self.heartbeat = nil
                return .heartbeat(revision: heartbeat)
            }
            return nil
        }
    }

    let id: UInt64
    public let filter: CapacityFilter
    public let heartbeatInterval: Duration
    private let state: Mutex<State>
    private let onTermination: @Sendable (UInt64) -> Void

    init(id: UInt64, filter: CapacityFilter, heartbeatInterval: Duration, now: ContinuousClock.Instant, onTermination: @escaping @Sendable (UInt64) -> Void) {
        self.id = id
        self.filter = filter
        self.heartbeatInterval = heartbeatInterval
        self.state = Mutex(State(lastDelivery: now))
        self.onTermination = onTermination
    }

    func start(snapshot: CapacityUpdate) {
        state.withLock { state in
            guard case .snapshot(let revision, let clusters, _) = snapshot else { return }
            state.initial = snapshot
            state.revision = revision
            state.startRevision = revision
            state.visible = Set(clusters.map(\.cluster.name))
        }
    }

    func start(visible: Set<ClusterName>, revision: UInt64) {
        state.withLock { state in
            state.visible = visible
            state.revision = revision
            state.startRevision = revision
        }
    }

    /// Buffers a change, replacing any undelivered state of the same cluster.
    func offer(_ change: CapacityHub.Change, replaying: Bool = false) {
        let waiter: PendingWake? = state.withLock { state in
            guard !state.finished, replaying || change.revision > state.startRevision else { return nil }
            let name = change.cluster
            if let capacity = change.capacity, filter.matches(capacity) {
                state.changed[name] = capacity
                state.removed.remove(name)
                state.visible.insert(name)
            } else if state.visible.remove(name) != nil || replaying {
                state.changed[name] = nil
                state.removed.insert(name)
            } else {
                return nil
            }
            state.revision = Swift.max(state.revision, change.revision)
            return Self.wakeWaiter(&state, now: .now)
        }
        waiter?.resume()
    }

    func heartbeatIfIdle(revision: UInt64, now: ContinuousClock.Instant) {
        let waiter: PendingWake? = state.withLock { state in
            guard !state.finished, !state.hasPending, state.lastDelivery.duration(to: now) >= heartbeatInterval else { return nil }
            state.heartbeat = revision
            return Self.wakeWaiter(&state, now: now)
        }
        waiter?.resume()
    }

    /// Who to wake about a pending update, woken outside the lock.
    private enum PendingWake {
        case reader(CheckedContinuation<CapacityUpdate?, Never>, CapacityUpdate?)
        case pusher(@Sendable () -> Void)

        func resume() {
            switch self {
            case .reader(let continuation, let update): continuation.resume(returning: update)
            case .pusher(let push): push()
            }
        }
    }

    private static func wakeWaiter(_ state: inout State, now: ContinuousClock.Instant) -> PendingWake? {
        guard let waiter = state.waiter else { return nil }
        if let push = state.push {
            guard !state.pushScheduled else { return nil }
            state.pushScheduled = true
            return .pusher(push)
        }
        state.waiter = nil
        return .reader(waiter, state.takePending(now: now))
    }

    /// Whether a reader is waiting in `next()`.
    var isReaderWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// From now on, while the reader waits, a pending update calls `push` (once until the
    /// next ``takeForPush()``) instead of waking the reader.
    public func enablePush(_ push: @escaping @Sendable () -> Void) {
        let wake: PendingWake? = state.withLock { state in
            state.push = push
            return state.hasPending ? Self.wakeWaiter(&state, now: .now) : nil
        }
        wake?.resume()
    }

    /// For the pusher: the next pending update, or nil when there is none, the reader is
    /// busy writing (it delivers what is pending itself), or the subscription ended.
    public func takeForPush() -> CapacityUpdate? {
        state.withLock { state in
            state.pushScheduled = false
            guard !state.finished, state.waiter != nil, state.hasPending else { return nil }
            return state.takePending(now: .now)
        }
    }

    /// For the pusher, with an update from ``takeForPush()`` that it could not deliver: the
    /// reader gets it, and the pusher is not called again until the reader waits again.
    public func handToReader(_ update: CapacityUpdate) {
        let waiter = state.withLock { state -> CheckedContinuation<CapacityUpdate?, Never>? in
            state.pushScheduled = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: update)
    }

    /// The next update, waiting until there is one; nil once the subscription ended.
    public func next() async -> CapacityUpdate? {
        if let ready = state.withLock({ state in state.finished || !state.hasPending ? nil : state.takePending(now: .now) }) {
            return ready
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: CapacityUpdate?? = state.withLock { state in
                    if state.finished || Task.isCancelled { return .some(nil) }
                    if state.hasPending { return .some(state.takePending(now: .now)) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            finish()
        }
    }

    /// Ends the subscription; a waiting `next()` returns nil.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<CapacityUpdate?, Never>? in
            state.finished = true
            state.push = nil
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
        onTermination(id)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: CapacitySubscription
        public mutating func next() async -> CapacityUpdate? { await subscription.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}
