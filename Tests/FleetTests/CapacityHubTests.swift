import Foundation
import Testing
@testable import Fleet

@Suite struct CapacityHubTests {
    typealias F = Fixtures

    static func capacity(_ name: ClusterName, cloud: Cloud = .gke, usedGPUs: Int64 = 0) -> ClusterCapacity {
        F.snapshot(F.descriptor(name, cloud: cloud), nodes: [F.gpuNode("\(name)-g1")],
                   requests: usedGPUs > 0 ? [("\(name)-g1", ResourceVector(accelerators: usedGPUs, pods: 1))] : []).capacity
    }

    @Test func snapshotThenDeltasWithRevisions() async {
        let hub = CapacityHub(initialRevision: 100)
        hub.publish(Self.capacity("a"))
        hub.publish(Self.capacity("b", cloud: .aks))
        let subscription = hub.subscribe(matching: CapacityFilter(clouds: [.gke]))
        guard case .snapshot(let revision, let clusters, let reset) = await subscription.next() else {
            Issue.record("expected a snapshot"); return
        }
        #expect(revision == 102)
        #expect(clusters.map(\.cluster.name) == ["a"])
        #expect(!reset)

        hub.publish(Self.capacity("b", cloud: .aks, usedGPUs: 1))  // filtered out
        hub.publish(Self.capacity("a", usedGPUs: 2))
        let delta = await subscription.next()
        #expect(delta == .delta(revision: 104, changed: [Self.capacity("a", usedGPUs: 2)], removed: []))
        subscription.finish()
        #expect(hub.subscriberCount == 0)
    }

    @Test func publishingTheSameCapacityIsNotAChange() {
        let hub = CapacityHub()
        hub.publish(Self.capacity("a"))
        hub.publish(Self.capacity("a"))
        #expect(hub.revision == 1)
    }

    @Test func aSlowSubscriberGetsTheLatestStatePerClusterOnly() async {
        let hub = CapacityHub()
        hub.publish(Self.capacity("a"))
        let slow = hub.subscribe()
        _ = await slow.next()
        for used in 1...8 { hub.publish(Self.capacity("a", usedGPUs: Int64(used))) }
        hub.publish(Self.capacity("b"))
        await hub.fannedOut()
        let update = await slow.next()
        #expect(update == .delta(revision: 10, changed: [Self.capacity("a", usedGPUs: 8), Self.capacity("b")], removed: []))
        slow.finish()
    }

    @Test func resumeReplaysRecentChangesAndResetsWhenTooOld() async {
        let hub = CapacityHub(historyLimit: 4)
        for used in 0..<3 { hub.publish(Self.capacity("a", usedGPUs: Int64(used))) }  // revisions 1...3
        hub.publish(Self.capacity("b"))                                               // 4
        let resumed = hub.subscribe(resumeAfter: 3)
        #expect(await resumed.next() == .delta(revision: 4, changed: [Self.capacity("b")], removed: []))
        resumed.finish()

        for used in 3..<8 { hub.publish(Self.capacity("a", usedGPUs: Int64(used))) }  // 5...9; history keeps 6...9
        let tooOld = hub.subscribe(resumeAfter: 3)
        guard case .snapshot(9, let clusters, true) = await tooOld.next() else {
            Issue.record("expected a reset snapshot at revision 9"); return
        }
        #expect(clusters.map(\.cluster.name) == ["a", "b"])
        tooOld.finish()

        let fromTheFuture = hub.subscribe(resumeAfter: 1_000)
        guard case .snapshot(_, _, true) = await fromTheFuture.next() else {
            Issue.record("a revision from before a restart must get a reset snapshot"); return
        }
        fromTheFuture.finish()
    }

    @Test func aClusterThatStopsMatchingIsReportedRemoved() async {
        let hub = CapacityHub()
        hub.publish(Self.capacity("a"))
        let subscription = hub.subscribe(matching: CapacityFilter(acceleratorTypes: ["nvidia-tesla-a100"]))
        _ = await subscription.next()
        // The GPU pool is gone: the cluster no longer has the accelerator type.
        hub.publish(F.snapshot(F.descriptor("a"), nodes: [F.cpuNode("c1")]).capacity)
        #expect(await subscription.next() == .delta(revision: 2, changed: [], removed: ["a"]))
        hub.removeCluster(named: "a")
        hub.publish(Self.capacity("z"))
        #expect(await subscription.next() == .delta(revision: 4, changed: [Self.capacity("z")], removed: []))
        subscription.finish()
    }

