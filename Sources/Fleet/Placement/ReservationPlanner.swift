/// Chooses the nodes for a reservation: `nodeCount` unreserved nodes in one cluster,
/// each with the per-node request free, preferring cheap clusters and the emptiest nodes.
public struct ReservationPlanner: Sendable {
    public init() {}

    public struct Choice: Hashable, Sendable {
        public var cluster: ClusterName
        public var nodes: [String]
    }

    public func choose(_ request: ReservationRequest, in clusters: [ClusterSnapshot]) -> (choice: Choice?, rejections: [ClusterName: String]) {
        var rejections: [ClusterName: String] = [:]
        let ordered = clusters.sorted { ($0.descriptor.costRank, $0.name) < ($1.descriptor.costRank, $1.name) }
        let unit = request.perNode.vector
        for cluster in ordered {
            let constraints = request.constraints
            if let rejection = PlacementEngine.clusterRejection(constraints, cluster) {
                rejections[cluster.name] = rejection.message
                continue
            }
            var candidates: [(name: String, requested: ResourceVector)] = []
            for group in cluster.nodes.groups where group.shape.reservation == nil {
                if let type = request.perNode.acceleratorType, group.shape.accelerator?.type != type { continue }
                guard group.shape.hasLabels(constraints.nodeLabels), unit.fits(in: group.maxFree) else { continue }
                for slot in 0..<group.count where group.acceptsPods[slot] && unit.fits(in: group.free(at: slot)) {
                    candidates.append((group.names[slot], group.requested[slot]))
                }
            }
            guard candidates.count >= request.nodeCount else {
                rejections[cluster.name] = "\(candidates.count) unreserved node(s) have \(ResourceFormat.describe(request.perNode)) free; \(request.nodeCount) needed"
                continue
            }
            let emptiest = candidates.sorted {
                ($0.requested.accelerators, $0.requested.cpuMillis, $0.name) < ($1.requested.accelerators, $1.requested.cpuMillis, $1.name)
            }
            return (Choice(cluster: cluster.name, nodes: emptiest.prefix(request.nodeCount).map(\.name)), rejections)
        }
        return (nil, rejections)
    }
}
