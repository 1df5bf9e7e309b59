import Foundation
import Testing
@testable import Fleet

@Suite struct FleetManagerTests {
    typealias F = Fixtures

    static func request(_ id: String, name: String? = nil, team: String = "ml", replicas: Int = 1, gpus: Int64 = 8, priority: Priority = .medium, kind: WorkloadKind = .serving) -> DeploymentRequest {
        var spec = F.gpuWorkload(name ?? "w-\(id)", replicas: replicas, gpus: gpus, priority: priority)
        spec.team = team
        spec.kind = kind
        return DeploymentRequest(requestID: id, spec: spec, container: ContainerTemplate(image: "registry.example/llm:1"))
    }

    /// Runs a manager over the clusters for the duration of `body`.
    static func withManager<T>(_ clusters: [InMemoryCluster], teams: [Team] = [Team(name: "ml")], store: any FleetStateStore = InMemoryStateStore(),
                               recover: Bool = false, _ body: (FleetManager) async throws -> T) async throws -> T {
        let manager = FleetManager(clusters: clusters, settings: FleetSettings(teams: teams), store: store)
        if recover { try await manager.recover() }
        let running = Task { await manager.run() }
        defer { running.cancel() }
        try await waitUntil { manager.clusterNames.allSatisfy { manager.snapshot(of: $0)?.health == .healthy } }
        return try await body(manager)
    }

    static func waitUntil(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw TimedOut() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    struct TimedOut: Error {}

    @Test func concurrentDeploysNeverBothTakeTheLastAccelerators() async throws {
        // Pods are not bound on apply, so only fleetd's own bookkeeping stands between
        // two deploys and the same 8 GPUs.
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")], bindOnApply: false)
        try await Self.withManager([cluster]) { manager in
            let outcomes = try await withThrowingTaskGroup(of: DeployOutcome.self) { group in
                for i in 0..<10 { group.addTask { try await manager.deploy(Self.request("r\(i)"), dryRun: false) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.record.state == .placed }.count == 1)
            #expect(outcomes.filter { $0.record.state == .queued }.count == 9)
            #expect(cluster.counters.applies == 1)
            #expect(outcomes.filter { $0.record.state == .queued }.allSatisfy { $0.record.message.contains("do not fit") })
        }
    }

    @Test func aRetriedRequestIDReturnsTheFirstAnswerAndWritesOnce() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await Self.withManager([cluster]) { manager in
            async let first = manager.deploy(Self.request("same"), dryRun: false)
            async let second = manager.deploy(Self.request("same"), dryRun: false)
            let (a, b) = try await (first, second)
            #expect(a.record.id == b.record.id)
            #expect([a.replayed, b.replayed].sorted { !$0 && $1 } == [false, true])
            let third = try await manager.deploy(Self.request("same"), dryRun: false)
            #expect(third.replayed && third.record.id == a.record.id)
            #expect(cluster.counters.applies == 1)
        }
    }

    @Test func queuedWorkIsPlacedWhenCapacityFreesHighPriorityFirst() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await Self.withManager([cluster]) { manager in
            let running = try await manager.deploy(Self.request("first"), dryRun: false)
            #expect(running.record.state == .placed)
            let low = try await manager.deploy(Self.request("low", priority: .low), dryRun: false)
            let high = try await manager.deploy(Self.request("high", priority: .high), dryRun: false)
            #expect(low.record.state == .queued && high.record.state == .queued)
            #expect(low.queuePosition == 1 && high.queuePosition == 1)
            #expect(await manager.queuePosition(of: low.record.id) == 2, "HIGH goes ahead of the LOW that came first")

            _ = try await manager.deleteDeployment(running.record.id)
            try await Self.waitUntil { await manager.deployment(high.record.id)?.cluster == "gke" }
            #expect(await manager.deployment(low.record.id)?.state == .queued)

            _ = try await manager.deleteDeployment(high.record.id)
            try await Self.waitUntil { await manager.deployment(low.record.id)?.cluster == "gke" }
        }
    }

