/// What one replica of a workload needs.
public struct ReplicaRequest: Hashable, Sendable, Codable {
    public var cpuMillis: Int64
    public var memoryBytes: Int64
    /// nil for CPU-only work.
    public var acceleratorType: String?
    public var acceleratorCount: Int64

    public init(cpuMillis: Int64, memoryBytes: Int64, acceleratorType: String? = nil, acceleratorCount: Int64 = 0) {
        self.cpuMillis = cpuMillis
        self.memoryBytes = memoryBytes
        self.acceleratorType = acceleratorType
        self.acceleratorCount = acceleratorType == nil ? 0 : acceleratorCount
    }

    /// The request as a vector, counting one pod.
    public var vector: ResourceVector {
        ResourceVector(cpuMillis: cpuMillis, memoryBytes: memoryBytes, accelerators: acceleratorCount, pods: 1)
    }
}

/// Where a workload may go. Empty sets allow everything.
public struct PlacementConstraints: Hashable, Sendable, Codable {
    public var clouds: Set<Cloud>
    public var regions: Set<String>
    public var clusters: Set<ClusterName>
    /// Every label must be on the node a replica lands on.
    public var nodeLabels: [String: String]

    public init(clouds: Set<Cloud> = [], regions: Set<String> = [], clusters: Set<ClusterName> = [], nodeLabels: [String: String] = [:]) {
        self.clouds = clouds
        self.regions = regions
        self.clusters = clusters
        self.nodeLabels = nodeLabels
    }
}

/// A workload as the fleet schedules it: everything placement needs, and nothing of
/// how it is written into a cluster.
public struct WorkloadSpec: Hashable, Sendable, Codable {
    public var name: String
    public var team: String
    /// The team's namespace in every cluster.
    public var namespace: String
    public var kind: WorkloadKind
    public var replicas: Int
    public var perReplica: ReplicaRequest
    public var priority: Priority
    public var constraints: PlacementConstraints
    public var reservation: ReservationID?

    public init(
        name: String, team: String, namespace: String? = nil, kind: WorkloadKind = .serving, replicas: Int, perReplica: ReplicaRequest,
        priority: Priority = .medium, constraints: PlacementConstraints = .init(), reservation: ReservationID? = nil
    ) {
        self.name = name
        self.team = team
        self.namespace = namespace ?? team
        self.kind = kind
        self.replicas = replicas
        self.perReplica = perReplica
        self.priority = priority
        self.constraints = constraints
        self.reservation = reservation
    }

    /// What all replicas need together.
    public var total: ResourceVector { perReplica.vector * Int64(replicas) }
}

extension WorkloadSpec {
    /// The tolerations every replica carries on nodes with this accelerator: the
    /// reservation's taint, and the accelerator's taint (keyed by its resource name,
    /// e.g. `nvidia.com/gpu`) when the workload asks for accelerators.
    public func tolerations(onNodesWith accelerator: AcceleratorKind?) -> [Toleration] {
        var result: [Toleration] = []
        if let reservation {
            result.append(Toleration(key: FleetLabels.reservation, operator: .equal, value: reservation.rawValue, effect: .noSchedule))
        }
        if perReplica.acceleratorType != nil, let accelerator {
            result.append(Toleration(key: accelerator.resourceName, operator: .exists))
        }
        return result
    }
}
