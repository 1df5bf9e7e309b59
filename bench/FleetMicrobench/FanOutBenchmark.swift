import Fleet
import Synchronization

/// One hub, N subscribers each waiting in its own task; times publish-to-all-received.
enum FanOutBenchmark {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    static func run(subscribers: Int, rounds: Int, capacities: [ClusterCapacity]) async -> Samples {
        let hub = CapacityHub()
        hub.publish(capacities[0])
        let subscriptions = (0..<subscribers).map { _ in hub.subscribe() }
        for subscription in subscriptions { _ = await subscription.next() }
        var samples = Samples()
        let clock = ContinuousClock()
        for round in 0..<rounds {
            let received = Counter()
            let elapsed: Duration = await withTaskGroup(of: Void.self) { group in
                for subscription in subscriptions {
                    group.addTask {
                        _ = await subscription.next()
                        received.value.add(1, ordering: .relaxed)
                    }
                }
                // Give every reader time to park in next() before the clock starts.
                try? await Task.sleep(for: .milliseconds(50))
                let start = clock.now
                var changed = capacities[round % capacities.count]
                changed.cpuMillis.requested += Int64(round + 1)
                hub.publish(changed)
                await group.waitForAll()
                return clock.now - start
            }
            precondition(received.value.load(ordering: .relaxed) == subscribers, "a subscriber missed the update")
            samples.record(elapsed)
        }
        for subscription in subscriptions { subscription.finish() }
        return samples
    }
}
