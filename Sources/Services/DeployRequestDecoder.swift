import Fleet
import Protos

/// What the fleet offers, for checking names in requests against it.
struct FleetCatalog {
    var clusters: Set<ClusterName>
    var acceleratorTypes: Set<String>
}

/// Turns a Deploy request into the domain's request, or every field violation in it.
struct DeployRequestDecoder {
    let catalog: FleetCatalog
    private(set) var violations: [FleetError.FieldViolation] = []

    init(catalog: FleetCatalog) {
        self.catalog = catalog
    }

    static let maxReplicas: Int32 = 1000
    static let maxRequestIDLength = 128
    /// Per replica (or node): far beyond any node, and small enough that a workload's total
    /// over `maxReplicas` stays exact in 64 bits.
    static let maxCPUMillis: Int64 = 1_000_000_000
    static let maxMemoryBytes: Int64 = 1 << 50
    static let maxAcceleratorCount: Int32 = 1 << 20

    mutating func decode(_ message: Fleet_V1_DeployRequest) throws(FleetError) -> DeploymentRequest {
        violations = []
        check("request_id", message.requestId.isEmpty ? "is required: choose a unique id per logical request, so that retries are safe" : nil)
        check("request_id", message.requestId.utf8.count > Self.maxRequestIDLength ? "must be at most \(Self.maxRequestIDLength) characters" : nil)
        check("name", FieldRules.dnsLabel(message.name))
        check("team", FieldRules.dnsLabel(message.team))
        let kind = decodeKind(message.kind)
        check("image", message.image.isEmpty ? "is required" : nil)
        check("image", FieldRules.containsWhitespace(message.image) ? "must not contain whitespace" : nil)
        check("replicas", message.replicas < 1 || message.replicas > Self.maxReplicas ? "must be between 1 and \(Self.maxReplicas), is \(message.replicas)" : nil)
        let perReplica = decodeResources(message.resources, path: "resources")
        let priority = decodePriority(message.priority)
        let constraints = decodeConstraints(message.constraints ?? Fleet_V1_PlacementConstraints())
        for (key, _) in message.env { check("env", FieldRules.environmentName(key)) }
        check("port", message.port < 0 || message.port > 65535 ? "must be between 1 and 65535, or 0 for 8080" : nil)
        if kind == .scheduled {
            check("schedule", message.schedule.isEmpty ? "is required for WORKLOAD_KIND_SCHEDULED" : FieldRules.cronSchedule(message.schedule))
        } else if !message.schedule.isEmpty {
            check("schedule", "is only allowed for WORKLOAD_KIND_SCHEDULED")
        }
        if !message.reservationId.isEmpty { check("reservation_id", FieldRules.dnsLabel(message.reservationId)) }
        guard violations.isEmpty, let kind, let perReplica, let priority else { throw .invalidArgument(violations) }

        let spec = WorkloadSpec(
            name: message.name, team: message.team, kind: kind, replicas: Int(message.replicas), perReplica: perReplica,
            priority: priority, constraints: constraints,
            reservation: message.reservationId.isEmpty ? nil : ReservationID(message.reservationId))
        let container = ContainerTemplate(
            image: message.image, command: message.command, args: message.args, env: message.env,
            port: message.port == 0 ? 8080 : Int(message.port))
        return DeploymentRequest(requestID: message.requestId, spec: spec, container: container,
                                 schedule: kind == .scheduled ? message.schedule : nil)
    }

    /// Records a violation when there is a problem; the field's path (often interpolated)
    /// is built only then.
    private mutating func check(_ field: @autoclosure () -> String, _ problem: String?) {
        if let problem { violations.append(.init(field: field(), description: problem)) }
    }

    private mutating func decodeKind(_ kind: Fleet_V1_WorkloadKind) -> WorkloadKind? {
        switch kind {
        case .serving: return .serving
        case .batch: return .batch
        case .scheduled: return .scheduled
        default:
            check("kind", "must be WORKLOAD_KIND_SERVING, WORKLOAD_KIND_BATCH or WORKLOAD_KIND_SCHEDULED, is \(kind)")
            return nil
        }
    }

    private mutating func decodePriority(_ priority: Fleet_V1_Priority) -> Priority? {
        switch priority {
        case .unspecified, .medium: return .medium
        case .high: return .high
        case .low: return .low
        default:
            check("priority", "\(priority) is not a priority")
            return nil
        }
    }

    mutating func decodeResources(_ resources: Fleet_V1_Resources?, path: String) -> ReplicaRequest? {
        guard let resources else {
            check(path, "is required")
            return nil
        }
        let before = violations.count
        check("\(path).cpu_millis", Self.amountProblem(resources.cpuMillis, limit: Self.maxCPUMillis, "1,000,000 cores"))
        check("\(path).memory_bytes", Self.amountProblem(resources.memoryBytes, limit: Self.maxMemoryBytes, "1 PiB"))
        let type = resources.acceleratorType
        if type.isEmpty {
            check("\(path).accelerator_count", resources.acceleratorCount != 0 ? "must be 0 when accelerator_type is empty" : nil)
        } else {
            check("\(path).accelerator_count", resources.acceleratorCount <= 0 ? "must be positive when accelerator_type is set"
                  : resources.acceleratorCount > Self.maxAcceleratorCount ? "must be at most \(Self.maxAcceleratorCount), is \(resources.acceleratorCount)" : nil)
            if !catalog.acceleratorTypes.contains(type) {
                let known = catalog.acceleratorTypes.sorted().joined(separator: ", ")
                check("\(path).accelerator_type", "no cluster has \"\(type)\" nodes; the fleet has: \(known.isEmpty ? "none" : known)")
            }
        }
        guard violations.count == before else { return nil }
        return ReplicaRequest(cpuMillis: resources.cpuMillis, memoryBytes: resources.memoryBytes,
                              acceleratorType: type.isEmpty ? nil : type, acceleratorCount: Int64(resources.acceleratorCount))
    }

    private static func amountProblem(_ amount: Int64, limit: Int64, _ limitText: String) -> String? {
        if amount <= 0 { return "must be positive, is \(amount)" }
        if amount > limit { return "must be at most \(limit) (\(limitText)), is \(amount)" }
        return nil
    }

    mutating func decodeConstraints(_ message: Fleet_V1_PlacementConstraints, path: String = "constraints") -> PlacementConstraints {
        var constraints = PlacementConstraints()
        for (index, cloud) in message.clouds.enumerated() {
            if let decoded = Self.cloud(cloud) { constraints.clouds.insert(decoded) }
            else { check("\(path).clouds[\(index)]", "\(cloud) is not a cloud") }
        }
        constraints.regions = Set(message.regions)
        for (index, name) in message.clusters.enumerated() {
            if catalog.clusters.contains(ClusterName(name)) { constraints.clusters.insert(ClusterName(name)) }
            else { check("\(path).clusters[\(index)]", "no cluster named \"\(name)\"; the fleet has: \(catalog.clusters.sorted().map(\.rawValue).joined(separator: ", "))") }
        }
        for (key, value) in message.nodeLabels {
            check("\(path).node_labels", FieldRules.labelKey(key))
            check("\(path).node_labels", FieldRules.labelValue(value))
        }
        constraints.nodeLabels = message.nodeLabels
        return constraints
    }

    static func cloud(_ cloud: Fleet_V1_Cloud) -> Cloud? {
        switch cloud {
        case .gke: .gke
        case .aks: .aks
        case .eks: .eks
        case .onprem: .onprem
        default: nil
        }
    }
}
