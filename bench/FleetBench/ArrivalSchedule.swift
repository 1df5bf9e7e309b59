/// The open-loop timetable: request k is due `k / rate` seconds after the start, whether or
/// not earlier ones have been answered. Latency counts from that due time, so a server that
/// stalls is charged for every request it held back (no coordinated omission).
struct ArrivalSchedule: Equatable {
    /// Requests per second.
    let rate: Double

    init(rate: Double) {
        precondition(rate > 0 && rate.isFinite)
        self.rate = rate
    }

    /// When request `ticket` is due, after the start.
    func dueOffset(of ticket: Int) -> Duration {
        .nanoseconds(Int64((Double(ticket) * 1e9 / rate).rounded()))
    }

    /// How many requests fall due in `[0, span)`.
    func ticketCount(within span: Duration) -> Int {
        guard span > .zero else { return 0 }
        let exact = span.seconds * rate
        let whole = exact.rounded(.up)
        return Int(whole)
    }

    /// The first ticket due at or after `offset`.
    func firstTicket(atOrAfter offset: Duration) -> Int {
        ticketCount(within: offset)
    }
}
