import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Protos
import RPCClient

struct UnaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unary",
        abstract: "A weighted mix of unary calls, open loop (--rate) or closed loop (--closed-loop).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Operations and weights: deploy-dry-run, get-capacity, list-deployments, deploy-delete (a real Deploy then DeleteDeployment), echo (rpc-echo-server).", valueName: "op=weight,..."))
    var mix = Mix.defaultText

    @Option(help: ArgumentHelp("Open loop: operations per second, due on a fixed timetable.", valueName: "n"))
    var rate: Double?

    @Flag(help: "Closed loop: each of --concurrency workers sends its next call when the last is answered.")
    var closedLoop = false

    @Option(help: "Closed loop: concurrent calls (default: connections × streams per connection).")
    var concurrency: Int?

    @Option(help: "Concurrent calls per connection (open loop), and the default concurrency of a closed loop.")
    var streamsPerConnection = 16

    @Option(help: ArgumentHelp("How long to measure, e.g. 10s.", valueName: "duration"))
    var duration = "10s"

    @Option(help: ArgumentHelp("How long to run before measuring.", valueName: "duration"))
    var warmup = "2s"

    @Option(help: ArgumentHelp("Deadline of each call.", valueName: "duration"))
    var timeout = "10s"

    @Option(help: "The team of the deploys (a configured team).")
    var team = "ml-platform"

    @Flag(help: "Pin real deploys to each cluster in turn (from GetCapacity), instead of letting fleetd pick the best.")
    var spreadClusters = false

    @Option(help: "Bytes of each echo request.")
    var echoPayloadSize = 100

    func validate() throws {
        try plan()
    }

    @discardableResult
    func plan() throws -> UnaryPlan {
        let cycle: [Operation]
        do { cycle = try Mix(parsing: mix).cycle() } catch { throw ValidationError(error.description) }
        guard streamsPerConnection >= 1 else { throw ValidationError("--streams-per-connection must be at least 1") }
        let pacing: UnaryPlan.Pacing
        switch (rate, closedLoop) {
        case (nil, false): throw ValidationError("choose --rate N (open loop) or --closed-loop")
        case (.some, true): throw ValidationError("--rate and --closed-loop exclude each other")
        case (.some(let rate), false):
            guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number of operations per second") }
            guard concurrency == nil else { throw ValidationError("--concurrency is for --closed-loop; an open loop uses --connections × --streams-per-connection") }
            pacing = .openLoop(ArrivalSchedule(rate: rate))
        case (nil, true):
            pacing = .closedLoop
        }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        let measured = try Self.duration(duration, flag: "--duration", allowZero: false)
        let warm = try Self.duration(warmup, flag: "--warmup", allowZero: true)
        let deadline = try Self.duration(timeout, flag: "--timeout", allowZero: false)
        guard echoPayloadSize >= 0 else { throw ValidationError("--echo-payload-size must not be negative") }
        return UnaryPlan(cycle: cycle, pacing: pacing, workers: concurrency ?? connection.connections * streamsPerConnection,
                         warmup: warm, duration: measured, callTimeout: deadline)
    }

    static func duration(_ text: String, flag: String, allowZero: Bool) throws -> Duration {
        guard let value = DurationText.parse(text), allowZero ? value >= .zero : value > .zero else {
            throw ValidationError("\(flag) \"\(text)\" is not a\(allowZero ? "" : " positive") duration such as 500ms, 10s or 1m")
        }
        return value
    }

    func run() async throws {
        try await failingClearly {
            let plan = try plan()
            let connections = try await connection.connect(count: connection.connections)
            let clusters = spreadClusters ? try await Self.clusterNames(on: connections[0]) : []
            let requests = try FleetRequests(team: team, runID: FleetRequests.randomRunID(), echoPayloadSize: echoPayloadSize, clusters: clusters)
            let runner = UnaryRunner(plan: plan, requests: requests, connections: connections)
            let timeline = runner.timeline(startingAt: .now)
            let tally = runner.tally
            let sampler = connection.sampler
            let usage: (server: ProcessUsage?, client: ProcessUsage)? = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await runner.run(timeline) }
                group.addTask {
                    var last = 0
                    await Progress.everySecond { second in
                        let done = tally.completed.load(ordering: .relaxed)
                        defer { last = done }
                        let phase = ContinuousClock.now < timeline.measureStart ? "warm-up" : ContinuousClock.now < timeline.end ? "measuring" : "draining"
                        return "\(second)s \(phase): \(Progress.grouped(done - last)) ops/s, \(Progress.grouped(done)) done, \(Progress.grouped(tally.failed.load(ordering: .relaxed))) failed"
                    }
                }
                let usage = try await Self.sampleUsage(server: sampler, from: timeline.measureStart, to: timeline.end)
                _ = try await group.next()
                group.cancelAll()
                return usage
            }
            for connection in connections { await connection.close() }
            let report = UnaryReport(plan: plan, mixText: mix, server: connection.address.description, transport: connection.transportName,
                                     connections: connections.count, results: tally.snapshot, usage: usage?.server,
                                     clientUsage: usage?.client)
            print(report.markdown)
            if let path = connection.json { try JSONOutput.write(report, to: path) }
        }
    }

    static func clusterNames(on connection: RPCClientConnection) async throws -> [String] {
        do {
            let capacity: Fleet_V1_GetCapacityResponse = try await connection.unary(
                path: FleetRequests.Method.getCapacity, request: Fleet_V1_GetCapacityRequest(), deadline: .now + .seconds(10))
            return capacity.clusters.map(\.cluster).sorted()
        } catch {
            throw BenchFailure("--spread-clusters: GetCapacity failed: \(error)")
        }
    }

    /// The server's and fleet-bench's own CPU and RSS over the measured window: a client
    /// near a full core means the figures are the client's limit, not the server's.
    static func sampleUsage(server: ProcessSampler?, from: ContinuousClock.Instant,
                            to: ContinuousClock.Instant) async throws -> (server: ProcessUsage?, client: ProcessUsage)? {
        let client = ProcessSampler(pid: getpid())
        try? await Task.sleep(until: from, clock: .continuous)
        let serverStart = try server?.sample()
        guard let clientStart = try? client.sample() else { return nil }
        try? await Task.sleep(until: to, clock: .continuous)
        let serverUsage = try serverStart.map { ProcessUsage(pid: server!.pid, from: $0, to: try server!.sample()) }
        guard let clientEnd = try? client.sample() else { return nil }
        return (serverUsage, ProcessUsage(pid: client.pid, from: clientStart, to: clientEnd))
    }
}
