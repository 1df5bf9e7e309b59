import Foundation
import KubeBackend
import KubeSim
import Testing

private let pods = "/api/v1/namespaces/default/pods"
private let quotas = "/api/v1/namespaces/default/resourcequotas"

private func quota(_ hard: JSONObject) -> JSONValue {
    ["apiVersion": "v1", "kind": "ResourceQuota", "metadata": ["name": "team-quota"], "spec": ["hard": .object(hard)]]
}

@Suite(.serialized) struct KubeSimQuotaTests {
    @Test func podsBeyondTheQuotaAreForbiddenWithTheApiserversMessage() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let (created, _) = try await session.send("POST", quotas, body: quota(["pods": "2", "requests.cpu": "1", "requests.nvidia.com/gpu": "2"]))
        #expect(created == 201)

        let (first, _) = try await session.send("POST", pods, body: podManifest("first", cpu: "500m"))
        #expect(first == 201)
        let (status, body) = try await session.send("POST", pods, body: podManifest("second", cpu: "600m"))
        #expect(status == 403)
        #expect(body["reason"] == "Forbidden")
        #expect(body["code"]?.int == 403)
        #expect(body["message"] == "pods \"second\" is forbidden: exceeded quota: team-quota, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1")
        #expect(body["details"]?["name"] == "second")
        #expect(body["details"]?["kind"] == "pods")

        let (gpuStatus, gpuBody) = try await session.send("POST", pods, body: podManifest("gpu", cpu: "100m", gpus: 3, tolerateGPU: true))
        #expect(gpuStatus == 403)
        #expect(gpuBody["message"] == "pods \"gpu\" is forbidden: exceeded quota: team-quota, requested: requests.nvidia.com/gpu=3, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=2")

        let (missing, missingBody) = try await session.send("POST", pods, body: podManifest("no-requests"))
        #expect(missing == 403)
        #expect(missingBody["message"] == "pods \"no-requests\" is forbidden: failed quota: team-quota: must specify requests.cpu for: main")

        let (second, _) = try await session.send("POST", pods, body: podManifest("second", cpu: "500m"))
        #expect(second == 201)
        let (third, thirdBody) = try await session.send("POST", pods, body: podManifest("third", cpu: "0"))
        #expect(third == 403)
        #expect(thirdBody["message"] == "pods \"third\" is forbidden: exceeded quota: team-quota, requested: pods=1, used: pods=2, limited: pods=2")
        #expect(try await session.items(pods).count == 2, "refused pods are not stored")
    }

    @Test func quotaStatusTracksHardAndUsed() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", quotas, body: quota(["pods": "10", "requests.cpu": "4", "requests.memory": "8Gi", "requests.nvidia.com/gpu": "4"]))
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "trainer"], "spec": [
            "tolerations": [["operator": "Exists"]],
            "containers": [["name": "main", "image": "model:1",
                            "resources": ["requests": ["cpu": "1500m", "memory": "2Gi"], "limits": ["nvidia.com/gpu": "2"]]]],
        ]]
        _ = try await session.send("POST", pods, body: pod)
        let used = try await session.waitFor("\(quotas)/team-quota") { $0["status"]?["used"]?["pods"] == "1" }
        #expect(used["status"]?["hard"] == ["pods": "10", "requests.cpu": "4", "requests.memory": "8Gi", "requests.nvidia.com/gpu": "4"])
        #expect(used["status"]?["used"] == ["pods": "1", "requests.cpu": "1500m", "requests.memory": "2Gi", "requests.nvidia.com/gpu": "2"])

        _ = try await session.send("DELETE", "\(pods)/trainer")
        let freed = try await session.waitFor("\(quotas)/team-quota") { $0["status"]?["used"]?["pods"] == "0" }
        #expect(freed["status"]?["used"]?["requests.nvidia.com/gpu"] == "0")
    }

    @Test func aReplicaSetShortOfQuotaReportsReplicaFailureAndRecoversWhenQuotaGrows() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", quotas, body: quota(["pods": "1"]))
        let deployment: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                                     "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]],
                                              "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "main", "image": "web:1"]]]]]]
        _ = try await session.send("POST", "/apis/apps/v1/namespaces/default/deployments", body: deployment)
        let short = try await session.waitFor("/apis/apps/v1/namespaces/default/replicasets") {
            $0["items"]?[0]?.condition("ReplicaFailure")?["status"] == "True"
        }
        let failure = short["items"]?[0]?.condition("ReplicaFailure")
        #expect(failure?["reason"] == "FailedCreate")
        #expect(failure?["message"]?.stringValue?.contains("exceeded quota: team-quota, requested: pods=1, used: pods=1, limited: pods=1") == true)
        #expect(try await session.items(pods).count == 1)

        _ = try await session.send("PATCH", "\(quotas)/team-quota", body: ["spec": ["hard": ["pods": "5"]]], contentType: "application/merge-patch+json")
        try await session.waitFor("/apis/apps/v1/namespaces/default/deployments/web") { $0["status"]?["availableReplicas"]?.int == 2 }
        let recovered = try await session.items("/apis/apps/v1/namespaces/default/replicasets")
        #expect(recovered.first?.condition("ReplicaFailure") == nil)
    }
}
