import Foundation
import Testing
@testable import Fleet

/// A new manager over the same clusters and store stands for fleetd after a restart.
@Suite struct RecoveryTests {
    typealias F = Fixtures
    typealias M = FleetManagerTests

    @Test func placedAndQueuedDeploymentsSurviveARestartExactlyOnce() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        let store = InMemoryStateStore()
        let (placed, queued) = try await M.withManager([cluster], store: store) { manager in
            (try await manager.deploy(M.request("placed"), dryRun: false), try await manager.deploy(M.request("queued"), dryRun: false))
        }
        #expect(placed.record.state == .placed && queued.record.state == .queued)
        #expect(await store.loadQueued().map(\.id) == [queued.record.id], "the queued deploy is stored before Deploy answers")

        try await M.withManager([cluster], store: store, recover: true) { manager in
            let replay = try await manager.deploy(M.request("placed"), dryRun: false)
            #expect(replay.replayed && replay.record.id == placed.record.id)
            #expect(await manager.deployment(queued.record.id)?.state == .queued)
            #expect(await manager.queuePosition(of: queued.record.id) == 1)
            #expect(cluster.counters.applies == 1, "nothing was written twice")

            _ = try await manager.deleteDeployment(placed.record.id)
            try await M.waitUntil { await manager.deployment(queued.record.id)?.cluster == "gke" }
            #expect(await store.loadQueued().isEmpty)
            #expect(cluster.counters.applies == 2)
        }
    }

    @Test func aQueueEntryWhoseObjectsExistWasPlacedBeforeTheCrash() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        let store = InMemoryStateStore()
        // The crash came between writing the objects and removing the queue entry.
        var record = DeploymentRecord(id: "dep-crashed", request: M.request("crashed"), state: .queued, createdAt: Date())
        await store.saveQueued(record)
        record.state = .placed
        record.cluster = "gke"
        try await cluster.apply(PlacedWorkload(record: record, plan: PlacementPlan(cluster: "gke", assignments: [.init(node: "g1", replicas: 1)])))

        try await M.withManager([cluster], store: store, recover: true) { manager in
            #expect(await manager.deployment("dep-crashed")?.cluster == "gke")
            #expect(await manager.queuePosition(of: "dep-crashed") == nil)
            #expect(await store.loadQueued().isEmpty)
            #expect(cluster.counters.applies == 1)
        }
    }

    @Test func reservationsSurviveARestart() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        let store = InMemoryStateStore()
        let reservation = try await M.withManager([cluster], store: store) { manager in
            try await manager.reserve(ReservationTests.reservation("keep"))
        }
        try await M.withManager([cluster], store: store, recover: true) { manager in
            let replayed = try await manager.reserve(ReservationTests.reservation("keep"))
            #expect(replayed.id == reservation.id)
            let released = try await manager.releaseReservation(reservation.id)
            #expect(released.state == .released)
            #expect(await store.loadReservations().first?.state == .released)
        }
    }

    @Test func storedRecordsRoundTripThroughJSON() throws {
        var record = DeploymentRecord(id: "dep-1", request: M.request("json", priority: .high), state: .placed, cluster: "gke",
                                      createdAt: Date(timeIntervalSince1970: 1_800_000_000.25))
        record.request.spec.constraints = PlacementConstraints(clouds: [.gke], regions: ["us-central1"], nodeLabels: ["disk": "ssd"])
        record.request.schedule = "0 3 * * *"
        let text = try RecordCoding.encode(record)
        #expect(try RecordCoding.decode(DeploymentRecord.self, from: text) == record)
    }
}
