/// The name of a cluster in the fleet configuration, e.g. `gke-us-central1`.
public struct ClusterName: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// fleetd's id for one deployment; also the value of the `fleet.io/deployment-id` label.
public struct DeploymentID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

/// fleetd's id for one reservation; also the value of the `fleet.io/reservation` label and taint.
public struct ReservationID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

public enum Cloud: String, Hashable, Sendable, CaseIterable {
    case gke, aks, eks, onprem
}

/// Fleet priorities, most urgent first. `Comparable` orders HIGH before LOW.
public enum Priority: Int, Hashable, Sendable, Comparable, CaseIterable {
    case high = 0, medium = 1, low = 2

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The PriorityClass each cluster's own scheduler knows this priority by.
    public var priorityClassName: String {
        switch self {
        case .high: "fleet-high"
        case .medium: "fleet-medium"
        case .low: "fleet-low"
        }
    }
}

public enum WorkloadKind: String, Hashable, Sendable {
    /// A long-running model server: an apps/v1 Deployment.
    case serving
    /// A run-to-completion job: a batch/v1 Job.
    case batch
    /// Continuous training on a cron schedule: a batch/v1 CronJob.
    case scheduled
}

/// The labels and taint keys fleetd writes (see DESIGN.md, "Kubernetes objects").
public enum FleetLabels {
    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let managedByValue = "fleetd"
    public static let deploymentID = "fleet.io/deployment-id"
    public static let requestID = "fleet.io/request-id"
    public static let team = "fleet.io/team"
    public static let priority = "fleet.io/priority"
    public static let reservation = "fleet.io/reservation"
    /// The accelerator label of node pools that have no cloud-specific one.
    public static let accelerator = "fleet.io/accelerator"
}
