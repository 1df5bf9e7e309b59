/// What the fleet needs from one cluster. The fleet domain defines it; a backend
/// (KubeBackend over the Kubernetes API) implements it.
public protocol ClusterAPI: Sendable {
    var descriptor: ClusterDescriptor { get }

    /// The cluster's nodes, pods and quotas as a stream of events: after every
    /// (re)list a `…Listed` event with the full set, then changes. It ends when the
    /// backend shuts down.
    func events() -> AsyncStream<ClusterEvent>

    /// Writes the deployment's objects idempotently (server-side apply). The objects
    /// carry the record, so that `managedWorkloads()` can rebuild it after a restart.
    func apply(_ workload: PlacedWorkload) async throws
    /// The records of every deployment fleetd wrote to this cluster and has not deleted.
    func managedWorkloads() async throws -> [DeploymentRecord]
    /// Deletes the deployment's objects and their pods; succeeds if they are gone.
    func delete(_ record: DeploymentRecord) async throws
    /// Writes a Service and an Ingress for a SERVING deployment and returns its URLs.
    func expose(_ endpoint: EndpointRequest) async throws -> [String]
    /// Labels and taints the nodes `fleet.io/reservation=<id>:NoSchedule`.
    func reserve(_ reservation: ReservationID, nodes: [String]) async throws
    /// Removes the reservation's label and taint from the nodes.
    func release(_ reservation: ReservationID, nodes: [String]) async throws
    /// Creates the team's ResourceQuota or raises it to at least these limits.
    func ensureQuota(namespace: String, limits: QuotaLimits) async throws
}

/// What the cluster reports.
public enum ClusterEvent: Sendable {
    case nodesListed([NodeInfo])
    case nodeChanged(NodeInfo)
    case nodeDeleted(name: String)
    case podsListed([PodInfo])
    case podChanged(PodInfo)
    case podDeleted(PodInfo.Key)
    case quotasListed([NamespaceQuota])
    case quotaChanged(NamespaceQuota)
    case quotaDeleted(namespace: String, name: String)
    /// The API server stopped (or started again) answering.
    case reachability(reachable: Bool, detail: String)
}

public struct EndpointRequest: Hashable, Sendable {
    public var record: DeploymentRecord
    public var host: String
    public var path: String
    public var servicePort: Int
    public var ingressClassName: String

    public init(record: DeploymentRecord, host: String, path: String, servicePort: Int, ingressClassName: String) {
        self.record = record
        self.host = host
        self.path = path
        self.servicePort = servicePort
        self.ingressClassName = ingressClassName
    }
}

/// ResourceQuota limits: CPU in millicores, memory in bytes, accelerators by resource name.
public struct QuotaLimits: Hashable, Sendable, Codable {
    public var cpuMillis: Int64
    public var memoryBytes: Int64
    public var accelerators: [String: Int64]

    public init(cpuMillis: Int64 = 0, memoryBytes: Int64 = 0, accelerators: [String: Int64] = [:]) {
        self.cpuMillis = cpuMillis
        self.memoryBytes = memoryBytes
        self.accelerators = accelerators
    }

    public var isEmpty: Bool { cpuMillis == 0 && memoryBytes == 0 && accelerators.values.allSatisfy { $0 == 0 } }
}
