import ArgumentParser
import RPCClient

/// Where the server is, how to reach it, and what to report: every mode takes these.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server, HOST:PORT (fleetd, or rpc-echo-server for --mix echo).", valueName: "host:port"))
    var server: String

    @Flag(help: "Connect with TLS (ALPN h2) instead of plaintext h2c.")
    var tls = false

    @Option(help: ArgumentHelp("PEM file of the certificate authorities to trust (implies --tls).", valueName: "path"))
    var caFile: String?

    @Flag(help: "Accept any server certificate (implies --tls; for testing only).")
    var insecureSkipVerify = false

    @Option(help: "TCP connections to open.")
    var connections = 1

    @Option(help: ArgumentHelp("How long connecting may take before the run fails, e.g. 5s.", valueName: "duration"))
    var connectTimeout = "5s"

    @Option(help: ArgumentHelp("The server's process id: report its CPU and RSS from /proc.", valueName: "pid"))
    var serverPid: Int32?

    @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "file"))
    var json: String?

    func validate() throws {
        guard ServerAddress(server) != nil else {
            throw ValidationError("--server \"\(server)\" is not HOST:PORT (for example 127.0.0.1:50051)")
        }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard let timeout = DurationText.parse(connectTimeout), timeout > .zero else {
            throw ValidationError("--connect-timeout \"\(connectTimeout)\" is not a duration such as 500ms or 5s")
        }
        if let serverPid {
            do { _ = try ProcessSampler(pid: serverPid).sample() } catch { throw ValidationError(error.description) }
        }
    }

    var address: ServerAddress { ServerAddress(server)! }

    var sampler: ProcessSampler? { serverPid.map { ProcessSampler(pid: $0) } }

    var clientConfiguration: RPCClientConfiguration {
        var configuration = RPCClientConfiguration()
        if tls || caFile != nil || insecureSkipVerify {
            configuration.security = .tls(.init(caFile: caFile, insecureSkipVerify: insecureSkipVerify))
        }
        configuration.connectTimeout = DurationText.parse(connectTimeout) ?? .seconds(5)
        configuration.userAgent = "fleet-bench/1"
        return configuration
    }

    var transportName: String { clientConfiguration.isTLS ? "TLS" : "h2c" }

    /// Opens `count` connections at once; fails with the first connection's reason.
    func connect(count: Int) async throws -> [RPCClientConnection] {
        let address = self.address
        let configuration = clientConfiguration
        return try await withThrowingTaskGroup(of: RPCClientConnection.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await RPCClientConnection.connect(host: address.host, port: address.port, configuration: configuration)
                }
            }
            var connections: [RPCClientConnection] = []
            do {
                for try await connection in group { connections.append(connection) }
            } catch {
                for connection in connections { await connection.close() }
                throw BenchFailure("cannot reach \(address) over \(transportName): \((error as? RPCClientError)?.message ?? "\(error)")")
            }
            return connections
        }
    }
}

extension RPCClientConfiguration {
    var isTLS: Bool {
        if case .tls = security { return true }
        return false
    }
}

/// A failure that ends the run with its message and exit status 1.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
