import Fleet
import Foundation
import Protos
import RPCServer
import Testing
@testable import Services

@Suite struct DeployRequestDecoderTests {
    let catalog = FleetCatalog(clusters: ["gke-us-central1", "onprem-dc1"], acceleratorTypes: ["nvidia-tesla-a100", "nvidia-l4"])

    static func valid() -> Fleet_V1_DeployRequest {
        var request = Fleet_V1_DeployRequest()
        request.requestId = "req-1"
        request.name = "llm-7b"
        request.team = "ml-research"
        request.kind = .serving
        request.image = "registry.example/llm:1.0"
        request.replicas = 2
        var resources = Fleet_V1_Resources()
        resources.cpuMillis = 4000
        resources.memoryBytes = 16 << 30
        resources.acceleratorType = "nvidia-tesla-a100"
        resources.acceleratorCount = 1
        request.resources = resources
        var constraints = Fleet_V1_PlacementConstraints()
        constraints.clouds = [.gke, .onprem]
        constraints.clusters = ["onprem-dc1"]
        constraints.nodeLabels = ["topology.kubernetes.io/region": "dc1"]
        request.constraints = constraints
        request.env = ["MODEL_PATH": "/models/7b"]
        return request
    }

    @Test func aValidRequestDecodesIntoTheDomain() throws {
        var decoder = DeployRequestDecoder(catalog: catalog)
        let request = try decoder.decode(Self.valid())
        #expect(request.spec.perReplica == ReplicaRequest(cpuMillis: 4000, memoryBytes: 16 << 30, acceleratorType: "nvidia-tesla-a100", acceleratorCount: 1))
        #expect(request.spec.priority == .medium)
        #expect(request.spec.constraints.clouds == [.gke, .onprem])
        #expect(request.spec.constraints.clusters == ["onprem-dc1"])
        #expect(request.container.port == 8080)
        #expect(request.schedule == nil)
    }

    /// Each case breaks one field and names the violation it must produce.
    static let invalidFields: [(String, @Sendable (inout Fleet_V1_DeployRequest) -> Void)] = [
        ("request_id", { $0.requestId = "" }),
        ("request_id", { $0.requestId = String(repeating: "x", count: 129) }),
        ("name", { $0.name = "LLM_7b" }),
        ("name", { $0.name = "-llm" }),
        ("name", { $0.name = String(repeating: "a", count: 64) }),
        ("team", { $0.team = "" }),
        ("kind", { $0.kind = .unspecified }),
        ("kind", { $0.kind = Fleet_V1_WorkloadKind(rawValue: 42) }),
        ("image", { $0.image = "" }),
        ("image", { $0.image = "bad image" }),
        ("image", { $0.image = "registry.example/llm:1\t" }),
        ("image", { $0.image = "registry.example/llm\u{00A0}:1" }),
        ("image", { $0.image = "régistry.example/llm\u{3000}1" }),
        ("replicas", { $0.replicas = 0 }),
        ("replicas", { $0.replicas = 1001 }),
        ("resources", { $0.resources = nil }),
        ("resources.cpu_millis", { $0.resources?.cpuMillis = 0 }),
        ("resources.memory_bytes", { $0.resources?.memoryBytes = -1 }),
        // Amounts whose total over the replicas would not fit in 64 bits.
        ("resources.cpu_millis", { $0.resources?.cpuMillis = 1 << 62; $0.replicas = 4 }),
        ("resources.memory_bytes", { $0.resources?.memoryBytes = .max }),
        ("resources.accelerator_count", { $0.resources?.acceleratorCount = .max }),
        ("resources.accelerator_count", { $0.resources?.acceleratorCount = 0 }),
        ("resources.accelerator_count", { $0.resources?.acceleratorType = ""; $0.resources?.acceleratorCount = 2 }),
        ("resources.accelerator_type", { $0.resources?.acceleratorType = "tpu-v9" }),
        ("priority", { $0.priority = Fleet_V1_Priority(rawValue: 9) }),
        ("constraints.clouds[0]", { $0.constraints?.clouds = [.unspecified] }),
        ("constraints.clusters[0]", { $0.constraints?.clusters = ["nowhere"] }),
        ("constraints.node_labels", { $0.constraints?.nodeLabels = ["bad key!": "x"] }),
        ("constraints.node_labels", { $0.constraints?.nodeLabels = ["ok": "bad value!"] }),
        ("constraints.node_labels", { $0.constraints?.nodeLabels = ["exa_mple.com/zone": "a"] }),
        ("constraints.node_labels", { $0.constraints?.nodeLabels = ["example..com/zone": "a"] }),
        ("team", { $0.team = "ml-" }),
        ("env", { $0.env = ["1BAD": "x"] }),
        ("port", { $0.port = 70000 }),
        ("schedule", { $0.schedule = "*/5 * * * *" }),
        ("schedule", { $0.kind = .scheduled }),
        ("schedule", { $0.kind = .scheduled; $0.schedule = "61 * * * *" }),
        ("schedule", { $0.kind = .scheduled; $0.schedule = "* * *" }),
        ("reservation_id", { $0.reservationId = "Not_A_Label" }),
    ]

