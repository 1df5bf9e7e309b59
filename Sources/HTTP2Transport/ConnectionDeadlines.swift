import NIOCore
import RPCServer

/// The call deadlines (`grpc-timeout`) of one connection, on its event loop.
///
/// Almost every call ends long before its deadline, so the common path is a schedule and a
/// cancel. Here both are a step in a binary heap whose entries know their own index: no
/// lock, no promise, no search. One event-loop timer is armed for the earliest deadline,
/// and only re-armed when a new deadline comes earlier than it. When the earliest call ends
/// first the armed timer is left as it is: it fires once, finds nothing due, and re-arms for
/// what is then the earliest.
final class ConnectionDeadlines: @unchecked Sendable {
    private let loop: any EventLoop
    private var heap = DeadlineHeap()
    private var armed: (at: NIODeadline, task: Scheduled<Void>)?

    init(loop: any EventLoop) {
        self.loop = loop
    }

    var pendingCount: Int { heap.count }

    /// Runs `body` on the loop once `delay` has passed, unless the returned deadline is
    /// cancelled first.
    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> CallDeadline {
        // NIO's deadline arithmetic saturates, so the largest `grpc-timeout` is a far future, not a trap.
        let deadline = CallDeadline(due: NIODeadline.now() + .nanoseconds(max(0, delay.clampedNanoseconds)), body: body, owner: self)
        if loop.inEventLoop {
            add(deadline)
        } else {
            loop.execute { self.add(deadline) }
        }
        return deadline
    }

    /// Drops every pending deadline without running it: the connection is gone.
    func removeAll() {
        heap.removeAll()
        armed?.task.cancel()
        armed = nil
    }

    fileprivate func cancel(_ deadline: CallDeadline) {
        if loop.inEventLoop {
            heap.remove(deadline)
        } else {
            loop.execute { self.heap.remove(deadline) }
        }
    }

    private func add(_ deadline: CallDeadline) {
        heap.insert(deadline)
        if let armed, armed.at <= deadline.due { return }
        arm(at: deadline.due)
    }

    private func arm(at due: NIODeadline) {
        armed?.task.cancel()
        armed = (due, loop.scheduleTask(deadline: due) { self.fire() })
    }

    private func fire() {
        armed = nil
        let now = NIODeadline.now()
        while let earliest = heap.earliest, earliest.due <= now {
            let body = earliest.body
            heap.remove(earliest)
            body?()
        }
        if let earliest = heap.earliest { arm(at: earliest.due) }
    }
}

/// One call's deadline on its connection. Cancelling it from any thread is safe: off the
/// loop, the cancel hops onto it.
final class CallDeadline: RPCScheduledTimer, @unchecked Sendable {
    let due: NIODeadline
    fileprivate private(set) var body: (@Sendable () -> Void)?
    private let owner: ConnectionDeadlines
    /// The entry's place in its heap; nil while not in one.
    fileprivate var heapIndex: Int?

    fileprivate init(due: NIODeadline, body: @escaping @Sendable () -> Void, owner: ConnectionDeadlines) {
        self.due = due
        self.body = body
        self.owner = owner
    }

    func cancel() { owner.cancel(self) }

    /// Out of the heap for good: the body, and what it holds, goes.
    fileprivate func detach() {
        heapIndex = nil
        body = nil
    }
}

/// A binary min-heap of deadlines by due time, whose entries record their own index.
struct DeadlineHeap {
    private var entries: [CallDeadline] = []

    var count: Int { entries.count }
    var earliest: CallDeadline? { entries.first }

    mutating func insert(_ deadline: CallDeadline) {
        guard deadline.heapIndex == nil else { return }
        entries.append(deadline)
        deadline.heapIndex = entries.count - 1
        siftUp(entries.count - 1)
    }

    /// Removes `deadline` if it is still here; a no-op when it already fired or was removed.
    mutating func remove(_ deadline: CallDeadline) {
        guard let index = deadline.heapIndex, index < entries.count, entries[index] === deadline else { return }
        let last = entries.count - 1
        if index != last {
            entries.swapAt(index, last)
            entries[index].heapIndex = index
        }
        entries.removeLast()
        deadline.detach()
        if index < entries.count {
            siftDown(index)
            siftUp(index)
        }
    }

    mutating func removeAll() {
        for entry in entries { entry.detach() }
        entries.removeAll()
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].due < entries[parent].due else { return }
            swap(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            let right = left + 1
            let smaller = right < entries.count && entries[right].due < entries[left].due ? right : left
            guard entries[smaller].due < entries[parent].due else { return }
            swap(parent, smaller)
            parent = smaller
        }
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        entries.swapAt(a, b)
        entries[a].heapIndex = a
        entries[b].heapIndex = b
    }
}
