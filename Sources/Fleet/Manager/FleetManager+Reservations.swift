import Foundation

extension FleetManager {
    /// Reserves nodes for a team: chooses them, marks them at the cluster actor so no
    /// one else takes them, labels and taints them in the cluster, and raises the
    /// team's quota when asked. Idempotent by request id.
    public func reserve(_ request: ReservationRequest) async throws -> ReservationRecord {
        guard let team = settings.team(named: request.team) else {
            throw FleetError.invalidArgument([.init(field: "team", description: "unknown team \"\(request.team)\"")])
        }
        guard request.endsAt > Date() else {
            throw FleetError.invalidArgument([.init(field: "end_time", description: "must be in the future")])
        }
        let answer = await reservations.answer(for: request.requestID) {
            Task {
                do {
                    let record = try await self.makeReservation(request, team: team)
                    await self.reservations.settleAnswer(record)
                    return record
                } catch {
                    await self.reservations.forgetAnswer(for: request.requestID)
                    throw error
                }
            }
        }
        let record = try await answer.value
        return await reservations.record(record.id) ?? record
    }

    private func makeReservation(_ request: ReservationRequest, team: Team) async throws -> ReservationRecord {
        let id = ReservationID("rsv-" + Self.randomHex(10))
        for _ in 0..<max(1, settings.placementAttempts) {
            let (choice, rejections) = ReservationPlanner().choose(request, in: board.all)
            guard let choice, let actor = clusters[choice.cluster] else {
                let reasons = rejections.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
                throw FleetError.failedPrecondition("no cluster has \(request.nodeCount) free node(s) for the reservation now; \(reasons)")
            }
            guard await actor.markReserved(choice.nodes, by: id, perNode: request.perNode.vector) else { continue }
            do {
                try await actor.api.reserve(id, nodes: choice.nodes)
                if let quota = request.quota, !quota.isEmpty {
                    try await actor.api.ensureQuota(namespace: team.namespace, limits: quota)
                }
            } catch {
                await actor.unmarkReserved(choice.nodes, by: id)
                try? await actor.api.release(id, nodes: choice.nodes)
                throw FleetError.unavailable("reserving nodes in cluster \(choice.cluster) failed: \(error)")
            }
            let record = ReservationRecord(id: id, request: request, cluster: choice.cluster, nodes: choice.nodes, state: .active, createdAt: Date())
            do {
                try await store.saveReservation(record)
            } catch {
                await actor.unmarkReserved(choice.nodes, by: id)
                try? await actor.api.release(id, nodes: choice.nodes)
                throw FleetError.unavailable("could not store the reservation, so it was undone: \(error)")
            }
            await reservations.insert(record)
            logger.info("reservation made", metadata: ["reservation": "\(id)", "team": "\(request.team)", "cluster": "\(choice.cluster)",
                                                       "nodes": "\(choice.nodes.joined(separator: ","))", "ends": "\(request.endsAt)"])
            return record
        }
        throw FleetError.unavailable("the chosen nodes kept being taken by others; try again")
    }

    public func releaseReservation(_ id: ReservationID) async throws -> ReservationRecord {
        try await endReservation(id, as: .released)
    }

    @discardableResult
    func endReservation(_ id: ReservationID, as state: ReservationState) async throws -> ReservationRecord {
        guard var record = await reservations.record(id) else {
            throw FleetError.notFound(resourceType: "fleet.v1.Reservation", name: id.rawValue)
        }
        guard record.state == .active else { return record }
        if let actor = clusters[record.cluster] {
            do {
                try await actor.api.release(id, nodes: record.nodes)
            } catch {
                throw FleetError.unavailable("releasing reservation \(id) in cluster \(record.cluster) failed: \(error)")
            }
            await actor.unmarkReserved(record.nodes, by: id)
        }
        record.state = state
        try? await store.saveReservation(record)
        await reservations.insert(record)
        logger.info("reservation ended", metadata: ["reservation": "\(id)", "state": "\(state.rawValue)", "cluster": "\(record.cluster)"])
        return record
    }

    public func reservationList(team: String?, includeInactive: Bool) async -> [ReservationRecord] {
        await reservations.records(where: { (team == nil || $0.request.team == team) && (includeInactive || $0.state == .active) })
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id.rawValue < $1.id.rawValue }
    }

    public func reservation(_ id: ReservationID) async -> ReservationRecord? {
        await reservations.record(id)
    }

    /// Releases reservations whose end time has passed.
    func expireReservations(now: Date = Date()) async {
        for record in await reservations.active(endingBy: now) {
            _ = try? await endReservation(record.id, as: .expired)
        }
    }
}
