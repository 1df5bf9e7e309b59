/// Owns one cluster's view: the informer-fed nodes, pods and quotas, plus the
/// placements fleetd has committed whose pods the cluster has not bound yet.
/// Placement reads the snapshots it publishes; committing a plan is serialised here,
/// so two deploys can never both take the last free accelerators of a node.
public actor ClusterActor {
    public nonisolated let descriptor: ClusterDescriptor
    public nonisolated let api: any ClusterAPI
    private let publish: @Sendable (ClusterSnapshot) -> Void
    private let assumptionLifetime: Duration

    private var nodes = NodeTable()
    private var nodeInfo: [String: NodeInfo] = [:]
    private var pods: [PodInfo.Key: PodInfo] = [:]
    private var quotas: [String: [String: NamespaceQuota]] = [:]
    private var nodesListed = false
    private var podsListed = false
    private var unreachable: String?
    private var assumptions: [DeploymentID: Assumption] = [:]

    /// Capacity taken for a committed plan until the cluster binds its pods.
    struct Assumption {
        var unit: ResourceVector
        var replicasByNode: [String: Int]
        var expires: ContinuousClock.Instant
    }

    public init(api: any ClusterAPI, assumptionLifetime: Duration = .seconds(120), publish: @escaping @Sendable (ClusterSnapshot) -> Void) {
        self.descriptor = api.descriptor
        self.api = api
        self.assumptionLifetime = assumptionLifetime
        self.publish = publish
    }

    /// Applies the backend's events until its stream ends.
    public func run() async {
        publish(snapshot())
        for await event in api.events() {
            apply(event)
            publish(snapshot())
        }
    }

    public func snapshot() -> ClusterSnapshot {
        ClusterSnapshot(descriptor: descriptor, health: health, nodes: nodes, quotas: quotas.mapValues { Array($0.values) })
    }

    static let notSyncedYet = "not synced yet"

    var health: ClusterHealth {
        if let unreachable { return .unreachable(unreachable) }
        if !nodesListed || !podsListed { return .unreachable(Self.notSyncedYet) }
        let notReady = nodeInfo.values.filter { !$0.ready }.count
        if notReady > 0 { return .degraded("\(notReady) of \(nodeInfo.count) nodes not ready") }
        return .healthy
    }

    // MARK: Committing placements

    /// Takes the plan's capacity if every node still has room for its replicas; the
    /// snapshot the plan was made on may be stale. Returns false, taking nothing, if not.
    public func commit(_ plan: PlacementPlan, unit: ResourceVector, for deployment: DeploymentID) -> Bool {
        expireAssumptions()
        guard health.acceptsWork else { return false }
        for assignment in plan.assignments {
            guard let free = nodes.free(on: assignment.node), (unit * Int64(assignment.replicas)).fits(in: free) else { return false }
            guard nodeInfo[assignment.node]?.acceptsPods == true else { return false }
        }
        var assumption = assumptions[deployment] ?? Assumption(unit: unit, replicasByNode: [:], expires: .now)
        for assignment in plan.assignments {
            nodes.addRequest(unit * Int64(assignment.replicas), on: assignment.node)
            assumption.replicasByNode[assignment.node, default: 0] += assignment.replicas
        }
        assumption.expires = .now.advanced(by: assumptionLifetime)
        assumptions[deployment] = assumption
        publish(snapshot())
        return true
    }

    /// Gives back what a commit took and the cluster has not bound yet (the write
    /// failed, or the deployment was deleted).
    public func forget(_ deployment: DeploymentID) {
        guard let assumption = assumptions.removeValue(forKey: deployment) else { return }
        for (node, replicas) in assumption.replicasByNode {
            nodes.addRequest(.zero - assumption.unit * Int64(replicas), on: node)
        }
        publish(snapshot())
    }

    private func expireAssumptions() {
        let now = ContinuousClock.now
        for (deployment, assumption) in assumptions where assumption.expires <= now {
            for (node, replicas) in assumption.replicasByNode {
                nodes.addRequest(.zero - assumption.unit * Int64(replicas), on: node)
            }
            assumptions[deployment] = nil
        }
    }

    /// A bound pod replaces one assumed replica of its deployment, preferably on its node.
    private func consumeAssumption(for pod: PodInfo, boundTo node: String) {
        guard let id = pod.deploymentID, var assumption = assumptions[id] else { return }
        let from = assumption.replicasByNode[node] != nil ? node : assumption.replicasByNode.keys.sorted().first
        guard let from else { return }
        nodes.addRequest(.zero - assumption.unit, on: from)
        let left = assumption.replicasByNode[from, default: 1] - 1
        assumption.replicasByNode[from] = left > 0 ? left : nil
        assumptions[id] = assumption.replicasByNode.isEmpty ? nil : assumption
    }

    // MARK: Reservations

    /// Marks the nodes reserved at once, ahead of the cluster reporting the label and
    /// taint, if each is still unreserved, accepts pods and has `perNode` free. Takes
    /// nothing and returns false otherwise.
    public func markReserved(_ names: [String], by reservation: ReservationID, perNode: ResourceVector) -> Bool {
        for name in names {
            guard let node = nodeInfo[name], node.acceptsPods, node.reservation == nil,
                  let free = nodes.free(on: name), perNode.fits(in: free) else { return false }
        }
        for name in names {
            if let node = nodeInfo[name] { upsertNode(node.reserved(by: reservation)) }
        }
        publish(snapshot())
        return true
    }

    /// Removes the reservation from the nodes it still holds.
    public func unmarkReserved(_ names: [String], by reservation: ReservationID) {
        for name in names {
            guard let node = nodeInfo[name], node.reservation == reservation else { continue }
            upsertNode(node.reserved(by: nil))
        }
        publish(snapshot())
    }

    // MARK: Status of deployments

    public struct WorkloadPods: Hashable, Sendable {
        public var total = 0
        public var ready = 0
        public var succeeded = 0
        public var failed = 0
    }

    public func pods(of deployment: DeploymentID) -> WorkloadPods {
        var result = WorkloadPods()
        for pod in pods.values where pod.deploymentID == deployment {
            result.total += 1
            if pod.ready { result.ready += 1 }
            if pod.phase == .succeeded { result.succeeded += 1 }
            if pod.phase == .failed { result.failed += 1 }
        }
        return result
    }

    // MARK: Events

    func apply(_ event: ClusterEvent) {
        expireAssumptions()
        switch event {
        case .nodesListed(let list):
            let names = Set(list.map(\.name))
            for name in nodeInfo.keys where !names.contains(name) { removeNode(name) }
            for node in list { upsertNode(node) }
            nodesListed = true
        case .nodeChanged(let node):
            upsertNode(node)
        case .nodeDeleted(let name):
            removeNode(name)
        case .podsListed(let list):
            let keys = Set(list.map(\.key))
            for key in pods.keys where !keys.contains(key) { removePod(key) }
            for pod in list { upsertPod(pod) }
            podsListed = true
        case .podChanged(let pod):
            upsertPod(pod)
        case .podDeleted(let key):
            removePod(key)
        case .quotasListed(let list):
            quotas = Dictionary(grouping: list, by: \.namespace).mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0) }) }
        case .quotaChanged(let quota):
            quotas[quota.namespace, default: [:]][quota.name] = quota
        case .quotaDeleted(let namespace, let name):
            quotas[namespace]?[name] = nil
        case .reachability(let reachable, let detail):
            unreachable = reachable ? nil : detail
        }
    }

    private func upsertNode(_ node: NodeInfo) {
        nodeInfo[node.name] = node
        nodes.upsert(node)
    }

    private func removeNode(_ name: String) {
        nodeInfo[name] = nil
        nodes.remove(nodeNamed: name)
    }

    private func upsertPod(_ pod: PodInfo) {
        let old = pods.updateValue(pod, forKey: pod.key)
        if let held = old?.heldOnNode { nodes.addRequest(.zero - held.amount, on: held.node) }
        if let held = pod.heldOnNode {
            nodes.addRequest(held.amount, on: held.node)
            if old?.nodeName == nil { consumeAssumption(for: pod, boundTo: held.node) }
        }
    }

    private func removePod(_ key: PodInfo.Key) {
        guard let old = pods.removeValue(forKey: key) else { return }
        if let held = old.heldOnNode { nodes.addRequest(.zero - held.amount, on: held.node) }
    }
}
