/// What nodes of one pool have in common: everything placement filters on except
/// free resources. Nodes with the same shape are filtered once, as a group.
public struct NodeShape: Hashable, Sendable {
    /// Labels that differ on every node and so must not split groups.
    static let perNodeLabelKeys: Set<String> = ["kubernetes.io/hostname"]

    public var labels: [String: String]
    public var taints: [Taint]
    public var accelerator: AcceleratorKind?

    init(of node: NodeInfo) {
        labels = node.labels.filter { !Self.perNodeLabelKeys.contains($0.key) }
        taints = node.taints
        accelerator = node.accelerator
    }

    public var reservation: ReservationID? { labels[FleetLabels.reservation].map { ReservationID($0) } }

    func hasLabels(_ required: [String: String]) -> Bool {
        required.allSatisfy { labels[$0.key] == $0.value }
    }

    func tolerates(_ tolerations: [Toleration]) -> Bool {
        taints.allSatisfy { taint in !taint.repelsPods || tolerations.contains { $0.tolerates(taint) } }
    }
}

/// The nodes of one shape, stored column by column so that a placement scan touches
/// only the numbers it compares.
public struct NodeGroup: Sendable {
    public let shape: NodeShape
    public internal(set) var names: [String] = []
    public internal(set) var allocatable: [ResourceVector] = []
    public internal(set) var requested: [ResourceVector] = []
    public internal(set) var acceptsPods: [Bool] = []
    /// The largest free amount of each resource on any node that accepts pods: a
    /// request that does not fit in it fits on no node of the group.
    public internal(set) var maxFree: ResourceVector = .zero

    init(shape: NodeShape) {
        self.shape = shape
    }

    public var count: Int { names.count }

    public func free(at slot: Int) -> ResourceVector {
        (allocatable[slot] - requested[slot]).clampedAtZero
    }

    mutating func recomputeMaxFree() {
        var result = ResourceVector.zero
        for slot in names.indices where acceptsPods[slot] {
            result = result.componentMax(free(at: slot))
        }
        maxFree = result
    }
}
