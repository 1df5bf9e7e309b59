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

@Suite struct NodeGroupTotalsTests {
    /// Random upserts, relabels, cordons, pod charges and removals; after each step the
    /// running totals and maxima must equal a recomputation from the nodes.
    @Test func runningTotalsMatchARecountAfterEveryChange() {
        var random = SystemRandomNumberGenerator()
        var table = NodeTable()
        let names = (0..<30).map { "n\($0)" }
        for step in 0..<3000 {
            let name = names.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0...2:
                var node = Int.random(in: 0..<2, using: &random) == 0 ? Fixtures.cpuNode(name) : Fixtures.gpuNode(name)
                node.ready = Int.random(in: 0..<5, using: &random) > 0
                if Int.random(in: 0..<4, using: &random) == 0 { node = node.reserved(by: ReservationID("r-\(Int.random(in: 0..<2, using: &random))")) }
                table.upsert(node)
            case 3:
                table.remove(nodeNamed: name)
            default:
                let amount = ResourceVector(cpuMillis: Int64.random(in: 0...9000, using: &random), memoryBytes: Int64.random(in: 0...(40 << 30), using: &random),
                                            accelerators: Int64.random(in: 0...5, using: &random), pods: 1)
                table.addRequest(Int.random(in: 0..<3, using: &random) == 0 ? .zero - amount : amount, on: name)
            }
            for group in table.groups {
                var expected = (ready: 0, allocatable: ResourceVector.zero, requested: ResourceVector.zero, free: ResourceVector.zero, max: ResourceVector.zero)
                for slot in 0..<group.count where group.acceptsPods[slot] {
                    expected.ready += 1
                    expected.allocatable += group.allocatable[slot]
                    expected.requested += group.requested[slot]
                    expected.free += group.free(at: slot)
                    expected.max = expected.max.componentMax(group.free(at: slot))
                }
                #expect(group.readyCount == expected.ready, "step \(step)")
                #expect(group.allocatableTotal == expected.allocatable, "step \(step)")
                #expect(group.requestedTotal == expected.requested, "step \(step)")
                #expect(group.freeTotal == expected.free, "step \(step)")
                #expect(group.maxFree == expected.max, "step \(step)")
                if group.readyCount != expected.ready || group.maxFree != expected.max { return }
            }
        }
    }
}
