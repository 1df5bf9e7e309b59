import Synchronization
import Testing
@testable import Fleet

/// The push side of a subscription, as WatchCapacity uses it: deliveries while the reader
/// waits go through the push hook, and an update the pusher cannot deliver goes to the
/// reader.
@Suite struct CapacityPushTests {
    static func capacity(_ name: ClusterName, usedGPUs: Int64 = 0) -> ClusterCapacity {
        CapacityHubTests.capacity(name, usedGPUs: usedGPUs)
    }

    /// Counts push-hook calls.
    final class PushCounter: Sendable {
        private let count = Mutex(0)
        var calls: Int { count.withLock { $0 } }
        func hook() -> @Sendable () -> Void { { self.count.withLock { $0 += 1 } } }
    }

    /// A subscription whose snapshot was read and whose reader now waits in `next()`.
    static func waitingSubscription(_ hub: CapacityHub) async -> (CapacitySubscription, Task<CapacityUpdate?, Never>) {
        let subscription = hub.subscribe()
        _ = await subscription.next()
        let reader = Task { await subscription.next() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !subscription.isReaderWaiting, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
        return (subscription, reader)
    }

    @Test func changesWhileTheReaderWaitsGoToThePusherConflatedAndOnce() async {
        let hub = CapacityHub()
        hub.publish(Self.capacity("a"))
        let (subscription, reader) = await Self.waitingSubscription(hub)
        let pushes = PushCounter()
        subscription.enablePush(pushes.hook())
        for used in 1...3 { hub.publish(Self.capacity("a", usedGPUs: Int64(used))) }
        await hub.fannedOut()
        #expect(pushes.calls == 1)
        #expect(subscription.takeForPush() == .delta(revision: 4, changed: [Self.capacity("a", usedGPUs: 3)], removed: []))
        #expect(subscription.takeForPush() == nil)
        hub.publish(Self.capacity("b"))
        await hub.fannedOut()
        #expect(pushes.calls == 2)
        subscription.finish()
        #expect(await reader.value == nil)
        #expect(subscription.takeForPush() == nil)
    }

    @Test func anUpdateThePusherCannotDeliverReachesTheReaderAndLaterChangesWaitForIt() async {
        let hub = CapacityHub()
        hub.publish(Self.capacity("a"))
        let (subscription, reader) = await Self.waitingSubscription(hub)
        let pushes = PushCounter()
        subscription.enablePush(pushes.hook())
        hub.publish(Self.capacity("a", usedGPUs: 1))
        await hub.fannedOut()
        guard let taken = subscription.takeForPush() else {
            Issue.record("expected an update to push")
            return
        }
        subscription.handToReader(taken)
        #expect(await reader.value == taken)

        // The reader is busy writing: changes neither call the hook nor can be taken.
        hub.publish(Self.capacity("a", usedGPUs: 2))
        hub.publish(Self.capacity("b"))
        await hub.fannedOut()
        #expect(pushes.calls == 1)
        #expect(subscription.takeForPush() == nil)
        #expect(await subscription.next() == .delta(revision: 4, changed: [Self.capacity("a", usedGPUs: 2), Self.capacity("b")], removed: []))
        subscription.finish()
    }

    @Test func pendingUpdatesWhenPushIsEnabledAreLeftToTheReaderThatIsNotWaiting() async {
        let hub = CapacityHub()
        hub.publish(Self.capacity("a"))
        let subscription = hub.subscribe()
        let pushes = PushCounter()
        subscription.enablePush(pushes.hook())
        #expect(pushes.calls == 0)
        #expect(subscription.takeForPush() == nil)
        guard case .snapshot = await subscription.next() else {
            Issue.record("expected the snapshot from the reader")
            return
        }
        subscription.finish()
    }
}