    @Test func aFailedWriteLeavesNothingBehindAndARetryIsJudgedAfresh() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await Self.withManager([cluster]) { manager in
            cluster.failNextApplies(1)
            await #expect(throws: FleetError.self) { try await manager.deploy(Self.request("flaky"), dryRun: false) }
            #expect(cluster.counters.deletes == 1, "a failed write is cleaned up")
            #expect(manager.snapshot(of: "gke")?.capacity.accelerator(ofType: "nvidia-tesla-a100")?.devices.free == 8)
            let retry = try await manager.deploy(Self.request("flaky"), dryRun: false)
            #expect(retry.record.state == .placed && !retry.replayed)
        }
    }

    @Test func aDryRunWritesNothingAndExplainsEveryCluster() async throws {
        let gke = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1", gpus: 4)])
        let onprem = InMemoryCluster(F.descriptor("onprem", cloud: .onprem, region: "dc1", costRank: 0), nodes: [F.gpuNode("o1")])
        try await Self.withManager([gke, onprem]) { manager in
            let outcome = try await manager.deploy(Self.request("dry"), dryRun: true)
            #expect(outcome.dryRun)
            #expect(outcome.record.cluster == "onprem")
            #expect(outcome.evaluations.map(\.cluster) == ["onprem", "gke"])
            #expect(outcome.evaluations[1].verdict.isRejection(.insufficientCapacity))
            #expect(gke.counters.applies + onprem.counters.applies == 0)
            #expect(await manager.deployments(matching: DeploymentQuery()).page.isEmpty)
        }
    }

    @Test func teamQuotaAndUnknownTeamsAreRefused() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        let teams = [Team(name: "ml", quota: QuotaLimits(accelerators: ["nvidia.com/gpu": 8]))]
        try await Self.withManager([cluster], teams: teams) { manager in
            _ = try await manager.deploy(Self.request("one"), dryRun: false)
            await #expect(throws: FleetError.quotaExceeded([.init(subject: "team:ml", description: "accelerators: needs 8, the team holds 8 of 8")])) {
                try await manager.deploy(Self.request("two"), dryRun: false)
            }
            await #expect(throws: FleetError.self) { try await manager.deploy(Self.request("x", team: "nobody"), dryRun: false) }
        }
    }

    @Test func serveExposesOnlyPlacedServingDeployments() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        try await Self.withManager([cluster]) { manager in
            let serving = try await manager.deploy(Self.request("s", name: "llm"), dryRun: false)
            let served = try await manager.serve(serving.record.id, host: nil, path: nil, servicePort: nil)
            #expect(served.endpoints == ["http://llm.ml.gke.fleet.test/"])
            #expect(cluster.counters.exposes.first?.ingressClassName == "nginx")

            let batch = try await manager.deploy(Self.request("b", kind: .batch), dryRun: false)
            await #expect(throws: FleetError.self) { try await manager.serve(batch.record.id, host: nil, path: nil, servicePort: nil) }
            await #expect(throws: FleetError.notFound(resourceType: "fleet.v1.Deployment", name: "dep-missing")) {
                try await manager.serve("dep-missing", host: nil, path: nil, servicePort: nil)
            }
        }
    }

    @Test func listingPagesNewestFirstWithAStableCursor() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: (0..<5).map { F.gpuNode("g\($0)") })
        try await Self.withManager([cluster]) { manager in
            var ids: [DeploymentID] = []
            for i in 0..<5 { ids.append(try await manager.deploy(Self.request("p\(i)"), dryRun: false).record.id) }
            let first = await manager.deployments(matching: DeploymentQuery(pageSize: 2))
            #expect(first.page.map(\.id) == [ids[4], ids[3]])
            _ = try await manager.deploy(Self.request("late", gpus: 1), dryRun: false)
            let second = await manager.deployments(matching: DeploymentQuery(pageSize: 2, after: first.nextCursor))
            #expect(second.page.map(\.id) == [ids[2], ids[1]])
            let last = await manager.deployments(matching: DeploymentQuery(pageSize: 2, after: second.nextCursor))
            #expect(last.page.map(\.id) == [ids[0]])
            #expect(last.nextCursor == nil)
        }
    }

    @Test func capacitySubscribersSeeADeploy() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await Self.withManager([cluster]) { manager in
            let subscription = manager.hub.subscribe()
            defer { subscription.finish() }
            guard case .snapshot(_, let clusters, _) = await subscription.next() else { Issue.record("no snapshot"); return }
            #expect(clusters.first?.accelerator(ofType: "nvidia-tesla-a100")?.devices.free == 8)
            _ = try await manager.deploy(Self.request("w", gpus: 2), dryRun: false)
            var free: Int64 = 8
            while free == 8, let update = await subscription.next() {
                if case .delta(_, let changed, _) = update { free = changed.first?.accelerator(ofType: "nvidia-tesla-a100")?.devices.free ?? free }
            }
            #expect(free == 6)
        }
    }
}

