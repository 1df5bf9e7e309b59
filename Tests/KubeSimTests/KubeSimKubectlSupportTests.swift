import Foundation
import KubeBackend
@testable import KubeSim
import Testing

/// What kubectl needs beyond the REST verbs: tables, aggregated discovery, OpenAPI v3,
/// strict field validation, scale and log subresources, and dry runs that write nothing.
@Suite struct KubeSimKubectlSupportTests {
    static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
    static let discoveryAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

    let api: KubeAPI

    init() {
        api = KubeAPI(store: ObjectStore(), token: nil)
        api.bootstrap()
    }

    func send(_ method: String, _ target: String, accept: String? = nil, contentType: String = "application/json",
              body: JSONValue? = nil) -> (status: Int, headers: [(String, String)], body: JSONValue) {
        var headers = ["content-type": contentType]
        if let accept { headers["accept"] = accept }
        let response = api.handle(APIRequest(method: method, target: target, headers: headers, body: body.map(KubeJSON.serialize) ?? []))
        guard case .full(let status, let responseHeaders, let bytes) = response else { return (200, [], .null) }
        return (status, responseHeaders, (try? KubeJSON.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
    }

    static func deployment(_ name: String, replicas: Int64 = 2) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
         "spec": ["replicas": .number(JSONNumber(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                  "template": ["metadata": ["labels": ["app": .string(name)]],
                               "spec": ["containers": [["name": "main", "image": "nginx:1.27", "ports": [["containerPort": 80]]]]]]]]
    }

    @Test func humanDurationsReadAsKubectlPrintsThem() {
        #expect(HumanDuration.format(-5) == "<invalid>")
        #expect(HumanDuration.format(-0.5) == "0s")
        #expect(HumanDuration.format(59) == "59s")
        #expect(HumanDuration.format(119) == "119s")
        #expect(HumanDuration.format(185) == "3m5s")
        #expect(HumanDuration.format(600) == "10m")
        #expect(HumanDuration.format(3 * 3600 + 20 * 60) == "3h20m")
        #expect(HumanDuration.format(30 * 3600) == "30h")
        #expect(HumanDuration.format(3 * 86400 + 4 * 3600) == "3d4h")
        #expect(HumanDuration.format(400 * 86400) == "400d")
        #expect(HumanDuration.format(3 * 365 * 86400) == "3y")
    }

    @Test func tablesListPodsWithTheirColumnsAndPartialMetadata() {
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-1", "labels": ["app": "web"]],
                              "spec": ["containers": [["name": "main", "image": "nginx"]]]]
        #expect(send("POST", "/api/v1/namespaces/default/pods", body: pod).status == 201)
        let (status, headers, table) = send("GET", "/api/v1/namespaces/default/pods", accept: Self.tableAccept)
        #expect(status == 200)
        #expect(headers.contains { $0 == ("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io") })
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        let columns = (table["columnDefinitions"]?.arrayValue ?? []).filter { $0["priority"] == 0 }.compactMap { $0["name"]?.stringValue }
        #expect(columns == ["Name", "Ready", "Status", "Restarts", "Age"])
        let row = table["rows"]?.arrayValue?.first
        #expect(row?["cells"]?.arrayValue?.prefix(4) == ["web-1", "0/1", "Pending", "0"])
        #expect(row?["object"]?["kind"] == "PartialObjectMetadata")
        #expect(row?["object"]?["metadata"]?["labels"]?["app"] == "web")

        let single = send("GET", "/api/v1/namespaces/default/pods/web-1?includeObject=Object", accept: Self.tableAccept).body
        #expect(single["rows"]?[0]?["object"]?["kind"] == "Pod")
        #expect(send("GET", "/api/v1/namespaces/default/pods/web-1").body["kind"] == "Pod")
    }

    @Test func podStatusTextFollowsContainerStates() {
        let now = Date()
        let base: JSONValue = ["metadata": ["name": "p"], "spec": ["containers": [["name": "a"], ["name": "b"]]],
                               "status": ["phase": "Running"]]
        var pod = base
        pod.set(["status", "containerStatuses"], [
            ["name": "a", "ready": true, "restartCount": 1, "state": ["running": ["startedAt": "2025-01-01T00:00:00Z"]]],
            ["name": "b", "ready": false, "restartCount": 2, "state": ["waiting": ["reason": "CrashLoopBackOff"]]],
        ])
        let text = PodStatusText(pod, now: now)
        #expect(text.ready == "1/2")
        #expect(text.status == "CrashLoopBackOff")
        #expect(text.restarts == "3")
        pod.setMetadata("deletionTimestamp", "2025-01-01T00:00:00Z")
        #expect(PodStatusText(pod, now: now).status == "Terminating")
    }

    @Test func aggregatedDiscoveryListsEveryResourceWithSubresources() {
        let (status, headers, apis) = send("GET", "/apis", accept: Self.discoveryAccept)
        #expect(status == 200)
        #expect(headers.contains { $0 == ("Content-Type", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList") })
        #expect(apis["kind"] == "APIGroupDiscoveryList")
        let apps = apis["items"]?.arrayValue?.first { $0["metadata"]?["name"] == "apps" }
        let deployments = apps?["versions"]?[0]?["resources"]?.arrayValue?.first { $0["resource"] == "deployments" }
        #expect(deployments?["scope"] == "Namespaced")
        #expect(deployments?["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        #expect(deployments?["subresources"]?.arrayValue?.compactMap { $0["subresource"]?.stringValue } == ["scale", "status"])

        let core = send("GET", "/api", accept: Self.discoveryAccept).body
        let resources = core["items"]?[0]?["versions"]?[0]?["resources"]?.arrayValue?.compactMap { $0["resource"]?.stringValue } ?? []
        #expect(resources.contains("pods") && resources.contains("events"))
        // Without the aggregated media type, the legacy documents as before.
        #expect(send("GET", "/api").body["kind"] == "APIVersions")
    }

    @Test func openAPIv3IndexAndDocumentsCarryTheOfficialSchemas() {
        let index = send("GET", "/openapi/v3").body
        let url = index["paths"]?["apis/apps/v1"]?["serverRelativeURL"]?.stringValue ?? ""
        #expect(url.hasPrefix("/openapi/v3/apis/apps/v1?hash="))
        #expect(index["paths"]?["api/v1"] != nil)
        let document = send("GET", url).body
        #expect(document["openapi"] == "3.0.0")
        let schemas = document["components"]?["schemas"]
        #expect(schemas?["io.k8s.api.apps.v1.Deployment"]?["x-kubernetes-group-version-kind"] == [["group": "apps", "kind": "Deployment", "version": "v1"]])
        #expect(schemas?["io.k8s.api.core.v1.PodSpec"]?["properties"]?["containers"]?["x-kubernetes-patch-merge-key"] == "name")
        #expect(schemas?["io.k8s.api.autoscaling.v1.Scale"] != nil)
        let patch = document["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"]
        #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "apps", "kind": "Deployment", "version": "v1"])
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
        #expect(send("GET", "/openapi/v3/apis/nothing/v1").status == 404)
    }

    @Test func strictFieldValidationRefusesUnknownFields() {
        var bad = Self.deployment("web")
        bad.set(["spec", "replica"], 3)
        bad.set(["spec", "template", "spec", "containers"], [["name": "main", "image": "x", "imag": "y"]])
        let refused = send("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", body: bad)
        #expect(refused.status == 400)
        #expect(refused.body["message"] == "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.template.spec.containers[0].imag\", unknown field \"spec.replica\"")
        // Labels, annotations and quantities are maps and free-form values, not unknown fields.
        var good = Self.deployment("web")
        good.setMetadata("annotations", ["any/key": "v"])
        good.set(["spec", "template", "spec", "containers"], [["name": "main", "image": "x", "resources": ["requests": ["cpu": "1", "nvidia.com/gpu": 1]]]])
        #expect(send("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", body: good).status == 201)
        #expect(send("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Ignore", body: { var copy = bad; copy.setMetadata("name", "other"); return copy }()).status == 201)
    }

    @Test func serverSideApplyDryRunWritesNothing() throws {
        let path = "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl"
        let created = send("PATCH", path + "&dryRun=All", contentType: "application/apply-patch+yaml", body: Self.deployment("web"))
        #expect(created.status == 201)
        #expect(send("GET", "/apis/apps/v1/namespaces/default/deployments/web").status == 404)

        #expect(send("PATCH", path, contentType: "application/apply-patch+yaml", body: Self.deployment("web")).status == 201)
        let before = try api.store.get(api.store.catalog[.deployments]!, namespace: "default", name: "web")
        let dryRun = send("PATCH", path + "&dryRun=All", contentType: "application/apply-patch+yaml", body: Self.deployment("web", replicas: 5))
        #expect(dryRun.status == 200)
        #expect(dryRun.body["spec"]?["replicas"] == 5)
        let merge = send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web?dryRun=All", contentType: "application/merge-patch+json",
                         body: ["spec": ["replicas": 7]])
        #expect(merge.body["spec"]?["replicas"] == 7)
        #expect(try api.store.get(api.store.catalog[.deployments]!, namespace: "default", name: "web") == before)
    }

