@testable import Fleet

enum Fixtures {
    static let gib: Int64 = 1 << 30

    static func cpuNode(_ name: String, cpu: Int64 = 16_000, memoryGiB: Int64 = 64, labels: [String: String] = [:]) -> NodeInfo {
        NodeInfo(name: name, labels: labels.merging(["kubernetes.io/hostname": name, "pool": "cpu"]) { a, _ in a },
                 allocatable: ResourceVector(cpuMillis: cpu, memoryBytes: memoryGiB * gib, pods: 110))
    }

    static func gpuNode(_ name: String, type: String = "nvidia-tesla-a100", gpus: Int64 = 8, labels: [String: String] = [:], extraTaints: [Taint] = []) -> NodeInfo {
        NodeInfo(
            name: name,
            labels: labels.merging(["kubernetes.io/hostname": name, "pool": type]) { a, _ in a },
            taints: [Taint(key: "nvidia.com/gpu", value: "present", effect: .noSchedule)] + extraTaints,
            allocatable: ResourceVector(cpuMillis: 96_000, memoryBytes: 680 * gib, accelerators: gpus, pods: 110),
            accelerator: AcceleratorKind(type: type, resourceName: "nvidia.com/gpu"))
    }

    static func descriptor(_ name: ClusterName, cloud: Cloud = .gke, region: String = "us-central1", costRank: Int = 1) -> ClusterDescriptor {
        ClusterDescriptor(name: name, cloud: cloud, region: region, costRank: costRank, ingressDomain: "\(name).fleet.test")
    }

    static func snapshot(_ descriptor: ClusterDescriptor, nodes: [NodeInfo], health: ClusterHealth = .healthy,
                         quotas: [NamespaceQuota] = [], requests: [(String, ResourceVector)] = []) -> ClusterSnapshot {
        var table = NodeTable()
        for node in nodes { table.upsert(node) }
        for (node, amount) in requests { table.addRequest(amount, on: node) }
        return ClusterSnapshot(descriptor: descriptor, health: health, nodes: table,
                               quotas: Dictionary(grouping: quotas, by: \.namespace))
    }

    static func gpuWorkload(_ name: String = "llm", replicas: Int = 1, gpus: Int64 = 1, type: String = "nvidia-tesla-a100",
                            priority: Priority = .medium, constraints: PlacementConstraints = .init(), reservation: ReservationID? = nil) -> WorkloadSpec {
        WorkloadSpec(name: name, team: "ml", replicas: replicas,
                     perReplica: ReplicaRequest(cpuMillis: 4000, memoryBytes: 16 * gib, acceleratorType: type, acceleratorCount: gpus),
                     priority: priority, constraints: constraints, reservation: reservation)
    }

    static func cpuWorkload(_ name: String = "api", replicas: Int = 1, cpu: Int64 = 1000, priority: Priority = .medium) -> WorkloadSpec {
        WorkloadSpec(name: name, team: "ml", replicas: replicas, perReplica: ReplicaRequest(cpuMillis: cpu, memoryBytes: 2 * gib), priority: priority)
    }
}
