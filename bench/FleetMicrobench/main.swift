import Fleet
import Foundation
import Protos
import Synchronization

// In-process benchmarks for the parts of fleetd whose cost grows with the fleet. Each
// runs at 1x, 10x and 100x the work, so the tables show how cost grows.

// Usage: fleet-microbench [--quick] [--only placement|capacity|fanout|protobuf]
let quick = CommandLine.arguments.contains("--quick")
let only = CommandLine.arguments.firstIndex(of: "--only").flatMap { CommandLine.arguments.dropFirst($0 + 1).first }
func runs(_ section: String) -> Bool { only == nil || only == section }
var report = Report()

// MARK: Placement

if runs("placement") {
report.section("Placement decision", """
    `PlacementEngine.place` over every cluster's snapshot: filters (constraints, health, \
    reservation, accelerator, labels, taints, quota), per-node fit and scoring. Nodes per \
    cluster: 5,000 (60% CPU, 40% GPU in three accelerator types, partly used); a mix of \
    CPU services and GPU jobs. The last column is the resident memory of the capacity model.
    """)
var placementRows: [[String]] = []
for clusters in quick ? [1, 10] : [1, 10, 100] {
    let before = residentBytes()
    let fleet = FleetModel.clusters(count: clusters, nodesPerCluster: 5000)
    let modelBytes = residentBytes() - before
    let engine = PlacementEngine()
    let workloads = FleetModel.workloads(count: 64)
    var next = 0
    let samples = measure(iterations: quick ? 200 : 2000) {
        _ = engine.place(workloads[next % workloads.count], in: fleet)
        next += 1
    }
    let nothingFits = WorkloadSpec(name: "huge", team: "t", replicas: 10_000,
                                   perReplica: ReplicaRequest(cpuMillis: 1000, memoryBytes: 1 << 30, acceleratorType: "nvidia-tesla-a100", acceleratorCount: 1))
    let worst = measure(iterations: quick ? 20 : 200) { _ = engine.place(nothingFits, in: fleet) }
    let requeued = measure(iterations: quick ? 20 : 200) { _ = engine.place(nothingFits, in: fleet, explain: false) }
    placementRows.append([
        "\(clusters) × 5,000 = \(clusters * 5000)", microseconds(samples.percentile(0.5)), microseconds(samples.percentile(0.99)),
        microseconds(samples.max), microseconds(worst.percentile(0.99)), microseconds(requeued.percentile(0.99)),
        "\(modelBytes / (1 << 20)) MiB",
    ])
}
report.table(["clusters × nodes", "p50 µs", "p99 µs", "max µs", "p99 µs, nothing fits (counts the room on every eligible node)",
              "p99 µs, nothing fits, queue re-check (no explanations)", "model RSS"], placementRows)

}

// MARK: Capacity after a pod event

if runs("capacity") {
report.section("Capacity recomputation after a pod event", """
    What a cluster actor does per pod event: charge the pod to its node (which refreshes \
    the node group's largest-free figures) and publish a new snapshot with the cluster's \
    capacity summary.
    """)
var capacityRows: [[String]] = []
for nodes in quick ? [500, 5000] : [500, 5000, 50_000] {
    let snapshot = FleetModel.clusters(count: 1, nodesPerCluster: nodes)[0]
    var table = snapshot.nodes
    var index = 0
    let pod = ResourceVector(cpuMillis: 500, memoryBytes: 1 << 30, pods: 1)
    let samples = measure(iterations: quick ? 100 : 1000) {
        let node = "c0-n\(index % nodes)"
        table.addRequest(index % 2 == 0 ? pod : .zero - pod, on: node)
        _ = ClusterSnapshot(descriptor: snapshot.descriptor, health: .healthy, nodes: table)
        index += 1
    }
    capacityRows.append(["\(nodes)", microseconds(samples.percentile(0.5)), microseconds(samples.percentile(0.99))])
}
report.table(["nodes in the cluster", "p50 µs", "p99 µs"], capacityRows)

}

// MARK: Fan-out

