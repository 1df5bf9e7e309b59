public import Foundation

/// A Reserve as the fleet received it.
public struct ReservationRequest: Hashable, Sendable, Codable {
    public var requestID: String
    public var team: String
    public var nodeCount: Int
    /// What each reserved node must have free: in particular the accelerator type and count.
    public var perNode: ReplicaRequest
    public var constraints: PlacementConstraints
    public var endsAt: Date
    /// When set, the team's ResourceQuota in the chosen cluster is raised to at least this.
    public var quota: QuotaLimits?

    public init(requestID: String, team: String, nodeCount: Int, perNode: ReplicaRequest, constraints: PlacementConstraints = .init(), endsAt: Date, quota: QuotaLimits? = nil) {
        self.requestID = requestID
        self.team = team
        self.nodeCount = nodeCount
        self.perNode = perNode
        self.constraints = constraints
        self.endsAt = endsAt
        self.quota = quota
    }
}

public enum ReservationState: String, Hashable, Sendable {
    case active, released, expired
}

public struct ReservationRecord: Hashable, Sendable, Codable {
    public var id: ReservationID
    public var request: ReservationRequest
    public var cluster: ClusterName
    public var nodes: [String]
    public var state: ReservationState
    public var createdAt: Date

    public init(id: ReservationID, request: ReservationRequest, cluster: ClusterName, nodes: [String], state: ReservationState, createdAt: Date) {
        self.id = id
        self.request = request
        self.cluster = cluster
        self.nodes = nodes
        self.state = state
        self.createdAt = createdAt
    }
}

extension NodeInfo {
    /// The node as a reservation leaves it: labelled and tainted with the id, or with
    /// both removed when `reservation` is nil.
    public func reserved(by reservation: ReservationID?) -> NodeInfo {
        var node = self
        node.taints.removeAll { $0.key == FleetLabels.reservation }
        if let reservation {
            node.labels[FleetLabels.reservation] = reservation.rawValue
            node.taints.append(Taint(key: FleetLabels.reservation, value: reservation.rawValue, effect: .noSchedule))
        } else {
            node.labels[FleetLabels.reservation] = nil
        }
        return node
    }
}
