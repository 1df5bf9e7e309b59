public import Foundation
public import Logging

/// The fleet: one actor per cluster, the snapshot board placement reads, the
/// deployment book with its priority queue, and the capacity hub. The API layer
/// talks only to this type.
public final class FleetManager: Sendable {
    public let settings: FleetSettings
    public let hub: CapacityHub
    let engine: PlacementEngine
    let clusters: [ClusterName: ClusterActor]
    let board = SnapshotBoard()
    let book: DeploymentBook
    let reservations = ReservationBook()
    let store: any FleetStateStore
    private let queueKick: AsyncStream<Void>.Continuation
    private let queueKicks: AsyncStream<Void>

    /// Told how long each placement decision took, for metrics.
    let observePlacement: @Sendable (Duration) -> Void
    let logger: Logger

    public init(clusters apis: [any ClusterAPI], settings: FleetSettings, store: any FleetStateStore = InMemoryStateStore(),
                logger: Logger = Logger(label: "fleetd.fleet", factory: { _ in SwiftLogNoOpLogHandler() }),
                observePlacement: @escaping @Sendable (Duration) -> Void = { _ in }) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.observePlacement = observePlacement
        self.engine = PlacementEngine(policy: settings.policy)
        self.book = DeploymentBook(agingInterval: settings.agingInterval)
        let hub = CapacityHub(initialRevision: UInt64(Date().timeIntervalSince1970 * 1_000_000))
        self.hub = hub
        (queueKicks, queueKick) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        let board = self.board
        let kick = queueKick
        var actors: [ClusterName: ClusterActor] = [:]
        for api in apis {
            actors[api.descriptor.name] = ClusterActor(api: api) { snapshot in
                let previous = board[snapshot.name]
                if let previous, previous.health != snapshot.health {
                    Self.logHealth(of: snapshot, logger: logger)
                }
                let mayAddRoom = previous.map { Self.mayHaveMoreRoom(snapshot, than: $0) } ?? true
                board.update(snapshot, mayAddRoom: mayAddRoom)
                hub.publish(snapshot.capacity)
                if mayAddRoom { kick.yield() }
            }
        }
        self.clusters = actors
    }

    /// Runs the cluster actors, the queue and the heartbeat ticker until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for actor in clusters.values {
                group.addTask { await actor.run() }
            }
            group.addTask { await self.placeQueuedWhenRoomFrees() }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    self.hub.emitHeartbeats()
                    await self.expireReservations()
                    await self.pruneEndedDeployments()
                }
            }
        }
    }

    public var clusterNames: [ClusterName] { clusters.keys.sorted() }

    public func snapshot(of cluster: ClusterName) -> ClusterSnapshot? { board[cluster] }

    // MARK: Deploy

    public func deploy(_ request: DeploymentRequest, dryRun: Bool) async throws -> DeployOutcome {
        guard let team = settings.team(named: request.spec.team) else {
            throw FleetError.invalidArgument([.init(field: "team", description: "unknown team \"\(request.spec.team)\"; configured teams: \(settings.teams.map(\.name).sorted().joined(separator: ", "))")])
        }
        var request = request
        request.spec.namespace = team.namespace
        if let id = request.spec.reservation {
            guard let reservation = await reservations.record(id) else {
                throw FleetError.notFound(resourceType: "fleet.v1.Reservation", name: id.rawValue)
            }
            guard reservation.request.team == team.name else {
                throw FleetError.failedPrecondition("reservation \(id) belongs to team \(reservation.request.team), not \(team.name)")
            }
            guard reservation.state == .active else {
                throw FleetError.failedPrecondition("reservation \(id) is \(reservation.state.rawValue)")
            }
        }
        // A dry run answers what the real Deploy would: the same refusals, then placement.
        try Self.checkTeamQuota(for: request.spec, team: team, live: book.live)
        if dryRun {
            if let existing = book.live.deployment(named: request.spec.name, team: team.name) {
                throw Self.nameTaken(by: existing, name: request.spec.name, team: team.name)
            }
            let result = timedPlacement(request.spec)
            var record = DeploymentRecord(id: DeploymentID("dry-run"), request: request, state: result.plan == nil ? .queued : .placed, cluster: result.plan?.cluster, createdAt: Date())
            record.message = result.plan == nil ? Self.summary(of: result.evaluations) : ""
            return DeployOutcome(record: record, evaluations: result.evaluations, dryRun: true)
        }
        let admitted = request
        let (answer, replayed) = await book.answer(for: request.requestID) {
            Task {
                do {
                    let outcome = try await self.admit(admitted, team: team)
                    await self.book.settleAnswer(outcome)
                    return outcome
                } catch {
                    await self.book.forgetAnswer(for: admitted.requestID)
                    throw error
                }
            }
        }
        var outcome = try await answer.value
        outcome.replayed = replayed
        if let current = await book.record(outcome.record.id), !replayed || current.state != .deleted {
            outcome.record = current
            outcome.queuePosition = await book.queuePosition(of: current.id)
        }
        return outcome
    }

    static func checkTeamQuota(for spec: WorkloadSpec, team: Team, live: LiveDeploymentIndex) throws {
        guard let quota = team.quota else { return }
        if let violations = quotaViolations(team: team, quota: quota, usage: live.usage(ofTeam: team.name), adding: spec) {
            throw FleetError.quotaExceeded(violations)
        }
    }

    static func nameTaken(by existing: DeploymentID, name: String, team: String) -> FleetError {
        .alreadyExists(resourceType: "fleet.v1.Deployment", name: existing.rawValue,
                       detail: "team \(team) already has a live deployment named \(name) (\(existing)); delete it or choose another name")
    }

    private func admit(_ request: DeploymentRequest, team: Team) async throws -> DeployOutcome {
        let record = DeploymentRecord(id: DeploymentID("dep-" + Self.randomHex(12)), request: request, state: .queued, createdAt: Date())
        try await book.insertIfAdmissible(record, team: team)
        let (placed, evaluations) = try await placeAndWrite(record)
        if let placed {
            return DeployOutcome(record: placed, evaluations: evaluations, dryRun: false)
        }
        let queued = await book.update(record.id) { $0.message = Self.summary(of: evaluations) } ?? record
        logger.info("deployment queued: no cluster has room now", metadata: Self.metadata(queued).merging(["reasons": "\(queued.message)"]) { a, _ in a })
        do {
            try await store.saveQueued(queued)
        } catch {
            await book.remove(record.id)
            throw FleetError.unavailable("could not store the queued deployment, so it was not accepted: \(error)")
        }
        await book.enqueue(record.id, priority: record.spec.priority)
        return DeployOutcome(record: queued, evaluations: evaluations, dryRun: false, queuePosition: await book.queuePosition(of: record.id))
    }

    /// Plans on the latest snapshots and commits the plan at its cluster's actor,
    /// re-planning when another deploy took the nodes first; then writes the objects.
    /// Returns nil (and the evaluations) when no cluster has room now.
    private func placeAndWrite(_ record: DeploymentRecord) async throws -> (DeploymentRecord?, [ClusterEvaluation]) {
        var result = timedPlacement(record.spec)
        for _ in 0..<max(1, settings.placementAttempts) {
            guard let plan = result.plan, let actor = clusters[plan.cluster] else { return (nil, result.evaluations) }
            if await actor.commit(plan, unit: record.spec.perReplica.vector, for: record.id) {
                return (try await write(record, plan: plan, via: actor), result.evaluations)
            }
            result = timedPlacement(record.spec)
        }
        return (nil, result.evaluations)
    }

    private func timedPlacement(_ spec: WorkloadSpec, explain: Bool = true) -> PlacementResult {
        let clock = ContinuousClock()
        let start = clock.now
        let result = engine.place(spec, in: board.all, explain: explain)
        observePlacement(clock.now - start)
        return result
    }

    private func write(_ record: DeploymentRecord, plan: PlacementPlan, via actor: ClusterActor) async throws -> DeploymentRecord {
        var placed = record
        placed.state = .placed
        placed.cluster = plan.cluster
        placed.placedAt = Date()
        placed.message = ""
        do {
            try await actor.api.apply(PlacedWorkload(record: placed, plan: plan))
        } catch {
            logger.error("writing a deployment failed; undoing it", metadata: Self.metadata(placed).merging(["error": "\(error)"]) { a, _ in a })
            await actor.forget(record.id)
            try? await actor.api.delete(placed)
            await book.remove(record.id)
            throw FleetError.unavailable("writing \(record.spec.name) to cluster \(plan.cluster) failed: \(error)")
        }
        _ = await book.update(record.id) { $0 = placed }
        logger.info("deployment placed", metadata: Self.metadata(placed))
        return placed
    }

    /// Tries the queue, in priority order, each time a cluster may have more room.
    private func placeQueuedWhenRoomFrees() async {
        for await _ in queueKicks {
            await placeQueuedInOrder()
        }
    }

    /// One pass over the queue in priority order. Room that frees during the pass belongs
    /// first to the work the pass already found no room for, and work queued during the pass
    /// may outrank what the pass has yet to try: either way the pass starts over from the top.
    private func placeQueuedInOrder() async {
        pass: while true {
            let room = board.roomRevision
            let (queued, revision) = await book.queuedInOrder()
            for record in queued {
                let state = await book.queueState(of: record.id, since: revision)
                guard state.unchanged else { continue pass }
                guard state.queued else { continue }
                let result = timedPlacement(record.spec, explain: false)
                guard board.roomRevision == room else { continue pass }
                guard let plan = result.plan, let actor = clusters[plan.cluster] else { continue }
                guard await actor.commit(plan, unit: record.spec.perReplica.vector, for: record.id) else { continue }
                guard await book.dequeue(record.id) else {
                    await actor.forget(record.id)
                    continue
                }
                do {
                    _ = try await write(record, plan: plan, via: actor)
                    // If this fails, recovery sees the placed objects and drops the entry.
                    try? await store.removeQueued(record.id)
                } catch {
                    var failed = record
                    failed.state = .failed
                    failed.endedAt = Date()
                    failed.message = "\(error)"
                    await book.insert(failed)
                }
            }
            return
        }
    }

    // MARK: Recovery

    /// Rebuilds what a previous fleetd knew: placed deployments from the objects in
    /// the clusters, queued ones and reservations from the store. Run it before serving.
    /// A queued entry whose objects exist was placed just before a crash: it is dropped.
    public func recover() async throws {
        var placedIDs = Set<DeploymentID>()
        for actor in clusters.values {
            for record in try await actor.api.managedWorkloads() {
                placedIDs.insert(record.id)
                await book.insert(record)
                await book.rememberAnswer(DeployOutcome(record: record, evaluations: [], dryRun: false))
            }
        }
        for record in try await store.loadQueued().sorted(by: { $0.createdAt < $1.createdAt }) {
            if placedIDs.contains(record.id) {
                try await store.removeQueued(record.id)
                continue
            }
            await book.insert(record)
            await book.rememberAnswer(DeployOutcome(record: record, evaluations: [], dryRun: false))
            await book.enqueue(record.id, priority: record.spec.priority)
        }
        for record in try await store.loadReservations() {
            await reservations.insert(record)
            await reservations.rememberAnswer(record)
        }
        let queued = await book.queuedCount
        logger.info("recovered the fleet's state", metadata: ["placed": "\(placedIDs.count)", "queued": "\(queued)"])
        queueKick.yield()
    }

    func pruneEndedDeployments(now: Date = Date()) async {
        let seconds = Double(settings.retention.components.seconds) + Double(settings.retention.components.attoseconds) / 1e18
        let pruned = await book.prune(endedBefore: now.addingTimeInterval(-seconds))
        if pruned > 0 { logger.debug("forgot ended deployments", metadata: ["count": "\(pruned)"]) }
    }

    // MARK: Queries

    public func deployment(_ id: DeploymentID) async -> DeploymentRecord? {
        guard let record = await book.record(id) else { return nil }
        return await withLiveStatus(record)
    }

    /// How many deployments wait at each priority.
    public func queueDepth() async -> [Priority: Int] {
        await book.queueDepthByPriority
    }

    /// 1-based place in the queue, while queued.
    public func queuePosition(of id: DeploymentID) async -> Int? {
        await book.queuePosition(of: id)
    }

    /// Deployments matching the query, newest first, one page at a time.
    public func deployments(matching query: DeploymentQuery) async -> (page: [DeploymentRecord], nextCursor: DeploymentCursor?) {
        let all = await book.records(where: { query.matches($0) })
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id.rawValue > $1.id.rawValue }
        let start = query.after.map { cursor in all.firstIndex { cursor.isBefore($0) } ?? all.count } ?? 0
        let page = Array(all[start..<min(all.count, start + query.pageSize)])
        var live: [DeploymentRecord] = []
        for record in page { live.append(await withLiveStatus(record)) }
        let next = start + page.count < all.count ? page.last.map(DeploymentCursor.init) : nil
        return (live, next)
    }

    /// The record with ready replicas and state from its cluster's pods.
    private func withLiveStatus(_ record: DeploymentRecord) async -> DeploymentRecord {
        guard let name = record.cluster, let actor = clusters[name], [.placed, .running].contains(record.state) else { return record }
        let pods = await actor.pods(of: record.id)
        var live = record
        live.readyReplicas = pods.ready
        switch record.spec.kind {
        case .serving:
            live.state = pods.ready >= record.spec.replicas ? .running : .placed
        case .batch:
            if pods.succeeded >= record.spec.replicas { live.state = .succeeded }
            else if pods.failed > 0 && pods.total == pods.failed { live.state = .failed }
            else { live.state = pods.ready > 0 ? .running : .placed }
        case .scheduled:
            live.state = .running
        }
        return live
    }

    // MARK: Delete

    public func deleteDeployment(_ id: DeploymentID) async throws -> DeploymentRecord {
        guard let record = await book.record(id), record.state != .deleted else {
            throw FleetError.notFound(resourceType: "fleet.v1.Deployment", name: id.rawValue)
        }
        if let name = record.cluster, let actor = clusters[name] {
            do {
                try await actor.api.delete(record)
            } catch {
                throw FleetError.unavailable("deleting \(record.spec.name) from cluster \(name) failed: \(error)")
            }
            await actor.forget(id)
        }
        if await book.dequeue(id) {
            do {
                try await store.removeQueued(id)
            } catch {
                await book.enqueue(id, priority: record.spec.priority)
                throw FleetError.unavailable("could not remove the queued deployment from the store: \(error)")
            }
        }
        let deleted = await book.update(id) {
            $0.state = .deleted
            $0.endedAt = Date()
        } ?? record
        logger.info("deployment deleted", metadata: Self.metadata(deleted))
        queueKick.yield()
        return deleted
    }

    // MARK: Serve

    public func serve(_ id: DeploymentID, host: String?, path: String?, servicePort: Int?) async throws -> DeploymentRecord {
        guard let record = await book.record(id), record.state != .deleted else {
            throw FleetError.notFound(resourceType: "fleet.v1.Deployment", name: id.rawValue)
        }
        guard record.spec.kind == .serving else {
            throw FleetError.failedPrecondition("deployment \(id) is \(record.spec.kind.rawValue.uppercased()); only SERVING deployments can be served")
        }
        guard let name = record.cluster, let actor = clusters[name] else {
            throw FleetError.failedPrecondition("deployment \(id) is still queued; serve it once it is placed")
        }
        let descriptor = actor.descriptor
        let endpoint = EndpointRequest(
            record: record,
            host: host ?? "\(record.spec.name).\(record.spec.team).\(descriptor.ingressDomain)",
            path: path ?? "/",
            servicePort: servicePort ?? 80,
            ingressClassName: descriptor.ingressClassName)
        let endpoints: [String]
        do {
            endpoints = try await actor.api.expose(endpoint)
        } catch {
            throw FleetError.unavailable("exposing \(record.spec.name) in cluster \(name) failed: \(error)")
        }
        return await book.update(id) { $0.endpoints = endpoints } ?? record
    }

    // MARK: Capacity

    public func capacity(matching filter: CapacityFilter) -> (revision: UInt64, clusters: [ClusterCapacity]) {
        hub.snapshot(matching: filter)
    }

    // MARK: Helpers

    static func metadata(_ record: DeploymentRecord) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "deployment": "\(record.id)", "name": "\(record.spec.name)", "team": "\(record.spec.team)",
            "priority": "\(record.spec.priority.labelValue)", "request_id": "\(record.request.requestID)",
            "replicas": "\(record.spec.replicas)",
        ]
        if let cluster = record.cluster { metadata["cluster"] = "\(cluster)" }
        return metadata
    }

    static func logHealth(of snapshot: ClusterSnapshot, logger: Logger) {
        switch snapshot.health {
        case .healthy: logger.info("cluster healthy", metadata: ["cluster": "\(snapshot.name)"])
        case .degraded(let why): logger.warning("cluster degraded", metadata: ["cluster": "\(snapshot.name)", "reason": "\(why)"])
        case .unreachable(let why): logger.warning("cluster unreachable", metadata: ["cluster": "\(snapshot.name)", "reason": "\(why)"])
        }
    }

    /// Whether a snapshot shows more room than the previous one anywhere, so queued
    /// work may fit now.
    static func mayHaveMoreRoom(_ snapshot: ClusterSnapshot, than previous: ClusterSnapshot) -> Bool {
        let now = snapshot.capacity, before = previous.capacity
        if now.health != before.health { return true }
        if now.cpuMillis.free > before.cpuMillis.free || now.memoryBytes.free > before.memoryBytes.free || now.pods.free > before.pods.free { return true }
        for accelerator in now.accelerators {
            let old = before.accelerator(ofType: accelerator.kind.type)
            if accelerator.devices.free > (old?.devices.free ?? 0) || accelerator.devices.reserved != (old?.devices.reserved ?? 0) { return true }
        }
        return now.nodes != before.nodes
    }

    static func summary(of evaluations: [ClusterEvaluation]) -> String {
        let reasons = evaluations.compactMap { evaluation -> String? in
            guard case .rejected(_, let message) = evaluation.verdict else { return nil }
            return "\(evaluation.cluster): \(message)"
        }
        return reasons.isEmpty ? "" : "no cluster has room now; " + reasons.joined(separator: "; ")
    }

    static func quotaViolations(team: Team, quota: QuotaLimits, usage: ResourceVector, adding spec: WorkloadSpec) -> [FleetError.QuotaViolation]? {
        let need = spec.total
        var violations: [FleetError.QuotaViolation] = []
        let subject = "team:\(team.name)"
        if quota.cpuMillis > 0 && usage.cpuMillis.saturatingAdding(need.cpuMillis) > quota.cpuMillis {
            violations.append(.init(subject: subject, description: "cpu: needs \(ResourceFormat.cpu(need.cpuMillis)), the team holds \(ResourceFormat.cpu(usage.cpuMillis)) of \(ResourceFormat.cpu(quota.cpuMillis))"))
        }
        if quota.memoryBytes > 0 && usage.memoryBytes.saturatingAdding(need.memoryBytes) > quota.memoryBytes {
            violations.append(.init(subject: subject, description: "memory: needs \(ResourceFormat.memory(need.memoryBytes)), the team holds \(ResourceFormat.memory(usage.memoryBytes)) of \(ResourceFormat.memory(quota.memoryBytes))"))
        }
        let acceleratorCap = quota.accelerators.values.reduce(Int64(0)) { $0.saturatingAdding($1) }
        if !quota.accelerators.isEmpty && usage.accelerators.saturatingAdding(need.accelerators) > acceleratorCap {
            violations.append(.init(subject: subject, description: "accelerators: needs \(need.accelerators), the team holds \(usage.accelerators) of \(acceleratorCap)"))
        }
        return violations.isEmpty ? nil : violations
    }

    static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(generator.next() % 16)] })
    }
}

