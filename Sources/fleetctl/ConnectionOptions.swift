import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RPCClient

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Where fleetd is and how to talk to it; every command takes these.
struct ConnectionOptions: ParsableArguments {
    static let defaultServer = "127.0.0.1:50051"

    @Option(help: ArgumentHelp("fleetd's address, HOST:PORT (default: $FLEETCTL_SERVER or \(defaultServer)).", valueName: "host:port"))
    var server: String?

    @Flag(help: "Connect with TLS (ALPN h2) instead of plaintext h2c.")
    var tls = false

    @Option(help: ArgumentHelp("PEM file of the certificate authorities to trust (implies --tls).", valueName: "path"))
    var caFile: String?

    @Flag(help: "Accept any server certificate (implies --tls; for testing only).")
    var insecureSkipVerify = false

    @Option(help: ArgumentHelp("How long a call may take, e.g. 500ms, 10s, 1m.", valueName: "duration"))
    var timeout = "10s"

    @Option(name: [.short, .long], help: "Output format.")
    var output: OutputFormat = .table

    func validate() throws {
        _ = try address()
        guard let timeout = Durations.parse(timeout), timeout > .zero else {
            throw ValidationError("--timeout \"\(timeout)\" is not a duration such as 500ms, 10s or 1m")
        }
    }

    /// The server as host and port; `--server`, then `FLEETCTL_SERVER`, then the default.
    func address() throws(ValidationError) -> (host: String, port: Int) {
        let text = server ?? getenv("FLEETCTL_SERVER").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultServer
        guard let parsed = Self.parseAddress(text) else {
            throw ValidationError("--server \"\(text)\" is not HOST:PORT (for example 127.0.0.1:50051)")
        }
        return parsed
    }

    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = Substring(text)
        }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        guard let portText else { return (String(host), 50051) }
        guard let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    var callTimeout: Duration { Durations.parse(timeout) ?? .seconds(10) }

    var clientConfiguration: RPCClientConfiguration {
        var configuration = RPCClientConfiguration()
        if tls || caFile != nil || insecureSkipVerify {
            configuration.security = .tls(.init(caFile: caFile, insecureSkipVerify: insecureSkipVerify))
        }
        configuration.connectTimeout = min(callTimeout, .seconds(10))
        return configuration
    }

    /// Connects, runs `body` with a client whose calls carry the timeout, and turns a failed call
    /// into its report on stderr and exit status 1.
    func withClient<T>(_ body: (FleetClient) async throws(RPCClientError) -> T) async throws -> T {
        let (host, port) = try address()
        let result: Result<T, RPCClientError>
        do {
            let connection = try await RPCClientConnection.connect(host: host, port: port, configuration: clientConfiguration)
            do {
                result = .success(try await body(FleetClient(connection: connection, timeout: callTimeout)))
            } catch {
                result = .failure(error)
            }
            await connection.close()
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            Terminal.printError(ErrorReport.describe(error))
            throw ExitCode.failure
        }
    }
}

/// Writing to the terminal, and knowing whether it is one.
enum Terminal {
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    static func printError(_ text: String) {
        fflush(nil)
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Prints and flushes at once, so that piped output of a long-running watch is not held back.
    static func printFlushed(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Moves the cursor home and clears the screen, then draws `screen`.
    static func redraw(_ screen: String) {
        print("\u{1B}[H\u{1B}[2J" + screen, terminator: "")
        fflush(nil)
    }
}
