import Foundation
import Protos
import RPCClient
import RPCServer
import Synchronization

/// What one WatchCapacity subscriber received.
struct SubscriberLog: Sendable {
    var receipts: [DeliveryAnalysis.Receipt] = []
    var snapshots = 0
    var deltas = 0
    var heartbeats = 0
    /// The status the stream ended with, when it ended before the run stopped it.
    var endedWith: String?
}

/// Running counts of the subscribers, for the progress line and the wait for snapshots.
final class SubscriberCounters: Sendable {
    let withSnapshot = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let updates = Atomic<Int>(0)
    private let firstFailure = Mutex<String?>(nil)

    func fail(_ reason: String) {
        failed.add(1, ordering: .relaxed)
        firstFailure.withLock { if $0 == nil { $0 = reason } }
    }

    var firstFailureReason: String? { firstFailure.withLock { $0 } }
}

/// N WatchCapacity streams spread over the connections, each read by its own task.
struct SubscriberFleet: Sendable {
    let connections: [RPCClientConnection]
    let count: Int
    /// Receipt times are counted from here.
    let origin: ContinuousClock.Instant
    let counters = SubscriberCounters()

    /// Reads every stream until cancelled; returns each subscriber's log.
    func run() async -> [SubscriberLog] {
        await withTaskGroup(of: SubscriberLog.self) { group in
            for index in 0..<count {
                let connection = connections[index % connections.count]
                group.addTask { await subscribe(on: connection) }
            }
            var logs: [SubscriberLog] = []
            logs.reserveCapacity(count)
            for await log in group { logs.append(log) }
            return logs
        }
    }

    static func wallClockNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    private func subscribe(on connection: RPCClientConnection) async -> SubscriberLog {
        var log = SubscriberLog()
        var highest: UInt64 = 0
        do {
            let stream = try connection.serverStreaming(path: Fleet_V1_Fleet.Method.watchCapacity, request: Fleet_V1_WatchCapacityRequest(),
                                                        responseType: CapacityUpdateHeader.self)
            for try await update in stream {
                let at = (ContinuousClock.now - origin).nanoseconds
                counters.updates.add(1, ordering: .relaxed)
                switch update.kind {
                case .snapshot:
                    log.snapshots += 1
                    if log.snapshots == 1 { counters.withSnapshot.add(1, ordering: .relaxed) }
                case .heartbeat: log.heartbeats += 1
                default: log.deltas += 1
                }
                if update.revision > highest {
                    highest = update.revision
                    let sinceRecorded = update.recordedAtNanos.map { Self.wallClockNanos() - $0 }
                    log.receipts.append(.init(revision: update.revision, at: at, sinceRecorded: sinceRecorded))
                }
            }
            log.endedWith = "OK"
        } catch let error as RPCClientError {
            if !Task.isCancelled {
                log.endedWith = error.code.description
                counters.fail("a WatchCapacity stream ended \(error)")
            }
        } catch {
            if !Task.isCancelled { counters.fail("\(error)") }
        }
        if log.endedWith == "OK" { counters.fail("the server ended a WatchCapacity stream") }
        return log
    }
}
