import ArgumentParser
import Foundation

@main
struct FleetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-bench",
        abstract: "Load generator for fleetd (or any server with the same protocol), over h2c or TLS.",
        discussion: """
            unary: a weighted mix of Fleet calls at a fixed arrival rate (open loop: latency counts from \
            when each request was due) or as fast as answers come (closed loop).
            watch: N WatchCapacity subscribers while a driver deploys and deletes; how long each change \
            takes to reach every subscriber, how many updates arrive, and the server's memory per subscriber.
            Progress goes to stderr each second; the final Markdown table to stdout; --json writes the same as JSON.
            """,
        subcommands: [UnaryCommand.self, WatchCommand.self],
        defaultSubcommand: UnaryCommand.self)
}

/// Writes the report's JSON, sorted and indented, where `--json` asked.
enum JSONOutput {
    static func write(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw BenchFailure("cannot write --json \(path): \(error.localizedDescription)")
        }
    }
}

/// Runs a command body, turning a ``BenchFailure`` into its message and exit status 1.
func failingClearly(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as BenchFailure {
        Progress.print("error: \(failure.description)")
        throw ExitCode.failure
    }
}
