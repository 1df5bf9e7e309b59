public import Foundation
import Dispatch
import Synchronization

/// The time a simulated cluster lives in: Job run times, CronJob schedules and object
/// timestamps all read it. Either manual (tests advance it) or following the wall clock,
/// optionally sped up; either way `advance(by:)` jumps it forward.
public final class SimulationClock: Sendable {
    private struct Timer {
        let id: Int
        let deadline: Date
        let action: @Sendable () -> Void
    }

    private struct State {
        var manualNow: Date?
        /// Wall mode: simulated time = origin + (wall elapsed since start) * speed + offset.
        var offset: TimeInterval = 0
        var timers: [Timer] = []
        var nextID = 0
    }

    private let state: Mutex<State>
    private let wallStart: Date
    private let origin: Date
    public let speed: Double

    private init(manualStart: Date?, speed: Double) {
        state = Mutex(State(manualNow: manualStart))
        wallStart = Date()
        origin = manualStart ?? wallStart
        self.speed = speed
    }

    /// A clock that stands still until `advance(by:)` moves it.
    public static func manual(startingAt start: Date = Date(timeIntervalSince1970: 1_767_225_600)) -> SimulationClock {
        SimulationClock(manualStart: start, speed: 0)
    }

    /// A clock that follows the wall clock, `speed` simulated seconds per real second.
    public static func wall(speed: Double = 1) -> SimulationClock {
        SimulationClock(manualStart: nil, speed: max(speed, 0.001))
    }

    public var isManual: Bool { state.withLock { $0.manualNow != nil } }

    public func now() -> Date {
        state.withLock { now(in: $0) }
    }

    private func now(in state: State) -> Date {
        if let manual = state.manualNow { return manual }
        return origin.addingTimeInterval(Date().timeIntervalSince(wallStart) * speed + state.offset)
    }

    /// Moves simulated time forward and runs every timer that came due, earliest first.
    public func advance(by seconds: TimeInterval) {
        state.withLock { state in
            if let manual = state.manualNow {
                state.manualNow = manual.addingTimeInterval(max(seconds, 0))
            } else {
                state.offset += max(seconds, 0)
            }
        }
        fireDueTimers()
    }

    /// Runs `action` once simulated time reaches `deadline` (at once if it already has).
    /// Actions must be quick and must not call back into the clock.
    public func schedule(at deadline: Date, _ action: @escaping @Sendable () -> Void) {
        let delay = state.withLock { state -> TimeInterval? in
            let now = now(in: state)
            guard deadline > now else { return nil }
            state.timers.append(Timer(id: state.nextID, deadline: deadline, action: action))
            state.nextID += 1
            return state.manualNow == nil ? deadline.timeIntervalSince(now) / speed : .infinity
        }
        guard let delay else {
            action()
            return
        }
        if delay.isFinite {
            DispatchQueue.global().asyncAfter(deadline: .now() + delay + 0.001) { [weak self] in self?.fireDueTimers() }
        }
    }

    private func fireDueTimers() {
        let due = state.withLock { state -> [Timer] in
            let now = now(in: state)
            let due = state.timers.filter { $0.deadline <= now }
            state.timers.removeAll { $0.deadline <= now }
            return due.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
        }
        for timer in due { timer.action() }
    }

    /// Timers not yet due, for tests.
    public var pendingTimerCount: Int { state.withLock { $0.timers.count } }
}
