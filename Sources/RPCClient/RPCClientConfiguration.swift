/// How a client connection connects and what it accepts.
public struct RPCClientConfiguration: Sendable {
    /// h2c with prior knowledge, or TLS with ALPN h2.
    public var security: Security = .plaintext
    /// How long connecting (and the TLS handshake) may take before the connection fails UNAVAILABLE.
    public var connectTimeout: Duration = .seconds(5)
    /// Larger response messages end the call with RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// SETTINGS_INITIAL_WINDOW_SIZE: response bytes the server may send on one stream unread.
    public var initialStreamWindowSize: UInt32 = 1 << 20
    /// Response bytes the server may send on the whole connection before we acknowledge them.
    public var connectionWindowSize: UInt32 = 16 << 20
    /// Streamed response bytes held for a reader that has not taken them, above which the
    /// stream window stops reopening and the server is held back.
    public var streamBufferLimit = 1 << 20
    /// The `:authority` of every request; defaults to `host:port`.
    public var authority: String?
    /// Sent as `user-agent`.
    public var userAgent = "fleetd-rpcclient/1"

    public init() {}

    public enum Security: Sendable {
        case plaintext
        case tls(TLSOptions)
    }

    public struct TLSOptions: Sendable {
        /// PEM file of the certificate authorities to trust; nil trusts the system's.
        public var caFile: String?
        /// Accepts any certificate: for testing only.
        public var insecureSkipVerify = false
        /// The name to verify the certificate against and to send in SNI; defaults to the host.
        public var serverName: String?

        public init(caFile: String? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
            self.caFile = caFile
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
        }
    }
}
