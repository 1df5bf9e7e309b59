import Protos
import RPCServer

/// The requests the benchmark sends, serialized once where they never change.
struct FleetRequests: Sendable {
    typealias Method = Fleet_V1_Fleet.Method
    static let echoPath = "/bench.v1.Bench/Echo"

    let team: String
    /// Distinguishes this run's deployments from any other run's.
    let runID: String
    let deployDryRun: [UInt8]
    let getCapacity: [UInt8]
    let listDeployments: [UInt8]
    let echo: [UInt8]
    /// Real deploy k is pinned to `clusters[k % count]`; empty lets fleetd choose.
    let clusters: [String]

    init(team: String, runID: String, echoPayloadSize: Int = 100, clusters: [String] = []) throws {
        self.team = team
        self.runID = runID
        self.clusters = clusters
        var dryRun = Self.deployRequest(team: team, name: "fleet-bench-dry-run", requestID: "fleet-bench-\(runID)-dry-run")
        dryRun.dryRun = true
        deployDryRun = try dryRun.serializedBytes()
        getCapacity = try Fleet_V1_GetCapacityRequest().serializedBytes()
        var list = Fleet_V1_ListDeploymentsRequest()
        list.team = team
        list.pageSize = 20
        listDeployments = try list.serializedBytes()
        echo = [UInt8](repeating: 0x61, count: echoPayloadSize)
    }

    /// One small SERVING replica: room for thousands of them in the simulated fleet.
    static let cpuMillis: Int64 = 100

    static func deployRequest(team: String, name: String, requestID: String) -> Fleet_V1_DeployRequest {
        var request = Fleet_V1_DeployRequest()
        request.requestId = requestID
        request.name = name
        request.team = team
        request.kind = .serving
        request.image = "registry.example/fleet-bench:1"
        request.replicas = 1
        var resources = Fleet_V1_Resources()
        resources.cpuMillis = cpuMillis
        resources.memoryBytes = 64 << 20
        request.resources = resources
        request.priority = .low
        return request
    }

    /// The real deploy number `sequence` of this run: its own name and request id.
    func realDeploy(sequence: Int) -> Fleet_V1_DeployRequest {
        var request = Self.deployRequest(team: team, name: "fb-\(runID)-\(sequence)", requestID: "fleet-bench-\(runID)-\(sequence)")
        if !clusters.isEmpty {
            var constraints = Fleet_V1_PlacementConstraints()
            constraints.clusters = [clusters[sequence % clusters.count]]
            request.constraints = constraints
        }
        return request
    }

    static func delete(id: String) -> Fleet_V1_DeleteDeploymentRequest {
        var request = Fleet_V1_DeleteDeploymentRequest()
        request.id = id
        return request
    }

    static func randomRunID() -> String {
        let alphabet = Array("0123456789abcdef")
        return String((0..<8).map { _ in alphabet.randomElement()! })
    }
}
