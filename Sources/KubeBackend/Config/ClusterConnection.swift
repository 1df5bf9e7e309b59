public import Foundation

/// Everything needed to talk to one cluster's API server, resolved from a
/// kubeconfig context or from in-cluster configuration.
public struct ClusterConnection: Sendable {
    /// The kubeconfig context this came from; nil in-cluster.
    public var contextName: String?
    public var server: URL
    /// The context's namespace, "default" when it names none.
    public var namespace: String
    public var tls: TLSSettings
    public var credentials: any CredentialProvider

    public init(contextName: String? = nil, server: URL, namespace: String = "default", tls: TLSSettings = TLSSettings(), credentials: any CredentialProvider = StaticCredentialProvider(.none)) {
        self.contextName = contextName
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.credentials = credentials
    }
}

public struct TLSSettings: Sendable, Hashable {
    /// PEM roots to trust instead of the system's; nil for the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    public var insecureSkipVerify: Bool
    /// The name to verify the server certificate against, when not the URL's host.
    public var serverName: String?
    public var clientCertificate: ClientCertificate?

    public init(certificateAuthorityPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil, clientCertificate: ClientCertificate? = nil) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.clientCertificate = clientCertificate
    }
}

extension Kubeconfig {
    /// The names of all contexts, sorted.
    public var contextNames: [String] { contexts.keys.sorted() }

    /// Resolves a context (the current one by default) into a connection. Files the
    /// entries name are read now, so that a bad path fails here rather than on the
    /// first request. Exec plugins run lazily, on the first credential request.
    public func connection(
        context requestedContext: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(KubeconfigError) -> ClusterConnection {
        let contextName: String
        if let requestedContext, !requestedContext.isEmpty {
            contextName = requestedContext
        } else if let currentContext, !currentContext.isEmpty {
            contextName = currentContext
        } else {
            throw .noContextChosen
        }
        guard let context = contexts[contextName] else { throw .contextNotFound(contextName) }
        guard let cluster = clusters[context.cluster] else {
            throw .clusterNotFound(cluster: context.cluster, context: contextName)
        }
        var user: KubeconfigUser?
        if let userName = context.user, !userName.isEmpty {
            guard let found = users[userName] else { throw .userNotFound(user: userName, context: contextName) }
            user = found
        }

        let server = try Self.serverURL(cluster, name: context.cluster)
        let certificateAuthority = try Self.bytes(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
            field: "certificate-authority-data", entry: context.cluster)
        var tls = TLSSettings(
            certificateAuthorityPEM: certificateAuthority, insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false,
            serverName: cluster.tlsServerName)

        var credentials: any CredentialProvider = StaticCredentialProvider(.none)
        if let user, let userName = context.user {
            tls.clientCertificate = try Self.clientCertificate(user, name: userName)
            credentials = try Self.credentialProvider(
                user, name: userName, cluster: cluster, server: server, certificateAuthority: certificateAuthority,
                environment: environment, clock: clock)
        }
        let namespace = context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ClusterConnection(contextName: contextName, server: server, namespace: namespace, tls: tls, credentials: credentials)
    }

    static func serverURL(_ cluster: KubeconfigCluster, name: String) throws(KubeconfigError) -> URL {
        guard var server = cluster.server, !server.isEmpty else { throw .missingServer(cluster: name) }
        // As client-go does, a bare host[:port] means https.
        if !server.contains("://") { server = "https://" + server }
        guard let url = URL(string: server), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .invalidServerURL(server)
        }
        return url
    }

