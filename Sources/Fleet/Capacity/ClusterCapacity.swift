/// One resource in one cluster. `free = allocatable - requested - reserved`, where
/// `reserved` is what reservations hold on their nodes beyond what runs there.
public struct ResourceAmount: Hashable, Sendable {
    public var allocatable: Int64 = 0
    public var requested: Int64 = 0
    public var reserved: Int64 = 0
    public var free: Int64 = 0

    public init(allocatable: Int64 = 0, requested: Int64 = 0, reserved: Int64 = 0, free: Int64 = 0) {
        self.allocatable = allocatable
        self.requested = requested
        self.reserved = reserved
        self.free = free
    }
}

public struct AcceleratorCapacity: Hashable, Sendable {
    public var kind: AcceleratorKind
    public var devices = ResourceAmount()
    /// The most devices free on one unreserved node: the largest replica that fits now.
    public var largestFreeOnANode: Int64 = 0
    public var nodes = 0

    public init(kind: AcceleratorKind) {
        self.kind = kind
    }
}

/// What a cluster has and what is left, as WatchCapacity and GetCapacity report it.
public struct ClusterCapacity: Hashable, Sendable {
    public var cluster: ClusterDescriptor
    public var health: ClusterHealth
    public var nodes = 0
    public var readyNodes = 0
    public var cpuMillis = ResourceAmount()
    public var memoryBytes = ResourceAmount()
    public var pods = ResourceAmount()
    /// One entry per accelerator type, sorted by type.
    public var accelerators: [AcceleratorCapacity] = []

    /// Sums the node groups' running totals: the cost grows with the number of node
    /// shapes, not with the number of nodes.
    public init(cluster: ClusterDescriptor, health: ClusterHealth, nodes table: NodeTable) {
        self.cluster = cluster
        self.health = health
        var byType: [String: AcceleratorCapacity] = [:]
        for group in table.groups where group.count > 0 {
            let reserved = group.shape.reservation != nil
            nodes += group.count
            readyNodes += group.readyCount
            Self.add(&cpuMillis, group.allocatableTotal.cpuMillis, group.requestedTotal.cpuMillis, group.freeTotal.cpuMillis, reserved: reserved)
            Self.add(&memoryBytes, group.allocatableTotal.memoryBytes, group.requestedTotal.memoryBytes, group.freeTotal.memoryBytes, reserved: reserved)
            Self.add(&pods, group.allocatableTotal.pods, group.requestedTotal.pods, group.freeTotal.pods, reserved: reserved)
            if let kind = group.shape.accelerator {
                var entry = byType[kind.type] ?? AcceleratorCapacity(kind: kind)
                entry.nodes += group.readyCount
                Self.add(&entry.devices, group.allocatableTotal.accelerators, group.requestedTotal.accelerators, group.freeTotal.accelerators, reserved: reserved)
                if !reserved { entry.largestFreeOnANode = max(entry.largestFreeOnANode, group.maxFree.accelerators) }
                byType[kind.type] = entry
            }
        }
        accelerators = byType.values.sorted { $0.kind.type < $1.kind.type }
    }

    private static func add(_ amount: inout ResourceAmount, _ allocatable: Int64, _ requested: Int64, _ free: Int64, reserved: Bool) {
        amount.allocatable = amount.allocatable.saturatingAdding(allocatable)
        amount.requested = amount.requested.saturatingAdding(requested)
        if reserved {
            amount.reserved = amount.reserved.saturatingAdding(free)
        } else {
            amount.free = amount.free.saturatingAdding(free)
        }
    }

    public func accelerator(ofType type: String) -> AcceleratorCapacity? {
        accelerators.first { $0.kind.type == type }
    }
}

/// An immutable view of one cluster for placement: read it without asking the actor.
public struct ClusterSnapshot: Sendable {
    public var descriptor: ClusterDescriptor
    public var health: ClusterHealth
    public var nodes: NodeTable
    /// ResourceQuotas by namespace.
    public var quotas: [String: [NamespaceQuota]]
    public var capacity: ClusterCapacity

    public init(descriptor: ClusterDescriptor, health: ClusterHealth, nodes: NodeTable, quotas: [String: [NamespaceQuota]] = [:]) {
        self.descriptor = descriptor
        self.health = health
        self.nodes = nodes
        self.quotas = quotas
        self.capacity = ClusterCapacity(cluster: descriptor, health: health, nodes: nodes)
    }

    public var name: ClusterName { descriptor.name }

    /// Whether the cluster's view has been listed at least once.
    public var isSynced: Bool { health != .unreachable(ClusterActor.notSyncedYet) }
}
