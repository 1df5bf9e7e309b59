/// A team as the configuration names it.
public struct Team: Hashable, Sendable {
    public var name: String
    public var namespace: String
    /// What the team may have deployed or queued across the fleet at once; nil for no cap.
    public var quota: QuotaLimits?

    public init(name: String, namespace: String? = nil, quota: QuotaLimits? = nil) {
        self.name = name
        self.namespace = namespace ?? name
        self.quota = quota
    }
}

/// The knobs of the fleet manager.
public struct FleetSettings: Hashable, Sendable {
    public var teams: [Team]
    public var policy: PlacementPolicy
    public var agingInterval: Duration
    /// How often a deploy re-plans when another deploy took its nodes between
    /// planning and committing, before it queues.
    public var placementAttempts: Int
    /// How long a deleted or failed deployment, and the answer to its request id, are
    /// remembered: retries within this window get the first answer.
    public var retention: Duration

    public init(teams: [Team], policy: PlacementPolicy = .init(), agingInterval: Duration = .seconds(300), placementAttempts: Int = 5,
                retention: Duration = .seconds(3600)) {
        self.teams = teams
        self.policy = policy
        self.agingInterval = agingInterval
        self.placementAttempts = placementAttempts
        self.retention = retention
    }

    public func team(named name: String) -> Team? { teams.first { $0.name == name } }
}
