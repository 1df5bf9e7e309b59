import ArgumentParser
import Protos
import RPCClient

struct Reserve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reserve dedicated nodes for a team: labelled and tainted fleet.io/reservation=<id>:NoSchedule.")

    @Option(help: "The team the nodes are for.") var team: String
    @Option(help: "How many nodes.") var nodes: Int32
    @OptionGroup(title: "Each node must have free") var perNode: ResourceOptions
    @OptionGroup(title: "Placement") var placement: PlacementOptions
    @Option(help: ArgumentHelp("How long the reservation lasts, e.g. 2h or 90m.", valueName: "duration")) var duration: String?
    @Option(help: ArgumentHelp("Raise the team's quota in the chosen cluster to at least this CPU.", valueName: "quantity"))
    var quotaCpu: String?
    @Option(help: ArgumentHelp("... and this memory.", valueName: "quantity")) var quotaMemory: String?
    @Option(name: .customLong("quota-accelerator"), help: ArgumentHelp("... and this many of an accelerator resource, NAME=COUNT (repeatable), e.g. nvidia.com/gpu=8.", valueName: "name=count"))
    var quotaAccelerators: [String] = []
    @Option(help: "Idempotency key (default: generated).") var requestId: String?
    @OptionGroup var connection: ConnectionOptions

    func validate() throws { _ = try request() }

    func run() async throws {
        let request = try request()
        let reservation = try await connection.withClient { client throws(RPCClientError) in try await client.reserve(request) }
        emit(connection.output) { FleetTables.reservation(reservation) } json: { FleetJSON.reservation(reservation) }
    }

    func request() throws -> Fleet_V1_ReserveRequest {
        var request = Fleet_V1_ReserveRequest()
        request.requestId = requestId ?? generatedRequestID()
        request.team = team
        guard nodes > 0 else { throw ValidationError("--nodes must be positive") }
        request.nodeCount = nodes
        request.perNode = try perNode.resources(over: nil)
        request.constraints = try placement.constraints(over: nil)
        if let duration {
            guard let parsed = Durations.parse(duration), parsed > .zero else {
                throw ValidationError("--duration \"\(duration)\" is not a duration such as 2h or 90m")
            }
            request.until = .duration(Google_Protobuf_Duration(parsed))
        }
        if quotaCpu != nil || quotaMemory != nil || !quotaAccelerators.isEmpty {
            var quota = Fleet_V1_QuotaLimits()
            do {
                if let quotaCpu { quota.cpuMillis = try Quantities.cpuMillis(quotaCpu) }
                if let quotaMemory { quota.memoryBytes = try Quantities.bytes(quotaMemory) }
            } catch {
                throw ValidationError(error.description)
            }
            for (name, count) in try parsePairs(quotaAccelerators, flag: "--quota-accelerator") {
                guard let count = Int64(count), count > 0 else {
                    throw ValidationError("--quota-accelerator \(name)=\(count): the count must be a positive integer")
                }
                quota.accelerators[name] = count
            }
            request.quota = quota
        }
        return request
    }
}

struct Release: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Release a reservation: its nodes lose the taint and label.")

    @Argument(help: "The reservation's ID.") var id: String
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var request = Fleet_V1_ReleaseReservationRequest()
        request.id = id
        let reservation = try await connection.withClient { client throws(RPCClientError) in try await client.releaseReservation(request) }
        emit(connection.output) { FleetTables.reservation(reservation) } json: { FleetJSON.reservation(reservation) }
    }
}

struct Reservations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List reservations.")

    @Option(help: "Only this team's.") var team: String?
    @Flag(help: "Include released and expired reservations.") var all = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var request = Fleet_V1_ListReservationsRequest()
        request.team = team ?? ""
        request.includeInactive = all
        let response = try await connection.withClient { client throws(RPCClientError) in try await client.listReservations(request) }
        emit(connection.output) {
            FleetTables.reservations(response.reservations, now: Timestamps.nowSeconds())
        } json: {
            FleetJSON.listReservations(response)
        }
    }
}
