import Foundation
@testable import Fleet
@testable import KubeBackend
import Testing

/// The records fleetd stores in annotations and in the management cluster are written with
/// KubeJSON and read back with Fleet's RecordCoding (Foundation), and records stored by
/// earlier versions, written with Foundation, must still read.
@Suite struct RecordJSONTests {
    private static func deployment() -> DeploymentRecord {
        let spec = WorkloadSpec(
            name: "llm-serve", team: "ml-research", kind: .scheduled, replicas: 3,
            perReplica: ReplicaRequest(cpuMillis: 1500, memoryBytes: 6 << 30, acceleratorType: "nvidia-a100", acceleratorCount: 2),
            priority: .high,
            constraints: PlacementConstraints(clouds: [.gke, .onprem], regions: ["us-central1"], clusters: ["gke-a"], nodeLabels: ["disk": "ssd"]),
            reservation: ReservationID("res-7"))
        let request = DeploymentRequest(
            requestID: "req \"quoted\" / slash \u{e9}", spec: spec,
            container: ContainerTemplate(image: "registry.example/llm:1", command: ["serve"], args: ["--port", "8080"],
                                         env: ["MODE": "prod", "NOTE": "line\nbreak\ttab"], port: 9000),
            schedule: "*/30 * * * *")
        var record = DeploymentRecord(id: DeploymentID("dep-1"), request: request, state: .placed, cluster: "gke-a",
                                      createdAt: Date(timeIntervalSince1970: 1_750_000_000.123456))
        record.placedAt = Date(timeIntervalSince1970: 1_750_000_001.5)
        record.readyReplicas = 2
        record.message = "placed"
        record.endpoints = ["https://llm-serve.gke-a.example"]
        return record
    }

    @Test func aDeploymentRecordWrittenWithKubeJSONReadsBackWithRecordCoding() throws {
        let record = Self.deployment()
        let text = try RecordJSON.encode(record)
        #expect(try RecordCoding.decode(DeploymentRecord.self, from: text) == record)
        #expect(text.contains("\"createdAt\":1750000000.123456"), "dates as seconds since 1970: \(text)")
    }

    @Test func aDeploymentRecordIsWrittenByteForByteAsItsEncodableConformanceWritesIt() throws {
        var record = Self.deployment()
        record.endedAt = Date(timeIntervalSince1970: 1_750_000_100.25)
        #expect(unsetProperties(of: record, descendingInto: { Mirror(reflecting: $0).displayStyle == .struct && !($0 is Date) }) == [])
        let throughEncodable = String(decoding: try KubeJSON.encode(record), as: UTF8.self)
        #expect(try RecordJSON.encode(record) == throughEncodable)
        // With the optional fields left out, too.
        var bare = record
        bare.cluster = nil
        bare.placedAt = nil
        bare.endedAt = nil
        bare.request.schedule = nil
        bare.request.spec.reservation = nil
        bare.request.spec.perReplica = ReplicaRequest(cpuMillis: 1, memoryBytes: 2)
        #expect(try RecordJSON.encode(bare) == String(decoding: try KubeJSON.encode(bare), as: UTF8.self))
    }

    @Test func aReservationRecordWrittenWithKubeJSONReadsBackWithRecordCoding() throws {
        let request = ReservationRequest(requestID: "r-1", team: "ml-research", nodeCount: 2,
                                         perNode: ReplicaRequest(cpuMillis: 8000, memoryBytes: 32 << 30),
                                         endsAt: Date(timeIntervalSince1970: 1_760_000_000.25),
                                         quota: QuotaLimits(cpuMillis: 16_000, accelerators: ["nvidia.com/gpu": 8]))
        let record = ReservationRecord(id: ReservationID("res-1"), request: request, cluster: "gke-a", nodes: ["n1", "n2"],
                                       state: .active, createdAt: Date(timeIntervalSince1970: 1_750_000_000))
        #expect(try RecordCoding.decode(ReservationRecord.self, from: RecordJSON.encode(record)) == record)
    }

    @Test func kubeJSONReadsDatesTheWayRecordCodingWroteThem() throws {
        let record = Self.deployment()
        let written = try RecordCoding.encode(record)
        #expect(try KubeJSON.decode(DeploymentRecord.self, from: Array(written.utf8)) == record)
    }
}
