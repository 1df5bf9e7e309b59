/// How placement ranks the clusters that can take a workload.
public struct PlacementPolicy: Hashable, Sendable {
    public enum Strategy: String, Hashable, Sendable {
        /// Fill the fullest cluster first, keeping whole clusters free for large work.
        case binPack = "bin-pack"
        /// Prefer the emptiest cluster, spreading load and blast radius.
        case spread
    }

    public var strategy: Strategy
    /// Points taken off a cluster's 0–100 score per step of its cost rank.
    public var costWeight: Double

    public init(strategy: Strategy = .binPack, costWeight: Double = 25) {
        self.strategy = strategy
        self.costWeight = costWeight
    }
}

/// Why a cluster cannot take a workload, in the order placement checks.
public enum RejectionReason: Hashable, Sendable {
    case cloud, region, cluster, unhealthy, reservation, noAccelerator, nodeLabels, quota, insufficientCapacity
}

/// How one cluster fared.
public struct ClusterEvaluation: Hashable, Sendable {
    public enum Verdict: Hashable, Sendable {
        case feasible(score: Double)
        case rejected(RejectionReason, message: String)
    }

    public var cluster: ClusterName
    public var verdict: Verdict
    public var chosen = false

    public var isFeasible: Bool {
        if case .feasible = verdict { return true }
        return false
    }

    public var score: Double? {
        if case .feasible(let score) = verdict { return score }
        return nil
    }
}

/// Where each replica goes in the chosen cluster.
public struct PlacementPlan: Hashable, Sendable {
    public struct Assignment: Hashable, Sendable {
        public var node: String
        public var replicas: Int
    }

    public var cluster: ClusterName
    public var assignments: [Assignment]
    /// The accelerator of the chosen nodes, which decides the resource name and tolerations.
    public var accelerator: AcceleratorKind?

    public var replicaCount: Int { assignments.reduce(0) { $0 + $1.replicas } }
}

public struct PlacementResult: Hashable, Sendable {
    /// Every cluster, feasible ones first by descending score, then the rejected by name.
    public var evaluations: [ClusterEvaluation]
    /// nil when no cluster can take the workload now.
    public var plan: PlacementPlan?
}
