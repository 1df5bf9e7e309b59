import ArgumentParser
import Foundation
import KubeBackend
import KubeSim

/// Writes nodes.json (a NodeList) and pods.json (a PodList) as kubesim serves them: the
/// nodes of a simulated cluster of that many nodes, and that many copies of a pod the
/// simulated cluster scheduled and started (each with its own name, uid, IP and node).
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write a NodeList and a PodList served by kubesim.")

    @Option(help: "Directory to write nodes.json and pods.json into.") var dir: String
    @Option(help: "Nodes in the NodeList.") var nodes = 5_000
    @Option(help: "Pods in the PodList.") var pods = 50_000

    func run() async throws {
        let profile = ClusterProfile(
            name: "bench", cloud: .gke, region: "us-central1",
            nodePools: [
                NodePool(name: "cpu", count: nodes * 8 / 10, cpu: "32", memory: "128Gi"),
                NodePool(name: "a100", count: nodes - nodes * 8 / 10, cpu: "96", memory: "1360Gi",
                         labels: ["cloud.google.com/gke-accelerator": "nvidia-tesla-a100"], extendedResources: ["nvidia.com/gpu": "8"],
                         taints: [PoolTaint(key: "nvidia.com/gpu", value: "present", effect: "NoSchedule")]),
            ])
        let cluster = try await SimulatedCluster.start(profile, options: .init(tls: .none))
        let template = try await scheduledPod(in: cluster)
        let nodeList = try served(cluster.server.api, "/api/v1/nodes")
        try await cluster.shutdown()

        let nodeNames = (try KubeJSON.parse(nodeList)["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
        let store = ObjectStore(historyCapacity: 16)
        let api = KubeAPI(store: store, token: nil)
        api.bootstrap()
        guard let podType = store.catalog.type(group: "", version: "v1", resource: "pods"),
              let namespaceType = store.catalog.type(group: "", version: "v1", resource: "namespaces") else { return }
        try store.create(namespaceType, namespace: nil, ["metadata": ["name": "ml-serving"]])
        for index in 0..<pods {
            try store.create(podType, namespace: "ml-serving", copy(of: template, index: index, nodes: nodeNames))
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(nodeList).write(to: URL(fileURLWithPath: dir + "/nodes.json"))
        try Data(try served(api, "/api/v1/pods")).write(to: URL(fileURLWithPath: dir + "/pods.json"))
        print("wrote \(nodeNames.count) nodes (\(nodeList.count) bytes) and \(pods) pods to \(dir)")
    }

    /// A Deployment's pod, once the simulated scheduler and kubelet have run it.
    private func scheduledPod(in cluster: SimulatedCluster) async throws -> JSONValue {
        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "llm-serving", "labels": ["app.kubernetes.io/managed-by": "fleetd", "fleet.io/team": "ml-serving"]],
            "spec": ["replicas": 1, "selector": ["matchLabels": ["fleet.io/deployment-id": "dep-7f3a"]],
                     "template": ["metadata": ["labels": ["fleet.io/deployment-id": "dep-7f3a", "app.kubernetes.io/name": "llm-serving"]],
                                  "spec": ["priorityClassName": "fleet-high", "containers": [[
                                      "name": "llm-serving", "image": "registry.example/llm:2.1", "args": ["--port", "8080"],
                                      "env": [["name": "MODEL", "value": "llama-70b"]], "ports": [["name": "http", "containerPort": 8080]],
                                      "resources": ["requests": ["cpu": "4", "memory": "16Gi"], "limits": ["memory": "16Gi"]],
                                  ]]]]],
        ]
        _ = cluster.server.api.handle(APIRequest(method: "POST", path: "/api/v1/namespaces", body: KubeJSON.serialize(
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "ml-serving"]])))
        _ = cluster.server.api.handle(APIRequest(method: "POST", path: "/apis/apps/v1/namespaces/ml-serving/deployments",
                                                 body: KubeJSON.serialize(deployment)))
        for _ in 0..<1_000 {
            let items = try KubeJSON.parse(try served(cluster.server.api, "/api/v1/namespaces/ml-serving/pods"))["items"]?.arrayValue ?? []
            if let pod = items.first, pod["status"]?["phase"] == "Running" { return pod }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ValidationError("the simulated cluster did not start the template pod")
    }

    private func copy(of template: JSONValue, index: Int, nodes: [String]) -> JSONValue {
        var text = String(decoding: KubeJSON.serialize(template), as: UTF8.self)
        let name = template["metadata"]?["name"]?.stringValue ?? ""
        let ip = template["status"]?["podIP"]?.stringValue ?? ""
        let node = template["spec"]?["nodeName"]?.stringValue ?? ""
        let suffix = String(index, radix: 36)
        text = text.replacingOccurrences(of: name, with: "\(name)-\(suffix)")
        if !ip.isEmpty { text = text.replacingOccurrences(of: "\"\(ip)\"", with: "\"10.\(64 + index / 65_536).\(index / 256 % 256).\(index % 256)\"") }
        if !node.isEmpty { text = text.replacingOccurrences(of: "\"\(node)\"", with: "\"\(nodes[index % nodes.count])\"") }
        var pod = (try? KubeJSON.parse(Array(text.utf8))) ?? template
        if case .object(var root) = pod, case .object(var metadata)? = root["metadata"] {
            for field in ["uid", "resourceVersion", "creationTimestamp"] { metadata[field] = nil }
            root["metadata"] = .object(metadata)
            pod = .object(root)
        }
        return pod
    }

    private func served(_ api: KubeAPI, _ path: String) throws -> [UInt8] {
        guard case .full(200, _, let body) = api.handle(APIRequest(method: "GET", path: path)) else {
            throw ValidationError("GET \(path) failed")
        }
        return body
    }
}
