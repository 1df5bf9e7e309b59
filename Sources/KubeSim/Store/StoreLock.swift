import Glibc

/// The object store's lock: a plain pthread mutex around its state.
///
/// Synchronization's `Mutex` spins about a thousand times before it sleeps. kubesim's
/// event loops and controllers all take the store's one lock, and when the simulator is
/// pinned to one core (as the benchmarks run it) a waiter's spin only delays the holder:
/// perf showed that spin as 9% of the simulator's CPU. A pthread mutex sleeps at once.
final class StoreLock<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result, Failure: Error>(_ body: (inout State) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
