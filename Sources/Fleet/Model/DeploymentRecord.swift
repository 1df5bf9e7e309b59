public import Foundation

/// The container a workload runs; the cluster backend writes it into the pod template.
public struct ContainerTemplate: Hashable, Sendable, Codable {
    public var image: String
    public var command: [String]
    public var args: [String]
    public var env: [String: String]
    /// The port a SERVING workload listens on, which Serve exposes.
    public var port: Int

    public init(image: String, command: [String] = [], args: [String] = [], env: [String: String] = [:], port: Int = 8080) {
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.port = port
    }
}

/// A Deploy as the fleet received it.
public struct DeploymentRequest: Hashable, Sendable, Codable {
    public var requestID: String
    public var spec: WorkloadSpec
    public var container: ContainerTemplate
    /// A 5-field cron schedule, for SCHEDULED workloads.
    public var schedule: String?

    public init(requestID: String, spec: WorkloadSpec, container: ContainerTemplate, schedule: String? = nil) {
        self.requestID = requestID
        self.spec = spec
        self.container = container
        self.schedule = schedule
    }
}

public enum DeploymentState: String, Hashable, Sendable {
    case queued, placed, running, succeeded, failed, deleted
}

/// Everything fleetd knows about one deployment.
public struct DeploymentRecord: Hashable, Sendable, Codable {
    public var id: DeploymentID
    public var request: DeploymentRequest
    public var state: DeploymentState
    public var cluster: ClusterName?
    public var readyReplicas = 0
    public var createdAt: Date
    public var placedAt: Date?
    /// When it was deleted or failed.
    public var endedAt: Date?
    /// Why it waits or failed.
    public var message = ""
    public var endpoints: [String] = []

    public init(id: DeploymentID, request: DeploymentRequest, state: DeploymentState, cluster: ClusterName? = nil, createdAt: Date) {
        self.id = id
        self.request = request
        self.state = state
        self.cluster = cluster
        self.createdAt = createdAt
    }

    public var spec: WorkloadSpec { request.spec }
}

/// What a cluster backend writes for a placed deployment.
public struct PlacedWorkload: Hashable, Sendable {
    public var record: DeploymentRecord
    public var plan: PlacementPlan

    public init(record: DeploymentRecord, plan: PlacementPlan) {
        self.record = record
        self.plan = plan
    }

    /// Node labels every replica's node must have: the constraints', the
    /// reservation's, and the accelerator type's.
    public var nodeSelector: [String: String] {
        var selector = record.spec.constraints.nodeLabels
        if let reservation = record.spec.reservation { selector[FleetLabels.reservation] = reservation.rawValue }
        if let accelerator = plan.accelerator { selector[accelerator.labelKey] = accelerator.type }
        return selector
    }

    public var tolerations: [Toleration] { record.spec.tolerations(onNodesWith: plan.accelerator) }

    /// The labels every object and pod of the deployment carries (DESIGN.md).
    public var labels: [String: String] {
        [
            FleetLabels.managedBy: FleetLabels.managedByValue,
            FleetLabels.deploymentID: record.id.rawValue,
            FleetLabels.requestID: record.request.requestID,
            FleetLabels.team: record.spec.team,
            FleetLabels.priority: record.spec.priority.labelValue,
        ]
    }
}

extension Priority {
    public var labelValue: String {
        switch self {
        case .high: "high"
        case .medium: "medium"
        case .low: "low"
        }
    }
}
