import Fleet

/// A synthetic fleet shaped like the simulated one, at any size: each cluster has a
/// CPU pool and three GPU pools of different accelerator types, partly used.
enum FleetModel {
    static let gib: Int64 = 1 << 30
    static let acceleratorTypes = ["nvidia-tesla-a100", "nvidia-l4", "nvidia-h100"]

    static func clusters(count: Int, nodesPerCluster: Int, seed: UInt64 = 42) -> [ClusterSnapshot] {
        var random = SplitMix64(state: seed)
        let clouds: [Cloud] = [.gke, .aks, .eks, .onprem]
        return (0..<count).map { index in
            let cloud = clouds[index % clouds.count]
            let descriptor = ClusterDescriptor(
                name: ClusterName("cluster-\(index)"), cloud: cloud, region: "region-\(index % 7)",
                costRank: cloud == .onprem ? 0 : 1, ingressDomain: "c\(index).example")
            var table = NodeTable()
            for node in 0..<nodesPerCluster {
                let info = self.node(node, of: nodesPerCluster, cluster: index)
                table.upsert(info)
                let used = Int64.random(in: 0...3, using: &random)
                table.addRequest(ResourceVector(cpuMillis: used * 4000, memoryBytes: used * 16 * gib,
                                                accelerators: info.accelerator == nil ? 0 : min(used * 2, info.allocatable.accelerators),
                                                pods: used), on: info.name)
            }
            return ClusterSnapshot(descriptor: descriptor, health: .healthy, nodes: table)
        }
    }

    /// 60% CPU nodes, then 20%, 15% and 5% GPU nodes of each type.
    static func node(_ index: Int, of total: Int, cluster: Int) -> NodeInfo {
        let name = "c\(cluster)-n\(index)"
        let share = Double(index) / Double(max(1, total))
        guard share >= 0.6 else {
            return NodeInfo(name: name, labels: ["pool": "cpu", "kubernetes.io/hostname": name],
                            allocatable: ResourceVector(cpuMillis: 32_000, memoryBytes: 128 * gib, pods: 110))
        }
        let type = share < 0.8 ? acceleratorTypes[0] : share < 0.95 ? acceleratorTypes[1] : acceleratorTypes[2]
        return NodeInfo(
            name: name, labels: ["pool": type, "kubernetes.io/hostname": name, "fleet.io/accelerator": type],
            taints: [Taint(key: "nvidia.com/gpu", value: "present", effect: .noSchedule)],
            allocatable: ResourceVector(cpuMillis: 96_000, memoryBytes: 680 * gib, accelerators: 8, pods: 110),
            accelerator: AcceleratorKind(type: type, resourceName: "nvidia.com/gpu"))
    }

    /// A mix of requests: CPU services, small and large GPU jobs, some constrained.
    static func workloads(count: Int, seed: UInt64 = 7) -> [WorkloadSpec] {
        var random = SplitMix64(state: seed)
        return (0..<count).map { index in
            var spec: WorkloadSpec
            switch index % 4 {
            case 0:
                spec = WorkloadSpec(name: "api-\(index)", team: "t", replicas: Int.random(in: 1...8, using: &random),
                                    perReplica: ReplicaRequest(cpuMillis: 2000, memoryBytes: 4 * gib))
            case 1:
                spec = WorkloadSpec(name: "infer-\(index)", team: "t", replicas: Int.random(in: 1...4, using: &random),
                                    perReplica: ReplicaRequest(cpuMillis: 8000, memoryBytes: 32 * gib, acceleratorType: acceleratorTypes[1], acceleratorCount: 1))
            case 2:
                spec = WorkloadSpec(name: "train-\(index)", team: "t", replicas: Int.random(in: 1...2, using: &random),
                                    perReplica: ReplicaRequest(cpuMillis: 32_000, memoryBytes: 256 * gib, acceleratorType: acceleratorTypes[0], acceleratorCount: 8))
            default:
                spec = WorkloadSpec(name: "h100-\(index)", team: "t", replicas: 1,
                                    perReplica: ReplicaRequest(cpuMillis: 16_000, memoryBytes: 128 * gib, acceleratorType: acceleratorTypes[2], acceleratorCount: 4),
                                    constraints: PlacementConstraints(clouds: [.gke, .onprem]))
            }
            return spec
        }
    }
}
