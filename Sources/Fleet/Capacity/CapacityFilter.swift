/// Which clusters a capacity subscriber or query cares about. Empty sets match all.
public struct CapacityFilter: Hashable, Sendable {
    public var clouds: Set<Cloud>
    public var regions: Set<String>
    public var clusters: Set<ClusterName>
    /// Clusters with at least one node of any of these types.
    public var acceleratorTypes: Set<String>

    public init(clouds: Set<Cloud> = [], regions: Set<String> = [], clusters: Set<ClusterName> = [], acceleratorTypes: Set<String> = []) {
        self.clouds = clouds
        self.regions = regions
        self.clusters = clusters
        self.acceleratorTypes = acceleratorTypes
    }

    public static let all = CapacityFilter()

    public func matches(_ capacity: ClusterCapacity) -> Bool {
        let cluster = capacity.cluster
        if !clouds.isEmpty && !clouds.contains(cluster.cloud) { return false }
        if !regions.isEmpty && !regions.contains(cluster.region) { return false }
        if !clusters.isEmpty && !clusters.contains(cluster.name) { return false }
        if !acceleratorTypes.isEmpty && !capacity.accelerators.contains(where: { acceleratorTypes.contains($0.kind.type) }) {
            return false
        }
        return true
    }
}
