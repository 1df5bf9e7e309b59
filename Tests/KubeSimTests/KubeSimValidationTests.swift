import Foundation
import KubeBackend
import KubeSim
import Testing

/// One invalid object and the 422 message a real apiserver gives for it.
private struct InvalidCase: Sendable, CustomStringConvertible {
    let path: String
    let object: JSONValue
    let message: String
    let field: String

    var description: String { message }
}

private let lowercaseSubdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
private let lowercaseLabel = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
private let dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

private func container(_ extra: JSONObject = [:]) -> JSONValue {
    var container: JSONObject = ["name": "main", "image": "model:1"]
    for entry in extra { container[entry.key] = entry.value }
    return .object(container)
}

private func pod(_ name: String, container extra: JSONObject = [:], spec: JSONObject = [:]) -> JSONValue {
    var podSpec: JSONObject = ["containers": [container(extra)]]
    for entry in spec { podSpec[entry.key] = entry.value }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(podSpec)]
}

private func service(_ name: String, ports: JSONValue = [["port": 80]], spec: JSONObject = [:]) -> JSONValue {
    var serviceSpec: JSONObject = ["selector": ["app": "web"], "ports": ports]
    for entry in spec { serviceSpec[entry.key] = entry.value }
    return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": .object(serviceSpec)]
}

private func ingress(host: String = "model.example.com", path: JSONObject) -> JSONValue {
    var entry: JSONObject = ["backend": ["service": ["name": "web", "port": ["number": 80]]]]
    for field in path { entry[field.key] = field.value }
    return ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "web"],
            "spec": ["rules": [["host": .string(host), "http": ["paths": [.object(entry)]]]]]]
}

private let pods = "/api/v1/namespaces/default/pods"
private let services = "/api/v1/namespaces/default/services"

