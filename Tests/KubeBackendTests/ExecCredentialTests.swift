import Foundation
import KubeBackend
import Testing

/// Exec plugins are real shell scripts written by each test; every run appends to
/// a count file, which proves when the provider runs the plugin and when it caches.
@Suite struct ExecCredentialTests {
    static let start = Date(timeIntervalSince1970: 1_900_000_000)

    /// A plugin that answers token-<run number>, expiring at the time in `expiry`.
    func writeTokenPlugin(in directory: TemporaryDirectory, apiVersion: String = "client.authentication.k8s.io/v1") throws -> String {
        try directory.write("expiry", RFC3339Text.format(Self.start + 3600))
        return try directory.write("bin/token-plugin", """
        #!/bin/sh
        dir="$PLUGIN_DIR"
        n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$dir/count"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info.json"
        printf '%s|%s' "$1" "$2" > "$dir/args"
        sleep "${PLUGIN_DELAY:-0}"
        cat <<EOF
        {"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"token-$n","expirationTimestamp":"$(cat "$dir/expiry")"}}
        EOF
        """, executable: true)
    }

    func runCount(_ directory: TemporaryDirectory) throws -> Int {
        Int(try directory.read("count").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func kubeconfig(_ directory: TemporaryDirectory, exec: String) throws -> Kubeconfig {
        let path = try directory.write("config", """
        current-context: eks
        clusters:
        - name: eks
          cluster:
            server: https://eks.example
            certificate-authority-data: \(base64("EKS CA"))
            extensions:
            - name: client.authentication.k8s.io/exec
              extension: {audience: fleetd}
        users:
        - name: iam
          user:
            exec:
        \(exec)
        contexts:
        - {name: eks, context: {cluster: eks, user: iam}}
        """)
        return try KubeconfigLoader(environment: [:]).load(explicitPath: path)
    }

    @Test func cachesUntilExpiryAndRefreshesAfter() async throws {
        let directory = try TemporaryDirectory()
        let plugin = try writeTokenPlugin(in: directory)
        let clock = ManualClock(Self.start)
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: plugin, env: [ExecEnvVar(name: "PLUGIN_DIR", value: directory.path)]),
            environment: ["PATH": "/usr/bin:/bin"], clock: clock.function)

        let first = try await provider.credential()
        #expect(first.bearerToken == "token-1")
        #expect(first.expiration == Self.start + 3600)
        #expect(try await provider.credential().bearerToken == "token-1")
        clock.advance(by: 3599)
        #expect(try await provider.credential().bearerToken == "token-1")
        #expect(try runCount(directory) == 1)

        try directory.write("expiry", RFC3339Text.format(Self.start + 7200))
        clock.advance(by: 1)
        #expect(try await provider.credential().bearerToken == "token-2", "expired at expirationTimestamp")
        #expect(try runCount(directory) == 2)
    }

