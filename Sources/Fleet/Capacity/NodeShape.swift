/// What nodes of one pool have in common: everything placement filters on except
/// free resources. Nodes with the same shape are filtered once, as a group.
///
/// Immutable, and a class because every placement reads the shape of every group: passing
/// a reference is one retain, where copying the fields was one per field. Equal by value.
public final class NodeShape: Hashable, Sendable {
    /// Labels that differ on every node and so must not split groups.
    static let perNodeLabelKeys: Set<String> = ["kubernetes.io/hostname"]

    public let labels: [String: String]
    public let taints: [Taint]
    public let accelerator: AcceleratorKind?
    /// From the reservation label; kept because placement asks every group for it.
    public let reservation: ReservationID?

    init(of node: NodeInfo) {
        labels = node.labels.filter { !Self.perNodeLabelKeys.contains($0.key) }
        taints = node.taints
        accelerator = node.accelerator
        reservation = labels[FleetLabels.reservation].map { ReservationID($0) }
    }

    public static func == (a: NodeShape, b: NodeShape) -> Bool {
        a === b || (a.labels == b.labels && a.taints == b.taints && a.accelerator == b.accelerator)
    }

    /// `reservation` comes from `labels`, so it is left out.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(taints)
        hasher.combine(accelerator)
    }

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
    public var maxFree: ResourceVector { maximum.value }
    private var maximum = RunningMaximum()
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
        if maximum.isStale { recomputeMaxFree() }
        return moved
    }

    /// Applies an edit to one node, keeping totals and maxima right.
    private mutating func change(_ slot: Int, _ edit: (inout NodeGroup) -> Void) {
        exclude(slot)
        edit(&self)
        include(slot)
        if maximum.isStale { recomputeMaxFree() }
    }

    private mutating func include(_ slot: Int) {
        guard acceptsPods[slot] else { return }
        let free = free(at: slot)
        readyCount += 1
        allocatableTotal += allocatable[slot]
        requestedTotal += requested[slot]
        freeTotal += free
        maximum.add(free)
    }

    private mutating func exclude(_ slot: Int) {
        guard acceptsPods[slot] else { return }
        readyCount -= 1
        allocatableTotal -= allocatable[slot]
        requestedTotal -= requested[slot]
        let free = free(at: slot)
        freeTotal -= free
        maximum.remove(free)
    }

    private mutating func recomputeMaxFree() {
        var fresh = RunningMaximum()
        for slot in names.indices where acceptsPods[slot] {
            fresh.add(free(at: slot))
        }
        maximum = fresh
    }
}

/// The per-resource maximum of a changing set of vectors, with how many members hold
/// each maximum: a member leaving forces a recount only when it was the last to hold
/// one, which is rare when many nodes look alike.
struct RunningMaximum: Sendable {
    private(set) var value = ResourceVector.zero
    private var holders = (cpu: 0, memory: 0, accelerators: 0, pods: 0)
    /// A maximum lost its last holder: `value` may be too high until recounted.
    private(set) var isStale = false

    mutating func add(_ vector: ResourceVector) {
        Self.add(vector.cpuMillis, to: &value.cpuMillis, holders: &holders.cpu)
        Self.add(vector.memoryBytes, to: &value.memoryBytes, holders: &holders.memory)
        Self.add(vector.accelerators, to: &value.accelerators, holders: &holders.accelerators)
        Self.add(vector.pods, to: &value.pods, holders: &holders.pods)
    }

    mutating func remove(_ vector: ResourceVector) {
        Self.remove(vector.cpuMillis, from: value.cpuMillis, holders: &holders.cpu, stale: &isStale)
        Self.remove(vector.memoryBytes, from: value.memoryBytes, holders: &holders.memory, stale: &isStale)
        Self.remove(vector.accelerators, from: value.accelerators, holders: &holders.accelerators, stale: &isStale)
        Self.remove(vector.pods, from: value.pods, holders: &holders.pods, stale: &isStale)
    }

    private static func add(_ amount: Int64, to maximum: inout Int64, holders: inout Int) {
        if amount > maximum || holders == 0 {
            maximum = amount
            holders = 1
        } else if amount == maximum {
            holders += 1
        }
    }

    private static func remove(_ amount: Int64, from maximum: Int64, holders: inout Int, stale: inout Bool) {
        guard amount == maximum, holders > 0 else { return }
        holders -= 1
        if holders == 0 { stale = true }
    }
}
