import Testing
@testable import Fleet

@Suite struct PriorityWorkQueueTests {
    let start = ContinuousClock.now

    @Test func highBeforeMediumBeforeLowAndFIFOWithin() {
        var queue = PriorityWorkQueue<String>(agingInterval: .seconds(60))
        queue.enqueue("low-1", priority: .low, at: start)
        queue.enqueue("high-1", priority: .high, at: start)
        queue.enqueue("medium-1", priority: .medium, at: start)
        queue.enqueue("high-2", priority: .high, at: start)
        queue.enqueue("low-2", priority: .low, at: start)
        #expect(queue.ordered(at: start).map(\.item) == ["high-1", "high-2", "medium-1", "low-1", "low-2"])
        #expect(queue.position(where: { $0 == "medium-1" }, at: start) == 3)
        #expect(queue.depthByPriority == [.high: 2, .medium: 1, .low: 2])
    }

    @Test func lowWorkAgesPastNewerHighWork() {
        var queue = PriorityWorkQueue<String>(agingInterval: .seconds(60))
        queue.enqueue("old-low", priority: .low, at: start)
        let later = start.advanced(by: .seconds(61))
        queue.enqueue("new-high", priority: .high, at: later)
        queue.enqueue("new-medium", priority: .medium, at: later)
        // One interval: LOW competes as MEDIUM and was there first.
        #expect(queue.ordered(at: later).map(\.item) == ["new-high", "old-low", "new-medium"])
        // Two intervals: as HIGH, ahead of every newer entry.
        #expect(queue.ordered(at: start.advanced(by: .seconds(121))).map(\.item) == ["old-low", "new-high", "new-medium"])
    }

    @Test func removeTakesOnlyTheMatchingEntry() {
        var queue = PriorityWorkQueue<Int>()
        for i in 0..<5 { queue.enqueue(i, priority: .medium, at: start) }
        #expect(queue.remove { $0 == 2 } == 2)
        #expect(queue.remove { $0 == 2 } == nil)
        #expect(queue.ordered(at: start).map(\.item) == [0, 1, 3, 4])
    }
}
