import ArgumentParser
import Protos
import RPCClient

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Place a workload on the best cluster, or queue it until one has room.",
        discussion: """
            From flags, or from a YAML spec with -f (flags given as well override the spec). \
            With --dry-run, nothing is written: the answer says where it would go and why every \
            other cluster was rejected.
            """)

    @Argument(help: "The deployment's name (a DNS-1123 label).")
    var name: String?

    @Option(name: [.short, .customLong("file")], help: ArgumentHelp("A YAML deploy spec.", valueName: "spec.yaml"))
    var file: String?

    @Option(help: "The team (a DNS-1123 label).") var team: String?
    @Option(help: "serving, batch or scheduled (default serving).") var kind: String?
    @Option(help: "The container image.") var image: String?
    @Option(help: "Replicas (SERVING), parallel pods (BATCH) or pods per run (SCHEDULED).") var replicas: Int32?
    @OptionGroup(title: "Per replica") var resources: ResourceOptions
    @Option(help: "high, medium or low.") var priority: String?
    @OptionGroup(title: "Placement") var placement: PlacementOptions
    @Option(help: "Land only on this reservation's nodes.") var reservation: String?
    @Option(help: "SCHEDULED only: a 5-field cron schedule.") var schedule: String?
    @Option(help: "SERVING only: the container port Serve exposes.") var port: Int32?
    @Option(name: .customLong("env"), help: ArgumentHelp("Environment variable, KEY=VALUE (repeatable).", valueName: "key=value"))
    var env: [String] = []
    @Option(name: .customLong("command"), help: ArgumentHelp("Container command word (repeatable).", valueName: "word"))
    var command: [String] = []
    @Option(name: .customLong("arg"), help: ArgumentHelp("Container argument (repeatable).", valueName: "arg"))
    var args: [String] = []
    @Option(help: "Idempotency key; a retry with the same one returns the first answer (default: generated).")
    var requestId: String?
    @Flag(help: "Say where it would go, and write nothing.") var dryRun = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        _ = try request()
    }

    func run() async throws {
        let request = try request()
        let response = try await connection.withClient { client throws(RPCClientError) in try await client.deploy(request) }
        emit(connection.output) { FleetTables.deployResponse(response) } json: { FleetJSON.deployResponse(response) }
    }

    /// The spec file's request, with every flag given applied over it.
    func request() throws -> Fleet_V1_DeployRequest {
        var request = Fleet_V1_DeployRequest()
        if let file {
            do { request = try DeploySpec.load(path: file).request() } catch { throw ValidationError(error.description) }
        }
        if let name { request.name = name }
        if let team { request.team = team }
        do {
            if let kind { request.kind = try DeploySpec.kind(kind) }
            if let priority { request.priority = try DeploySpec.priority(priority) }
        } catch {
            throw ValidationError(error.description)
        }
        if request.kind == .unspecified { request.kind = .serving }
        if let image { request.image = image }
        if let replicas { request.replicas = replicas }
        if request.replicas == 0 { request.replicas = 1 }
        request.resources = try resources.resources(over: request.resources)
        request.constraints = try placement.constraints(over: request.constraints)
        if let reservation { request.reservationId = reservation }
        if let schedule { request.schedule = schedule }
        if let port { request.port = port }
        if !env.isEmpty { request.env.merge(try parsePairs(env, flag: "--env")) { $1 } }
        if !command.isEmpty { request.command = command }
        if !args.isEmpty { request.args = args }
        if let requestId { request.requestId = requestId }
        if request.requestId.isEmpty { request.requestId = generatedRequestID() }
        if dryRun { request.dryRun = true }
        guard !request.name.isEmpty else { throw ValidationError("a deployment needs a name: fleetctl deploy NAME ... or name: in the spec") }
        guard !request.team.isEmpty else { throw ValidationError("a deployment needs a team: --team or team: in the spec") }
        return request
    }
}