    @Test func refreshesAfterA401OnlyForTheRejectedCredential() async throws {
        let directory = try TemporaryDirectory()
        let plugin = try writeTokenPlugin(in: directory)
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: plugin, env: [ExecEnvVar(name: "PLUGIN_DIR", value: directory.path)]),
            environment: [:], clock: ManualClock(Self.start).function)

        let first = try await provider.credential()
        await provider.invalidate(first)
        let second = try await provider.credential()
        #expect(second.bearerToken == "token-2")
        // A late 401 for the old credential must not throw away the new one.
        await provider.invalidate(first)
        #expect(try await provider.credential() == second)
        #expect(try runCount(directory) == 2)
    }

    @Test func concurrentCallersShareOnePluginRun() async throws {
        let directory = try TemporaryDirectory()
        let plugin = try writeTokenPlugin(in: directory)
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: plugin, env: [
                ExecEnvVar(name: "PLUGIN_DIR", value: directory.path), ExecEnvVar(name: "PLUGIN_DELAY", value: "0.3"),
            ]),
            environment: [:], clock: ManualClock(Self.start).function)

        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<6 { group.addTask { try await provider.credential().bearerToken } }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(Set(tokens) == ["token-1"])
        #expect(try runCount(directory) == 1)
    }

    @Test func handsThePluginItsArgumentsEnvironmentAndClusterInfo() async throws {
        let directory = try TemporaryDirectory()
        try writeTokenPlugin(in: directory)
        let config = try kubeconfig(directory, exec: """
              apiVersion: client.authentication.k8s.io/v1
              command: ./bin/token-plugin
              args: ["--cluster", "eks prod"]
              env: [{name: PLUGIN_DIR, value: "\(directory.path)"}]
              provideClusterInfo: true
              interactiveMode: Never
        """)
        let connection = try config.connection(environment: ["PATH": "/usr/bin:/bin"])
        #expect(try await connection.credentials.credential().bearerToken == "token-1")
        #expect(try directory.read("args") == "--cluster|eks prod")

        let info = try KubeJSON.parse(Array(try directory.read("exec-info.json").utf8))
        #expect(info == [
            "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
            "spec": [
                "interactive": false,
                "cluster": [
                    "server": "https://eks.example",
                    "certificate-authority-data": .string(base64("EKS CA")),
                    "config": ["audience": "fleetd"],
                ],
            ],
        ])
    }

    @Test func acceptsV1beta1ClientCertificates() async throws {
        let directory = try TemporaryDirectory()
        let plugin = try directory.write("cert-plugin", #"""
        #!/bin/sh
        printf '%s' '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n","clientKeyData":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}}'
        """#, executable: true)
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: plugin, apiVersion: "client.authentication.k8s.io/v1beta1"), environment: [:])
        let credential = try await provider.credential()
        #expect(credential.bearerToken == nil)
        #expect(credential.expiration == nil)
        #expect(credential.clientCertificate?.certificatePEM == Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8))
        #expect(credential.clientCertificate?.privateKeyPEM == Array("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".utf8))
    }

    @Test func reportsPluginFailures() async throws {
        let directory = try TemporaryDirectory()
        let failing = try directory.write("failing", "#!/bin/sh\necho 'token expired, run aws sso login' >&2\nexit 3\n", executable: true)
        await #expect(throws: ExecCredentialError.pluginFailed(command: failing, exitCode: 3, standardError: "token expired, run aws sso login")) {
            try await ExecCredentialProvider(config: ExecConfig(command: failing), environment: [:]).credential()
        }

        await #expect(throws: ExecCredentialError.commandNotFound(command: "gke-gcloud-auth-plugin", installHint: "Install gke-gcloud-auth-plugin")) {
            try await ExecCredentialProvider(
                config: ExecConfig(command: "gke-gcloud-auth-plugin", installHint: "Install gke-gcloud-auth-plugin"),
                environment: ["PATH": directory.path]
            ).credential()
        }

        let wrongVersion = try directory.write("wrong-version", #"""
        #!/bin/sh
        echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}'
        """#, executable: true)
        await #expect {
            try await ExecCredentialProvider(config: ExecConfig(command: wrongVersion), environment: [:]).credential()
        } throws: { error in
            guard case ExecCredentialError.invalidOutput(_, let reason) = error else { return false }
            return reason.contains("does not match")
        }

        let empty = try directory.write("no-token", #"""
        #!/bin/sh
        echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}'
        """#, executable: true)
        await #expect(throws: ExecCredentialError.self) {
            try await ExecCredentialProvider(config: ExecConfig(command: empty), environment: [:]).credential()
        }

        // Killed at its 0.3 s timeout, long before the plugin would end by itself, even
        // while the other tests' plugins run: a deadline that waited for a thread of the
        // global queue fired only as a 5 s plugin ended (4.8 s was seen in CI).
        let slow = try directory.write("slow", "#!/bin/sh\nexec sleep 60\n", executable: true)
        let started = Date()
        await #expect(throws: ExecCredentialError.timedOut(command: slow)) {
            try await ExecCredentialProvider(config: ExecConfig(command: slow), environment: [:], timeout: 0.3).credential()
        }
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func slowPluginsRunningTogetherAreEachKilledAtTheirTimeout() async throws {
        let directory = try TemporaryDirectory()
        let slow = try directory.write("slow", "#!/bin/sh\nexec sleep 60\n", executable: true)
        let started = Date()
        // More at once than this machine has cores: no plugin's deadline may wait for a
        // thread another plugin holds. Alone on this machine that takes 0.3 s (7 s when
        // deadlines and drains shared the global queue's threads); beside the whole
        // parallel suite in CI, 4 s was seen. The bound catches a deadline that waits for
        // the plugins to end by themselves.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<(ProcessInfo.processInfo.activeProcessorCount + 6) {
                group.addTask {
                    await #expect(throws: ExecCredentialError.timedOut(command: slow)) {
                        try await ExecCredentialProvider(config: ExecConfig(command: slow), environment: [:], timeout: 0.3).credential()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func rejectsInvalidExecConfigurations() throws {
        let directory = try TemporaryDirectory()
        let interactive = try kubeconfig(directory, exec: """
              apiVersion: client.authentication.k8s.io/v1
              command: plugin
              interactiveMode: Always
        """)
        #expect {
            try interactive.connection()
        } throws: { error in
            guard case KubeconfigError.invalidExecConfig(let user, _) = error else { return false }
            return user == "iam"
        }
        let alpha = try kubeconfig(directory, exec: """
              apiVersion: client.authentication.k8s.io/v1alpha1
              command: plugin
        """)
        #expect(throws: KubeconfigError.self) { try alpha.connection() }
    }
}

/// Formats dates for the plugin fixtures (RFC 3339, UTC, whole seconds).
enum RFC3339Text {
    static func format(_ date: Date) -> String {
        Timestamp(date).rawValue
    }
}