    /// Inline base64 data wins over a file, as in client-go.
    static func bytes(data: String?, file: String?, field: String, entry: String) throws(KubeconfigError) -> [UInt8]? {
        if let data, !data.isEmpty {
            let compact = data.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact) else { throw .invalidBase64(field: field, entry: entry) }
            return Array(decoded)
        }
        if let file, !file.isEmpty {
            do {
                return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw .unreadableFile(path: file, reason: KubeconfigLoader.reason(error))
            }
        }
        return nil
    }

    private static func clientCertificate(_ user: KubeconfigUser, name: String) throws(KubeconfigError) -> ClientCertificate? {
        let certificate = try bytes(data: user.clientCertificateData, file: user.clientCertificate, field: "client-certificate-data", entry: name)
        let key = try bytes(data: user.clientKeyData, file: user.clientKey, field: "client-key-data", entry: name)
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (let certificate?, let key?):
            return ClientCertificate(certificatePEM: certificate, privateKeyPEM: key)
        default:
            throw .invalidFile(path: name, reason: "a client certificate needs both client-certificate and client-key")
        }
    }

    /// Precedence: exec plugin, then tokenFile (re-read as it rotates), then token, then basic auth.
    private static func credentialProvider(
        _ user: KubeconfigUser, name: String, cluster: KubeconfigCluster, server: URL, certificateAuthority: [UInt8]?,
        environment: [String: String], clock: @escaping @Sendable () -> Date
    ) throws(KubeconfigError) -> any CredentialProvider {
        if user.authProvider != nil { throw .unsupportedAuthProvider(user: name) }
        if let exec = user.exec {
            try validate(exec, user: name)
            return ExecCredentialProvider(
                config: exec, clusterInfo: execClusterInfo(cluster, server: server, certificateAuthority: certificateAuthority),
                environment: environment, clock: clock)
        }
        if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            _ = try TokenFileCredentialProvider.readToken(at: tokenFile)
            return TokenFileCredentialProvider(path: tokenFile, clock: clock)
        }
        if let token = user.token, !token.isEmpty {
            return StaticCredentialProvider(Credential(bearerToken: token))
        }
        if let username = user.username, !username.isEmpty {
            return StaticCredentialProvider(Credential(basicAuth: .init(username: username, password: user.password ?? "")))
        }
        return StaticCredentialProvider(.none)
    }

    private static func validate(_ exec: ExecConfig, user: String) throws(KubeconfigError) {
        guard !exec.command.isEmpty else { throw .invalidExecConfig(user: user, reason: "command must be specified") }
        guard ExecCredentialProvider.supportedAPIVersions.contains(exec.apiVersion) else {
            throw .invalidExecConfig(user: user, reason: "apiVersion \(exec.apiVersion) is not supported")
        }
        switch exec.interactiveMode ?? "" {
        case "", "Never", "IfAvailable":
            break
        case "Always":
            throw .invalidExecConfig(user: user, reason: "interactiveMode Always needs a terminal, which fleetd never has")
        default:
            throw .invalidExecConfig(user: user, reason: "interactiveMode \(exec.interactiveMode ?? "") is not valid")
        }
    }

    /// The `spec.cluster` of an ExecCredential (client.authentication.k8s.io Cluster).
    private static func execClusterInfo(_ cluster: KubeconfigCluster, server: URL, certificateAuthority: [UInt8]?) -> JSONValue {
        var info: JSONObject = ["server": .string(server.absoluteString)]
        if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
        if cluster.insecureSkipTLSVerify == true { info["insecure-skip-tls-verify"] = true }
        if let certificateAuthority { info["certificate-authority-data"] = .string(Data(certificateAuthority).base64EncodedString()) }
        if let proxy = cluster.proxyURL { info["proxy-url"] = .string(proxy) }
        if let config = cluster.extensions?.first(where: { $0.name == "client.authentication.k8s.io/exec" }) {
            info["config"] = config.extension
        }
        return .object(info)
    }
}

/// The configuration a pod gets from its service account: the token and CA the
/// kubelet mounts, and the API server address in the environment.
public struct InClusterConfig: Sendable {
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Where token, ca.crt and namespace are; injectable for tests.
    public var directory: String
    public var environment: [String: String]

    public init(directory: String = InClusterConfig.defaultDirectory, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory
        self.environment = environment
    }

    public func connection(clock: @escaping @Sendable () -> Date = { Date() }) throws(KubeconfigError) -> ClusterConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { throw .notInCluster }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else { throw .invalidServerURL("\(hostPart):\(port)") }

        let tokenPath = directory + "/token"
        _ = try TokenFileCredentialProvider.readToken(at: tokenPath)
        let certificateAuthority = try Kubeconfig.bytes(data: nil, file: directory + "/ca.crt", field: "ca.crt", entry: "in-cluster")
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ClusterConnection(
            contextName: nil, server: server, namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            tls: TLSSettings(certificateAuthorityPEM: certificateAuthority),
            credentials: TokenFileCredentialProvider(path: tokenPath, clock: clock))
    }
}
