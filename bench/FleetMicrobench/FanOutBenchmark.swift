import Fleet
import Synchronization

/// One hub, N subscribers each waiting in its own task; times publish-to-all-received.
///
/// The readers are unstructured tasks: a task group with thousands of children spends
/// most of its time in the runtime's child bookkeeping, which would be measured instead
/// of the hub.
enum FanOutBenchmark {
    /// Counts arrivals and wakes the waiter when the last subscriber has its update.
    final class Arrivals: Sendable {
        private struct State {
            var remaining: Int
            var waiter: CheckedContinuation<Void, Never>?
        }

        private let state: Mutex<State>

        init(expecting count: Int) {
            state = Mutex(State(remaining: count))
        }

        func arrived() {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                state.remaining -= 1
                guard state.remaining == 0 else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func waitForAll() async {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if state.remaining == 0 { return true }
                    state.waiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }

    static func run(subscribers: Int, rounds: Int, capacities: [ClusterCapacity]) async -> Samples {
        let hub = CapacityHub()
        hub.publish(capacities[0])
        let subscriptions = (0..<subscribers).map { _ in hub.subscribe() }
        for subscription in subscriptions { _ = await subscription.next() }
        var samples = Samples()
        let clock = ContinuousClock()
        for round in 0..<rounds {
            let arrivals = Arrivals(expecting: subscribers)
            let readers = subscriptions.map { subscription in
                Task {
                    _ = await subscription.next()
                    arrivals.arrived()
                }
            }
            // Give every reader time to park in next() before the clock starts.
            try? await Task.sleep(for: .milliseconds(50))
            let start = clock.now
            var changed = capacities[round % capacities.count]
            changed.cpuMillis.requested += Int64(round + 1)
            hub.publish(changed)
            await arrivals.waitForAll()
            samples.record(clock.now - start)
            for reader in readers { await reader.value }
        }
        for subscription in subscriptions { subscription.finish() }
        return samples
    }
}
