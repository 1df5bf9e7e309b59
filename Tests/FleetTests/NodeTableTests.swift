import Testing
@testable import Fleet

@Suite struct NodeTableTests {
    typealias F = Fixtures

    @Test func requestsFollowANodeWhoseLabelsChange() {
        var table = NodeTable()
        table.upsert(F.gpuNode("g1"))
        table.addRequest(ResourceVector(accelerators: 3, pods: 1), on: "g1")
        var relabelled = F.gpuNode("g1", labels: [FleetLabels.reservation: "r-1"])
        relabelled.taints.append(Taint(key: FleetLabels.reservation, value: "r-1", effect: .noSchedule))
        table.upsert(relabelled)
        #expect(table.requested(on: "g1") == ResourceVector(accelerators: 3, pods: 1))
        #expect(table.shape(of: "g1")?.reservation == "r-1")
        #expect(table.nodeCount == 1)
    }

    @Test func podEventsBeforeTheirNodeAreKept() {
        var table = NodeTable()
        table.addRequest(ResourceVector(cpuMillis: 500, pods: 1), on: "late")
        table.upsert(F.cpuNode("late"))
        #expect(table.requested(on: "late") == ResourceVector(cpuMillis: 500, pods: 1))
    }

    @Test func removingANodeInTheMiddleKeepsTheOthersIntact() {
        var table = NodeTable()
        for name in ["a", "b", "c"] { table.upsert(F.cpuNode(name)) }
        table.addRequest(ResourceVector(cpuMillis: 3000, pods: 1), on: "c")
        table.remove(nodeNamed: "a")
        #expect(!table.contains("a"))
        #expect(table.requested(on: "c") == ResourceVector(cpuMillis: 3000, pods: 1))
        #expect(table.groups[0].maxFree.cpuMillis == 16_000)
        table.addRequest(ResourceVector(cpuMillis: 16_000, pods: 1), on: "b")
        #expect(table.groups[0].maxFree.cpuMillis == 13_000)
    }

    @Test func capacityAddsUpPerResourceAndAccelerator() {
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [F.cpuNode("c1"), F.gpuNode("g1"), F.gpuNode("t1", type: "nvidia-l4", gpus: 4)],
                                 requests: [("c1", ResourceVector(cpuMillis: 2000, memoryBytes: F.gib, pods: 2)), ("g1", ResourceVector(cpuMillis: 1000, accelerators: 8, pods: 1))])
        let capacity = cluster.capacity
        #expect(capacity.cpuMillis == ResourceAmount(allocatable: 208_000, requested: 3000, reserved: 0, free: 205_000))
        #expect(capacity.pods.requested == 3)
        #expect(capacity.accelerators.map(\.kind.type) == ["nvidia-l4", "nvidia-tesla-a100"])
        #expect(capacity.accelerator(ofType: "nvidia-tesla-a100")?.largestFreeOnANode == 0)
        #expect(capacity.accelerator(ofType: "nvidia-l4")?.devices.free == 4)
    }
}
