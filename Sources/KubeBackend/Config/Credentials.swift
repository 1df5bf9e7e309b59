public import Foundation

/// A client certificate and its private key, both PEM.
public struct ClientCertificate: Sendable, Hashable {
    public var certificatePEM: [UInt8]
    public var privateKeyPEM: [UInt8]

    public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// What a request authenticates with at one moment.
public struct Credential: Sendable, Hashable {
    public var bearerToken: String?
    public var basicAuth: BasicAuth?
    /// From an exec plugin; it takes the place of the kubeconfig's own client certificate.
    public var clientCertificate: ClientCertificate?
    /// When the credential stops being valid; nil for never.
    public var expiration: Date?

    public struct BasicAuth: Sendable, Hashable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public init(bearerToken: String? = nil, basicAuth: BasicAuth? = nil, clientCertificate: ClientCertificate? = nil, expiration: Date? = nil) {
        self.bearerToken = bearerToken
        self.basicAuth = basicAuth
        self.clientCertificate = clientCertificate
        self.expiration = expiration
    }

    public static let none = Credential()
}

/// Supplies the credential for each request, refreshing it when it expires or the
/// server rejects it.
public protocol CredentialProvider: Sendable {
    func credential() async throws -> Credential
    /// Reports that the server answered 401 to a request made with `credential`, so
    /// that the next call fetches a fresh one (unless another caller already has).
    func invalidate(_ credential: Credential) async
}

/// A credential that never changes: a static token, basic auth, or nothing.
public struct StaticCredentialProvider: CredentialProvider {
    public let fixed: Credential

    public init(_ credential: Credential) {
        fixed = credential
    }

    public func credential() async throws -> Credential { fixed }
    public func invalidate(_ credential: Credential) async {}
}

/// A bearer token read from a file and re-read periodically, as client-go does for
/// `tokenFile` and for projected service-account tokens, which the kubelet rotates.
public actor TokenFileCredentialProvider: CredentialProvider {
    public nonisolated let path: String
    private let refreshInterval: TimeInterval
    private let clock: @Sendable () -> Date
    private var cached: (token: String, readAt: Date)?

    public init(path: String, refreshInterval: TimeInterval = 60, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.path = path
        self.refreshInterval = refreshInterval
        self.clock = clock
    }

    public func credential() throws -> Credential {
        let now = clock()
        if let cached, now.timeIntervalSince(cached.readAt) < refreshInterval {
            return Credential(bearerToken: cached.token)
        }
        let token = try Self.readToken(at: path)
        cached = (token, now)
        return Credential(bearerToken: token)
    }

    public func invalidate(_ credential: Credential) {
        if credential.bearerToken == cached?.token { cached = nil }
    }

    static func readToken(at path: String) throws(KubeconfigError) -> String {
        let token: String
        do {
            token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw .unreadableFile(path: path, reason: KubeconfigLoader.reason(error))
        }
        guard !token.isEmpty else { throw .unreadableFile(path: path, reason: "the token file is empty") }
        return token
    }
}
