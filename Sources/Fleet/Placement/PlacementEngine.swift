/// Chooses a cluster and nodes for a workload from snapshots of the fleet. Pure: it
/// reads values and writes nothing, so dry runs and benchmarks can call it freely.
public struct PlacementEngine: Sendable {
    public var policy: PlacementPolicy

    public init(policy: PlacementPolicy = .init()) {
        self.policy = policy
    }

    /// - Parameter explain: whether each rejected cluster says why. Without, a cluster that
    ///   cannot hold the replicas is ruled out from its node groups' free totals instead of
    ///   counting the exact room on every node; the plan is the same. Re-trying queued work
    ///   wants only the plan.
    public func place(_ spec: WorkloadSpec, in clusters: [ClusterSnapshot], explain: Bool = true) -> PlacementResult {
        var evaluations: [ClusterEvaluation] = []
        evaluations.reserveCapacity(clusters.count)
        var best: (index: Int, candidates: [Int], score: Double)?
        // By index: a snapshot is read in place, not copied out of the array.
        for index in clusters.indices {
            let name = clusters[index].name
            switch evaluate(spec, in: clusters[index], explain: explain) {
            case .success(let (candidates, score)):
                evaluations.append(ClusterEvaluation(cluster: name, verdict: .feasible(score: score)))
                if best == nil || score > best!.score || (score == best!.score && name < clusters[best!.index].name) {
                    best = (index, candidates, score)
                }
            case .failure(let rejection):
                evaluations.append(ClusterEvaluation(cluster: name, verdict: .rejected(rejection.reason, message: rejection.message)))
            }
        }
        evaluations.sort(by: Self.rankedBefore)
        // Nodes are assigned in the chosen cluster only. Its fields are read through the
        // array: a copy of the whole snapshot costs a retain per field.
        var plan: PlacementPlan?
        if let best {
            plan = assign(spec, groups: best.candidates, nodes: clusters[best.index].nodes, cluster: clusters[best.index].name)
        }
        if let chosen = plan?.cluster, let index = evaluations.firstIndex(where: { $0.cluster == chosen }) {
            evaluations[index].chosen = true
        }
        return PlacementResult(evaluations: evaluations, plan: plan)
    }

