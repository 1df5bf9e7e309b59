/// A cluster as the fleet configuration describes it.
public struct ClusterDescriptor: Hashable, Sendable {
    public var name: ClusterName
    public var cloud: Cloud
    public var region: String
    /// Lower is cheaper; placement prefers cheaper clusters (for example on-prem before cloud).
    public var costRank: Int
    public var ingressClassName: String
    /// Hosts Serve makes up end in this domain, e.g. `gke.fleet.example`.
    public var ingressDomain: String

    public init(name: ClusterName, cloud: Cloud, region: String, costRank: Int = 0, ingressClassName: String = "nginx", ingressDomain: String) {
        self.name = name
        self.cloud = cloud
        self.region = region
        self.costRank = costRank
        self.ingressClassName = ingressClassName
        self.ingressDomain = ingressDomain
    }
}

/// Whether placement can use a cluster right now.
public enum ClusterHealth: Hashable, Sendable {
    /// Synced and every node ready.
    case healthy
    /// Reachable, but some nodes are not ready.
    case degraded(String)
    /// The API server does not answer, or the view has not been synced yet.
    case unreachable(String)

    public var acceptsWork: Bool {
        if case .unreachable = self { return false }
        return true
    }
}
