import Foundation
import KubeBackend
import Testing

@Suite struct KubeconfigTests {
    /// Two files as kubectl would merge them: `first` wins every shared name.
    func writeMergeFixture(in directory: TemporaryDirectory, firstSetsCurrentContext: Bool) throws -> (first: String, second: String) {
        let first = try directory.write("a/config", """
        apiVersion: v1
        kind: Config
        \(firstSetsCurrentContext ? "current-context: ctx-a" : "")
        clusters:
        - name: prod
          cluster:
            server: https://prod.example:6443
            certificate-authority: certs/prod-ca.pem
        - name: shared
          cluster:
            server: https://shared-from-a.example
        users:
        - name: alice
          user:
            token: alice-token
        contexts:
        - name: ctx-a
          context:
            cluster: prod
            user: alice
            namespace: team-a
        """)
        try directory.write("a/certs/prod-ca.pem", "PROD CA PEM")
        let second = try directory.write("b/nested/config", """
        apiVersion: v1
        kind: Config
        current-context: ctx-b
        clusters:
        - name: shared
          cluster:
            server: https://shared-from-b.example
            insecure-skip-tls-verify: true
        - name: staging
          cluster:
            server: https://staging.example
            certificate-authority-data: \(base64("STAGING CA PEM"))
        users:
        - name: bob
          user:
            tokenFile: tokens/bob.token
        - name: alice
          user:
            token: alice-from-b
        contexts:
        - name: ctx-b
          context:
            cluster: staging
            user: bob
        - name: ctx-shared
          context:
            cluster: shared
        """)
        try directory.write("b/nested/tokens/bob.token", "bob-token\n")
        return (first, second)
    }

    @Test func mergesFilesAsKubectlDoes() throws {
        let directory = try TemporaryDirectory()
        let (first, second) = try writeMergeFixture(in: directory, firstSetsCurrentContext: false)
        // Empty entries, repeats and missing files in KUBECONFIG are skipped.
        let loader = KubeconfigLoader(environment: ["KUBECONFIG": "\(first)::\(second):\(first):\(directory.path)/missing"])
        #expect(loader.configFiles() == [first, second, "\(directory.path)/missing"])

        let config = try loader.load()
        #expect(config.contextNames == ["ctx-a", "ctx-b", "ctx-shared"])
        #expect(config.clusters["shared"]?.server == "https://shared-from-a.example")
        #expect(config.clusters["shared"]?.insecureSkipTLSVerify == nil, "entries are not merged field by field")
        #expect(config.users["alice"]?.token == "alice-token")
        #expect(config.currentContext == "ctx-b", "the first file that sets current-context wins")
        #expect(config.clusters["prod"]?.certificateAuthority == directory.path + "/a/certs/prod-ca.pem")
        #expect(config.users["bob"]?.tokenFile == directory.path + "/b/nested/tokens/bob.token")
    }

    @Test func firstFilesCurrentContextWins() async throws {
        let directory = try TemporaryDirectory()
        let (first, second) = try writeMergeFixture(in: directory, firstSetsCurrentContext: true)
        let config = try KubeconfigLoader(environment: ["KUBECONFIG": "\(first):\(second)"]).load()
        #expect(config.currentContext == "ctx-a")
        let connection = try config.connection()
        #expect(connection.contextName == "ctx-a")
        #expect(connection.server.absoluteString == "https://prod.example:6443")
        #expect(connection.namespace == "team-a")
        #expect(connection.tls.certificateAuthorityPEM == Array("PROD CA PEM".utf8))
        #expect(try await connection.credentials.credential() == Credential(bearerToken: "alice-token"))
    }

    @Test func selectsAnExplicitContext() async throws {
        let directory = try TemporaryDirectory()
        let (first, second) = try writeMergeFixture(in: directory, firstSetsCurrentContext: true)
        let config = try KubeconfigLoader(environment: ["KUBECONFIG": "\(first):\(second)"]).load()

        let staging = try config.connection(context: "ctx-b")
        #expect(staging.server.absoluteString == "https://staging.example")
        #expect(staging.namespace == "default")
        #expect(staging.tls.certificateAuthorityPEM == Array("STAGING CA PEM".utf8))
        #expect(try await staging.credentials.credential().bearerToken == "bob-token")

        let shared = try config.connection(context: "ctx-shared")
        #expect(shared.tls.insecureSkipVerify == false)
        #expect(try await shared.credentials.credential() == .none)
    }

