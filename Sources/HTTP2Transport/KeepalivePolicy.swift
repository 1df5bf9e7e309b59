/// gRPC's server-side ping enforcement (A8): a client may ping only so often, and each ping
/// that comes too early is a strike. Sending headers or data resets the count, as grpc-core does.
struct KeepalivePolicy {
    enum Verdict { case ok, tooManyPings }

    let configuration: KeepaliveConfiguration
    private var lastPing: ContinuousClock.Instant?
    private var strikes = 0
    private let now: () -> ContinuousClock.Instant

    init(configuration: KeepaliveConfiguration, now: @escaping () -> ContinuousClock.Instant = { .now }) {
        self.configuration = configuration
        self.now = now
    }

    mutating func pingReceived(openStreams: Int) -> Verdict {
        let time = now()
        defer { lastPing = time }
        let minimum = openStreams == 0 && !configuration.permitWithoutCalls
            ? max(configuration.minTimeBetweenPings, .seconds(7200))
            : configuration.minTimeBetweenPings
        guard let lastPing, time - lastPing < minimum else { return .ok }
        strikes += 1
        return strikes > configuration.maxPingStrikes ? .tooManyPings : .ok
    }

    mutating func dataSent() {
        strikes = 0
        lastPing = nil
    }
}