extension ClusterEvaluation.Verdict {
    func isRejection(_ reason: RejectionReason) -> Bool {
        if case .rejected(reason, _) = self { return true }
        return false
    }
}

@Suite struct DeploymentNameTests {
    typealias F = Fixtures
    typealias M = FleetManagerTests

    @Test func aTeamCannotHaveTwoLiveDeploymentsOfOneName() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        try await M.withManager([cluster]) { manager in
            let first = try await manager.deploy(M.request("a", name: "llm"), dryRun: false)
            await #expect {
                try await manager.deploy(M.request("b", name: "llm"), dryRun: false)
            } throws: { error in
                guard case FleetError.alreadyExists(_, let name, _) = error else { return false }
                return name == first.record.id.rawValue
            }
            _ = try await manager.deleteDeployment(first.record.id)
            #expect(try await manager.deploy(M.request("c", name: "llm"), dryRun: false).record.state == .placed)
        }
    }
}

@Suite struct RetentionTests {
    typealias F = Fixtures
    typealias M = FleetManagerTests

    @Test func endedDeploymentsAndTheirAnswersAreForgottenAfterTheRetention() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await M.withManager([cluster]) { manager in
            let first = try await manager.deploy(M.request("kept"), dryRun: false)
            _ = try await manager.deleteDeployment(first.record.id)
            await manager.pruneEndedDeployments(now: Date())
            #expect(try await manager.deploy(M.request("kept"), dryRun: false).replayed, "within the retention a retry is answered")
            await manager.pruneEndedDeployments(now: Date().addingTimeInterval(2 * 3600))
            #expect(await manager.deployment(first.record.id) == nil)
            let late = try await manager.deploy(M.request("kept"), dryRun: false)
            #expect(!late.replayed && late.record.id != first.record.id)
        }
    }
}

@Suite struct DryRunRefusalTests {
    typealias F = Fixtures
    typealias M = FleetManagerTests

    @Test func aDryRunRefusesWhatTheRealDeployWould() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        let teams = [Team(name: "ml", quota: QuotaLimits(accelerators: ["nvidia.com/gpu": 8]))]
        try await M.withManager([cluster], teams: teams) { manager in
            _ = try await manager.deploy(M.request("one", name: "taken"), dryRun: false)
            await #expect(throws: FleetError.self) { try await manager.deploy(M.request("quota"), dryRun: true) }
            await #expect {
                try await manager.deploy(M.request("name", name: "taken", gpus: 0), dryRun: true)
            } throws: { error in
                if case FleetError.alreadyExists = error { return true }
                return false
            }
        }
    }

    @Test func concurrentDeploysCannotBothTakeTheLastOfATeamQuota() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        let teams = [Team(name: "ml", quota: QuotaLimits(accelerators: ["nvidia.com/gpu": 8]))]
        try await M.withManager([cluster], teams: teams) { manager in
            let results = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<10 {
                    group.addTask { (try? await manager.deploy(M.request("q\(i)"), dryRun: false)) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
        }
    }
}