/// Which deployments ListDeployments returns.
public struct DeploymentQuery: Sendable {
    public var team: String?
    public var states: Set<DeploymentState>
    public var cluster: ClusterName?
    public var kind: WorkloadKind?
    public var pageSize: Int
    public var after: DeploymentCursor?

    public init(team: String? = nil, states: Set<DeploymentState> = [], cluster: ClusterName? = nil, kind: WorkloadKind? = nil, pageSize: Int = 100, after: DeploymentCursor? = nil) {
        self.team = team
        self.states = states
        self.cluster = cluster
        self.kind = kind
        self.pageSize = pageSize
        self.after = after
    }

    func matches(_ record: DeploymentRecord) -> Bool {
        if let team, record.spec.team != team { return false }
        if !states.isEmpty && !states.contains(record.state) { return false }
        if let cluster, record.cluster != cluster { return false }
        if let kind, record.spec.kind != kind { return false }
        return true
    }
}

/// Where a page of deployments ended: stable while new deployments arrive.
public struct DeploymentCursor: Hashable, Sendable {
    public var createdAt: Date
    public var id: DeploymentID

    public init(createdAt: Date, id: DeploymentID) {
        self.createdAt = createdAt
        self.id = id
    }

    init(_ record: DeploymentRecord) {
        self.init(createdAt: record.createdAt, id: record.id)
    }

    /// Whether `record` comes after this cursor in newest-first order.
    func isBefore(_ record: DeploymentRecord) -> Bool {
        record.createdAt != createdAt ? record.createdAt < createdAt : record.id.rawValue < id.rawValue
    }
}
