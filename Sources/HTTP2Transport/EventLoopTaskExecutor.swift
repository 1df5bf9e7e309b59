import NIOCore
import RPCServer

/// Runs Swift tasks on one event loop, so that a handler started for a connection stays on
/// that connection's thread until it awaits something that lives elsewhere. It is also the
/// loop's lane for broadcasts, so there is one per loop.
final class EventLoopTaskExecutor: TaskExecutor, RPCTransportLane, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    var isCurrent: Bool { loop.inEventLoop }

    func execute(_ body: @escaping @Sendable () -> Void) {
        loop.execute(body)
    }
}