    @Test func heartbeatsOnlyForIdleSubscribers() async {
        let hub = CapacityHub()
        let start = ContinuousClock.now
        let subscription = hub.subscribe(heartbeatInterval: .seconds(5), now: start)
        _ = await subscription.next()
        hub.emitHeartbeats(now: start.advanced(by: .seconds(1)))
        hub.publish(Self.capacity("a"))
        #expect(await subscription.next() == .delta(revision: 1, changed: [Self.capacity("a")], removed: []))
        hub.emitHeartbeats(now: .now.advanced(by: .seconds(6)))
        #expect(await subscription.next() == .heartbeat(revision: 1))
        subscription.finish()
    }

    @Test func cancellingTheReaderUnsubscribes() async {
        let hub = CapacityHub()
        let subscription = hub.subscribe()
        _ = await subscription.next()
        let reader = Task { await subscription.next() }
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(hub.subscriberCount == 0)
    }

    @Test func aSubscriptionStartedBeforeAChangeIsFannedOutDoesNotGetItTwice() async {
        let hub = CapacityHub()
        for used in 1...200 {
            hub.publish(Self.capacity("a", usedGPUs: Int64(used)))
            let subscription = hub.subscribe()
            guard case .snapshot(let revision, let clusters, false) = await subscription.next() else {
                Issue.record("expected a snapshot first")
                return
            }
            #expect(clusters == [Self.capacity("a", usedGPUs: Int64(used))])
            await hub.fannedOut()
            hub.publish(Self.capacity(ClusterName("marker-\(used)")))
            #expect(await subscription.next() == .delta(revision: revision + 1, changed: [Self.capacity(ClusterName("marker-\(used)"))], removed: []))
            subscription.finish()
            hub.removeCluster(named: ClusterName("marker-\(used)"))
        }
    }

    @Test func remembersWhenEachChangeInHistoryWasRecorded() {
        let hub = CapacityHub(initialRevision: 40, historyLimit: 2)
        let before = Date()
        for used in 1...3 { hub.publish(Self.capacity("a", usedGPUs: Int64(used))) }  // 41...43; history keeps 42, 43
        let after = Date()
        #expect(hub.timeOfChange(revision: 41) == nil)
        for revision: UInt64 in [42, 43] {
            guard let recorded = hub.timeOfChange(revision: revision) else {
                Issue.record("no time for revision \(revision)")
                continue
            }
            #expect(recorded >= before && recorded <= after)
        }
        #expect(hub.timeOfChange(revision: 44) == nil)
    }

    @Test func aPublisherReturnsBeforeTheFanOutAndFannedOutWaitsForIt() async {
        let hub = CapacityHub()
        let subscriptions = (0..<2_000).map { _ in hub.subscribe() }
        for subscription in subscriptions { _ = await subscription.next() }
        for used in 1...5 { hub.publish(Self.capacity("a", usedGPUs: Int64(used))) }
        await hub.fannedOut()
        for subscription in subscriptions {
            guard case .delta(5, let changed, []) = await subscription.next() else {
                Issue.record("expected every change offered by the time fannedOut returns")
                return
            }
            #expect(changed == [Self.capacity("a", usedGPUs: 5)])
            subscription.finish()
        }
    }

    @Test func manyWaitingSubscribersAllReceiveAChange() async {
        let hub = CapacityHub()
        let subscriptions = (0..<200).map { _ in hub.subscribe() }
        for subscription in subscriptions { _ = await subscription.next() }
        await withTaskGroup(of: CapacityUpdate?.self) { group in
            for subscription in subscriptions { group.addTask { await subscription.next() } }
            try? await Task.sleep(for: .milliseconds(20))
            hub.publish(Self.capacity("a"))
            var received = 0
            for await update in group where update?.revision == 1 { received += 1 }
            #expect(received == 200)
        }
        for subscription in subscriptions { subscription.finish() }
    }
}