private let cases: [InvalidCase] = [
    InvalidCase(path: pods, object: pod("Web_1"), message: "Pod \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": \(lowercaseSubdomain)", field: "metadata.name"),
    InvalidCase(path: "/api/v1/namespaces", object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team.a"]],
                message: "Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": \(lowercaseLabel)", field: "metadata.name"),
    InvalidCase(path: services, object: service("9web"), message: "Service \"9web\" is invalid: metadata.name: Invalid value: \"9web\": \(dns1035)", field: "metadata.name"),
    InvalidCase(path: pods, object: pod("p", container: ["name": "Main"]),
                message: "Pod \"p\" is invalid: spec.containers[0].name: Invalid value: \"Main\": \(lowercaseLabel)", field: "spec.containers[0].name"),
    InvalidCase(path: pods, object: pod("p", container: ["image": ""]), message: "Pod \"p\" is invalid: spec.containers[0].image: Required value", field: "spec.containers[0].image"),
    InvalidCase(path: pods, object: pod("p", spec: ["restartPolicy": "Sometimes"]),
                message: "Pod \"p\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"", field: "spec.restartPolicy"),
    InvalidCase(path: pods, object: pod("p", container: ["imagePullPolicy": "Daily"]),
                message: "Pod \"p\" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: \"Daily\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
                field: "spec.containers[0].imagePullPolicy"),
    InvalidCase(path: pods, object: pod("p", container: ["ports": [["containerPort": 8080, "protocol": "HTTP"]]]),
                message: "Pod \"p\" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                field: "spec.containers[0].ports[0].protocol"),
    InvalidCase(path: pods, object: pod("p", container: ["ports": [["name": "http"]]]),
                message: "Pod \"p\" is invalid: spec.containers[0].ports[0].containerPort: Required value", field: "spec.containers[0].ports[0].containerPort"),
    InvalidCase(path: pods, object: pod("p", spec: ["tolerations": [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoScheduleNow"]]]),
                message: "Pod \"p\" is invalid: spec.tolerations[0].effect: Unsupported value: \"NoScheduleNow\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
                field: "spec.tolerations[0].effect"),
    InvalidCase(path: pods, object: pod("p", spec: ["tolerations": [["key": "gpu", "operator": "Maybe"]]]),
                message: "Pod \"p\" is invalid: spec.tolerations[0].operator: Unsupported value: \"Maybe\": supported values: \"Equal\", \"Exists\"",
                field: "spec.tolerations[0].operator"),
    InvalidCase(path: pods, object: pod("p", spec: ["tolerations": [["key": "gpu", "operator": "Exists", "value": "yes"]]]),
                message: "Pod \"p\" is invalid: spec.tolerations[0].operator: Invalid value: core.Toleration{Key:\"gpu\", Operator:\"Exists\", Value:\"yes\", Effect:\"\", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'",
                field: "spec.tolerations[0].operator"),
    InvalidCase(path: services, object: service("web", spec: ["type": "Public"]),
                message: "Service \"web\" is invalid: spec.type: Unsupported value: \"Public\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"", field: "spec.type"),
    InvalidCase(path: services, object: service("web", ports: [["port": 80, "protocol": "HTTP"]]),
                message: "Service \"web\" is invalid: spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"", field: "spec.ports[0].protocol"),
    InvalidCase(path: services, object: service("web", ports: [["name": "http", "port": 80], ["port": 443]]),
                message: "Service \"web\" is invalid: spec.ports[1].name: Required value", field: "spec.ports[1].name"),
    InvalidCase(path: services, object: service("web", ports: [["name": "http", "port": 80], ["name": "http", "port": 443]]),
                message: "Service \"web\" is invalid: spec.ports[1].name: Duplicate value: \"http\"", field: "spec.ports[1].name"),
    InvalidCase(path: services, object: service("web", ports: [["name": "HTTP", "port": 80]]),
                message: "Service \"web\" is invalid: spec.ports[0].name: Invalid value: \"HTTP\": \(lowercaseLabel)", field: "spec.ports[0].name"),
    InvalidCase(path: services, object: service("web", ports: [["name": "http"]]),
                message: "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive", field: "spec.ports[0].port"),
    InvalidCase(path: services, object: service("web", spec: ["sessionAffinity": "Sticky"]),
                message: "Service \"web\" is invalid: spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"", field: "spec.sessionAffinity"),
    InvalidCase(path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses", object: ingress(path: ["path": "/"]),
                message: "Ingress \"web\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
                field: "spec.rules[0].http.paths[0].pathType"),
    InvalidCase(path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses", object: ingress(path: ["path": "/", "pathType": "Regex"]),
                message: "Ingress \"web\" is invalid: spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
                field: "spec.rules[0].http.paths[0].pathType"),
    InvalidCase(path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses", object: ingress(path: ["path": "models", "pathType": "Prefix"]),
                message: "Ingress \"web\" is invalid: spec.rules[0].http.paths[0].path: Invalid value: \"models\": must be an absolute path",
                field: "spec.rules[0].http.paths[0].path"),
    InvalidCase(path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses", object: ingress(host: "Model_Host", path: ["path": "/", "pathType": "Prefix"]),
                message: "Ingress \"web\" is invalid: spec.rules[0].host: Invalid value: \"Model_Host\": \(lowercaseSubdomain)", field: "spec.rules[0].host"),
    InvalidCase(path: "/apis/apps/v1/namespaces/default/deployments", object: [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
        "spec": ["selector": ["matchLabels": ["app": "web"]], "strategy": ["type": "BlueGreen"],
                 "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [container()]]]],
    ], message: "Deployment \"web\" is invalid: spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"", field: "spec.strategy.type"),
    InvalidCase(path: "/apis/batch/v1/namespaces/default/jobs", object: [
        "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "train"],
        "spec": ["template": ["spec": ["restartPolicy": "Always", "containers": [container()]]]],
    ], message: "Job \"train\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"",
       field: "spec.template.spec.restartPolicy"),
    InvalidCase(path: "/apis/batch/v1/namespaces/default/cronjobs", object: [
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(String(repeating: "a", count: 53))],
        "spec": ["schedule": "*/5 * * * *", "jobTemplate": ["spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [container()]]]]]],
    ], message: "CronJob \"\(String(repeating: "a", count: 53))\" is invalid: metadata.name: Invalid value: \"\(String(repeating: "a", count: 53))\": must be no more than 52 characters",
       field: "metadata.name"),
    InvalidCase(path: "/api/v1/namespaces/default/configmaps", object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"], "data": ["bad key": "1"]],
                message: "ConfigMap \"settings\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                field: "data[bad key]"),
]

@Suite(.serialized) struct KubeSimValidationTests {
    @Test func invalidObjectsGet422WordedAsTheApiserverWordsThem() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        for invalid in cases {
            let (status, body) = try await session.send("POST", invalid.path, body: invalid.object)
            #expect(status == 422, "\(invalid.message)")
            #expect(body["reason"] == "Invalid")
            #expect(body["message"] == .string(invalid.message))
            #expect(body["details"]?["causes"]?[0]?["field"] == .string(invalid.field), "\(invalid.message)")
        }
    }

    @Test func aNodeTaintNeedsAKnownEffect() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let nodes = try await session.items("/api/v1/nodes")
        let node = try #require(nodes.first?["metadata"]?["name"]?.stringValue)
        let patch: JSONValue = ["spec": ["taints": [["key": "fleet.io/reservation", "value": "r1", "effect": "NoScheduling"]]]]
        let (status, body) = try await session.send("PATCH", "/api/v1/nodes/\(node)", body: patch, contentType: "application/merge-patch+json")
        #expect(status == 422)
        #expect(body["message"] == .string("Node \"\(node)\" is invalid: spec.taints[0].effect: Unsupported value: \"NoScheduling\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""))
        let missing: JSONValue = ["spec": ["taints": [["key": "fleet.io/reservation", "value": "r1"]]]]
        let (missingStatus, missingBody) = try await session.send("PATCH", "/api/v1/nodes/\(node)", body: missing, contentType: "application/merge-patch+json")
        #expect(missingStatus == 422)
        #expect(missingBody["message"] == .string("Node \"\(node)\" is invalid: spec.taints[0].effect: Required value"))
    }

    @Test func validObjectsOfEveryCheckedShapeAreAccepted() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let accepted: [(String, JSONValue)] = [
            (pods, pod("ok", container: ["imagePullPolicy": "IfNotPresent", "ports": [["containerPort": 8080, "protocol": "UDP"]]],
                       spec: ["tolerations": [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"], ["operator": "Exists"]]])),
            (services, service("ok", ports: [["name": "http", "port": 80], ["name": "grpc", "port": 9090, "protocol": "TCP"]])),
            ("/apis/networking.k8s.io/v1/namespaces/default/ingresses", ingress(host: "*.example.com", path: ["path": "/", "pathType": "ImplementationSpecific"])),
            ("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ok"], "data": ["KEY_name-1.x": "v"]]),
        ]
        for (path, object) in accepted {
            let (status, body) = try await session.send("POST", path, body: object)
            #expect(status == 201, "\(body)")
        }
    }
}
