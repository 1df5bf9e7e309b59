import Foundation
import KubeBackend
import KubeSim
import Testing

private let pods = "/api/v1/namespaces/default/pods"

@Suite(.serialized) struct KubeSimSchedulerTests {
    @Test func boundPodsRunOnANodeWithAnIPAndReadyCondition() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let (created, _) = try await session.send("POST", pods, body: podManifest("web", cpu: "500m"))
        #expect(created == 201)
        let pod = try await session.waitFor("\(pods)/web") { $0["status"]?["phase"] == "Running" }
        let nodeName = try #require(pod["spec"]?["nodeName"]?.stringValue)
        #expect(nodeName.contains("-cpu-"), "a pod without a GPU toleration lands on a CPU node, not \(nodeName)")
        #expect(pod.condition("Ready")?["status"] == "True")
        #expect(pod.condition("PodScheduled")?["status"] == "True")
        #expect(pod["status"]?["podIP"]?.stringValue?.hasPrefix("10.") == true)
        #expect(pod["status"]?["hostIP"] != nil)
        #expect(pod["status"]?["qosClass"] == "Burstable")
    }

    @Test func gpuPodsNeedTolerationAndFreeGPUsAndGetTheSchedulersMessageOtherwise() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", pods, body: podManifest("untolerated", gpus: 1))
        let untolerated = try await session.waitFor("\(pods)/untolerated") { $0.condition("PodScheduled")?["status"] == "False" }
        #expect(untolerated["status"]?["phase"] == "Pending")
        #expect(untolerated.condition("PodScheduled")?["reason"] == "Unschedulable")
        let message = untolerated.condition("PodScheduled")?["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint {nvidia.com/gpu: present}."), "\(message)")

        _ = try await session.send("POST", pods, body: podManifest("trainer", gpus: 2, tolerateGPU: true))
        let trainer = try await session.waitFor("\(pods)/trainer") { $0["status"]?["phase"] == "Running" }
        #expect(trainer["spec"]?["nodeName"]?.stringValue?.contains("-a100-") == true)

        _ = try await session.send("POST", pods, body: podManifest("too-big", gpus: 3, tolerateGPU: true))
        let tooBig = try await session.waitFor("\(pods)/too-big") { $0.condition("PodScheduled")?["status"] == "False" }
        #expect(tooBig.condition("PodScheduled")?["message"]?.stringValue?.hasPrefix("0/4 nodes are available: 4 Insufficient nvidia.com/gpu.") == true)
    }

    @Test func aPendingPodIsBoundAsSoonAsAnotherPodFreesItsGPUs() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        for name in ["a", "b"] {
            _ = try await session.send("POST", pods, body: podManifest(name, gpus: 2, tolerateGPU: true))
            try await session.waitFor("\(pods)/\(name)") { $0["status"]?["phase"] == "Running" }
        }
        _ = try await session.send("POST", pods, body: podManifest("waiting", gpus: 2, tolerateGPU: true))
        let waiting = try await session.waitFor("\(pods)/waiting") { $0.condition("PodScheduled")?["status"] == "False" }
        #expect(waiting["spec"]?["nodeName"] == nil)
        let freed = try await session.get("\(pods)/a")["spec"]?["nodeName"]
        let (deleted, _) = try await session.send("DELETE", "\(pods)/a")
        #expect(deleted == 200)
        let bound = try await session.waitFor("\(pods)/waiting") { $0["status"]?["phase"] == "Running" }
        #expect(bound["spec"]?["nodeName"] == freed)
        #expect(bound.condition("PodScheduled")?["status"] == "True")
    }

    @Test func nodeSelectorAndRequiredNodeAffinityRestrictNodes() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", pods, body: podManifest("lab-b", nodeSelector: ["topology.kubernetes.io/zone": "lab-b"]))
        let inZone = try await session.waitFor("\(pods)/lab-b") { $0["status"]?["phase"] == "Running" }
        let node = try await session.get("/api/v1/nodes/\(inZone["spec"]?["nodeName"]?.stringValue ?? "")")
        #expect(node["metadata"]?["labels"]?["topology.kubernetes.io/zone"] == "lab-b")

        func affinity(_ operator: String, _ values: [String]) -> JSONObject {
            ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
                ["matchExpressions": [["key": "nvidia.com/gpu.product", "operator": .string(`operator`), "values": .array(values.map { .string($0) })]]],
            ]]]]]
        }
        _ = try await session.send("POST", pods, body: podManifest("h100", tolerateGPU: true, extraSpec: affinity("In", ["NVIDIA-H100-80GB-HBM3"])))
        let h100 = try await session.waitFor("\(pods)/h100") { $0.condition("PodScheduled")?["status"] == "False" }
        #expect(h100.condition("PodScheduled")?["message"]?.stringValue?.hasPrefix("0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.") == true)

        _ = try await session.send("POST", pods, body: podManifest("a100", tolerateGPU: true, extraSpec: affinity("In", ["NVIDIA-A100-SXM4-80GB"])))
        let a100 = try await session.waitFor("\(pods)/a100") { $0["status"]?["phase"] == "Running" }
        #expect(a100["spec"]?["nodeName"]?.stringValue?.contains("-a100-") == true)

        _ = try await session.send("POST", pods, body: podManifest("no-gpu-node", tolerateGPU: true, extraSpec: affinity("DoesNotExist", [])))
        let cpuOnly = try await session.waitFor("\(pods)/no-gpu-node") { $0["status"]?["phase"] == "Running" }
        #expect(cpuOnly["spec"]?["nodeName"]?.stringValue?.contains("-cpu-") == true)
    }

    @Test func cordonedNodesAndFullNodesAreSkipped() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let cpuNodes = try await session.items("/api/v1/nodes?labelSelector=kubesim.fleet.io%2Fnode-pool%3Dcpu")
        #expect(cpuNodes.count == 2)
        let cordoned = try #require(cpuNodes.first?["metadata"]?["name"]?.stringValue)
        let (patched, _) = try await session.send("PATCH", "/api/v1/nodes/\(cordoned)", body: ["spec": ["unschedulable": true]],
                                                  contentType: "application/merge-patch+json")
        #expect(patched == 200)
        // The other CPU node takes 3 pods (its pod limit); the fourth pod fits nowhere.
        for index in 0..<4 {
            _ = try await session.send("POST", pods, body: podManifest("p\(index)", cpu: "100m"))
        }
        let last = try await session.waitFor("\(pods)/p3") { $0.condition("PodScheduled")?["status"] == "False" }
        #expect(last.condition("PodScheduled")?["message"]?.stringValue?.hasPrefix(
            "0/4 nodes are available: 1 Too many pods, 1 node(s) were unschedulable, 2 node(s) had untolerated taint {nvidia.com/gpu: present}.") == true)
        for index in 0..<3 {
            let pod = try await session.get("\(pods)/p\(index)")
            #expect(pod["spec"]?["nodeName"]?.stringValue != cordoned)
            #expect(pod["status"]?["phase"] == "Running")
        }
        // Uncordoning is a node change: the pending pod is retried at once.
        _ = try await session.send("PATCH", "/api/v1/nodes/\(cordoned)", body: ["spec": ["unschedulable": false]],
                                   contentType: "application/merge-patch+json")
        let bound = try await session.waitFor("\(pods)/p3") { $0["status"]?["phase"] == "Running" }
        #expect(bound["spec"]?["nodeName"]?.stringValue == cordoned)
    }
}