if runs("fanout") {
report.section("Capacity fan-out to subscribers", """
    `CapacityHub.publish` of one cluster's change while N subscribers wait in `next()`, \
    each in its own task; the time until every subscriber has the update.
    """)
var fanoutRows: [[String]] = []
let capacities = FleetModel.clusters(count: 2, nodesPerCluster: 50).map(\.capacity)
for subscribers in quick ? [100, 1000] : [100, 1000, 10_000] {
    let samples = await FanOutBenchmark.run(subscribers: subscribers, rounds: quick ? 5 : 20, capacities: capacities)
    let perSubscriber = Double(samples.percentile(0.5).components.attoseconds) / 1e9 / Double(subscribers)
        + Double(samples.percentile(0.5).components.seconds) * 1e9 / Double(subscribers)
    fanoutRows.append(["\(subscribers)", microseconds(samples.percentile(0.5)), microseconds(samples.max), String(format: "%.0f", perSubscriber)])
}
report.table(["subscribers", "p50 µs until all have it", "max µs", "ns per subscriber (p50)"], fanoutRows)

}

// MARK: Protobuf

if runs("protobuf") {
report.section("protobuf-c encode and decode of Fleet messages", """
    Generated Swift types over protoc-c: `serializedBytes()` then `init(serializedBytes:)`.
    """)
var protoRows: [[String]] = []
var deploy = Fleet_V1_DeployRequest()
deploy.requestId = "req-0123456789"
deploy.name = "llm-7b"
deploy.team = "ml-research"
deploy.kind = .serving
deploy.image = "registry.example/models/llm:1.0"
deploy.replicas = 4
var resources = Fleet_V1_Resources()
resources.cpuMillis = 8000
resources.memoryBytes = 32 << 30
resources.acceleratorType = "nvidia-tesla-a100"
resources.acceleratorCount = 1
deploy.resources = resources
deploy.env = ["MODEL": "7b", "PRECISION": "bf16"]
let deployBytes = try deploy.serializedBytes()
let deploySamples = measure(iterations: quick ? 1000 : 20_000) {
    _ = try? Fleet_V1_DeployRequest(serializedBytes: (try? deploy.serializedBytes()) ?? [])
}
protoRows.append(["DeployRequest", "\(deployBytes.count)", microseconds(deploySamples.percentile(0.5)), microseconds(deploySamples.percentile(0.99))])
for clusters in quick ? [1, 10] : [1, 10, 100] {
    var response = Fleet_V1_GetCapacityResponse()
    response.revision = 1
    response.clusters = FleetModel.clusters(count: clusters, nodesPerCluster: 20).map { snapshot in
        var message = Fleet_V1_ClusterCapacity()
        message.cluster = snapshot.name.rawValue
        message.cloud = .gke
        message.region = snapshot.descriptor.region
        message.health = .healthy
        message.nodes = Int32(snapshot.capacity.nodes)
        var amount = Fleet_V1_ResourceAmount()
        amount.allocatable = snapshot.capacity.cpuMillis.allocatable
        amount.free = snapshot.capacity.cpuMillis.free
        message.cpuMillis = amount
        message.memoryBytes = amount
        message.pods = amount
        message.accelerators = snapshot.capacity.accelerators.map { accelerator in
            var entry = Fleet_V1_AcceleratorCapacity()
            entry.type = accelerator.kind.type
            entry.resourceName = accelerator.kind.resourceName
            entry.devices = amount
            return entry
        }
        return message
    }
    let bytes = try response.serializedBytes()
    let samples = measure(iterations: quick ? 200 : 5000) {
        _ = try? Fleet_V1_GetCapacityResponse(serializedBytes: (try? response.serializedBytes()) ?? [])
    }
    protoRows.append(["GetCapacityResponse, \(clusters) cluster(s)", "\(bytes.count)", microseconds(samples.percentile(0.5)), microseconds(samples.percentile(0.99))])
}
report.table(["message", "bytes", "encode+decode p50 µs", "p99 µs"], protoRows)

}

print(report.text)
