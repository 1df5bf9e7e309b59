import Foundation
import Testing
@testable import Fleet

@Suite struct ReservationTests {
    typealias F = Fixtures
    typealias M = FleetManagerTests

    static func reservation(_ id: String, nodes: Int = 1, endsIn: TimeInterval = 3600, quota: QuotaLimits? = nil) -> ReservationRequest {
        ReservationRequest(requestID: id, team: "ml", nodeCount: nodes,
                           perNode: ReplicaRequest(cpuMillis: 1000, memoryBytes: F.gib, acceleratorType: "nvidia-tesla-a100", acceleratorCount: 8),
                           endsAt: Date().addingTimeInterval(endsIn), quota: quota)
    }

    @Test func reservedNodesTakeOnlyTheReservationsWorkUntilReleased() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1"), F.gpuNode("g2")])
        try await M.withManager([cluster]) { manager in
            let reservation = try await manager.reserve(Self.reservation("rsv-req", quota: QuotaLimits(accelerators: ["nvidia.com/gpu": 8])))
            #expect(reservation.nodes.count == 1 && reservation.state == .active)
            #expect(cluster.quotas["ml"] == QuotaLimits(accelerators: ["nvidia.com/gpu": 8]))
            #expect(try await manager.reserve(Self.reservation("rsv-req")).id == reservation.id, "Reserve is idempotent by request id")

            let outside = try await manager.deploy(M.request("a"), dryRun: false)
            #expect(outside.record.state == .placed)
            let waiting = try await manager.deploy(M.request("b"), dryRun: false)
            #expect(waiting.record.state == .queued, "the only other node is reserved")

            var inside = M.request("c")
            inside.spec.reservation = reservation.id
            let placed = try await manager.deploy(inside, dryRun: false)
            #expect(placed.record.state == .placed)

            _ = try await manager.deleteDeployment(placed.record.id)
            _ = try await manager.releaseReservation(reservation.id)
            try await M.waitUntil { await manager.deployment(waiting.record.id)?.cluster == "gke" }
            await #expect(throws: FleetError.failedPrecondition("reservation \(reservation.id) is released")) {
                try await manager.deploy(inside, dryRun: false)
            }
        }
    }

    @Test func reservationsExpireAtTheirEndTime() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await M.withManager([cluster]) { manager in
            // Long enough that a loaded machine still sees it active first.
            let reservation = try await manager.reserve(Self.reservation("short", endsIn: 1.5))
            #expect(manager.snapshot(of: "gke")?.capacity.accelerators.first?.devices.reserved == 8)
            try await M.waitUntil { await manager.reservation(reservation.id)?.state == .expired }
            try await M.waitUntil { manager.snapshot(of: "gke")?.capacity.accelerators.first?.devices.free == 8 }
        }
    }

    @Test func aReservationThatCannotBeMetSaysWhy() async throws {
        let cluster = InMemoryCluster(F.descriptor("gke"), nodes: [F.gpuNode("g1")])
        try await M.withManager([cluster]) { manager in
            await #expect(throws: FleetError.failedPrecondition("no cluster has 2 free node(s) for the reservation now; gke: 1 unreserved node(s) have {cpu 1, memory 1Gi, 8 nvidia-tesla-a100} free; 2 needed")) {
                try await manager.reserve(Self.reservation("too-big", nodes: 2))
            }
            await #expect(throws: FleetError.notFound(resourceType: "fleet.v1.Reservation", name: "rsv-none")) {
                try await manager.releaseReservation("rsv-none")
            }
        }
    }
}
