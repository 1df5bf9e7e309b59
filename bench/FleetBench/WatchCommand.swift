import ArgumentParser
import RPCClient
import Protos

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "WatchCapacity subscribers while a driver deploys and deletes: delivery latency, completeness, memory per subscriber.",
        discussion: """
            The driver alternates a real Deploy and the DeleteDeployment of it, one call at a time at \
            --change-rate. Its own probe stream learns each change's revision (the changed cluster's \
            requested CPU moves by the deploy's CPU). A subscriber has the change once it receives an \
            update of that revision or later: a conflated update covers every change folded into it. \
            Latency counts from the driver's call. With --server-pid, the server's RSS before and after \
            opening the streams gives its memory per subscriber.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "WatchCapacity streams, spread over --connections.")
    var subscribers = 100

    @Option(help: ArgumentHelp("Capacity changes per second (a Deploy or a DeleteDeployment each).", valueName: "n"))
    var changeRate = 10.0

    @Option(help: ArgumentHelp("How long to drive changes, e.g. 10s.", valueName: "duration"))
    var duration = "10s"

    @Option(help: ArgumentHelp("How long to keep listening after the last change.", valueName: "duration"))
    var grace = "2s"

    @Option(help: ArgumentHelp("How long every subscriber may take to get its first snapshot.", valueName: "duration"))
    var snapshotTimeout = "30s"

    @Option(help: ArgumentHelp("Deadline of each driver call.", valueName: "duration"))
    var timeout = "10s"

    @Option(help: "The team of the deploys (a configured team).")
    var team = "ml-platform"

    struct Settings {
        var duration: Duration
        var grace: Duration
        var snapshotTimeout: Duration
        var callTimeout: Duration
        var schedule: ArrivalSchedule
    }

    func validate() throws {
        _ = try settings()
    }

    func settings() throws -> Settings {
        guard subscribers >= 1 else { throw ValidationError("--subscribers must be at least 1") }
        guard changeRate > 0, changeRate.isFinite else { throw ValidationError("--change-rate must be a positive number of changes per second") }
        return Settings(
            duration: try UnaryCommand.duration(duration, flag: "--duration", allowZero: false),
            grace: try UnaryCommand.duration(grace, flag: "--grace", allowZero: true),
            snapshotTimeout: try UnaryCommand.duration(snapshotTimeout, flag: "--snapshot-timeout", allowZero: false),
            callTimeout: try UnaryCommand.duration(timeout, flag: "--timeout", allowZero: false),
            schedule: ArrivalSchedule(rate: changeRate))
    }

    func run() async throws {
        try await failingClearly {
            let settings = try settings()
            let all = try await connection.connect(count: connection.connections + 1)
            defer { Task { for connection in all { await connection.close() } } }
            let driverConnection = all[0]
            let sampler = connection.sampler
            let origin = ContinuousClock.now

            // The probe first, so that the server's memory baseline includes one stream.
            let probe = CapacityProbe()
            let probeTask = Task {
                let stream = try driverConnection.serverStreaming(path: FleetRequests.Method.watchCapacity, request: Protos.Fleet_V1_WatchCapacityRequest(),
                                                                  responseType: Protos.Fleet_V1_CapacityUpdate.self)
                for try await update in stream { probe.apply(update) }
            }
            defer { probeTask.cancel() }
            try await Self.waitUntil(timeout: settings.snapshotTimeout, what: "the probe's first WatchCapacity snapshot", failure: { nil }) {
                probe.snapshotSeen
            }
            try? await Task.sleep(for: .milliseconds(500))
            let before = try sampler?.sample()

            let fleet = SubscriberFleet(connections: Array(all.dropFirst()), count: subscribers, origin: origin)
            let counters = fleet.counters
            let subscriberTask = Task { await fleet.run() }
            let progress = Task {
                await Progress.everySecond { second in
                    "\(second)s: \(Progress.grouped(counters.withSnapshot.load(ordering: .relaxed)))/\(Progress.grouped(subscribers)) subscribers with a snapshot, "
                        + "\(Progress.grouped(counters.updates.load(ordering: .relaxed))) updates received, probe at revision \(probe.latestRevision)"
                }
            }
            defer { progress.cancel() }
            do {
                try await Self.waitUntil(timeout: settings.snapshotTimeout, what: "\(subscribers) subscribers' first snapshots",
                                         failure: { counters.firstFailureReason }) {
                    counters.withSnapshot.load(ordering: .relaxed) >= subscribers
                }
            } catch {
                subscriberTask.cancel()
                _ = await subscriberTask.value
                throw error
            }
            try? await Task.sleep(for: .seconds(1))
            let with = try sampler?.sample()

            let driver = CapacityDriver(connection: driverConnection, requests: try FleetRequests(team: team, runID: FleetRequests.randomRunID()),
                                        probe: probe, schedule: settings.schedule, callTimeout: settings.callTimeout, probeTimeout: .seconds(2))
            let start = ContinuousClock.now
            let outcome = await driver.run(origin: origin, start: start, end: start + settings.duration) { _ in }
            let drivingEnd = try sampler?.sample()
            try? await Task.sleep(for: settings.grace)
            subscriberTask.cancel()
            let logs = await subscriberTask.value
            if let leftOver = outcome.leftOver {
                let _: Protos.Fleet_V1_DeleteDeploymentResponse? = try? await driverConnection.unary(
                    path: FleetRequests.Method.deleteDeployment, request: FleetRequests.delete(id: leftOver), deadline: .now + settings.callTimeout)
            }

            let analysis = DeliveryAnalysis.analyze(changes: outcome.changes, receipts: logs.map(\.receipts))
            let report = WatchReport.make(
                settings: settings, options: self, analysis: analysis, outcome: outcome, logs: logs,
                memory: before.flatMap { before in with.map { (before, $0) } },
                usage: with.flatMap { with in drivingEnd.map { ProcessUsage(pid: sampler!.pid, from: with, to: $0) } })
            print(report.markdown)
            if let path = connection.json { try JSONOutput.write(report, to: path) }
        }
    }

    /// Polls `done` every 10 ms; fails with what it waited for, or the reason `failure` gives.
    static func waitUntil(timeout: Duration, what: String, failure: () -> String?, _ done: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !done() {
            if let reason = failure() { throw BenchFailure("while waiting for \(what): \(reason)") }
            guard ContinuousClock.now < deadline else {
                throw BenchFailure("\(what) did not arrive within \(DurationText.format(timeout))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension WatchReport {
    static func make(settings: WatchCommand.Settings, options: WatchCommand, analysis: DeliveryAnalysis.Result,
                     outcome: CapacityDriver.Outcome, logs: [SubscriberLog],
                     memory: (ProcessSampler.Sample, ProcessSampler.Sample)?, usage: ProcessUsage?) -> WatchReport {
        var subscriberErrors: [String: Int] = [:]
        for log in logs { if let ended = log.endedWith { subscriberErrors[ended, default: 0] += 1 } }
        let seconds = settings.duration.seconds
        return WatchReport(
            server: options.connection.address.description, transport: options.connection.transportName,
            connections: options.connection.connections, subscribers: options.subscribers,
            targetChangeRate: settings.schedule.rate, durationSeconds: seconds, graceSeconds: settings.grace.seconds,
            changes: .init(made: analysis.changes, attributed: analysis.changes - analysis.unattributed, unattributed: analysis.unattributed,
                           perSecond: seconds > 0 ? Double(analysis.changes) / seconds : 0),
            delivery: .init(expected: analysis.expected, delivered: analysis.delivered, missing: analysis.missing, conflated: analysis.conflated,
                            completeness: analysis.expected > 0 ? Double(analysis.delivered) / Double(analysis.expected) : 0,
                            changesThatReachedEverySubscriber: analysis.reachedAll),
            recordedToReceiptMicros: analysis.recordedToReceipt.summary,
            deliveryLatencyMicros: analysis.deliveryLatency.summary, timeToAllMicros: analysis.timeToAll.summary,
            spreadMicros: analysis.spread.summary,
            driverCallLatencyMicros: outcome.callLatency.summary,
            updates: .init(snapshots: logs.reduce(0) { $0 + $1.snapshots }, deltas: logs.reduce(0) { $0 + $1.deltas },
                           heartbeats: logs.reduce(0) { $0 + $1.heartbeats }),
            subscriberErrors: subscriberErrors, driverErrors: outcome.errors, deploysByCluster: outcome.deploysByCluster,
            memory: memory.map { before, with in
                .init(rssBeforeStreamsBytes: before.rssBytes, rssWithStreamsBytes: with.rssBytes,
                      bytesPerSubscriber: Double(with.rssBytes - before.rssBytes) / Double(options.subscribers))
            },
            serverUsage: usage)
    }
}
