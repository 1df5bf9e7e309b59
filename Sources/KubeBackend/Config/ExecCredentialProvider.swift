public import Foundation

/// Why an exec credential plugin gave no credential.
public enum ExecCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    case commandNotFound(command: String, installHint: String?)
    case pluginFailed(command: String, exitCode: Int32, standardError: String)
    case timedOut(command: String)
    case invalidOutput(command: String, reason: String)

    public var description: String {
        switch self {
        case .commandNotFound(let command, let hint):
            return "exec plugin: executable \(command) not found" + (hint.map { "\n\n\($0)" } ?? "")
        case .pluginFailed(let command, let exitCode, let standardError):
            return "exec plugin \(command) exited with status \(exitCode): \(standardError)"
        case .timedOut(let command):
            return "exec plugin \(command) did not finish in time"
        case .invalidOutput(let command, let reason):
            return "exec plugin \(command) returned an invalid ExecCredential: \(reason)"
        }
    }
}

/// Runs a `client.authentication.k8s.io` exec plugin (v1 or v1beta1) for a
/// credential, caches it until its expirationTimestamp, and runs the plugin again
/// once it expires or after a 401. Concurrent callers share one plugin run.
public actor ExecCredentialProvider: CredentialProvider {
    static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    private let config: ExecConfig
    /// The ExecCredential `spec.cluster`, when the config asks for cluster info.
    private let clusterInfo: JSONValue?
    private let environment: [String: String]
    private let clock: @Sendable () -> Date
    private let timeout: TimeInterval
    private var cached: Credential?
    private var inFlight: Task<Credential, any Error>?

    public init(
        config: ExecConfig, clusterInfo: JSONValue? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: TimeInterval = 60, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.config = config
        self.clusterInfo = clusterInfo
        self.environment = environment
        self.timeout = timeout
        self.clock = clock
    }

    public func credential() async throws -> Credential {
        if let cached, !isExpired(cached) { return cached }
        if let inFlight { return try await inFlight.value }
        let run = Task { try await self.runPlugin() }
        inFlight = run
        defer { inFlight = nil }
        let fresh = try await run.value
        cached = fresh
        return fresh
    }

    public func invalidate(_ credential: Credential) {
        if cached == credential { cached = nil }
    }

    private func isExpired(_ credential: Credential) -> Bool {
        guard let expiration = credential.expiration else { return false }
        return clock() >= expiration
    }

    private func runPlugin() async throws -> Credential {
        guard let executable = ProcessRunner.resolveExecutable(config.command, searchPath: environment["PATH"]) else {
            throw ExecCredentialError.commandNotFound(command: config.command, installHint: config.installHint)
        }
        var pluginEnvironment = environment
        for variable in config.env ?? [] { pluginEnvironment[variable.name] = variable.value }
        pluginEnvironment["KUBERNETES_EXEC_INFO"] = String(decoding: KubeJSON.serialize(execInfo), as: UTF8.self)

        let output = try await ProcessRunner.run(
            executable: executable, arguments: config.args ?? [], environment: pluginEnvironment, timeout: timeout)
        if output.timedOut { throw ExecCredentialError.timedOut(command: config.command) }
        guard output.exitCode == 0 else {
            let standardError = String(decoding: output.standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ExecCredentialError.pluginFailed(command: config.command, exitCode: output.exitCode, standardError: standardError)
        }
        return try parseCredential(output.standardOutput)
    }

    /// The ExecCredential handed to the plugin in KUBERNETES_EXEC_INFO.
    private var execInfo: JSONValue {
        var spec: JSONObject = ["interactive": false]
        if config.provideClusterInfo == true, let clusterInfo { spec["cluster"] = clusterInfo }
        return ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": .object(spec)]
    }

    private func parseCredential(_ bytes: [UInt8]) throws -> Credential {
        func invalid(_ reason: String) -> ExecCredentialError {
            .invalidOutput(command: config.command, reason: reason)
        }
        let document: JSONValue
        do {
            document = try KubeJSON.parse(bytes)
        } catch {
            throw invalid(error.description)
        }
        guard document["kind"]?.stringValue == "ExecCredential" else { throw invalid("kind is not ExecCredential") }
        guard document["apiVersion"]?.stringValue == config.apiVersion else {
            throw invalid("apiVersion \(document["apiVersion"]?.stringValue ?? "(none)") does not match the configured \(config.apiVersion)")
        }
        guard let status = document["status"]?.objectValue else { throw invalid("status is missing") }

        var credential = Credential()
        if let text = status["expirationTimestamp"]?.stringValue {
            guard let expiration = RFC3339.parse(text) else { throw invalid("expirationTimestamp \(text) is not RFC 3339") }
            credential.expiration = expiration
        }
        if let token = status["token"]?.stringValue, !token.isEmpty {
            credential.bearerToken = token
        }
        let certificate = status["clientCertificateData"]?.stringValue ?? ""
        let key = status["clientKeyData"]?.stringValue ?? ""
        if certificate.isEmpty != key.isEmpty {
            throw invalid("clientCertificateData and clientKeyData must both be present")
        }
        if !certificate.isEmpty {
            credential.clientCertificate = ClientCertificate(certificatePEM: Array(certificate.utf8), privateKeyPEM: Array(key.utf8))
        }
        guard credential.bearerToken != nil || credential.clientCertificate != nil else {
            throw invalid("status has neither a token nor a client certificate")
        }
        return credential
    }
}
