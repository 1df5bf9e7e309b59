import ArgumentParser
import Protos
import RPCClient

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one deployment.")

    @Argument(help: "The deployment's ID.") var id: String
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var request = Fleet_V1_GetDeploymentRequest()
        request.id = id
        let deployment = try await connection.withClient { client throws(RPCClientError) in try await client.getDeployment(request) }
        emit(connection.output) { FleetTables.deployment(deployment) } json: { FleetJSON.deployment(deployment) }
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List deployments, newest first.")

    @Option(help: "Only this team's.") var team: String?
    @Option(name: .customLong("state"), help: ArgumentHelp("Only in this state (repeatable): queued, placed, running, succeeded, failed, deleted.", valueName: "state"))
    var states: [String] = []
    @Option(help: "Only on this cluster.") var cluster: String?
    @Option(help: "Only of this kind: serving, batch or scheduled.") var kind: String?
    @Option(help: "Deployments per page (at most 1000).") var pageSize: Int32 = 100
    @Option(help: "Start from this page (from an earlier answer's next page token).") var pageToken: String?
    @Flag(help: "Follow the pages to the end.") var all = false
    @OptionGroup var connection: ConnectionOptions

    func validate() throws { _ = try request() }

    func run() async throws {
        let first = try request()
        let all = self.all
        let response = try await connection.withClient { client throws(RPCClientError) in
            var request = first
            var response = try await client.listDeployments(request)
            while all && !response.nextPageToken.isEmpty {
                request.pageToken = response.nextPageToken
                let page = try await client.listDeployments(request)
                response.deployments += page.deployments
                response.nextPageToken = page.nextPageToken
            }
            return response
        }
        emit(connection.output) {
            var text = FleetTables.deployments(response.deployments, now: Timestamps.nowSeconds())
            if !response.nextPageToken.isEmpty { text += "\n\nMore: --page-token \(response.nextPageToken) (or --all)" }
            return text
        } json: {
            FleetJSON.listDeployments(response)
        }
    }

    func request() throws -> Fleet_V1_ListDeploymentsRequest {
        var request = Fleet_V1_ListDeploymentsRequest()
        request.team = team ?? ""
        for state in states {
            guard let parsed = Fleet_V1_DeploymentState.allKnownValues.first(where: { FleetTables.short($0) == state.uppercased() }),
                  parsed != .unspecified else {
                throw ValidationError("unknown state \"\(state)\" (queued, placed, running, succeeded, failed or deleted)")
            }
            request.states.append(parsed)
        }
        request.cluster = cluster ?? ""
        if let kind {
            do { request.kind = try DeploySpec.kind(kind) } catch { throw ValidationError(error.description) }
        }
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 1000") }
        request.pageSize = pageSize
        request.pageToken = pageToken ?? ""
        return request
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a deployment's objects from its cluster, or drop it from the queue.")

    @Argument(help: "The deployment's ID.") var id: String
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var request = Fleet_V1_DeleteDeploymentRequest()
        request.id = id
        let response = try await connection.withClient { client throws(RPCClientError) in try await client.deleteDeployment(request) }
        emit(connection.output) {
            let d = response.deployment ?? Fleet_V1_Deployment()
            return "Deleted \(d.name.isEmpty ? id : "\(d.name) (\(d.id))")" + (d.cluster.isEmpty ? "" : " from \(d.cluster)")
        } json: {
            FleetJSON.deleteDeployment(response)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Expose a SERVING deployment through a Service and an Ingress.")

    @Argument(help: "The deployment's ID.") var id: String
    @Option(help: "The Ingress host (default: <name>.<team>.<cluster domain>).") var host: String?
    @Option(help: "The Ingress path (default /).") var path: String?
    @Option(help: "The Service port (default 80).") var port: Int32?
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var request = Fleet_V1_ServeRequest()
        request.deploymentId = id
        request.host = host ?? ""
        request.path = path ?? ""
        request.port = port ?? 0
        let response = try await connection.withClient { client throws(RPCClientError) in try await client.serve(request) }
        emit(connection.output) { FleetTables.serveResponse(response) } json: { FleetJSON.serveResponse(response) }
    }
}
