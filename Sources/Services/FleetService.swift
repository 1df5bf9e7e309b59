public import Fleet
import Foundation
import Protos
public import RPCServer
import Synchronization

/// `fleet.v1.Fleet` over the fleet manager: validates requests, maps messages to
/// domain values and back, and turns fleet errors into statuses with details.
public final class FleetService: RPCService {
    public static let serviceName = Fleet_V1_Fleet.serviceName
    let manager: FleetManager
    let updateEncoder: CapacityUpdateEncoder
    let pushQueues = LanePushQueues()

    public init(manager: FleetManager) {
        self.manager = manager
        updateEncoder = CapacityUpdateEncoder { [hub = manager.hub] in hub.timeOfChange(revision: $0) }
    }

    public func register(into router: inout RPCRouter) {
        router.unary(Fleet_V1_Fleet.Method.deploy) { [self] (request: Fleet_V1_DeployRequest, _) in
            try await mapErrors { try await deploy(request) }
        }
        router.unary(Fleet_V1_Fleet.Method.getDeployment) { [self] (request: Fleet_V1_GetDeploymentRequest, _) in
            try await mapErrors { try await getDeployment(request) }
        }
        router.unary(Fleet_V1_Fleet.Method.listDeployments) { [self] (request: Fleet_V1_ListDeploymentsRequest, _) in
            try await mapErrors { try await listDeployments(request) }
        }
        router.unary(Fleet_V1_Fleet.Method.deleteDeployment) { [self] (request: Fleet_V1_DeleteDeploymentRequest, _) in
            try await mapErrors {
                var response = Fleet_V1_DeleteDeploymentResponse()
                response.deployment = DomainToProto.deployment(try await manager.deleteDeployment(try Self.deploymentID(request.id)))
                return response
            }
        }
        router.unary(Fleet_V1_Fleet.Method.serve) { [self] (request: Fleet_V1_ServeRequest, _) in
            try await mapErrors { try await serve(request) }
        }
        router.unary(Fleet_V1_Fleet.Method.reserve) { [self] (request: Fleet_V1_ReserveRequest, _) in
            try await mapErrors {
                let decoded = try ReserveRequestDecoder(catalog: catalog).decode(request)
                return DomainToProto.reservation(try await manager.reserve(decoded))
            }
        }
        router.unary(Fleet_V1_Fleet.Method.listReservations) { [self] (request: Fleet_V1_ListReservationsRequest, _) in
            var response = Fleet_V1_ListReservationsResponse()
            response.reservations = await manager.reservationList(team: request.team.isEmpty ? nil : request.team, includeInactive: request.includeInactive)
                .map(DomainToProto.reservation)
            return response
        }
        router.unary(Fleet_V1_Fleet.Method.releaseReservation) { [self] (request: Fleet_V1_ReleaseReservationRequest, _) in
            try await mapErrors {
                guard !request.id.isEmpty else { throw FleetError.invalidArgument([.init(field: "id", description: "is required")]) }
                return DomainToProto.reservation(try await manager.releaseReservation(ReservationID(request.id)))
            }
        }
        router.unary(Fleet_V1_Fleet.Method.getCapacity) { [self] (request: Fleet_V1_GetCapacityRequest, _) in
            try await mapErrors {
                let filter = try Self.capacityFilter(request.filter)
                let (revision, clusters) = manager.capacity(matching: filter)
                var response = Fleet_V1_GetCapacityResponse()
                response.revision = revision
                response.clusters = clusters.map(DomainToProto.capacity)
                return response
            }
        }
        router.serverStreaming(Fleet_V1_Fleet.Method.watchCapacity) {
            [self] (request: Fleet_V1_WatchCapacityRequest, writer: RPCResponseWriter<EncodedMessage>, _) in
            try await mapErrors { try await watchCapacity(request, writer: writer) }
        }
    }