    private static func rankedBefore(_ a: ClusterEvaluation, _ b: ClusterEvaluation) -> Bool {
        switch (a.score, b.score) {
        case (let x?, let y?): x != y ? x > y : a.cluster < b.cluster
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): a.cluster < b.cluster
        }
    }

    struct Rejection: Error {
        var reason: RejectionReason
        var message: String
    }

    /// The node groups that can take every replica and the cluster's score, or why the
    /// cluster cannot take the workload.
    func evaluate(_ spec: WorkloadSpec, in cluster: ClusterSnapshot, explain: Bool = true) -> Result<([Int], Double), Rejection> {
        if let rejection = Self.clusterRejection(spec.constraints, cluster) {
            return .failure(rejection)
        }
        let candidates: [Int]
        switch eligibleGroups(spec, in: cluster.nodes) {
        case .success(let groups): candidates = groups
        case .failure(let rejection): return .failure(rejection)
        }
        if let quotaProblem = quotaShortfall(spec, in: cluster) {
            return .failure(Rejection(reason: .quota, message: quotaProblem))
        }
        let wanted = Int64(spec.replicas)
        let unit = spec.perReplica.vector
        if !explain && Self.roomBound(for: unit, groups: candidates, in: cluster.nodes) < wanted {
            return .failure(Rejection(reason: .insufficientCapacity, message: ""))
        }
        var room: Int64 = 0
        for index in candidates where room < wanted {
            let group = cluster.nodes.groups[index]
            if unit.fits(in: group.maxFree) { room += group.copies(of: unit, limit: wanted - room) }
        }
        guard room >= wanted else {
            return .failure(Rejection(reason: .insufficientCapacity, message: insufficientMessage(spec, room: room, groups: candidates, nodes: cluster.nodes)))
        }
        return .success((candidates, score(spec, in: cluster)))
    }

    /// At least the room the groups' nodes have for copies of `unit`: whole copies per node
    /// sum to no more than whole copies of the group's summed free amounts.
    private static func roomBound(for unit: ResourceVector, groups: [Int], in table: NodeTable) -> Int64 {
        var bound: Int64 = 0
        for index in groups {
            let group = table.groups[index]
            if unit.fits(in: group.maxFree) { bound = bound.saturatingAdding(group.freeTotal.copies(of: unit)) }
        }
        return bound
    }

    /// Why a whole cluster is out before any node is looked at: the constraints' clouds,
    /// regions and clusters, then its health. Reservations use the same checks.
    static func clusterRejection(_ constraints: PlacementConstraints, _ cluster: ClusterSnapshot) -> Rejection? {
        let descriptor = cluster.descriptor
        if !constraints.clouds.isEmpty && !constraints.clouds.contains(descriptor.cloud) {
            return Rejection(reason: .cloud, message: "cloud \(descriptor.cloud.rawValue) is not one of \(list(constraints.clouds.map(\.rawValue)))")
        }
        if !constraints.regions.isEmpty && !constraints.regions.contains(descriptor.region) {
            return Rejection(reason: .region, message: "region \(descriptor.region) is not one of \(list(constraints.regions))")
        }
        if !constraints.clusters.isEmpty && !constraints.clusters.contains(descriptor.name) {
            return Rejection(reason: .cluster, message: "cluster is not one of \(list(constraints.clusters.map(\.rawValue)))")
        }
        if case .unreachable(let why) = cluster.health {
            return Rejection(reason: .unhealthy, message: "cluster is unreachable: \(why)")
        }
        return nil
    }

    /// The filters a node group must pass, in the order they are applied.
    private enum GroupFilter: Int, Comparable {
        case reservation, accelerator, nodeLabels, taints

        static func < (a: GroupFilter, b: GroupFilter) -> Bool { a.rawValue < b.rawValue }
    }

    /// The indices of the node groups a replica may land on, or the first filter that left none.
    /// Each group is checked once, dropping out at the first filter it fails; filters are
    /// applied in order, so the one that left none is the furthest any group got to.
    private func eligibleGroups(_ spec: WorkloadSpec, in table: NodeTable) -> Result<[Int], Rejection> {
        var eligible: [Int] = []
        eligible.reserveCapacity(table.groups.count)
        var furthest: GroupFilter?
        let tolerationsOffAccelerators = spec.tolerations(onNodesWith: nil)
        table.groups.withUnsafeBufferPointer { groups in
            for index in groups.indices where groups[index].count > 0 {
                if let failed = firstFailedFilter(spec, groups[index].shape, tolerationsOffAccelerators) {
                    furthest = max(furthest ?? failed, failed)
                } else {
                    eligible.append(index)
                }
            }
        }
        if !eligible.isEmpty { return .success(eligible) }
        return .failure(rejection(by: furthest ?? firstApplicableFilter(spec), spec))
    }

    private func firstFailedFilter(_ spec: WorkloadSpec, _ shape: NodeShape, _ tolerationsOffAccelerators: [Toleration]) -> GroupFilter? {
        if let reservation = spec.reservation, shape.reservation != reservation { return .reservation }
        if let type = spec.perReplica.acceleratorType, shape.accelerator?.type != type { return .accelerator }
        if !spec.constraints.nodeLabels.isEmpty && !shape.hasLabels(spec.constraints.nodeLabels) { return .nodeLabels }
        let tolerations = shape.accelerator == nil ? tolerationsOffAccelerators : spec.tolerations(onNodesWith: shape.accelerator)
        return shape.tolerates(tolerations) ? nil : .taints
    }

    /// The filter that rejects a cluster with no nodes at all.
    private func firstApplicableFilter(_ spec: WorkloadSpec) -> GroupFilter {
        if spec.reservation != nil { return .reservation }
        if spec.perReplica.acceleratorType != nil { return .accelerator }
        if !spec.constraints.nodeLabels.isEmpty { return .nodeLabels }
        return .taints
    }

    private func rejection(by filter: GroupFilter, _ spec: WorkloadSpec) -> Rejection {
        switch filter {
        case .reservation:
            return Rejection(reason: .reservation, message: "reservation \(spec.reservation?.rawValue ?? "") holds no nodes here")
        case .accelerator:
            return Rejection(reason: .noAccelerator, message: "no \(spec.perReplica.acceleratorType ?? "") nodes")
        case .nodeLabels:
            let labels = spec.constraints.nodeLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return Rejection(reason: .nodeLabels, message: "no node has \(labels.joined(separator: ","))")
        case .taints:
            return Rejection(reason: .insufficientCapacity, message: "every matching node has a taint the workload does not tolerate")
        }
    }

    /// First fit over the eligible nodes, each node taking as many replicas as it can;
    /// called once the replicas are known to fit.
    private func assign(_ spec: WorkloadSpec, groups: [Int], nodes table: NodeTable, cluster: ClusterName) -> PlacementPlan {
        let unit = spec.perReplica.vector
        var remaining = Int64(spec.replicas)
        var assignments: [PlacementPlan.Assignment] = []
        var accelerator: AcceleratorKind?
        for index in groups where remaining > 0 {
            let group = table.groups[index]
            guard unit.fits(in: group.maxFree) else { continue }
            for slot in 0..<group.count where group.acceptsPods[slot] {
                let copies = min(group.free(at: slot).copies(of: unit), remaining)
                guard copies > 0 else { continue }
                assignments.append(.init(node: group.names[slot], replicas: Int(copies)))
                accelerator = accelerator ?? group.shape.accelerator
                remaining -= copies
                if remaining == 0 { break }
            }
        }
        return PlacementPlan(cluster: cluster, assignments: assignments, accelerator: spec.perReplica.acceleratorType == nil ? nil : accelerator)
    }

    /// 0–100 for how full the resource the workload is limited by would be after
    /// placing it (bin-pack) or how empty (spread), less the cost rank's weight.
    private func score(_ spec: WorkloadSpec, in cluster: ClusterSnapshot) -> Double {
        let capacity = cluster.capacity
        let total = spec.total
        func fullness(_ amount: ResourceAmount, adding need: Int64) -> Double {
            guard amount.allocatable > 0 else { return 1 }
            let used = amount.allocatable.saturatingSubtracting(amount.free).saturatingAdding(need)
            return min(1, max(0, Double(used) / Double(amount.allocatable)))
        }
        let after: Double
        if let type = spec.perReplica.acceleratorType, let devices = capacity.accelerator(ofType: type)?.devices {
            after = fullness(devices, adding: total.accelerators)
        } else {
            after = (fullness(capacity.cpuMillis, adding: total.cpuMillis) + fullness(capacity.memoryBytes, adding: total.memoryBytes)) / 2
        }
        let base = policy.strategy == .binPack ? after : 1 - after
        return (base * 100 - policy.costWeight * Double(cluster.descriptor.costRank)).rounded(toPlaces: 3)
    }

    private func quotaShortfall(_ spec: WorkloadSpec, in cluster: ClusterSnapshot) -> String? {
        guard let quotas = cluster.quotas[spec.namespace] else { return nil }
        let total = spec.total
        var needs: [(String, Int64)] = [("requests.cpu", total.cpuMillis), ("requests.memory", total.memoryBytes), ("pods", total.pods)]
        if spec.perReplica.acceleratorType != nil {
            let resourceNames = Set(cluster.nodes.groups.compactMap { group -> String? in
                guard group.shape.accelerator?.type == spec.perReplica.acceleratorType else { return nil }
                return group.shape.accelerator?.resourceName
            })
            for name in resourceNames.sorted() { needs.append(("requests.\(name)", total.accelerators)) }
        }
        for quota in quotas {
            for (resource, need) in needs {
                guard let hard = quota.hard[resource] else { continue }
                let used = quota.used[resource] ?? 0
                if used + need > hard {
                    return "quota \(quota.name) in namespace \(quota.namespace): \(resource) needs \(need), used \(used) of \(hard)"
                }
            }
        }
        return nil
    }

    private func insufficientMessage(_ spec: WorkloadSpec, room: Int64, groups: [Int], nodes table: NodeTable) -> String {
        let largest = groups.reduce(ResourceVector.zero) { $0.componentMax(table.groups[$1].maxFree) }
        let need = ResourceFormat.describe(spec.perReplica)
        let most = ResourceFormat.describe(largest, acceleratorType: spec.perReplica.acceleratorType)
        return "\(spec.replicas) replica(s) of \(need) do not fit: eligible nodes have room for \(room); the most free of each resource on any node: \(most)"
    }

    private static func list(_ items: some Sequence<String>) -> String {
        "[" + items.sorted().joined(separator: ", ") + "]"
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
