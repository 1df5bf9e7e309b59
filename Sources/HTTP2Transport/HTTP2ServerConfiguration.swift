public import NIOCore

/// Everything about how the HTTP/2 server listens and protects itself.
public struct HTTP2ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; ``HTTP2Server/localPort`` tells which.
    public var port = 50051
    /// TLS with ALPN h2; nil serves h2c with prior knowledge.
    public var tls: TLSFiles?
    /// Event loop threads; one nghttp2 session per connection lives on one of them. By default
    /// one per CPU the process may run on: its affinity mask, within its cgroup's limits.
    public var threads = AllowedCPUs.count

    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients.
    public var maxConcurrentStreams: UInt32 = 1000
    /// SETTINGS_MAX_HEADER_LIST_SIZE advertised and enforced (nghttp2 does not enforce it on
    /// received headers): a larger request header block gets HTTP 431.
    public var maxHeaderListSize = 8 * 1024
    /// SETTINGS_INITIAL_WINDOW_SIZE: how much a client may send on one stream unread.
    public var initialWindowSize: UInt32 = 1 << 20
    /// Response bytes buffered per stream above which a writing handler waits, and below which it resumes.
    public var streamHighWater = 256 * 1024
    public var streamLowWater = 64 * 1024

    public var keepalive = KeepaliveConfiguration()
    public var floodProtection = FloodProtection()

    /// Between the shutdown notice and the final GOAWAY: about one round trip.
    public var goAwayDelay: TimeAmount = .milliseconds(200)
    /// How long in-flight calls may run after a graceful shutdown begins.
    public var shutdownGracePeriod: TimeAmount = .seconds(10)

    public init() {}

    var sessionSettings: NGHTTP2ServerSession.Settings {
        .init(maxConcurrentStreams: maxConcurrentStreams, maxHeaderListSize: UInt32(maxHeaderListSize),
              initialWindowSize: initialWindowSize,
              streamResetBurst: floodProtection.streamResetBurst,
              streamResetRatePerSecond: floodProtection.streamResetRatePerSecond,
              maxSettingsEntries: floodProtection.maxSettingsEntries,
              maxOutboundAcks: floodProtection.maxOutboundAcks,
              maxContinuations: floodProtection.maxContinuations)
    }
}

/// Certificate and key in PEM files.
public struct TLSFiles: Sendable {
    public var certificateChainPath: String
    public var privateKeyPath: String

    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }
}

/// nghttp2's flood protections, set on purpose rather than left to its defaults.
public struct FloodProtection: Sendable {
    /// Stream resets a client may cause in a burst, then per second (the rapid-reset guard).
    /// The burst covers every stream of a full connection being cancelled twice over, so a
    /// client whose deadlines all expire at once keeps its connection.
    public var streamResetBurst: UInt64 = 2_000
    public var streamResetRatePerSecond: UInt64 = 200
    /// SETTINGS entries accepted in one frame.
    public var maxSettingsEntries = 32
    /// Queued PING and SETTINGS acknowledgements before nghttp2 treats the peer as flooding.
    public var maxOutboundAcks = 1_000
    /// CONTINUATION frames accepted after one HEADERS frame.
    public var maxContinuations = 8

    public init() {}
}

/// The server's side of gRPC keepalive (proposal A8).
public struct KeepaliveConfiguration: Sendable {
    /// Pings closer together than this earn a strike.
    public var minTimeBetweenPings: Duration = .seconds(300)
    /// Whether pings are welcome while no call is open; without, the minimum is two hours.
    public var permitWithoutCalls = false
    /// Strikes tolerated; the next one gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings".
    public var maxPingStrikes = 2

    public init() {}
}