    @Test func readsTheDefaultFileWithoutKUBECONFIG() throws {
        let home = try TemporaryDirectory()
        try home.write(".kube/config", """
        current-context: only
        clusters: [{name: c, cluster: {server: "10.0.0.5:6443", insecure-skip-tls-verify: true}}]
        contexts: [{name: only, context: {cluster: c}}]
        """)
        let loader = KubeconfigLoader(environment: [:], homeDirectory: home.path)
        #expect(loader.configFiles() == [home.path + "/.kube/config"])
        let connection = try loader.load().connection()
        #expect(connection.server.absoluteString == "https://10.0.0.5:6443", "a bare host:port means https")
        #expect(connection.tls.insecureSkipVerify)
    }

    @Test func explainsWhatIsMissing() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", """
        clusters:
        - name: no-server
          cluster: {insecure-skip-tls-verify: true}
        - name: ok
          cluster: {server: "https://ok.example"}
        - name: ftp
          cluster: {server: "ftp://ok.example"}
        users:
        - name: u
          user: {token: t}
        - name: legacy
          user: {auth-provider: {name: gcp}}
        contexts:
        - {name: lost-cluster, context: {cluster: gone, user: u}}
        - {name: lost-user, context: {cluster: ok, user: nobody}}
        - {name: serverless, context: {cluster: no-server}}
        - {name: ftp, context: {cluster: ftp}}
        - {name: legacy, context: {cluster: ok, user: legacy}}
        """)
        let config = try KubeconfigLoader(environment: [:]).load(explicitPath: path)
        #expect(throws: KubeconfigError.noContextChosen) { try config.connection() }
        #expect(throws: KubeconfigError.contextNotFound("nope")) { try config.connection(context: "nope") }
        #expect(throws: KubeconfigError.clusterNotFound(cluster: "gone", context: "lost-cluster")) { try config.connection(context: "lost-cluster") }
        #expect(throws: KubeconfigError.userNotFound(user: "nobody", context: "lost-user")) { try config.connection(context: "lost-user") }
        #expect(throws: KubeconfigError.missingServer(cluster: "no-server")) { try config.connection(context: "serverless") }
        #expect(throws: KubeconfigError.invalidServerURL("ftp://ok.example")) { try config.connection(context: "ftp") }
        #expect(throws: KubeconfigError.unsupportedAuthProvider(user: "legacy")) { try config.connection(context: "legacy") }
        #expect(KubeconfigError.userNotFound(user: "nobody", context: "lost-user").description == "user \"nobody\" was not found for context \"lost-user\"")
    }

    @Test func reportsUnreadableAndInvalidFiles() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path + "/does-not-exist"
        #expect {
            try KubeconfigLoader(environment: [:]).load(explicitPath: missing)
        } throws: { error in
            guard case KubeconfigError.unreadableFile(let path, _) = error else { return false }
            return path == missing
        }
        #expect(throws: KubeconfigError.noConfiguration) {
            try KubeconfigLoader(environment: ["KUBECONFIG": missing]).load()
        }
        let broken = try directory.write("broken", "clusters: [{name: x, cluster: {server: [unclosed")
        #expect {
            try KubeconfigLoader(environment: [:]).load(explicitPath: broken)
        } throws: { error in
            guard case KubeconfigError.invalidFile(let path, _) = error else { return false }
            return path == broken
        }
        let wrongShape = try directory.write("wrong", "contexts: [{name: x, context: {user: u}}]")
        #expect {
            try KubeconfigLoader(environment: [:]).load(explicitPath: wrongShape)
        } throws: { error in
            guard case KubeconfigError.invalidFile(_, let reason) = error else { return false }
            return reason.contains("cluster")
        }
        let empty = try directory.write("empty", "\n")
        #expect(try KubeconfigLoader(environment: [:]).load(explicitPath: empty) == Kubeconfig())

        let badReferences = try directory.write("refs", """
        current-context: c
        clusters: [{name: k, cluster: {server: "https://k", certificate-authority: no-such-ca.pem}}]
        users: [{name: u, user: {tokenFile: no-such-token}}]
        contexts: [{name: c, context: {cluster: k}}, {name: t, context: {cluster: ok, user: u}}]
        """)
        #expect {
            try KubeconfigLoader(environment: [:]).load(explicitPath: badReferences).connection()
        } throws: { error in
            guard case KubeconfigError.unreadableFile(let path, _) = error else { return false }
            return path == directory.path + "/no-such-ca.pem"
        }
    }

    @Test func clientCertificatesFromFilesAndData() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("pki/client.crt", "CERT FROM FILE")
        try directory.write("pki/client.key", "KEY FROM FILE")
        let path = try directory.write("config", """
        clusters: [{name: k, cluster: {server: "https://k.example", certificate-authority-data: "\(base64("CA DATA"))", tls-server-name: kube.internal}}]
        users:
        - name: files
          user: {client-certificate: pki/client.crt, client-key: pki/client.key}
        - name: data
          user: {client-certificate-data: "\(base64("CERT DATA"))", client-key-data: "\(base64("KEY DATA"))", client-certificate: pki/client.crt}
        - name: half
          user: {client-certificate: pki/client.crt}
        - name: badbase64
          user: {client-certificate-data: "not base64!", client-key-data: "\(base64("KEY DATA"))"}
        - name: basic
          user: {username: admin, password: secret}
        contexts:
        - {name: files, context: {cluster: k, user: files}}
        - {name: data, context: {cluster: k, user: data}}
        - {name: half, context: {cluster: k, user: half}}
        - {name: badbase64, context: {cluster: k, user: badbase64}}
        - {name: basic, context: {cluster: k, user: basic}}
        """)
        let config = try KubeconfigLoader(environment: [:]).load(explicitPath: path)

        let files = try config.connection(context: "files")
        #expect(files.tls.clientCertificate == ClientCertificate(certificatePEM: Array("CERT FROM FILE".utf8), privateKeyPEM: Array("KEY FROM FILE".utf8)))
        #expect(files.tls.certificateAuthorityPEM == Array("CA DATA".utf8))
        #expect(files.tls.serverName == "kube.internal")

        let data = try config.connection(context: "data")
        #expect(data.tls.clientCertificate?.certificatePEM == Array("CERT DATA".utf8), "inline data wins over a file")
        #expect(data.tls.clientCertificate?.privateKeyPEM == Array("KEY DATA".utf8))

        #expect(throws: KubeconfigError.self) { try config.connection(context: "half") }
        #expect(throws: KubeconfigError.invalidBase64(field: "client-certificate-data", entry: "badbase64")) {
            try config.connection(context: "badbase64")
        }
        let basic = try config.connection(context: "basic")
        #expect(try await basic.credentials.credential().basicAuth == Credential.BasicAuth(username: "admin", password: "secret"))
    }

    @Test func tokenFilesAreRereadAsTheyRotate() async throws {
        let directory = try TemporaryDirectory()
        let tokenPath = try directory.write("token", "first\n")
        let clock = ManualClock(Date(timeIntervalSince1970: 1_700_000_000))
        let provider = TokenFileCredentialProvider(path: tokenPath, clock: clock.function)
        #expect(try await provider.credential().bearerToken == "first")

        try directory.write("token", "second")
        #expect(try await provider.credential().bearerToken == "first", "cached within a minute")
        clock.advance(by: 61)
        #expect(try await provider.credential().bearerToken == "second")

        try directory.write("token", "third")
        await provider.invalidate(Credential(bearerToken: "second"))
        #expect(try await provider.credential().bearerToken == "third", "a 401 forces a re-read")

        try FileManager.default.removeItem(atPath: tokenPath)
        clock.advance(by: 61)
        await #expect(throws: KubeconfigError.self) { try await provider.credential() }
    }

    @Test func inClusterConfiguration() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("token", "sa-token\n")
        try directory.write("ca.crt", "CLUSTER CA")
        try directory.write("namespace", "fleet-system")
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

        let connection = try InClusterConfig(directory: directory.path, environment: environment).connection()
        #expect(connection.server.absoluteString == "https://10.96.0.1:443")
        #expect(connection.namespace == "fleet-system")
        #expect(connection.tls.certificateAuthorityPEM == Array("CLUSTER CA".utf8))
        #expect(try await connection.credentials.credential().bearerToken == "sa-token")

        let ipv6 = try InClusterConfig(directory: directory.path, environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"]).connection()
        #expect(ipv6.server.absoluteString == "https://[fd00::1]:6443")

        #expect(throws: KubeconfigError.notInCluster) {
            try InClusterConfig(directory: directory.path, environment: [:]).connection()
        }
        #expect(throws: KubeconfigError.self) {
            try InClusterConfig(directory: directory.path + "/elsewhere", environment: environment).connection()
        }
    }
}