    private func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as FleetError {
            throw FleetErrorStatus.rpcError(for: error)
        }
    }

    /// The catalog as of the hub's revision: rebuilt only when capacity changed.
    private let cachedCatalog = Mutex<(revision: UInt64, catalog: FleetCatalog)?>(nil)

    var catalog: FleetCatalog {
        let revision = manager.hub.revision
        if let cached = cachedCatalog.withLock({ $0 }), cached.revision == revision { return cached.catalog }
        var types = Set<String>()
        for name in manager.clusterNames {
            for accelerator in manager.snapshot(of: name)?.capacity.accelerators ?? [] { types.insert(accelerator.kind.type) }
        }
        let catalog = FleetCatalog(clusters: Set(manager.clusterNames), acceleratorTypes: types)
        cachedCatalog.withLock { $0 = (revision, catalog) }
        return catalog
    }

    // MARK: Deployments

    private func deploy(_ message: Fleet_V1_DeployRequest) async throws -> Fleet_V1_DeployResponse {
        var decoder = DeployRequestDecoder(catalog: catalog)
        let request = try decoder.decode(message)
        let outcome = try await manager.deploy(request, dryRun: message.dryRun)
        var response = Fleet_V1_DeployResponse()
        response.deployment = DomainToProto.deployment(outcome.record, queuePosition: outcome.queuePosition)
        if outcome.dryRun { response.deployment?.id = "" }
        response.evaluations = outcome.evaluations.map(DomainToProto.evaluation)
        response.dryRun = outcome.dryRun
        response.replayed = outcome.replayed
        return response
    }

    private func getDeployment(_ message: Fleet_V1_GetDeploymentRequest) async throws -> Fleet_V1_Deployment {
        let id = try Self.deploymentID(message.id)
        guard let record = await manager.deployment(id) else {
            throw FleetError.notFound(resourceType: "fleet.v1.Deployment", name: id.rawValue)
        }
        return DomainToProto.deployment(record, queuePosition: await manager.queuePosition(of: id))
    }

    static let maxPageSize: Int32 = 1000

    private func listDeployments(_ message: Fleet_V1_ListDeploymentsRequest) async throws -> Fleet_V1_ListDeploymentsResponse {
        var violations: [FleetError.FieldViolation] = []
        if message.pageSize < 0 || message.pageSize > Self.maxPageSize {
            violations.append(.init(field: "page_size", description: "must be between 0 and \(Self.maxPageSize), is \(message.pageSize)"))
        }
        let cursor = message.pageToken.isEmpty ? nil : PageToken.decode(message.pageToken)
        if !message.pageToken.isEmpty && cursor == nil {
            violations.append(.init(field: "page_token", description: "is not a token this server issued"))
        }
        var states = Set<DeploymentState>()
        for (index, state) in message.states.enumerated() {
            guard let decoded = Self.state(state) else {
                violations.append(.init(field: "states[\(index)]", description: "\(state) is not a deployment state"))
                continue
            }
            states.insert(decoded)
        }
        var kind: WorkloadKind?
        switch message.kind {
        case .unspecified: kind = nil
        case .serving: kind = .serving
        case .batch: kind = .batch
        case .scheduled: kind = .scheduled
        default: violations.append(.init(field: "kind", description: "\(message.kind) is not a workload kind"))
        }
        guard violations.isEmpty else { throw FleetError.invalidArgument(violations) }
        let query = DeploymentQuery(
            team: message.team.isEmpty ? nil : message.team, states: states,
            cluster: message.cluster.isEmpty ? nil : ClusterName(message.cluster), kind: kind,
            pageSize: message.pageSize == 0 ? 100 : Int(message.pageSize), after: cursor)
        let (page, next) = await manager.deployments(matching: query)
        var response = Fleet_V1_ListDeploymentsResponse()
        response.deployments = page.map { DomainToProto.deployment($0) }
        response.nextPageToken = next.map(PageToken.encode) ?? ""
        return response
    }

    private func serve(_ message: Fleet_V1_ServeRequest) async throws -> Fleet_V1_ServeResponse {
        var violations: [FleetError.FieldViolation] = []
        if message.deploymentId.isEmpty { violations.append(.init(field: "deployment_id", description: "is required")) }
        if !message.host.isEmpty, message.host.split(separator: ".", omittingEmptySubsequences: false).contains(where: { FieldRules.dnsLabel(String($0)) != nil }) {
            violations.append(.init(field: "host", description: "\"\(message.host)\" is not a DNS name"))
        }
        if !message.path.isEmpty && !message.path.hasPrefix("/") { violations.append(.init(field: "path", description: "must start with '/'")) }
        if message.port < 0 || message.port > 65535 { violations.append(.init(field: "port", description: "must be between 1 and 65535, or 0 for 80")) }
        guard violations.isEmpty else { throw FleetError.invalidArgument(violations) }
        let record = try await manager.serve(
            DeploymentID(message.deploymentId), host: message.host.isEmpty ? nil : message.host,
            path: message.path.isEmpty ? nil : message.path, servicePort: message.port == 0 ? nil : Int(message.port))
        var response = Fleet_V1_ServeResponse()
        response.endpoints = record.endpoints
        response.serviceName = record.spec.name
        response.ingressName = record.spec.name
        response.cluster = record.cluster?.rawValue ?? ""
        return response
    }

    // MARK: Capacity

    private func watchCapacity(_ message: Fleet_V1_WatchCapacityRequest, writer: RPCResponseWriter<EncodedMessage>) async throws {
        let filter = try Self.capacityFilter(message.filter)
        var heartbeat = Duration.seconds(15)
        if let requested = message.heartbeatInterval {
            let duration = requested.duration
            guard duration >= .seconds(1) || duration == .zero else {
                throw FleetError.invalidArgument([.init(field: "heartbeat_interval", description: "must be at least 1s")])
            }
            if duration > .zero { heartbeat = duration }
        }
        let subscription = manager.hub.subscribe(matching: filter, resumeAfter: message.resumeRevision, heartbeatInterval: heartbeat)
        defer { subscription.finish() }
        let pusher = CapacityPusher(subscription: subscription, stream: try writer.pushStream(), encoder: updateEncoder)
        pusher.start(on: pushQueues.queue(for: pusher.lane))
        for await update in subscription {
            try await writer.write(try updateEncoder.encode(update))
        }
    }

    // MARK: Decoding helpers

    static func deploymentID(_ id: String) throws -> DeploymentID {
        guard !id.isEmpty else { throw FleetError.invalidArgument([.init(field: "id", description: "is required")]) }
        return DeploymentID(id)
    }

    static func capacityFilter(_ message: Fleet_V1_CapacityFilter?) throws -> CapacityFilter {
        guard let message else { return .all }
        var filter = CapacityFilter(regions: Set(message.regions), clusters: Set(message.clusters.map { ClusterName($0) }),
                                    acceleratorTypes: Set(message.acceleratorTypes))
        for (index, cloud) in message.clouds.enumerated() {
            guard let decoded = DeployRequestDecoder.cloud(cloud) else {
                throw FleetError.invalidArgument([.init(field: "filter.clouds[\(index)]", description: "\(cloud) is not a cloud")])
            }
            filter.clouds.insert(decoded)
        }
        return filter
    }

    static func state(_ state: Fleet_V1_DeploymentState) -> DeploymentState? {
        switch state {
        case .queued: .queued
        case .placed: .placed
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .deleted: .deleted
        default: nil
        }
    }
}

/// ListDeployments page tokens: the cursor, opaque to clients. The time travels as the
/// bits of Date's own representation: converting through 1970 would round it.
enum PageToken {
    static func encode(_ cursor: DeploymentCursor) -> String {
        let raw = "\(cursor.createdAt.timeIntervalSinceReferenceDate.bitPattern):\(cursor.id.rawValue)"
        return Data(raw.utf8).base64EncodedString()
    }

    static func decode(_ token: String) -> DeploymentCursor? {
        guard let data = Data(base64Encoded: token), let raw = String(data: data, encoding: .utf8),
              let colon = raw.firstIndex(of: ":"), let bits = UInt64(raw[..<colon]) else { return nil }
        let id = String(raw[raw.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        return DeploymentCursor(createdAt: Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits)), id: DeploymentID(id))
    }
}
