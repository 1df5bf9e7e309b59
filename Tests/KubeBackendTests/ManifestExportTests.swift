import Foundation
@testable import Fleet
import KubeBackend
import KubeSim
import Testing

/// Runs every write path of KubeBackend's fleet adapter against a simulated cluster and
/// captures, through the simulator's audit log, each object exactly as it went on the
/// wire. With KUBEBACKEND_MANIFEST_DIR set, each is written there as a JSON file, which
/// Tests/kubesim/test_manifests.py validates against the official schemas.
@Suite struct ManifestExportTests {
    static let directoryVariable = "KUBEBACKEND_MANIFEST_DIR"

    private static let profile = ClusterProfile(
        name: "manifests", cloud: .gke, region: "us-central1",
        nodePools: [
            NodePool(name: "cpu", count: 2, cpu: "8", memory: "32Gi"),
            NodePool(name: "a100", count: 2, cpu: "16", memory: "64Gi",
                     labels: ["fleet.io/accelerator": "nvidia-a100"], extendedResources: ["nvidia.com/gpu": "4"],
                     taints: [PoolTaint(key: "nvidia.com/gpu", value: "present", effect: "NoSchedule")]),
        ])

    private static func record(_ name: String, kind: WorkloadKind, gpus: Int64, reservation: ReservationID? = nil) -> DeploymentRecord {
        let spec = WorkloadSpec(
            name: name, team: "ml-research", kind: kind, replicas: 2,
            perReplica: ReplicaRequest(cpuMillis: 1500, memoryBytes: 6 << 30, acceleratorType: gpus > 0 ? "nvidia-a100" : nil, acceleratorCount: gpus),
            priority: .high, reservation: reservation)
        let request = DeploymentRequest(
            requestID: "req-\(name)", spec: spec,
            container: ContainerTemplate(image: "registry.example/\(name):1", command: ["serve"], args: ["--port", "8080"], env: ["MODE": "prod"]),
            schedule: kind == .scheduled ? "*/30 * * * *" : nil)
        var record = DeploymentRecord(id: DeploymentID("dep-\(name)"), request: request, state: .placed, cluster: "manifests",
                                      createdAt: Date(timeIntervalSince1970: 1_750_000_000))
        record.placedAt = record.createdAt
        return record
    }

    @Test func everyObjectTheFleetAdapterWritesIsCapturedAndAccepted() async throws {
        let cluster = try await SimulatedCluster.start(Self.profile, options: .init(token: "t", tls: .selfSigned))
        defer { Task { try await cluster.shutdown() } }
        let client = try KubeClient(connection: ClusterConnection(
            server: cluster.url, tls: TLSSettings(certificateAuthorityPEM: cluster.certificatePEM),
            credentials: StaticCredentialProvider(Credential(bearerToken: "t"))))
        let api = KubeClusterAPI(descriptor: ClusterDescriptor(name: "manifests", cloud: .gke, region: "us-central1", ingressDomain: "gke.fleet.example"),
                                 client: client)
        cluster.server.api.audit.start()

        let gpuNodes = try await client.list(Node.self, options: ListOptions(labelSelector: "kubesim.fleet.io/node-pool=a100")).items
        let gpuNode = try #require(gpuNodes.first?.metadata.name)
        let gpu = AcceleratorKind(type: "nvidia-a100", resourceName: "nvidia.com/gpu")
        let plan = PlacementPlan(cluster: "manifests", assignments: [.init(node: gpuNode, replicas: 2)], accelerator: gpu)
        let serving = Self.record("llm", kind: .serving, gpus: 1, reservation: "res-1")
        try await api.apply(PlacedWorkload(record: serving, plan: plan))
        try await api.apply(PlacedWorkload(record: Self.record("finetune", kind: .batch, gpus: 2), plan: plan))
        try await api.apply(PlacedWorkload(record: Self.record("nightly", kind: .scheduled, gpus: 0),
                                           plan: PlacementPlan(cluster: "manifests", assignments: [.init(node: gpuNode, replicas: 2)])))
        _ = try await api.expose(EndpointRequest(record: serving, host: "llm.ml-research.gke.fleet.example", path: "/v1",
                                                 servicePort: 80, ingressClassName: "gce"))
        try await api.reserve("res-1", nodes: [gpuNode])
        try await api.release("res-1", nodes: [gpuNode])
        try await api.ensureQuota(namespace: "ml-research", limits: QuotaLimits(cpuMillis: 8000, memoryBytes: 32 << 30, accelerators: ["nvidia.com/gpu": 4]))
        try await api.ensureQuota(namespace: "ml-research", limits: QuotaLimits(cpuMillis: 16000, memoryBytes: 64 << 30, accelerators: ["nvidia.com/gpu": 8]))
        var queued = Self.record("waiting", kind: .serving, gpus: 1)
        queued.state = .queued
        try await KubeStateStore(client: client).saveQueued(queued)

        let sent = cluster.server.api.audit.recorded.filter { $0.requestObject?["kind"] != nil }
        // A read-modify-write may race the simulated kubelets' status updates; the adapter retries its 409s.
        for write in sent { #expect((200..<300).contains(write.responseCode) || write.responseCode == 409, "\(write.method) \(write.path): \(write.responseCode)") }
        let writes = sent.filter { (200..<300).contains($0.responseCode) }
        let kinds = Set(writes.compactMap { $0.requestObject?["kind"]?.stringValue })
        #expect(kinds == ["Namespace", "PriorityClass", "Deployment", "Job", "CronJob", "Service", "Ingress", "Node", "ResourceQuota", "ConfigMap"])
        #expect(writes.contains { $0.method == "PUT" && $0.requestObject?["kind"] == "ResourceQuota" }, "the quota is raised by an update")

        guard let directory = ProcessInfo.processInfo.environment[Self.directoryVariable] else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (index, write) in writes.enumerated() {
            let object = write.requestObject!
            let number = index < 10 ? "0\(index)" : "\(index)"
            let file = "\(number)-\(write.method.lowercased())-\(object["kind"]?.stringValue ?? "")-\(object["metadata"]?["name"]?.stringValue ?? "").json"
            try Data(KubeJSON.serialize(object)).write(to: URL(fileURLWithPath: directory).appendingPathComponent(file))
        }
    }
}
