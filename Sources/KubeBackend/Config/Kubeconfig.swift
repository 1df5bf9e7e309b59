/// A kubeconfig after kubectl's loading rules: every file merged, relative paths
/// made absolute against the file that named them.
public struct Kubeconfig: Sendable, Hashable {
    public var clusters: [String: KubeconfigCluster]
    public var users: [String: KubeconfigUser]
    public var contexts: [String: KubeconfigContext]
    public var currentContext: String?

    public init(
        clusters: [String: KubeconfigCluster] = [:], users: [String: KubeconfigUser] = [:],
        contexts: [String: KubeconfigContext] = [:], currentContext: String? = nil
    ) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }

    /// Merges files the way kubectl does: for each named cluster, user and context the
    /// first file that defines it wins (whole entry, no field merging), and
    /// current-context comes from the first file that sets one.
    init(merging files: [KubeconfigFile]) {
        self.init()
        for file in files {
            for entry in file.clusters ?? [] where clusters[entry.name] == nil {
                clusters[entry.name] = entry.cluster.resolvingPaths(relativeTo: file.directory)
            }
            for entry in file.users ?? [] where users[entry.name] == nil {
                users[entry.name] = entry.user.resolvingPaths(relativeTo: file.directory)
            }
            for entry in file.contexts ?? [] where contexts[entry.name] == nil {
                contexts[entry.name] = entry.context
            }
            if currentContext == nil, let current = file.currentContext, !current.isEmpty {
                currentContext = current
            }
        }
    }
}

/// A cluster entry; key names follow the kubeconfig file format.
public struct KubeconfigCluster: Sendable, Hashable, Codable {
    public var server: String?
    public var certificateAuthority: String?
    /// Base64 of PEM.
    public var certificateAuthorityData: String?
    public var insecureSkipTLSVerify: Bool?
    public var tlsServerName: String?
    public var proxyURL: String?
    public var extensions: [KubeconfigNamedExtension]?

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
        case extensions
    }

    public init(server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: String? = nil, insecureSkipTLSVerify: Bool? = nil) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.certificateAuthorityData = certificateAuthorityData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }

    func resolvingPaths(relativeTo directory: String) -> KubeconfigCluster {
        var resolved = self
        resolved.certificateAuthority = FilePaths.resolve(certificateAuthority, relativeTo: directory)
        return resolved
    }
}

public struct KubeconfigNamedExtension: Sendable, Hashable, Codable {
    public var name: String
    public var `extension`: JSONValue
}

public struct KubeconfigUser: Sendable, Hashable, Codable {
    public var token: String?
    public var tokenFile: String?
    public var clientCertificate: String?
    /// Base64 of PEM.
    public var clientCertificateData: String?
    public var clientKey: String?
    /// Base64 of PEM.
    public var clientKeyData: String?
    public var username: String?
    public var password: String?
    public var exec: ExecConfig?
    /// Legacy auth providers are not supported; kept to report them clearly.
    public var authProvider: JSONValue?

    enum CodingKeys: String, CodingKey {
        case token, tokenFile
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case username, password, exec
        case authProvider = "auth-provider"
    }

    public init(token: String? = nil, tokenFile: String? = nil, exec: ExecConfig? = nil) {
        self.token = token
        self.tokenFile = tokenFile
        self.exec = exec
    }

    func resolvingPaths(relativeTo directory: String) -> KubeconfigUser {
        var resolved = self
        resolved.clientCertificate = FilePaths.resolve(clientCertificate, relativeTo: directory)
        resolved.clientKey = FilePaths.resolve(clientKey, relativeTo: directory)
        resolved.tokenFile = FilePaths.resolve(tokenFile, relativeTo: directory)
        // A bare command name is looked up on PATH; only a path with a slash is file-relative.
        if let command = exec?.command, command.contains("/") {
            resolved.exec?.command = FilePaths.resolve(command, relativeTo: directory) ?? command
        }
        return resolved
    }
}

/// An exec credential plugin (`client.authentication.k8s.io` ExecConfig), as
/// gke-gcloud-auth-plugin, `aws eks get-token` and kubelogin are configured.
public struct ExecConfig: Sendable, Hashable, Codable {
    public var command: String
    public var args: [String]?
    public var env: [ExecEnvVar]?
    /// client.authentication.k8s.io/v1 or v1beta1.
    public var apiVersion: String
    public var installHint: String?
    public var provideClusterInfo: Bool?
    /// Never, IfAvailable or Always; fleetd never has a terminal.
    public var interactiveMode: String?

    public init(
        command: String, args: [String]? = nil, env: [ExecEnvVar]? = nil,
        apiVersion: String = "client.authentication.k8s.io/v1", installHint: String? = nil,
        provideClusterInfo: Bool? = nil, interactiveMode: String? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
    }
}

public struct ExecEnvVar: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct KubeconfigContext: Sendable, Hashable, Codable {
    public var cluster: String
    public var user: String?
    public var namespace: String?

    public init(cluster: String, user: String? = nil, namespace: String? = nil) {
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
    }
}

/// One kubeconfig file as written.
struct KubeconfigFile: Decodable {
    struct NamedCluster: Decodable {
        var name: String
        var cluster: KubeconfigCluster
    }

    struct NamedUser: Decodable {
        var name: String
        var user: KubeconfigUser
    }

    struct NamedContext: Decodable {
        var name: String
        var context: KubeconfigContext
    }

    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?
    /// The directory relative paths in this file are resolved against (not decoded).
    var directory = ""

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}

enum FilePaths {
    static func resolve(_ path: String?, relativeTo directory: String) -> String? {
        guard let path, !path.isEmpty, !path.hasPrefix("/") else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
