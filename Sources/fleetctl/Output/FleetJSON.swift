import Protos

/// The Fleet API's messages as JSON in the proto3 JSON mapping: lowerCamelCase field names,
/// enum value names, 64-bit integers as strings, RFC 3339 timestamps. Every field is written,
/// defaults included, so that scripts find the keys they look for.
enum FleetJSON {
    static func deployResponse(_ r: Fleet_V1_DeployResponse) -> JSONValue {
        .object([
            ("deployment", r.deployment.map(deployment) ?? .null),
            ("evaluations", .array(r.evaluations.map(evaluation))),
            ("dryRun", .bool(r.dryRun)),
            ("replayed", .bool(r.replayed)),
        ])
    }

    static func deployment(_ d: Fleet_V1_Deployment) -> JSONValue {
        .object([
            ("id", .string(d.id)),
            ("requestId", .string(d.requestId)),
            ("name", .string(d.name)),
            ("team", .string(d.team)),
            ("namespace", .string(d.namespace)),
            ("kind", .string(d.kind.description)),
            ("priority", .string(d.priority.description)),
            ("state", .string(d.state.description)),
            ("cluster", .string(d.cluster)),
            ("replicas", .int(d.replicas)),
            ("readyReplicas", .int(d.readyReplicas)),
            ("resources", d.resources.map(resources) ?? .null),
            ("reservationId", .string(d.reservationId)),
            ("endpoints", .array(d.endpoints.map(JSONValue.string))),
            ("createTime", timestamp(d.createTime)),
            ("placeTime", timestamp(d.placeTime)),
            ("queuePosition", .int(d.queuePosition)),
            ("message", .string(d.message)),
            ("image", .string(d.image)),
            ("schedule", .string(d.schedule)),
        ])
    }

    static func listDeployments(_ r: Fleet_V1_ListDeploymentsResponse) -> JSONValue {
        .object([
            ("deployments", .array(r.deployments.map(deployment))),
            ("nextPageToken", .string(r.nextPageToken)),
        ])
    }

    static func deleteDeployment(_ r: Fleet_V1_DeleteDeploymentResponse) -> JSONValue {
        .object([("deployment", r.deployment.map(deployment) ?? .null)])
    }

    static func evaluation(_ e: Fleet_V1_ClusterEvaluation) -> JSONValue {
        .object([
            ("cluster", .string(e.cluster)),
            ("feasible", .bool(e.feasible)),
            ("score", .double(e.score)),
            ("reason", .string(e.reason.description)),
            ("message", .string(e.message)),
            ("chosen", .bool(e.chosen)),
        ])
    }

    static func resources(_ r: Fleet_V1_Resources) -> JSONValue {
        .object([
            ("cpuMillis", .int64(r.cpuMillis)),
            ("memoryBytes", .int64(r.memoryBytes)),
            ("acceleratorType", .string(r.acceleratorType)),
            ("acceleratorCount", .int(r.acceleratorCount)),
        ])
    }

    static func serveResponse(_ r: Fleet_V1_ServeResponse) -> JSONValue {
        .object([
            ("endpoints", .array(r.endpoints.map(JSONValue.string))),
            ("serviceName", .string(r.serviceName)),
            ("ingressName", .string(r.ingressName)),
            ("cluster", .string(r.cluster)),
        ])
    }

    static func reservation(_ r: Fleet_V1_Reservation) -> JSONValue {
        .object([
            ("id", .string(r.id)),
            ("requestId", .string(r.requestId)),
            ("team", .string(r.team)),
            ("cluster", .string(r.cluster)),
            ("nodes", .array(r.nodes.map(JSONValue.string))),
            ("state", .string(r.state.description)),
            ("createTime", timestamp(r.createTime)),
            ("endTime", timestamp(r.endTime)),
            ("quota", r.quota.map(quota) ?? .null),
        ])
    }

    static func listReservations(_ r: Fleet_V1_ListReservationsResponse) -> JSONValue {
        .object([("reservations", .array(r.reservations.map(reservation)))])
    }

    static func quota(_ q: Fleet_V1_QuotaLimits) -> JSONValue {
        .object([
            ("cpuMillis", .int64(q.cpuMillis)),
            ("memoryBytes", .int64(q.memoryBytes)),
            ("accelerators", .object(q.accelerators.sorted { $0.key < $1.key }.map { ($0.key, .int64($0.value)) })),
        ])
    }

    static func capacity(_ r: Fleet_V1_GetCapacityResponse) -> JSONValue {
        .object([
            ("clusters", .array(r.clusters.map(cluster))),
            ("revision", .uint64(r.revision)),
        ])
    }

    static func capacityUpdate(_ u: Fleet_V1_CapacityUpdate) -> JSONValue {
        .object([
            ("revision", .uint64(u.revision)),
            ("kind", .string(u.kind.description)),
            ("reset", .bool(u.reset)),
            ("clusters", .array(u.clusters.map(cluster))),
            ("removedClusters", .array(u.removedClusters.map(JSONValue.string))),
            ("time", timestamp(u.time)),
        ])
    }

    static func cluster(_ c: Fleet_V1_ClusterCapacity) -> JSONValue {
        .object([
            ("cluster", .string(c.cluster)),
            ("cloud", .string(c.cloud.description)),
            ("region", .string(c.region)),
            ("health", .string(c.health.description)),
            ("healthMessage", .string(c.healthMessage)),
            ("nodes", .int(c.nodes)),
            ("readyNodes", .int(c.readyNodes)),
            ("cpuMillis", c.cpuMillis.map(amount) ?? .null),
            ("memoryBytes", c.memoryBytes.map(amount) ?? .null),
            ("pods", c.pods.map(amount) ?? .null),
            ("accelerators", .array(c.accelerators.map { a in
                .object([
                    ("type", .string(a.type)),
                    ("resourceName", .string(a.resourceName)),
                    ("devices", a.devices.map(amount) ?? .null),
                    ("largestFreeOnANode", .int(a.largestFreeOnANode)),
                    ("nodes", .int(a.nodes)),
                ])
            })),
            ("observeTime", timestamp(c.observeTime)),
        ])
    }

    static func amount(_ a: Fleet_V1_ResourceAmount) -> JSONValue {
        .object([
            ("allocatable", .int64(a.allocatable)),
            ("requested", .int64(a.requested)),
            ("reserved", .int64(a.reserved)),
            ("free", .int64(a.free)),
        ])
    }

    static func timestamp(_ t: Google_Protobuf_Timestamp?) -> JSONValue {
        t.map { .string(Timestamps.rfc3339($0)) } ?? .null
    }
}
