/// Where fleetd keeps what the clusters' own objects cannot tell it after a restart:
/// deployments still waiting in the queue, and reservations. Placed deployments need
/// no store: their objects carry the record (see `ClusterAPI.managedWorkloads`).
public protocol FleetStateStore: Sendable {
    /// Stores a queued deployment; called before Deploy answers QUEUED.
    func saveQueued(_ record: DeploymentRecord) async throws
    /// Forgets a queued deployment once it is placed or deleted; succeeds if it is gone.
    func removeQueued(_ id: DeploymentID) async throws
    func loadQueued() async throws -> [DeploymentRecord]
    func saveReservation(_ record: ReservationRecord) async throws
    func loadReservations() async throws -> [ReservationRecord]
}

/// A store that lives only as long as the process: for tests and for fleets that do
/// not outlive fleetd (the embedded simulated fleet).
public actor InMemoryStateStore: FleetStateStore {
    private var queued: [DeploymentID: DeploymentRecord] = [:]
    private var reservations: [ReservationID: ReservationRecord] = [:]

    public init() {}

    public func saveQueued(_ record: DeploymentRecord) { queued[record.id] = record }
    public func removeQueued(_ id: DeploymentID) { queued[id] = nil }
    public func loadQueued() -> [DeploymentRecord] { Array(queued.values) }
    public func saveReservation(_ record: ReservationRecord) { reservations[record.id] = record }
    public func loadReservations() -> [ReservationRecord] { Array(reservations.values) }
}
