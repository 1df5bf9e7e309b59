/// How the capacity changes the driver made reached the subscribers.
///
/// A subscriber has a change of revision R once it has received an update whose revision is
/// at least R. The server conflates per cluster for a subscriber that falls behind: it then
/// sends one delta carrying the latest state, whose revision covers every change it folds
/// in. So "expected" is one delivery of each change to each subscriber, and a conflated
/// update counts as delivering every change it covers; it is counted apart as well.
struct DeliveryAnalysis {
    /// A change the driver made and the revision it got, as the driver's own probe saw it.
    struct Change: Equatable {
        /// When the driver sent the Deploy or DeleteDeployment, in ns from the run's start.
        var sentAt: Int64
        /// nil when the probe never saw it (it is then left out, and counted).
        var revision: UInt64?
    }

    /// One subscriber's receipts: each time its highest revision rose, in order.
    struct Receipt: Equatable {
        var revision: UInt64
        var at: Int64
        /// From the fleet manager recording the change of `revision` to this receipt, by
        /// the wall clock; nil when the update carried no time.
        var sinceRecorded: Int64? = nil
    }

    struct Result {
        var changes = 0
        var unattributed = 0
        var subscribers = 0
        /// changes × subscribers, for the attributed changes.
        var expected = 0
        var delivered = 0
        /// Delivered through an update of a later revision (conflation).
        var conflated = 0
        /// From the fleet manager recording a change to each subscriber's receipt of it, for
        /// receipts of exactly that change's revision (a conflated update dates its newest).
        var recordedToReceipt = LatencyHistogram()
        /// From the driver's call to each subscriber's receipt.
        var deliveryLatency = LatencyHistogram()
        /// From the driver's call to the receipt of the last subscriber, for changes every subscriber got.
        var timeToAll = LatencyHistogram()
        /// From the first subscriber's receipt to the last one's, for changes every subscriber got.
        var spread = LatencyHistogram()
        /// Changes that reached every subscriber.
        var reachedAll = 0

        var missing: Int { expected - delivered }
    }

    static func analyze(changes: [Change], receipts: [[Receipt]]) -> Result {
        var result = Result()
        result.changes = changes.count
        result.subscribers = receipts.count
        for change in changes {
            guard let revision = change.revision else {
                result.unattributed += 1
                continue
            }
            result.expected += receipts.count
            var latest: Int64?
            var earliest: Int64?
            var all = true
            for log in receipts {
                guard let receipt = firstReceipt(in: log, covering: revision) else {
                    all = false
                    continue
                }
                result.delivered += 1
                if receipt.revision > revision {
                    result.conflated += 1
                } else if let sinceRecorded = receipt.sinceRecorded {
                    result.recordedToReceipt.record(.nanoseconds(max(0, sinceRecorded)))
                }
                let latency = max(0, receipt.at - change.sentAt)
                result.deliveryLatency.record(.nanoseconds(latency))
                latest = max(latest ?? latency, latency)
                earliest = min(earliest ?? latency, latency)
            }
            if all, let latest, let earliest, !receipts.isEmpty {
                result.reachedAll += 1
                result.timeToAll.record(.nanoseconds(latest))
                result.spread.record(.nanoseconds(latest - earliest))
            }
        }
        return result
    }

    /// The first receipt whose revision is at least `revision` (receipts rise in revision).
    static func firstReceipt(in log: [Receipt], covering revision: UInt64) -> Receipt? {
        var low = 0
        var high = log.count
        while low < high {
            let mid = (low + high) / 2
            if log[mid].revision < revision { low = mid + 1 } else { high = mid }
        }
        return low < log.count ? log[low] : nil
    }
}
