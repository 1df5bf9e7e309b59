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
/// only the numbers it compares. Totals and per-resource maxima over the nodes that
/// accept pods are kept up to date on every change, so a cluster's capacity summary
/// costs one step per group, not per node.
public struct NodeGroup: Sendable {
    public let shape: NodeShape
    public private(set) var names: [String] = []
    public private(set) var allocatable: [ResourceVector] = []
    public private(set) var requested: [ResourceVector] = []
    public private(set) var acceptsPods: [Bool] = []
    /// The largest free amount of each resource on any node that accepts pods: a
    /// request that does not fit in it fits on no node of the group.
    public private(set) var maxFree: ResourceVector = .zero
    /// Over the nodes that accept pods.
    public private(set) var readyCount = 0
    public private(set) var allocatableTotal: ResourceVector = .zero
    public private(set) var requestedTotal: ResourceVector = .zero
    /// The sum of each node's free amount (never negative per node).
    public private(set) var freeTotal: ResourceVector = .zero

    init(shape: NodeShape) {
        self.shape = shape
    }

    public var count: Int { names.count }

    public func free(at slot: Int) -> ResourceVector {
        (allocatable[slot] - requested[slot]).clampedAtZero
    }

    /// How many copies of `unit` fit on this group's nodes together, each node taking
    /// whole copies, counting no further than `limit`.
    public func copies(of unit: ResourceVector, limit: Int64) -> Int64 {
        var total: Int64 = 0
        allocatable.withUnsafeBufferPointer { allocatable in
            requested.withUnsafeBufferPointer { requested in
                acceptsPods.withUnsafeBufferPointer { accepts in
                    for slot in 0..<allocatable.count where accepts[slot] {
                        total += (allocatable[slot] - requested[slot]).copies(of: unit)
                        if total >= limit { return }
                    }
                }
            }
        }
        return total
    }

    mutating func append(name: String, allocatable: ResourceVector, requested: ResourceVector, acceptsPods: Bool) -> Int {
        names.append(name)
        self.allocatable.append(allocatable)
        self.requested.append(requested)
        self.acceptsPods.append(acceptsPods)
        let slot = names.count - 1
        include(slot)
        return slot
    }

    mutating func update(slot: Int, allocatable: ResourceVector, acceptsPods: Bool) {
        change(slot) {
            $0.allocatable[slot] = allocatable
            $0.acceptsPods[slot] = acceptsPods
        }
    }

    mutating func addRequest(_ amount: ResourceVector, at slot: Int) {
        change(slot) { $0.requested[slot] += amount }
    }

    /// Swap-removes a node; answers the name of the node that moved into `slot`, if any.
    mutating func remove(slot: Int) -> String? {
        let before = free(at: slot)
        let wasCounted = acceptsPods[slot]
        exclude(slot)
        let last = names.count - 1
        var moved: String?
        if slot != last {
            names.swapAt(slot, last)
            allocatable.swapAt(slot, last)
            requested.swapAt(slot, last)
            acceptsPods.swapAt(slot, last)
            moved = names[slot]
        }
        names.removeLast()
        allocatable.removeLast()
        requested.removeLast()
        acceptsPods.removeLast()
        if wasCounted && before.touchesMaximum(maxFree) { recomputeMaxFree() }
        return moved
    }

    /// Applies an edit to one node, keeping totals and maxima right.
    private mutating func change(_ slot: Int, _ edit: (inout NodeGroup) -> Void) {
        let before = free(at: slot)
        let wasCounted = acceptsPods[slot]
        exclude(slot)
        edit(&self)
        include(slot)
        let after = free(at: slot)
        let shrank = !acceptsPods[slot] || !before.fits(in: after)
        if wasCounted && shrank && before.touchesMaximum(maxFree) { recomputeMaxFree() }
    }

    private mutating func include(_ slot: Int) {
        guard acceptsPods[slot] else { return }
        let free = free(at: slot)
        readyCount += 1
        allocatableTotal += allocatable[slot]
        requestedTotal += requested[slot]
        freeTotal += free
        maxFree = maxFree.componentMax(free)
    }

    private mutating func exclude(_ slot: Int) {
        guard acceptsPods[slot] else { return }
        readyCount -= 1
        allocatableTotal -= allocatable[slot]
        requestedTotal -= requested[slot]
        freeTotal -= free(at: slot)
    }

    private mutating func recomputeMaxFree() {
        var result = ResourceVector.zero
        for slot in names.indices where acceptsPods[slot] {
            result = result.componentMax(free(at: slot))
        }
        maxFree = result
    }
}

extension ResourceVector {
    /// Whether any amount here equals the same amount of `maximum`: removing or
    /// shrinking this node may lower that maximum.
    func touchesMaximum(_ maximum: ResourceVector) -> Bool {
        cpuMillis == maximum.cpuMillis || memoryBytes == maximum.memoryBytes
            || accelerators == maximum.accelerators || pods == maximum.pods
    }
}
