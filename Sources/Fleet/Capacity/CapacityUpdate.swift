/// What a capacity subscriber receives.
public enum CapacityUpdate: Hashable, Sendable {
    /// Every matching cluster. `reset` marks a snapshot sent because the requested
    /// resume revision was too old (or from before a restart) to replay.
    case snapshot(revision: UInt64, clusters: [ClusterCapacity], reset: Bool)
    /// The clusters that changed since the previous update, each at its latest state,
    /// and those that left the filter or the fleet.
    case delta(revision: UInt64, changed: [ClusterCapacity], removed: [ClusterName])
    /// Nothing changed for a while; the stream is alive.
    case heartbeat(revision: UInt64)

    public var revision: UInt64 {
        switch self {
        case .snapshot(let revision, _, _), .delta(let revision, _, _), .heartbeat(let revision): revision
        }
    }
}
