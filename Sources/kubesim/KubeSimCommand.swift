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
    @Option(help: ArgumentHelp(
        "Simulate a cluster: a profile YAML file, or a built-in profile name.",
        discussion: "Built-in: \(ClusterProfile.builtinNames.joined(separator: ", ")). Without a profile kubesim is a bare API server: no nodes, no controllers."))
    var profile: String?
    @Option(help: "Print a built-in profile's YAML and exit.") var printProfile: String?
    @Option(help: "Simulated seconds per real second (CronJobs, Job run times).") var clockSpeed: Double = 1
    @Flag(help: "Stop the simulated clock; advance it with POST /kubesim/clock/advance.") var manualClock = false

    func run() async throws {
        if let printProfile {
            guard let builtin = ClusterProfile.builtin(named: printProfile) else {
                throw ValidationError("no built-in profile \(printProfile); there are \(ClusterProfile.builtinNames.joined(separator: ", "))")
            }
            print(try builtin.yaml(), terminator: "")
            return
        }
        var tlsMode: SimulatedAPIServer.Configuration.TLS = tls ? .selfSigned : .none
        if tls, let certFile, let keyFile {
            tlsMode = .certificate(SelfSignedCertificate(
                certificatePEM: Array(try Data(contentsOf: URL(fileURLWithPath: certFile))),
                privateKeyPEM: Array(try Data(contentsOf: URL(fileURLWithPath: keyFile)))))
        }
        let server: SimulatedAPIServer
        if let profile {
            let clusterProfile = try ClusterProfile.builtin(named: profile) ?? ClusterProfile.load(path: profile)
            let clock: SimulationClock = manualClock ? .manual(startingAt: Date()) : .wall(speed: clockSpeed)
            let cluster = try await SimulatedCluster.start(clusterProfile, options: SimulatedCluster.Options(
                host: host, port: port, token: token, tls: tlsMode, clock: clock))
            server = cluster.server
        } else {
            server = try await SimulatedAPIServer.start(SimulatedAPIServer.Configuration(host: host, port: port, token: token, tls: tlsMode))
        }
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
