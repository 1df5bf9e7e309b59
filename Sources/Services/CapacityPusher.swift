import Fleet
import RPCServer
import Synchronization

/// Delivers one WatchCapacity subscription's updates on its call's lane, so that a change
/// reaching thousands of subscribers costs a queued write each, not a task wake-up and a
/// hop each. A subscriber whose stream holds `maxQueuedBytes` unsent bytes gets the update
/// from its handler instead, which waits for the client; changes meanwhile are conflated.
final class CapacityPusher: Sendable {
    private let subscription: CapacitySubscription
    private let stream: RPCPushStream
    private let encoder: CapacityUpdateEncoder
    private let maxQueuedBytes: Int

    init(subscription: CapacitySubscription, stream: RPCPushStream, encoder: CapacityUpdateEncoder, maxQueuedBytes: Int = 16 * 1024) {
        self.subscription = subscription
        self.stream = stream
        self.encoder = encoder
        self.maxQueuedBytes = maxQueuedBytes
    }

    var lane: any RPCTransportLane { stream.lane }

    func start(on queue: LanePushQueue) {
        subscription.enablePush { [self] in queue.schedule(self) }
    }

    /// On the lane.
    func push() {
        while let update = subscription.takeForPush() {
            guard let encoded = try? encoder.encoded(update),
                  stream.offer(encoded.framed, maxQueuedBytes: maxQueuedBytes) else {
                subscription.handToReader(update)
                return
            }
        }
    }
}

/// The pushers of one lane that have something to deliver, run together: a change that
/// reaches every subscriber on an event loop hops onto it once, not once per subscriber.
final class LanePushQueue: Sendable {
    /// Pushers run in one turn of the lane. Between slices the lane runs what the pushes
    /// scheduled (one flush per connection touched), so the first bytes leave early.
    static let sliceSize = 256

    let lane: any RPCTransportLane
    private let pending = Mutex<(pushers: [CapacityPusher], scheduled: Bool)>(([], false))

    init(lane: any RPCTransportLane) {
        self.lane = lane
    }

    func schedule(_ pusher: CapacityPusher) {
        let hop = pending.withLock { pending -> Bool in
            pending.pushers.append(pusher)
            guard !pending.scheduled else { return false }
            pending.scheduled = true
            return true
        }
        if hop { lane.execute { self.run() } }
    }

    private func run() {
        let pushers = pending.withLock { pending -> [CapacityPusher] in
            pending.scheduled = false
            defer { pending.pushers = [] }
            return pending.pushers
        }
        run(pushers, from: 0)
    }

    private func run(_ pushers: [CapacityPusher], from start: Int) {
        let end = min(start + Self.sliceSize, pushers.count)
        for index in start..<end { pushers[index].push() }
        guard end < pushers.count else { return }
        lane.execute { self.run(pushers, from: end) }
    }
}

/// One push queue per lane, for as long as the service lives (lanes are event loops).
final class LanePushQueues: Sendable {
    private let queues = Mutex<[ObjectIdentifier: LanePushQueue]>([:])

    func queue(for lane: any RPCTransportLane) -> LanePushQueue {
        queues.withLock { queues in
            if let queue = queues[ObjectIdentifier(lane)] { return queue }
            let queue = LanePushQueue(lane: lane)
            queues[ObjectIdentifier(lane)] = queue
            return queue
        }
    }
}