    @Test(arguments: 0..<invalidFields.count)
    func eachInvalidFieldGetsItsOwnViolation(_ index: Int) {
        let (field, breakIt) = Self.invalidFields[index]
        var message = Self.valid()
        breakIt(&message)
        var decoder = DeployRequestDecoder(catalog: catalog)
        #expect {
            _ = try decoder.decode(message)
        } throws: { error in
            guard case FleetError.invalidArgument(let violations) = error else { return false }
            return violations.map(\.field) == [field] && violations.allSatisfy { !$0.description.isEmpty }
        }
    }

    @Test func everyViolationIsReportedAtOnce() {
        var message = Self.valid()
        message.name = ""
        message.replicas = 0
        message.resources?.cpuMillis = -5
        var decoder = DeployRequestDecoder(catalog: catalog)
        #expect {
            _ = try decoder.decode(message)
        } throws: { error in
            guard case FleetError.invalidArgument(let violations) = error else { return false }
            return Set(violations.map(\.field)) == ["name", "replicas", "resources.cpu_millis"]
        }
    }

    @Test func validCronSchedulesPass() throws {
        for schedule in ["*/15 * * * *", "0 3 * * 1-5", "30 2 1,15 * *", "@daily", "0 0 * 1-12/3 0"] {
            var message = Self.valid()
            message.kind = .scheduled
            message.schedule = schedule
            var decoder = DeployRequestDecoder(catalog: catalog)
            #expect(try decoder.decode(message).schedule == schedule)
        }
    }
}

