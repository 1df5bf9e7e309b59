import Testing
@testable import Fleet

@Suite struct PlacementEngineTests {
    typealias F = Fixtures
    let engine = PlacementEngine()

    @Test func aReplicaNeedsOneNodeWithAllItsAcceleratorsFree() {
        // 12 GPUs free in total, but no single node has 8.
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")],
                                 requests: [("g1", ResourceVector(accelerators: 2, pods: 1)), ("g2", ResourceVector(accelerators: 2, pods: 1))])
        #expect(cluster.capacity.accelerator(ofType: "nvidia-tesla-a100")?.devices.free == 12)

        let result = engine.place(F.gpuWorkload(gpus: 8), in: [cluster])
        #expect(result.plan == nil)
        guard case .rejected(.insufficientCapacity, let message) = result.evaluations[0].verdict else {
            Issue.record("expected insufficient capacity, got \(result.evaluations[0].verdict)"); return
        }
        #expect(message.contains("room for 0; the most free of each resource on any node: {cpu 96, memory 680Gi, 6 nvidia-tesla-a100}"))

        let fits = engine.place(F.gpuWorkload(gpus: 6), in: [cluster])
        #expect(fits.plan?.assignments == [.init(node: "g1", replicas: 1)])
        #expect(fits.plan?.accelerator == AcceleratorKind(type: "nvidia-tesla-a100", resourceName: "nvidia.com/gpu"))
    }

    /// Kubernetes quantities reach Int64.max, in what nodes offer and what any pod asks;
    /// sums and totals saturate, so such a cluster is reported full, not a crash.
    @Test func amountsAtTheEndOfTheRangeSaturateInsteadOfTrapping() {
        var huge = F.cpuNode("huge")
        huge.allocatable.memoryBytes = .max
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [huge, F.cpuNode("c1"), F.cpuNode("c2")],
                                 requests: [("c1", ResourceVector(cpuMillis: .max, pods: 1)), ("c2", ResourceVector(cpuMillis: .max, pods: 1))])
        #expect(cluster.capacity.memoryBytes.allocatable == .max)
        #expect(cluster.capacity.cpuMillis.requested == .max)

        let result = engine.place(F.cpuWorkload(replicas: 1000, cpu: .max / 2), in: [cluster])
        #expect(result.plan == nil)
        guard case .rejected(.insufficientCapacity, _) = result.evaluations.first?.verdict else {
            Issue.record("expected insufficient capacity, got \(String(describing: result.evaluations.first?.verdict))"); return
        }
        #expect((ResourceVector(cpuMillis: .max / 2) * 1000).cpuMillis == .max)
        #expect((ResourceVector(memoryBytes: .min + 1) - ResourceVector(memoryBytes: 2)).memoryBytes == .min)
    }

    /// Without explanations an infeasible cluster is ruled out from group totals; the plan
    /// must be the one the explained placement makes, for workloads that fit and do not.
    @Test func placingWithoutExplanationsChoosesTheSamePlan() {
        let gke = F.snapshot(F.descriptor("gke"), nodes: (0..<6).map { F.gpuNode("g\($0)") } + (0..<4).map { F.cpuNode("c\($0)") },
                             requests: [("g0", ResourceVector(accelerators: 7, pods: 1)), ("g1", ResourceVector(accelerators: 3, pods: 1)),
                                        ("c0", ResourceVector(cpuMillis: 15_500, memoryBytes: F.gib, pods: 1))])
        let aks = F.snapshot(F.descriptor("aks", cloud: .aks, region: "westeurope", costRank: 2),
                             nodes: (0..<3).map { F.gpuNode("a\($0)", gpus: 4) } + (0..<8).map { F.cpuNode("d\($0)", cpu: 8_000) },
                             requests: [("a0", ResourceVector(accelerators: 4, pods: 1)), ("d1", ResourceVector(cpuMillis: 7_000, pods: 1))])
        let clusters = [gke, aks]
        var workloads: [WorkloadSpec] = []
        for replicas in [1, 2, 5, 9, 17, 40] {
            for gpus in [1, 2, 4, 5, 8] as [Int64] { workloads.append(F.gpuWorkload(replicas: replicas, gpus: gpus)) }
            for cpu in [500, 3_000, 8_000, 16_000] as [Int64] { workloads.append(F.cpuWorkload(replicas: replicas, cpu: cpu)) }
        }
        var placed = 0
        for spec in workloads {
            let explained = engine.place(spec, in: clusters)
            let quick = engine.place(spec, in: clusters, explain: false)
            #expect(quick.plan == explained.plan, "\(spec.replicas) x \(spec.perReplica)")
            #expect(quick.evaluations.map(\.cluster) == explained.evaluations.map(\.cluster))
            if explained.plan != nil { placed += 1 }
        }
        #expect(placed > 0 && placed < workloads.count, "the workloads cover both outcomes")
    }

    @Test func replicasSpreadOverNodesWhenNoNodeHoldsThemAll() {
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2"), F.gpuNode("g3")])
        let plan = engine.place(F.gpuWorkload(replicas: 5, gpus: 4), in: [cluster]).plan
        #expect(plan?.replicaCount == 5)
        #expect(plan?.assignments.allSatisfy { $0.replicas <= 2 } == true)
        #expect(engine.place(F.gpuWorkload(replicas: 7, gpus: 4), in: [cluster]).plan == nil)
    }

    @Test func everyClusterGetsAReasonInFilterOrder() {
        let constraints = PlacementConstraints(clouds: [.gke, .aks, .onprem], regions: ["us-central1", "westeurope", "dc1"])
        let clusters = [
            F.snapshot(F.descriptor("eks", cloud: .eks, region: "us-east-1"), nodes: [F.gpuNode("e1")]),
            F.snapshot(F.descriptor("aks-asia", cloud: .aks, region: "japaneast"), nodes: [F.gpuNode("a1")]),
            F.snapshot(F.descriptor("aks", cloud: .aks, region: "westeurope"), nodes: [F.gpuNode("a2")], health: .unreachable("connection refused")),
            F.snapshot(F.descriptor("gke", region: "us-central1"), nodes: [F.gpuNode("g1", type: "nvidia-l4")]),
            F.snapshot(F.descriptor("onprem", cloud: .onprem, region: "dc1", costRank: 0), nodes: [F.cpuNode("c1")]),
        ]
        let result = engine.place(F.gpuWorkload(constraints: constraints), in: clusters)
        #expect(result.plan == nil)
        let reasons = Dictionary(uniqueKeysWithValues: result.evaluations.map { evaluation -> (ClusterName, RejectionReason?) in
            if case .rejected(let reason, _) = evaluation.verdict { return (evaluation.cluster, reason) }
            return (evaluation.cluster, nil)
        })
        #expect(reasons == ["eks": .cloud, "aks-asia": .region, "aks": .unhealthy, "gke": .noAccelerator, "onprem": .noAccelerator])
    }

    @Test func nodeLabelConstraintsAndTaintsFilterNodes() {
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [
            F.cpuNode("c1", labels: ["disk": "hdd"]),
            F.cpuNode("c2", labels: ["disk": "ssd"]),
            NodeInfo(name: "tainted", labels: ["disk": "nvme"], taints: [Taint(key: "dedicated", value: "infra", effect: .noSchedule)],
                     allocatable: ResourceVector(cpuMillis: 64_000, memoryBytes: 256 * F.gib, pods: 110)),
        ])
        var spec = F.cpuWorkload()
        spec.constraints.nodeLabels = ["disk": "ssd"]
        #expect(engine.place(spec, in: [cluster]).plan?.assignments.map(\.node) == ["c2"])

        spec.constraints.nodeLabels = ["disk": "nvme"]
        let tainted = engine.place(spec, in: [cluster])
        #expect(tainted.plan == nil)
        #expect(tainted.evaluations[0].verdict == .rejected(.insufficientCapacity, message: "every matching node has a taint the workload does not tolerate"))

        spec.constraints.nodeLabels = ["disk": "tape"]
        guard case .rejected(.nodeLabels, _) = engine.place(spec, in: [cluster]).evaluations[0].verdict else {
            Issue.record("expected a node-label rejection"); return
        }
    }

    @Test func aRejectionNamesTheLastFilterThatLeftNoNodes() {
        // The L4 nodes fail the accelerator filter; the A100 nodes pass it and fail the labels.
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [
            F.gpuNode("l4", type: "nvidia-l4", labels: ["disk": "ssd"]),
            F.gpuNode("a100", labels: ["disk": "hdd"]),
        ])
        let constraints = PlacementConstraints(nodeLabels: ["disk": "ssd"])
        #expect(engine.place(F.gpuWorkload(constraints: constraints), in: [cluster]).evaluations[0].verdict
            == .rejected(.nodeLabels, message: "no node has disk=ssd"))

        let empty = F.snapshot(F.descriptor("empty"), nodes: [])
        #expect(engine.place(F.gpuWorkload(constraints: constraints), in: [empty]).evaluations[0].verdict
            == .rejected(.noAccelerator, message: "no nvidia-tesla-a100 nodes"))
        #expect(engine.place(F.gpuWorkload(reservation: "r-9"), in: [cluster]).evaluations[0].verdict
            == .rejected(.reservation, message: "reservation r-9 holds no nodes here"))
    }

    @Test func cpuWorkDoesNotLandOnTaintedGPUNodes() {
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        #expect(engine.place(F.cpuWorkload(), in: [cluster]).plan == nil)
    }

    @Test func reservedNodesTakeOnlyTheirReservationsWork() {
        let reservedLabels = [FleetLabels.reservation: "r-1"]
        let reservedTaint = Taint(key: FleetLabels.reservation, value: "r-1", effect: .noSchedule)
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [
            F.gpuNode("reserved", labels: reservedLabels, extraTaints: [reservedTaint]),
            F.gpuNode("open"),
        ])
        #expect(cluster.capacity.accelerator(ofType: "nvidia-tesla-a100")?.devices == ResourceAmount(allocatable: 16, requested: 0, reserved: 8, free: 8))

        #expect(engine.place(F.gpuWorkload(gpus: 8, reservation: "r-1"), in: [cluster]).plan?.assignments.map(\.node) == ["reserved"])
        #expect(engine.place(F.gpuWorkload(replicas: 2, gpus: 8), in: [cluster]).plan == nil, "unreserved work must not use the reserved node")
        guard case .rejected(.reservation, _) = engine.place(F.gpuWorkload(reservation: "r-2"), in: [cluster]).evaluations[0].verdict else {
            Issue.record("expected a reservation rejection"); return
        }
    }

    @Test func teamQuotaRejectsAClusterWithTheQuotaNamed() {
        let quota = NamespaceQuota(namespace: "ml", name: "ml-quota", hard: ["requests.nvidia.com/gpu": 8], used: ["requests.nvidia.com/gpu": 6])
        let tight = F.snapshot(F.descriptor("gke"), nodes: [F.gpuNode("g1")], quotas: [quota])
        let roomy = F.snapshot(F.descriptor("aks", cloud: .aks, region: "westeurope"), nodes: [F.gpuNode("a1")])
        let result = engine.place(F.gpuWorkload(gpus: 4), in: [tight, roomy])
        #expect(result.plan?.cluster == "aks")
        #expect(result.evaluations.last?.verdict == .rejected(.quota, message: "quota ml-quota in namespace ml: requests.nvidia.com/gpu needs 4, used 6 of 8"))
        #expect(engine.place(F.gpuWorkload(gpus: 2), in: [tight]).plan != nil)
    }

    @Test func binPackPrefersTheFullerClusterAndSpreadTheEmptier() {
        let fuller = F.snapshot(F.descriptor("fuller"), nodes: [F.gpuNode("f1")], requests: [("f1", ResourceVector(accelerators: 4, pods: 1))])
        let emptier = F.snapshot(F.descriptor("emptier"), nodes: [F.gpuNode("e1")])
        #expect(PlacementEngine(policy: .init(strategy: .binPack)).place(F.gpuWorkload(), in: [emptier, fuller]).plan?.cluster == "fuller")
        #expect(PlacementEngine(policy: .init(strategy: .spread)).place(F.gpuWorkload(), in: [fuller, emptier]).plan?.cluster == "emptier")
    }

    @Test func costRankOutweighsASmallUtilisationDifference() {
        let cloud = F.snapshot(F.descriptor("cloud", costRank: 2), nodes: [F.gpuNode("c1")], requests: [("c1", ResourceVector(accelerators: 2, pods: 1))])
        let onprem = F.snapshot(F.descriptor("onprem", cloud: .onprem, region: "dc1", costRank: 0), nodes: [F.gpuNode("o1")])
        let result = engine.place(F.gpuWorkload(), in: [cloud, onprem])
        #expect(result.plan?.cluster == "onprem")
        #expect(result.evaluations.map(\.cluster) == ["onprem", "cloud"])
        #expect(result.evaluations.map(\.chosen) == [true, false])
    }

    @Test func notReadyAndCordonedNodesTakeNothing() {
        var cordoned = F.gpuNode("g1")
        cordoned.unschedulable = true
        var notReady = F.gpuNode("g2")
        notReady.ready = false
        let cluster = F.snapshot(F.descriptor("gke"), nodes: [cordoned, notReady])
        #expect(engine.place(F.gpuWorkload(), in: [cluster]).plan == nil)
        #expect(cluster.capacity.readyNodes == 0)
        #expect(cluster.capacity.nodes == 2)
    }
}
