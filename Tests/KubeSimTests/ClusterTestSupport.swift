import Foundation
import KubeBackend
import KubeSim
import Testing

/// Four nodes: two CPU nodes (4 cpu, 8Gi, at most 3 pods) and two A100 nodes
/// (16 cpu, 64Gi, 2 GPUs each, tainted nvidia.com/gpu=present:NoSchedule).
let smallGPUProfile = ClusterProfile(
    name: "test-cluster", cloud: .onprem, region: "lab", zones: ["lab-a", "lab-b"],
    nodePools: [
        NodePool(name: "cpu", count: 2, cpu: "4", memory: "8Gi", pods: 3),
        NodePool(name: "a100", count: 2, cpu: "16", memory: "64Gi",
                 labels: ["nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB"], extendedResources: ["nvidia.com/gpu": "2"],
                 taints: [PoolTaint(key: "nvidia.com/gpu", value: "present", effect: "NoSchedule")]),
    ],
    jobRunSeconds: 60)

/// A simulated cluster behind a real TLS socket, talked to with KubeBackend's libcurl client.
struct ClusterSession {
    let cluster: SimulatedCluster
    let client: CurlHTTPClient
    static let token = "cluster-secret"

    static func start(_ profile: ClusterProfile = smallGPUProfile, clock: SimulationClock = .manual()) async throws -> ClusterSession {
        let cluster = try await SimulatedCluster.start(profile, options: .init(token: token, tls: .selfSigned, clock: clock))
        let client = try CurlHTTPClient(tls: TLSSettings(certificateAuthorityPEM: cluster.certificatePEM))
        return ClusterSession(cluster: cluster, client: client)
    }

    func request(_ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json") async throws -> HTTPResponse {
        let headers = [HTTPHeader("Content-Type", contentType), HTTPHeader("Authorization", "Bearer \(Self.token)")]
        return try await client.send(HTTPRequest(
            method: method, url: URL(string: cluster.url.absoluteString + path)!, headers: headers, body: body.map { KubeJSON.serialize($0) }))
    }

    func send(_ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json") async throws -> (Int, JSONValue) {
        let response = try await request(method, path, body: body, contentType: contentType)
        return (response.status, try KubeJSON.parse(response.body))
    }

    func get(_ path: String) async throws -> JSONValue {
        let (status, object) = try await send("GET", path)
        #expect(status == 200, "GET \(path): \(object)")
        return object
    }

    func items(_ path: String) async throws -> [JSONValue] {
        try await get(path)["items"]?.arrayValue ?? []
    }

    /// Polls `path` until `condition` holds for it; fails the test after `timeout`.
    @discardableResult
    func waitFor(_ path: String, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var last: JSONValue = .null
        while ContinuousClock.now < deadline {
            last = try await send("GET", path).1
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting on \(path); last: \(last)", sourceLocation: sourceLocation)
        return last
    }

    func stop() async throws {
        client.shutdown()
        try await cluster.shutdown()
    }
}

func podManifest(_ name: String, cpu: String? = nil, gpus: Int? = nil, tolerateGPU: Bool = false,
                 nodeSelector: [String: String] = [:], extraSpec: JSONObject = [:]) -> JSONValue {
    var requests = JSONObject(), limits = JSONObject()
    if let cpu { requests["cpu"] = .string(cpu) }
    if let gpus { limits["nvidia.com/gpu"] = .string(String(gpus)) }
    var spec: JSONObject = ["containers": [["name": "main", "image": "model:1", "resources": ["requests": .object(requests), "limits": .object(limits)]]]]
    if tolerateGPU { spec["tolerations"] = [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"]] }
    if !nodeSelector.isEmpty { spec["nodeSelector"] = .object(JSONObject(nodeSelector.map { JSONObject.Entry(key: $0.key, value: .string($0.value)) })) }
    for entry in extraSpec { spec[entry.key] = entry.value }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
}

extension JSONValue {
    func condition(_ type: String) -> JSONValue? {
        self["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    var int: Int64? { numberValue?.int64Value }
}
