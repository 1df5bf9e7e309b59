import Protos
import Testing
@testable import FleetBench

@Suite struct CapacityUpdateHeaderTests {
    @Test func readsRevisionAndKindFromAFullUpdateSkippingEverythingElse() throws {
        var cluster = Fleet_V1_ClusterCapacity()
        cluster.cluster = "gke-us-central1"
        cluster.region = "us-central1"
        var time = Google_Protobuf_Timestamp()
        time.seconds = 1_795_000_000
        var update = Fleet_V1_CapacityUpdate()
        update.revision = 1_795_947_213_973_192
        update.kind = .delta
        update.clusters = [cluster, cluster]
        update.removedClusters = ["onprem-dc1"]
        update.time = time

        time.nanos = 250_000_000
        update.time = time
        let header = try CapacityUpdateHeader(serializedBytes: try update.serializedBytes())
        #expect(header == CapacityUpdateHeader(revision: 1_795_947_213_973_192, kind: .delta,
                                               recordedAtNanos: 1_795_000_000_250_000_000))
    }

    @Test func anEmptyMessageIsRevisionZeroOfNoKind() throws {
        #expect(try CapacityUpdateHeader(serializedBytes: []) == CapacityUpdateHeader(revision: 0, kind: .unspecified))
    }

    @Test func truncatedBytesAreRejected() throws {
        var update = Fleet_V1_CapacityUpdate()
        update.revision = 300
        update.kind = .snapshot
        var cluster = Fleet_V1_ClusterCapacity()
        cluster.cluster = "aks-westeurope"
        update.clusters = [cluster]
        let bytes = try update.serializedBytes()
        #expect(throws: CapacityUpdateHeader.Malformed.self) {
            try CapacityUpdateHeader(serializedBytes: Array(bytes.dropLast(3)))
        }
        #expect(throws: CapacityUpdateHeader.Malformed.self) {
            try CapacityUpdateHeader(serializedBytes: [0x08, 0xff])
        }
    }
}
