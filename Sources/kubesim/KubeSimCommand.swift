import ArgumentParser
import Foundation
import KubeSim

/// `kubesim`: a simulated Kubernetes API server for tests and the embedded fleet.
/// It is not a real apiserver: state lives in memory and is lost on exit.
@main
struct KubeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubesim", abstract: "A simulated Kubernetes API server (in memory, for tests and local fleets).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 6443
    @Option(help: "Bearer token clients must send; none accepts every request.") var token: String?
    @Flag(inversion: .prefixedNo, help: "Serve https with a self-signed certificate (or --cert-file/--key-file).") var tls = true
    @Option(help: "PEM certificate to serve instead of a generated one.") var certFile: String?
    @Option(help: "PEM private key for --cert-file.") var keyFile: String?
    @Option(help: "Write a kubeconfig for this server to this path.") var kubeconfig: String?

    func run() async throws {
        var configuration = SimulatedAPIServer.Configuration(host: host, port: port, token: token, tls: tls ? .selfSigned : .none)
        if tls, let certFile, let keyFile {
            configuration.tls = .certificate(SelfSignedCertificate(
                certificatePEM: Array(try Data(contentsOf: URL(fileURLWithPath: certFile))),
                privateKeyPEM: Array(try Data(contentsOf: URL(fileURLWithPath: keyFile)))))
        }
        let server = try await SimulatedAPIServer.start(configuration)
        if let kubeconfig {
            try KubeconfigWriter.write(server: server, token: token, to: kubeconfig)
        }
        // Unbuffered, so a parent process reading the first line sees it at once.
        let line = Array("kubesim listening on \(server.url.absoluteString)\n".utf8)
        line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
        try await server.waitUntilClosed()
    }
}

enum KubeconfigWriter {
    static func write(server: SimulatedAPIServer, token: String?, to path: String) throws {
        var cluster = "    server: \(server.url.absoluteString)\n"
        if let pem = server.certificatePEM {
            cluster += "    certificate-authority-data: \(Data(pem).base64EncodedString())\n"
        }
        let user = token.map { "    token: \($0)\n" } ?? "    {}\n"
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubesim
          cluster:
        \(cluster)contexts:
        - name: kubesim
          context:
            cluster: kubesim
            user: kubesim
            namespace: default
        current-context: kubesim
        users:
        - name: kubesim
          user:
        \(user)
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
