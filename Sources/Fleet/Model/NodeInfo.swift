/// A node taint. fleetd's placement honours NoSchedule and NoExecute; PreferNoSchedule
/// does not keep work off a node.
public struct Taint: Hashable, Sendable {
    public enum Effect: String, Hashable, Sendable {
        case noSchedule = "NoSchedule"
        case preferNoSchedule = "PreferNoSchedule"
        case noExecute = "NoExecute"
    }

    public var key: String
    public var value: String
    public var effect: Effect

    public init(key: String, value: String = "", effect: Effect) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    public var repelsPods: Bool { effect != .preferNoSchedule }
}

/// A pod toleration, with Kubernetes' matching rules.
public struct Toleration: Hashable, Sendable {
    public enum Operator: String, Hashable, Sendable {
        case equal = "Equal"
        case exists = "Exists"
    }

    public var key: String
    public var `operator`: Operator
    public var value: String
    /// nil tolerates every effect.
    public var effect: Taint.Effect?

    public init(key: String, operator: Operator, value: String = "", effect: Taint.Effect? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
    }

    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, effect != taint.effect { return false }
        if key.isEmpty { return self.operator == .exists }
        guard key == taint.key else { return false }
        return self.operator == .exists || value == taint.value
    }
}

/// The accelerator a node carries: its type, the node label that names the type (it
/// differs between clouds), and the extended resource its devices are counted in.
public struct AcceleratorKind: Hashable, Sendable {
    public var type: String
    public var resourceName: String
    /// e.g. `cloud.google.com/gke-accelerator` or `nvidia.com/gpu.product`.
    public var labelKey: String

    public init(type: String, resourceName: String, labelKey: String = "fleet.io/accelerator") {
        self.type = type
        self.resourceName = resourceName
        self.labelKey = labelKey
    }
}

/// What placement needs to know about one node, as the cluster reports it.
public struct NodeInfo: Hashable, Sendable {
    public var name: String
    public var labels: [String: String]
    public var taints: [Taint]
    public var allocatable: ResourceVector
    public var accelerator: AcceleratorKind?
    public var ready: Bool
    public var unschedulable: Bool

    public init(
        name: String, labels: [String: String] = [:], taints: [Taint] = [], allocatable: ResourceVector,
        accelerator: AcceleratorKind? = nil, ready: Bool = true, unschedulable: Bool = false
    ) {
        self.name = name
        self.labels = labels
        self.taints = taints
        self.allocatable = allocatable
        self.accelerator = accelerator
        self.ready = ready
        self.unschedulable = unschedulable
    }

    /// The reservation holding this node, from its `fleet.io/reservation` label.
    public var reservation: ReservationID? { labels[FleetLabels.reservation].map { ReservationID($0) } }

    public var acceptsPods: Bool { ready && !unschedulable }
}

/// A pod's claim on a node, as the cluster reports it.
public struct PodInfo: Hashable, Sendable {
    public struct Key: Hashable, Sendable {
        public var namespace: String
        public var name: String
        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
    }

    public var key: Key
    /// nil while the pod is not bound to a node.
    public var nodeName: String?
    /// The sum of the containers' requests; `pods` is 1.
    public var requests: ResourceVector
    public var phase: Phase
    /// The Ready condition.
    public var ready: Bool
    public var deploymentID: DeploymentID?

    public enum Phase: String, Hashable, Sendable {
        case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", unknown = "Unknown"
    }

    public init(key: Key, nodeName: String?, requests: ResourceVector, phase: Phase = .running, ready: Bool = false, deploymentID: DeploymentID? = nil) {
        self.key = key
        self.nodeName = nodeName
        self.requests = requests
        self.phase = phase
        self.ready = ready
        self.deploymentID = deploymentID
    }

    /// Succeeded and Failed pods hold no resources.
    public var terminated: Bool { phase == .succeeded || phase == .failed }

    /// What the pod holds on its node: nothing until it is bound and after it ends.
    var heldOnNode: (node: String, amount: ResourceVector)? {
        guard let nodeName, !terminated else { return nil }
        return (nodeName, requests)
    }
}

/// A namespace's ResourceQuota in one cluster, reduced to what placement checks.
/// Keys are Kubernetes quota resource names: `requests.cpu`, `requests.memory`,
/// `requests.nvidia.com/gpu`, `pods`, and so on; amounts are in base units
/// (millicores for CPU).
public struct NamespaceQuota: Hashable, Sendable {
    public var namespace: String
    public var name: String
    public var hard: [String: Int64]
    public var used: [String: Int64]

    public init(namespace: String, name: String, hard: [String: Int64], used: [String: Int64]) {
        self.namespace = namespace
        self.name = name
        self.hard = hard
        self.used = used
    }
}
