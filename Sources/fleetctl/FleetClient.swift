import Protos
import RPCClient

/// The Fleet API's calls, typed, each with the command's timeout as its deadline.
struct FleetClient {
    typealias Method = Fleet_V1_Fleet.Method
    let connection: RPCClientConnection
    let timeout: Duration

    private func call<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String, _ request: Request
    ) async throws(RPCClientError) -> Response {
        try await connection.unary(path: path, request: request, deadline: .now + timeout)
    }

    func deploy(_ r: Fleet_V1_DeployRequest) async throws(RPCClientError) -> Fleet_V1_DeployResponse { try await call(Method.deploy, r) }
    func getDeployment(_ r: Fleet_V1_GetDeploymentRequest) async throws(RPCClientError) -> Fleet_V1_Deployment { try await call(Method.getDeployment, r) }
    func listDeployments(_ r: Fleet_V1_ListDeploymentsRequest) async throws(RPCClientError) -> Fleet_V1_ListDeploymentsResponse { try await call(Method.listDeployments, r) }
    func deleteDeployment(_ r: Fleet_V1_DeleteDeploymentRequest) async throws(RPCClientError) -> Fleet_V1_DeleteDeploymentResponse { try await call(Method.deleteDeployment, r) }
    func serve(_ r: Fleet_V1_ServeRequest) async throws(RPCClientError) -> Fleet_V1_ServeResponse { try await call(Method.serve, r) }
    func reserve(_ r: Fleet_V1_ReserveRequest) async throws(RPCClientError) -> Fleet_V1_Reservation { try await call(Method.reserve, r) }
    func listReservations(_ r: Fleet_V1_ListReservationsRequest) async throws(RPCClientError) -> Fleet_V1_ListReservationsResponse { try await call(Method.listReservations, r) }
    func releaseReservation(_ r: Fleet_V1_ReleaseReservationRequest) async throws(RPCClientError) -> Fleet_V1_Reservation { try await call(Method.releaseReservation, r) }
    func getCapacity(_ r: Fleet_V1_GetCapacityRequest) async throws(RPCClientError) -> Fleet_V1_GetCapacityResponse { try await call(Method.getCapacity, r) }

    /// The stream has no deadline unless one is given: a watch runs until it is stopped.
    func watchCapacity(_ r: Fleet_V1_WatchCapacityRequest, deadline: ContinuousClock.Instant?) throws(RPCClientError) -> RPCResponseStream<Fleet_V1_CapacityUpdate> {
        try connection.serverStreaming(path: Method.watchCapacity, request: r, deadline: deadline)
    }
}
