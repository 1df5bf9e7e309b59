@testable import HTTP2Transport
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// ConnectionDeadlines on a real event loop: what fires, in which order, and what never does.
@Suite struct ConnectionDeadlinesTests {
    private static func withLoop(_ body: (any EventLoop, ConnectionDeadlines) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        try await body(loop, ConnectionDeadlines(loop: loop))
        try await group.shutdownGracefully()
    }

    private static func waitUntil(_ condition: () -> Bool) async throws {
        let end = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func deadlinesFireInDueOrderAndCancelledOnesNever() async throws {
        try await Self.withLoop { loop, deadlines in
            let fired = Mutex<[Int]>([])
            // Distinct delays, scheduled out of order; every third one is cancelled.
            let delays = (0..<60).map { 20 + ($0 * 37) % 60 * 4 }
            let expected = try await loop.submit {
                var kept: [Int] = []
                for (i, delay) in delays.enumerated() {
                    let deadline = deadlines.schedule(after: .milliseconds(delay)) { fired.withLock { $0.append(delay) } }
                    if i % 3 == 0 { deadline.cancel() } else { kept.append(delay) }
                }
                return kept.sorted()
            }.get()
            try await Self.waitUntil { fired.withLock { $0.count } == expected.count }
            try await Task.sleep(for: .milliseconds(100))
            #expect(fired.withLock { $0 } == expected)
            #expect(try await loop.submit { deadlines.pendingCount }.get() == 0)
        }
    }

    @Test func anEarlierDeadlineAfterALaterOneIsNotKeptWaiting() async throws {
        try await Self.withLoop { loop, deadlines in
            let fired = Mutex(false)
            let scheduled = ContinuousClock.now
            try await loop.submit {
                _ = deadlines.schedule(after: .seconds(30)) {}
                _ = deadlines.schedule(after: .milliseconds(20)) { fired.withLock { $0 = true } }
            }.get()
            try await Self.waitUntil { fired.withLock { $0 } }
            #expect(fired.withLock { $0 })
            #expect(ContinuousClock.now - scheduled < .seconds(5))
            #expect(try await loop.submit { deadlines.pendingCount }.get() == 1)
        }
    }

    @Test func aCancelFromAnotherThreadStopsTheDeadline() async throws {
        try await Self.withLoop { loop, deadlines in
            let fired = Mutex(0)
            // Scheduled and cancelled off the loop: both hop onto it, in order.
            for _ in 0..<20 {
                deadlines.schedule(after: .milliseconds(30)) { fired.withLock { $0 += 1 } }.cancel()
            }
            let kept = deadlines.schedule(after: .milliseconds(60)) { fired.withLock { $0 += 100 } }
            try await Self.waitUntil { fired.withLock { $0 } >= 100 }
            try await Task.sleep(for: .milliseconds(50))
            #expect(fired.withLock { $0 } == 100)
            kept.cancel()  // after it fired: a no-op
            #expect(try await loop.submit { deadlines.pendingCount }.get() == 0)
        }
    }

    @Test func removeAllDropsEveryPendingDeadline() async throws {
        try await Self.withLoop { loop, deadlines in
            let fired = Mutex(0)
            try await loop.submit {
                for i in 0..<10 { _ = deadlines.schedule(after: .milliseconds(10 + i)) { fired.withLock { $0 += 1 } } }
                deadlines.removeAll()
            }.get()
            try await Task.sleep(for: .milliseconds(100))
            #expect(fired.withLock { $0 } == 0)
        }
    }

    @Test func aTimeoutBeyondWhatNIOCanCountIsClampedNotATrap() async throws {
        try await Self.withLoop { loop, deadlines in
            let pending = try await loop.submit {
                _ = deadlines.schedule(after: .seconds(99_999_999 * 3600)) {}
                return deadlines.pendingCount
            }.get()
            #expect(pending == 1)
        }
    }
}
