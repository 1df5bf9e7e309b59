import ArgumentParser
import Protos
import RPCClient

struct Capacity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show every cluster's free capacity (free/allocatable).")

    @OptionGroup(title: "Filter") var filter: CapacityFilterOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var request = Fleet_V1_GetCapacityRequest()
        request.filter = try filter.filter()
        let response = try await connection.withClient { client throws(RPCClientError) in try await client.getCapacity(request) }
        emit(connection.output) { FleetTables.capacity(response.clusters) } json: { FleetJSON.capacity(response) }
    }
}

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch capacity change: a live table on a terminal, one line per change otherwise.",
        discussion: "With --output json, one JSON object per update and line. Runs until interrupted, or for --for.")

    @OptionGroup(title: "Filter") var filter: CapacityFilterOptions
    @Option(help: "Resume after this revision.") var resume: UInt64 = 0
    @Option(help: ArgumentHelp("Heartbeat interval asked of the server, e.g. 15s.", valueName: "duration")) var heartbeat: String?
    @Option(name: .customLong("for"), help: ArgumentHelp("Stop after this long, e.g. 30s.", valueName: "duration")) var watchFor: String?
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if let heartbeat, Durations.parse(heartbeat) == nil { throw ValidationError("--heartbeat \"\(heartbeat)\" is not a duration") }
        if let watchFor, Durations.parse(watchFor) == nil { throw ValidationError("--for \"\(watchFor)\" is not a duration") }
    }

    func run() async throws {
        var request = Fleet_V1_WatchCapacityRequest()
        request.filter = try filter.filter()
        request.resumeRevision = resume
        if let heartbeat = heartbeat.flatMap(Durations.parse) { request.heartbeatInterval = Google_Protobuf_Duration(heartbeat) }
        let deadline = watchFor.flatMap(Durations.parse).map { ContinuousClock.now + $0 }
        let output = connection.output
        let live = output == .table && Terminal.standardOutputIsTerminal
        try await connection.withClient { client throws(RPCClientError) in
            var view = CapacityWatchView()
            do {
                for try await update in try client.watchCapacity(request, deadline: deadline) {
                    switch output {
                    case .json:
                        Terminal.printFlushed(FleetJSON.capacityUpdate(update).render(pretty: false))
                    case .table where live:
                        view.apply(update)
                        Terminal.redraw(view.screen())
                    case .table:
                        for line in CapacityWatchView.lines(for: update) { Terminal.printFlushed(line) }
                    }
                }
            } catch let error as RPCClientError where error.code == .deadlineExceeded && deadline != nil {
                return  // --for ran out: the watch is over
            } catch let error as RPCClientError {
                throw error
            } catch {
                throw RPCClientError(.unknown, "\(error)")
            }
        }
    }
}
