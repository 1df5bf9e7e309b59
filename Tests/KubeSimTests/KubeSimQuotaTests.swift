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

    @Test func limitsAreCountedAndRequiredOnEveryContainer() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", quotas, body: quota(["limits.cpu": "1", "limits.memory": "1Gi"]))

        let (missing, missingBody) = try await session.send("POST", pods, body: podManifest("bare", cpu: "100m"))
        #expect(missing == 403)
        #expect(missingBody["message"] == "pods \"bare\" is forbidden: failed quota: team-quota: must specify limits.cpu for: main; limits.memory for: main")

        let (first, _) = try await session.send("POST", pods, body: limitedPod("first", cpu: "600m", memory: "512Mi"))
        #expect(first == 201)
        let (second, secondBody) = try await session.send("POST", pods, body: limitedPod("second", cpu: "600m", memory: "768Mi"))
        #expect(second == 403)
        #expect(secondBody["message"] == "pods \"second\" is forbidden: exceeded quota: team-quota, requested: limits.cpu=600m,limits.memory=768Mi, used: limits.cpu=600m,limits.memory=512Mi, limited: limits.cpu=1,limits.memory=1Gi")
        let used = try await session.waitFor("\(quotas)/team-quota") { $0["status"]?["used"]?["limits.cpu"] == "600m" }
        #expect(used["status"]?["used"] == ["limits.cpu": "600m", "limits.memory": "512Mi"])
    }

    @Test func extendedResourcesAreQuotaedOnlyAsRequests() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        // The apiserver accepts limits.nvidia.com/gpu in a quota but never counts it.
        _ = try await session.send("POST", quotas, body: quota(["limits.nvidia.com/gpu": "1", "requests.nvidia.com/gpu": "4"]))
        let (created, _) = try await session.send("POST", pods, body: podManifest("trainer", cpu: "1", gpus: 2, tolerateGPU: true))
        #expect(created == 201)
        let status = try await session.waitFor("\(quotas)/team-quota") { $0["status"]?["used"]?["requests.nvidia.com/gpu"] == "2" }
        #expect(status["status"]?["used"] == ["requests.nvidia.com/gpu": "2"])
    }

    @Test func objectCountsAreLimitedPerKindWithTheApiserversMessage() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", quotas, body: quota([
            "count/deployments.apps": "1", "count/jobs.batch": "1", "services": "1", "services.loadbalancers": "0", "configmaps": "1",
        ]))
        let deployments = "/apis/apps/v1/namespaces/default/deployments", jobs = "/apis/batch/v1/namespaces/default/jobs"
        let services = "/api/v1/namespaces/default/services", configMaps = "/api/v1/namespaces/default/configmaps"

        let cases: [(path: String, make: (String) -> JSONValue, message: String)] = [
            (deployments, deployment, "deployments.apps \"b\" is forbidden: exceeded quota: team-quota, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1"),
            (jobs, job, "jobs.batch \"b\" is forbidden: exceeded quota: team-quota, requested: count/jobs.batch=1, used: count/jobs.batch=1, limited: count/jobs.batch=1"),
            (configMaps, configMap, "configmaps \"b\" is forbidden: exceeded quota: team-quota, requested: configmaps=1, used: configmaps=1, limited: configmaps=1"),
            (services, { service($0) }, "services \"b\" is forbidden: exceeded quota: team-quota, requested: services=1, used: services=1, limited: services=1"),
        ]
        for (path, make, message) in cases {
            let (first, firstBody) = try await session.send("POST", path, body: make("a"))
            #expect(first == 201, "\(firstBody)")
            let (second, secondBody) = try await session.send("POST", path, body: make("b"))
            #expect(second == 403)
            #expect(secondBody["message"] == .string(message))
            #expect(secondBody["reason"] == "Forbidden")
        }
        _ = try await session.send("DELETE", "\(services)/a")
        let (balancer, balancerBody) = try await session.send("POST", services, body: service("lb", type: "LoadBalancer"))
        #expect(balancer == 403)
        #expect(balancerBody["message"] == "services \"lb\" is forbidden: exceeded quota: team-quota, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0")

        let status = try await session.waitFor("\(quotas)/team-quota") { $0["status"]?["used"]?["services"] == "0" }
        #expect(status["status"]?["used"] == [
            "configmaps": "1", "count/deployments.apps": "1", "count/jobs.batch": "1", "services": "0", "services.loadbalancers": "0",
        ])
    }
}

private func limitedPod(_ name: String, cpu: String, memory: String) -> JSONValue {
    ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": [
        "containers": [["name": "main", "image": "model:1", "resources": ["limits": ["cpu": .string(cpu), "memory": .string(memory)]]]],
    ]]
}

private func deployment(_ name: String) -> JSONValue {
    ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
     "spec": ["replicas": 0, "selector": ["matchLabels": ["app": .string(name)]],
              "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "main", "image": "web:1"]]]]]]
}

private func job(_ name: String) -> JSONValue {
    ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
     "spec": ["suspend": true, "template": ["spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "train:1"]]]]]]
}

private func configMap(_ name: String) -> JSONValue {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["k": "v"]]
}

private func service(_ name: String, type: String = "ClusterIP") -> JSONValue {
    ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
     "spec": ["type": .string(type), "selector": ["app": .string(name)], "ports": [["port": 80]]]]
}