@Suite struct FleetErrorStatusTests {
    @Test func fieldViolationsTravelAsBadRequestDetails() throws {
        let error = FleetErrorStatus.rpcError(for: .invalidArgument([.init(field: "replicas", description: "must be between 1 and 1000, is 0")]))
        #expect(error.code == .invalidArgument)
        let status = try Google_Rpc_Status(serializedBytes: try #require(error.status.details))
        #expect(status.code == Int32(RPCStatusCode.invalidArgument.rawValue))
        #expect(status.details.first?.typeUrl == "type.googleapis.com/google.rpc.BadRequest")
        let badRequest = try Google_Rpc_BadRequest(serializedBytes: try #require(status.details.first).value)
        #expect(badRequest.fieldViolations.map(\.field) == ["replicas"])
    }

    @Test func missingObjectsCarryResourceInfoAndQuotaCarriesQuotaFailure() throws {
        let notFound = FleetErrorStatus.rpcError(for: .notFound(resourceType: "fleet.v1.Deployment", name: "dep-1"))
        #expect(notFound.code == .notFound)
        let info = try Google_Rpc_ResourceInfo(serializedBytes: try Google_Rpc_Status(serializedBytes: try #require(notFound.status.details)).details[0].value)
        #expect(info.resourceName == "dep-1")

        let quota = FleetErrorStatus.rpcError(for: .quotaExceeded([.init(subject: "team:ml", description: "accelerators: needs 8")]))
        #expect(quota.code == .resourceExhausted)
        let failure = try Google_Rpc_QuotaFailure(serializedBytes: try Google_Rpc_Status(serializedBytes: try #require(quota.status.details)).details[0].value)
        #expect(failure.violations.map(\.subject) == ["team:ml"])
    }

    @Test func pageTokensRoundTripAndRejectGarbage() {
        let cursor = DeploymentCursor(createdAt: .init(timeIntervalSince1970: 1_800_000_000.123456), id: "dep-abc")
        #expect(PageToken.decode(PageToken.encode(cursor)) == cursor)
        for _ in 0..<1000 {
            let now = DeploymentCursor(createdAt: Date(), id: "dep-now")
            #expect(PageToken.decode(PageToken.encode(now))?.createdAt == now.createdAt, "the cursor's time must not be rounded")
        }
        #expect(PageToken.decode("not base64!") == nil)
        #expect(PageToken.decode("Zm9v") == nil)
    }
}

@Suite struct ReserveRequestDecoderTests {
    let catalog = FleetCatalog(clusters: ["gke"], acceleratorTypes: ["nvidia-tesla-a100"])

    static func valid() -> Fleet_V1_ReserveRequest {
        var request = Fleet_V1_ReserveRequest()
        request.requestId = "r-1"
        request.team = "ml"
        request.nodeCount = 2
        var perNode = Fleet_V1_Resources()
        perNode.cpuMillis = 1000
        perNode.memoryBytes = 1 << 30
        perNode.acceleratorType = "nvidia-tesla-a100"
        perNode.acceleratorCount = 8
        request.perNode = perNode
        var duration = Google_Protobuf_Duration()
        duration.seconds = 3600
        request.until = .duration(duration)
        return request
    }

    @Test func aValidRequestDecodes() throws {
        let now = Date()
        let request = try ReserveRequestDecoder(catalog: catalog).decode(Self.valid(), now: now)
        #expect(request.endsAt == now.addingTimeInterval(3600))
        #expect(request.perNode.acceleratorCount == 8)
    }

    @Test func badFieldsAreNamed() {
        var message = Self.valid()
        message.nodeCount = 0
        message.until = nil
        message.perNode?.acceleratorType = "tpu-v9"
        var pastTime = Google_Protobuf_Timestamp()
        pastTime.seconds = 1
        var pastMessage = Self.valid()
        pastMessage.until = .endTime(pastTime)
        #expect {
            _ = try ReserveRequestDecoder(catalog: catalog).decode(message)
        } throws: { error in
            guard case FleetError.invalidArgument(let violations) = error else { return false }
            return Set(violations.map(\.field)) == ["node_count", "until", "per_node.accelerator_type"]
        }
        #expect(throws: FleetError.invalidArgument([.init(field: "end_time", description: "must be in the future")])) {
            _ = try ReserveRequestDecoder(catalog: catalog).decode(pastMessage)
        }
    }
}

@Suite struct CapacityUpdateEncoderTests {
    static func capacity(_ name: ClusterName, free: Int64) -> ClusterCapacity {
        var table = NodeTable()
        table.upsert(NodeInfo(name: "\(name)-n", allocatable: ResourceVector(cpuMillis: 4000, memoryBytes: 1 << 30, pods: 10)))
        table.addRequest(ResourceVector(cpuMillis: 4000 - free, pods: 1), on: "\(name)-n")
        return ClusterCapacity(cluster: ClusterDescriptor(name: name, cloud: .gke, region: "r", ingressDomain: "d"), health: .healthy, nodes: table)
    }

    @Test func theSameUpdateIsEncodedOnceAndDecodesToWhatWasSent() throws {
        let encoder = CapacityUpdateEncoder()
        let update = CapacityUpdate.delta(revision: 7, changed: [Self.capacity("a", free: 1000)], removed: ["b"])
        let first = try encoder.encode(update)
        let second = try encoder.encode(update)
        #expect(first.bytes == second.bytes)
        let decoded = try Fleet_V1_CapacityUpdate(serializedBytes: first.bytes)
        #expect(decoded.revision == 7 && decoded.kind == .delta)
        #expect(decoded.clusters.map(\.cluster) == ["a"] && decoded.clusters[0].cpuMillis?.free == 1000)
        #expect(decoded.removedClusters == ["b"])
    }

    @Test func subscribersWithOtherFiltersGetTheirOwnUpdateOfTheSameRevision() throws {
        // Subscribers ask one after another; each must get its own update, not the last one asked for.
        let encoder = CapacityUpdateEncoder()
        func decoded(_ update: CapacityUpdate) throws -> Fleet_V1_CapacityUpdate {
            try Fleet_V1_CapacityUpdate(serializedBytes: encoder.encode(update).bytes)
        }
        let a = Self.capacity("a", free: 1), b = Self.capacity("b", free: 2)
        #expect(try decoded(.delta(revision: 5, changed: [a], removed: [])).clusters.map(\.cluster) == ["a"])
        #expect(try decoded(.delta(revision: 5, changed: [b], removed: [])).clusters.map(\.cluster) == ["b"])
        #expect(try decoded(.delta(revision: 5, changed: [b], removed: ["a"])).removedClusters == ["a"])
        #expect(try decoded(.delta(revision: 5, changed: [a, b], removed: [])).clusters.map(\.cluster) == ["a", "b"])
        #expect(try decoded(.snapshot(revision: 5, clusters: [a, b], reset: false)).kind == .snapshot)
        #expect(try decoded(.snapshot(revision: 5, clusters: [a, b], reset: true)).reset)
        #expect(try decoded(.heartbeat(revision: 5)).kind == .heartbeat)
        #expect(try decoded(.delta(revision: 6, changed: [a], removed: [])).revision == 6)
    }

    @Test func differentUpdatesGetTheirOwnEncoding() throws {
        let encoder = CapacityUpdateEncoder(capacity: 2)
        let a = try encoder.encode(.delta(revision: 1, changed: [Self.capacity("a", free: 1)], removed: []))
        let b = try encoder.encode(.delta(revision: 2, changed: [Self.capacity("a", free: 2)], removed: []))
        let snapshot = try encoder.encode(.snapshot(revision: 2, clusters: [Self.capacity("a", free: 2)], reset: true))
        #expect(a.bytes != b.bytes && b.bytes != snapshot.bytes)
        #expect(try Fleet_V1_CapacityUpdate(serializedBytes: snapshot.bytes).reset)
        #expect(try Fleet_V1_CapacityUpdate(serializedBytes: encoder.encode(.delta(revision: 1, changed: [Self.capacity("a", free: 1)], removed: [])).bytes).revision == 1)
    }
}
