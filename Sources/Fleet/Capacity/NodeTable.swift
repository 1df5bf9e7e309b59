/// Every node of one cluster with what pods request on it, grouped by shape.
/// A value type: the cluster actor mutates its copy and publishes snapshots of it.
public struct NodeTable: Sendable {
    public private(set) var groups: [NodeGroup] = []
    private var groupByShape: [NodeShape: Int] = [:]
    private var location: [String: Location] = [:]
    /// Requests on nodes the table has not seen yet (a pod event can arrive first).
    private var requestsOnUnknownNodes: [String: ResourceVector] = [:]

    private struct Location: Hashable {
        var group: Int
        var slot: Int
    }

    public init() {}

    public var nodeCount: Int { location.count }

    public func contains(_ nodeName: String) -> Bool { location[nodeName] != nil }

    public func requested(on nodeName: String) -> ResourceVector? {
        location[nodeName].map { groups[$0.group].requested[$0.slot] }
    }

    public func free(on nodeName: String) -> ResourceVector? {
        location[nodeName].map { groups[$0.group].free(at: $0.slot) }
    }

    public func shape(of nodeName: String) -> NodeShape? {
        location[nodeName].map { groups[$0.group].shape }
    }

    /// Adds a node or replaces what is known about it, keeping what pods request on it.
    public mutating func upsert(_ node: NodeInfo) {
        let shape = NodeShape(of: node)
        var requested = requestsOnUnknownNodes.removeValue(forKey: node.name) ?? .zero
        if let old = location[node.name] {
            if groups[old.group].shape == shape {
                groups[old.group].update(slot: old.slot, allocatable: node.allocatable, acceptsPods: node.acceptsPods)
                return
            }
            requested += groups[old.group].requested[old.slot]
            removeSlot(old)
        }
        let groupIndex = groupIndex(for: shape)
        let slot = groups[groupIndex].append(name: node.name, allocatable: node.allocatable, requested: requested, acceptsPods: node.acceptsPods)
        location[node.name] = Location(group: groupIndex, slot: slot)
    }

    /// Forgets a node. What its pods still request is kept aside, so that their
    /// deletions, which usually follow, balance out.
    public mutating func remove(nodeNamed name: String) {
        guard let old = location[name] else { return }
        let requested = groups[old.group].requested[old.slot]
        if requested != .zero { requestsOnUnknownNodes[name, default: .zero] += requested }
        removeSlot(old)
    }

    /// Adds (or, with a negative amount, takes away) what pods request on a node.
    public mutating func addRequest(_ amount: ResourceVector, on nodeName: String) {
        guard let at = location[nodeName] else {
            let total = requestsOnUnknownNodes[nodeName, default: .zero] + amount
            requestsOnUnknownNodes[nodeName] = total == .zero ? nil : total
            return
        }
        groups[at.group].addRequest(amount, at: at.slot)
    }

    private mutating func groupIndex(for shape: NodeShape) -> Int {
        if let index = groupByShape[shape] { return index }
        groups.append(NodeGroup(shape: shape))
        groupByShape[shape] = groups.count - 1
        return groups.count - 1
    }

    /// Swap-removes a node from its group; an emptied group stays, to be reused.
    private mutating func removeSlot(_ at: Location) {
        let name = groups[at.group].names[at.slot]
        if let moved = groups[at.group].remove(slot: at.slot) {
            location[moved] = at
        }
        location[name] = nil
    }
}