    @Test func scaleSubresourceReadsAndWritesReplicas() {
        #expect(send("POST", "/apis/apps/v1/namespaces/default/deployments", body: Self.deployment("web")).status == 201)
        let scale = send("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale").body
        #expect(scale["kind"] == "Scale")
        #expect(scale["spec"]?["replicas"] == 2)
        #expect(scale["status"]?["selector"] == "app=web")
        let patched = send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", contentType: "application/merge-patch+json",
                           body: ["spec": ["replicas": 4]])
        #expect(patched.status == 200)
        #expect(patched.body["spec"]?["replicas"] == 4)
        let deployment = send("GET", "/apis/apps/v1/namespaces/default/deployments/web").body
        #expect(deployment["spec"]?["replicas"] == 4)
        #expect(deployment["metadata"]?["generation"] == 2)
        #expect(send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", contentType: "application/merge-patch+json",
                     body: ["spec": ["replicas": -1]]).status == 422)
        #expect(send("GET", "/api/v1/namespaces/default/pods/x/scale").status == 404)
    }

    @Test func podLogsSayTheContainerIsSimulatedOrNotStarted() {
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "main", "image": "nginx"]]]]
        #expect(send("POST", "/api/v1/namespaces/default/pods", body: pod).status == 201)
        let waiting = send("GET", "/api/v1/namespaces/default/pods/p/log")
        #expect(waiting.status == 400)
        #expect(waiting.body["message"] == "container \"main\" in pod \"p\" is waiting to start: ContainerCreating")
        _ = try? api.store.modify(api.store.catalog[.pods]!, namespace: "default", name: "p") { old throws(APIError) in
            var running = old
            running.set(["status", "containerStatuses"], [["name": "main", "ready": true, "state": ["running": ["startedAt": "2025-01-01T00:00:00Z"]]]])
            return running
        }
        let log = send("GET", "/api/v1/namespaces/default/pods/p/log")
        #expect(log.status == 200)
        #expect(log.body.stringValue?.contains("simulated container \"main\"") == true)
        #expect(send("GET", "/api/v1/namespaces/default/pods/p/log?container=other").status == 400)
    }

    @Test func watchesWithTableAcceptStreamOneRowTables() throws {
        let response = api.handle(APIRequest(method: "GET", target: "/api/v1/namespaces/default/pods?watch=true", headers: ["accept": Self.tableAccept]))
        guard case .watch(let plan) = response else {
            Issue.record("expected a watch")
            return
        }
        let pod: JSONValue = ["kind": "Pod", "apiVersion": "v1", "metadata": ["name": "p", "resourceVersion": "7"], "spec": ["containers": [["name": "c"]]]]
        let line = try KubeJSON.parse(plan.line(for: .event(type: .added, object: pod, resourceVersion: 7)))
        #expect(line["type"] == "ADDED")
        #expect(line["object"]?["kind"] == "Table")
        #expect(line["object"]?["rows"]?[0]?["cells"]?[0] == "p")
    }
}

