public import Fleet
import Synchronization

/// Keeps fleetd's queue and reservations as ConfigMaps in one namespace of the
/// management cluster, one object per entry, so that nothing queued is lost when
/// fleetd restarts and several replicas could share them.
public final class KubeStateStore: FleetStateStore {
    public static let namespace = "fleetd-system"
    static let kindLabel = "fleet.io/kind"
    static let recordKey = "record"

    let client: KubeClient
    private let namespaceEnsured = Mutex(false)

    public init(client: KubeClient) {
        self.client = client
    }

    public func saveQueued(_ record: DeploymentRecord) async throws {
        try await save(name: "queued-\(record.id.rawValue)", kind: "queued-deployment", text: try RecordJSON.encode(record))
    }

    public func removeQueued(_ id: DeploymentID) async throws {
        do {
            _ = try await client.delete(ConfigMap.self, name: "queued-\(id.rawValue)", namespace: Self.namespace)
        } catch {
            guard error.isNotFound else { throw error }
        }
    }

    public func loadQueued() async throws -> [DeploymentRecord] {
        try await load(kind: "queued-deployment", as: DeploymentRecord.self)
    }

    public func saveReservation(_ record: ReservationRecord) async throws {
        try await save(name: "reservation-\(record.id.rawValue)", kind: "reservation", text: try RecordJSON.encode(record))
    }

    public func loadReservations() async throws -> [ReservationRecord] {
        try await load(kind: "reservation", as: ReservationRecord.self)
    }

    private func save(name: String, kind: String, text: String) async throws {
        try await ensureNamespace()
        var map = ConfigMap(metadata: ObjectMeta(
            name: name, namespace: Self.namespace,
            labels: [FleetLabels.managedBy: FleetLabels.managedByValue, Self.kindLabel: kind]))
        map.data = [Self.recordKey: text]
        try await client.applyDiscardingResult(map, fieldManager: KubeClusterAPI.fieldManager, force: true)
    }

    private func load<T: Decodable>(kind: String, as type: T.Type) async throws -> [T] {
        var maps: [ConfigMap] = []
        do {
            maps = try await client.listAll(ConfigMap.self, namespace: Self.namespace, options: ListOptions(labelSelector: "\(Self.kindLabel)=\(kind)")).items
        } catch {
            guard error.isNotFound else { throw error }
        }
        return try maps.compactMap { map in
            guard let text = map.data?[Self.recordKey] else { return nil }
            return try RecordCoding.decode(type, from: text)
        }
    }

    private func ensureNamespace() async throws {
        if namespaceEnsured.withLock({ $0 }) { return }
        try await client.applyDiscardingResult(WorkloadObjects.namespace(Self.namespace), fieldManager: KubeClusterAPI.fieldManager, force: true)
        namespaceEnsured.withLock { $0 = true }
    }
}
