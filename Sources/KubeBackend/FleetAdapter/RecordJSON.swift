import Fleet
import Foundation

/// fleetd's stored records (the `fleet.io/record` annotation, the state store's entries)
/// written with KubeJSON, in the form Fleet's `RecordCoding` reads back: the same keys,
/// and dates as seconds since 1970. Foundation's JSONEncoder cost as much per Deploy as
/// encoding the whole Deployment object.
enum RecordJSON {
    static func encode<T: Encodable>(_ record: T) throws -> String {
        if let deployment = record as? DeploymentRecord {
            return String(decoding: DeploymentRecordWriter.bytes(of: deployment), as: UTF8.self)
        }
        return String(decoding: try KubeJSON.encode(record), as: UTF8.self)
    }
}

/// A `DeploymentRecord`, written on every Deploy, as its synthesized `Encodable`
/// conformance writes it through `JSONValueEncoder`, without the `Encoder` machinery: the
/// properties as keys in declaration order, nil ones left out, enums and identifiers as
/// their raw values, sets and dictionaries in their own order. The tests compare the bytes
/// with the `Encodable` path for a record with every field set.
enum DeploymentRecordWriter {
    typealias Fields = JSONObjectWriter<NameCodingKey>

    static func bytes(of record: DeploymentRecord) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        Fields.append(to: &output) { write(record, to: &$0) }
        return output
    }

    private static func write(_ record: DeploymentRecord, to fields: inout Fields) {
        fields.string("id", record.id.rawValue)
        fields.object("request", keyedBy: NameCodingKey.self) { write(record.request, to: &$0) }
        fields.string("state", record.state.rawValue)
        fields.string("cluster", record.cluster?.rawValue)
        fields.integer("readyReplicas", record.readyReplicas)
        fields.number("createdAt", JSONNumber(record.createdAt.timeIntervalSince1970))
        fields.number("placedAt", record.placedAt.map { JSONNumber($0.timeIntervalSince1970) })
        fields.number("endedAt", record.endedAt.map { JSONNumber($0.timeIntervalSince1970) })
        fields.string("message", record.message)
        fields.strings("endpoints", record.endpoints)
    }

    private static func write(_ request: DeploymentRequest, to fields: inout Fields) {
        fields.string("requestID", request.requestID)
        fields.object("spec", keyedBy: NameCodingKey.self) { write(request.spec, to: &$0) }
        fields.object("container", keyedBy: NameCodingKey.self) { write(request.container, to: &$0) }
        fields.string("schedule", request.schedule)
    }

    private static func write(_ spec: WorkloadSpec, to fields: inout Fields) {
        fields.string("name", spec.name)
        fields.string("team", spec.team)
        fields.string("namespace", spec.namespace)
        fields.string("kind", spec.kind.rawValue)
        fields.integer("replicas", spec.replicas)
        fields.object("perReplica", keyedBy: NameCodingKey.self) { perReplica in
            perReplica.integer("cpuMillis", spec.perReplica.cpuMillis)
            perReplica.integer("memoryBytes", spec.perReplica.memoryBytes)
            perReplica.string("acceleratorType", spec.perReplica.acceleratorType)
            perReplica.integer("acceleratorCount", spec.perReplica.acceleratorCount)
        }
        fields.integer("priority", spec.priority.rawValue)
        fields.object("constraints", keyedBy: NameCodingKey.self) { constraints in
            constraints.strings("clouds", spec.constraints.clouds.lazy.map(\.rawValue))
            constraints.strings("regions", spec.constraints.regions)
            constraints.strings("clusters", spec.constraints.clusters.lazy.map(\.rawValue))
            constraints.stringMap("nodeLabels", spec.constraints.nodeLabels)
        }
        fields.string("reservation", spec.reservation?.rawValue)
    }

    private static func write(_ container: ContainerTemplate, to fields: inout Fields) {
        fields.string("image", container.image)
        fields.strings("command", container.command)
        fields.strings("args", container.args)
        fields.stringMap("env", container.env)
        fields.integer("port", container.port)
    }
}
