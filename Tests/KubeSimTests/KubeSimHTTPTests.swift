import Foundation
import KubeBackend
import KubeSim
import Testing

/// Talks to a simulated API server over a real loopback TLS socket with KubeBackend's client.
private struct SimulatorSession {
    let server: SimulatedAPIServer
    let client: CurlHTTPClient

    static func start(token: String? = "secret", historyCapacity: Int = 10_000, bookmarkInterval: Duration = .seconds(5)) async throws -> SimulatorSession {
        let server = try await SimulatedAPIServer.start(.init(token: token, tls: .selfSigned, historyCapacity: historyCapacity, bookmarkInterval: bookmarkInterval))
        let client = try CurlHTTPClient(tls: TLSSettings(certificateAuthorityPEM: server.certificatePEM))
        return SimulatorSession(server: server, client: client)
    }

    func send(_ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json", token: String? = "secret") async throws -> (Int, JSONValue) {
        var headers = [HTTPHeader("Content-Type", contentType)]
        if let token { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
        let response = try await client.send(HTTPRequest(
            method: method, url: URL(string: server.url.absoluteString + path)!, headers: headers, body: body.map { KubeJSON.serialize($0) }))
        return (response.status, try KubeJSON.parse(response.body))
    }

    func stop() async throws {
        client.shutdown()
        try await server.shutdown()
    }
}

private let podBody: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-1", "labels": ["app": "web"]],
                                  "spec": ["containers": [["name": "main", "image": "nginx:1.27"]]]]

@Suite(.serialized) struct KubeSimHTTPTests {
    @Test func crudOfEveryKindOverTLS() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let podTemplate: JSONValue = ["metadata": ["labels": ["app": "x"]], "spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]
        let cases: [(String, JSONValue)] = [
            ("/api/v1/namespaces", ["metadata": ["name": "team-a"]]),
            ("/api/v1/nodes", ["metadata": ["name": "node-1"]]),
            ("/api/v1/namespaces/default/pods", podBody),
            ("/api/v1/namespaces/default/services", ["metadata": ["name": "web"], "spec": ["ports": [["port": 80]]]]),
            ("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "cfg"], "data": ["k": "v"]]),
            ("/api/v1/namespaces/default/resourcequotas", ["metadata": ["name": "quota"], "spec": ["hard": ["cpu": "4"]]]),
            ("/apis/apps/v1/namespaces/default/deployments", ["metadata": ["name": "web"], "spec": ["selector": ["matchLabels": ["app": "x"]], "template": ["metadata": ["labels": ["app": "x"]], "spec": ["containers": [["name": "c", "image": "busybox"]]]]]]),
            ("/apis/batch/v1/namespaces/default/jobs", ["metadata": ["name": "train"], "spec": ["template": podTemplate]]),
            ("/apis/batch/v1/namespaces/default/cronjobs", ["metadata": ["name": "nightly"], "spec": ["schedule": "0 3 * * *", "jobTemplate": ["spec": ["template": podTemplate]]]]),
            ("/apis/networking.k8s.io/v1/namespaces/default/ingresses", ["metadata": ["name": "web"], "spec": ["rules": [["host": "a.example.com"]]]]),
            ("/apis/scheduling.k8s.io/v1/priorityclasses", ["metadata": ["name": "fleet-high"], "value": 1000]),
            ("/apis/coordination.k8s.io/v1/namespaces/default/leases", ["metadata": ["name": "leader"], "spec": ["holderIdentity": "a"]]),
        ]
        for (collection, body) in cases {
            let name = try #require(body["metadata"]?["name"]?.stringValue)
            let (created, object) = try await session.send("POST", collection, body: body)
            #expect(created == 201, "create \(collection): \(object)")
            let (got, fetched) = try await session.send("GET", "\(collection)/\(name)")
            #expect(got == 200)
            #expect(fetched["metadata"]?["uid"] == object["metadata"]?["uid"])
            let (listed, list) = try await session.send("GET", collection)
            #expect(listed == 200)
            #expect(list["items"]?.arrayValue?.contains { $0["metadata"]?["name"]?.stringValue == name } == true)
            let (patched, patchedObject) = try await session.send("PATCH", "\(collection)/\(name)", body: ["metadata": ["labels": ["patched": "yes"]]], contentType: "application/merge-patch+json")
            #expect(patched == 200)
            #expect(patchedObject["metadata"]?["labels"]?["patched"] == "yes")
            var replacement = patchedObject
            replacement.setLabel("updated", "yes")
            let (updated, _) = try await session.send("PUT", "\(collection)/\(name)", body: replacement)
            #expect(updated == 200, "update \(collection)")
            let (deleted, _) = try await session.send("DELETE", "\(collection)/\(name)")
            #expect(deleted == 200)
            let (gone, _) = try await session.send("GET", "\(collection)/\(name)")
            #expect(gone == 404)
        }
    }

    @Test func errorsCarryTheApiserversStatusBodies() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let (unauthorized, status401) = try await session.send("GET", "/api/v1/pods", token: "wrong")
        #expect(unauthorized == 401)
        #expect(status401 == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401])

        let (notFound, status404) = try await session.send("GET", "/apis/apps/v1/namespaces/default/deployments/missing")
        #expect(notFound == 404)
        #expect(status404["message"] == "deployments.apps \"missing\" not found")
        #expect(status404["reason"] == "NotFound")
        #expect(status404["details"] == ["name": "missing", "group": "apps", "kind": "deployments"])

        let (_, created) = try await session.send("POST", "/api/v1/namespaces/default/pods", body: podBody)
        let (exists, status409) = try await session.send("POST", "/api/v1/namespaces/default/pods", body: podBody)
        #expect(exists == 409)
        #expect(status409["reason"] == "AlreadyExists")
        #expect(status409["message"] == "pods \"web-1\" already exists")

        var stale = created
        stale.setLabel("v", "2")
        _ = try await session.send("PUT", "/api/v1/namespaces/default/pods/web-1", body: stale)
        stale.setLabel("v", "3")
        let (conflict, statusConflict) = try await session.send("PUT", "/api/v1/namespaces/default/pods/web-1", body: stale)
        #expect(conflict == 409)
        #expect(statusConflict["reason"] == "Conflict")
        #expect(statusConflict["message"]?.stringValue?.hasPrefix("Operation cannot be fulfilled on pods \"web-1\": the object has been modified") == true)

        let (invalid, status422) = try await session.send("POST", "/api/v1/namespaces/default/services", body: ["metadata": ["name": "1web"], "spec": ["ports": [["port": 80]]]])
        #expect(invalid == 422)
        #expect(status422["reason"] == "Invalid")
        #expect(status422["details"]?["kind"] == "Service")
        #expect(status422["details"]?["causes"]?.arrayValue?.first?["field"] == "metadata.name")
        #expect(status422["message"]?.stringValue?.contains("a DNS-1035 label must consist of") == true)

        let (missing, statusMissing) = try await session.send("POST", "/api/v1/namespaces/default/pods", body: ["metadata": ["name": "empty"], "spec": [:]])
        #expect(missing == 422)
        #expect(statusMissing["details"]?["causes"]?.arrayValue?.first?["field"] == "spec.containers")

        let (unsupported, status415) = try await session.send("PATCH", "/api/v1/namespaces/default/pods/web-1", body: [:], contentType: "text/plain")
        #expect(unsupported == 415)
        #expect(status415["reason"] == "UnsupportedMediaType")
    }

    @Test func patchesOfEveryTypeAndServerSideApply() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let path = "/api/v1/namespaces/default/pods/web-1"
        _ = try await session.send("POST", "/api/v1/namespaces/default/pods", body: podBody)

        let (strategic, merged) = try await session.send("PATCH", path, body: ["spec": ["containers": [["name": "main", "image": "nginx:1.28"], ["name": "sidecar", "image": "envoy"]]]], contentType: "application/strategic-merge-patch+json")
        #expect(strategic == 200)
        #expect(merged["spec"]?["containers"]?.arrayValue?.compactMap { $0["image"]?.stringValue } == ["nginx:1.28", "envoy"])

        let (jsonPatched, patched) = try await session.send("PATCH", path, body: [["op": "replace", "path": "/metadata/labels/app", "value": "api"], ["op": "add", "path": "/metadata/labels/tier", "value": "back"]], contentType: "application/json-patch+json")
        #expect(jsonPatched == 200)
        #expect(patched["metadata"]?["labels"] == ["app": "api", "tier": "back"])

        let applyPath = "/apis/apps/v1/namespaces/default/deployments/svc?fieldManager=fleetd"
        let manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: svc
          labels: {app.kubernetes.io/managed-by: fleetd}
        spec:
          replicas: 2
          selector: {matchLabels: {app: svc}}
          template:
            metadata: {labels: {app: svc}}
            spec:
              containers: [{name: main, image: "model:1"}]
        """
        let response = try await session.client.send(HTTPRequest(
            method: "PATCH", url: URL(string: session.server.url.absoluteString + applyPath)!,
            headers: [HTTPHeader("Content-Type", "application/apply-patch+yaml"), HTTPHeader("Authorization", "Bearer secret")],
            body: Array(manifest.utf8)))
        #expect(response.status == 201)
        let applied = try KubeJSON.parse(response.body)
        #expect(applied["spec"]?["replicas"] == 2)
        #expect(applied["metadata"]?["managedFields"]?.arrayValue?.first?["manager"] == "fleetd")
        #expect(applied["metadata"]?["managedFields"]?.arrayValue?.first?["operation"] == "Apply")

        let again = try await session.client.send(HTTPRequest(
            method: "PATCH", url: URL(string: session.server.url.absoluteString + applyPath)!,
            headers: [HTTPHeader("Content-Type", "application/apply-patch+yaml"), HTTPHeader("Authorization", "Bearer secret")],
            body: Array(manifest.replacingOccurrences(of: "replicas: 2", with: "replicas: 3").utf8)))
        #expect(again.status == 200)
        let reapplied = try KubeJSON.parse(again.body)
        #expect(reapplied["spec"]?["replicas"] == 3)
        #expect(reapplied["metadata"]?["generation"] == 2)
    }

    @Test func watchStreamDeliversAddedModifiedDeletedInOrder() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let (_, list) = try await session.send("GET", "/api/v1/namespaces/default/pods")
        let version = try #require(list["metadata"]?["resourceVersion"]?.stringValue)
        let stream = try await session.client.stream(HTTPRequest(
            url: URL(string: session.server.url.absoluteString + "/api/v1/namespaces/default/pods?watch=1&resourceVersion=\(version)")!,
            headers: [HTTPHeader("Authorization", "Bearer secret")], timeout: nil))
        #expect(stream.head.status == 200)

        _ = try await session.send("POST", "/api/v1/namespaces/default/pods", body: podBody)
        _ = try await session.send("PATCH", "/api/v1/namespaces/default/pods/web-1", body: ["metadata": ["labels": ["x": "1"]]], contentType: "application/merge-patch+json")
        _ = try await session.send("DELETE", "/api/v1/namespaces/default/pods/web-1")

        var buffer: [UInt8] = []
        var events: [WatchEvent<Pod>] = []
        for try await chunk in stream.body {
            buffer += chunk
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                events.append(try KubeJSON.decode(WatchEvent<Pod>.self, from: buffer[..<newline]))
                buffer.removeSubrange(...newline)
            }
            if events.count >= 3 { break }
        }
        let kinds = events.map { event -> String in
            switch event {
            case .added: return "ADDED"
            case .modified: return "MODIFIED"
            case .deleted: return "DELETED"
            case .bookmark: return "BOOKMARK"
            case .error: return "ERROR"
            }
        }
        #expect(kinds == ["ADDED", "MODIFIED", "DELETED"])
        #expect(events.allSatisfy { $0.object?.metadata.name == "web-1" })
    }

    @Test func watchFromACompactedVersionSendsAnExpiredErrorEvent() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let store = session.server.store
        store.compact(through: store.currentResourceVersion)
        let response = try await session.client.send(HTTPRequest(
            url: URL(string: session.server.url.absoluteString + "/api/v1/pods?watch=true&resourceVersion=1")!,
            headers: [HTTPHeader("Authorization", "Bearer secret")]))
        #expect(response.status == 200)
        let event = try KubeJSON.decode(WatchEvent<Pod>.self, from: response.body.dropLast())
        guard case .error(let status) = event else {
            Issue.record("expected an ERROR event, got \(event)")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == "Expired")
    }

    @Test func deletingADeploymentDeletesItsPods() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let (_, deployment) = try await session.send("POST", "/apis/apps/v1/namespaces/default/deployments", body: ["metadata": ["name": "web"], "spec": ["selector": ["matchLabels": ["app": "web"]], "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]]])
        var owned = podBody
        owned.setOwner(["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": deployment["metadata"]!["uid"]!])
        _ = try await session.send("POST", "/api/v1/namespaces/default/pods", body: owned)
        let (status, _) = try await session.send("DELETE", "/apis/apps/v1/namespaces/default/deployments/web?propagationPolicy=Background")
        #expect(status == 200)
        let (_, pods) = try await session.send("GET", "/api/v1/namespaces/default/pods")
        #expect(pods["items"]?.arrayValue?.isEmpty == true)
    }

    @Test func listPaginatesWithContinueTokensUntilTheyExpire() async throws {
        let session = try await SimulatorSession.start(historyCapacity: 5)
        defer { Task { try await session.stop() } }
        for index in 0..<3 { _ = try await session.send("POST", "/api/v1/namespaces/default/configmaps", body: ["metadata": ["name": .string("cm-\(index)")]]) }
        let (_, first) = try await session.send("GET", "/api/v1/namespaces/default/configmaps?limit=2")
        #expect(first["items"]?.arrayValue?.count == 2)
        #expect(first["metadata"]?["remainingItemCount"] == 1)
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (_, second) = try await session.send("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(encoded)")
        #expect(second["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["cm-2"])
        #expect(second["metadata"]?["continue"] == nil)

        for index in 3..<10 { _ = try await session.send("POST", "/api/v1/namespaces/default/configmaps", body: ["metadata": ["name": .string("cm-\(index)")]]) }
        let (expired, status) = try await session.send("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(encoded)")
        #expect(expired == 410)
        #expect(status["reason"] == "Expired")
    }

    @Test func watchSendsBookmarksWhenAllowed() async throws {
        let session = try await SimulatorSession.start(bookmarkInterval: .milliseconds(100))
        defer { Task { try await session.stop() } }
        let stream = try await session.client.stream(HTTPRequest(
            url: URL(string: session.server.url.absoluteString + "/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=\(session.server.store.currentResourceVersion)")!,
            headers: [HTTPHeader("Authorization", "Bearer secret")], timeout: .seconds(10)))
        var buffer: [UInt8] = []
        for try await chunk in stream.body {
            buffer += chunk
            if buffer.contains(UInt8(ascii: "\n")) { break }
        }
        let line = buffer.prefix { $0 != UInt8(ascii: "\n") }
        let event = try KubeJSON.decode(WatchEvent<Pod>.self, from: line)
        guard case .bookmark(let pod) = event else {
            Issue.record("expected a BOOKMARK, got \(event)")
            return
        }
        #expect(pod.metadata.resourceVersion == String(session.server.store.currentResourceVersion))
    }

    @Test func discoveryListsGroupsAndResources() async throws {
        let session = try await SimulatorSession.start()
        defer { Task { try await session.stop() } }
        let (_, groups) = try await session.send("GET", "/apis")
        let names = groups["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(Set(names) == ["apps", "batch", "networking.k8s.io", "scheduling.k8s.io", "coordination.k8s.io"])
        let (_, core) = try await session.send("GET", "/api/v1")
        let pods = core["resources"]?.arrayValue?.first { $0["name"] == "pods" }
        #expect(pods?["namespaced"] == true)
        #expect(pods?["shortNames"] == ["po"])
        #expect(pods?["kind"] == "Pod")
        let (_, version) = try await session.send("GET", "/version")
        #expect(version["major"] == "1")
    }
}

extension JSONValue {
    mutating func setLabel(_ key: String, _ value: String) {
        guard case .object(var root) = self else { return }
        var metadata = root["metadata"]?.objectValue ?? [:]
        var labels = metadata["labels"]?.objectValue ?? [:]
        labels[key] = .string(value)
        metadata["labels"] = .object(labels)
        root["metadata"] = .object(metadata)
        self = .object(root)
    }

    mutating func setOwner(_ reference: JSONValue) {
        guard case .object(var root) = self else { return }
        var metadata = root["metadata"]?.objectValue ?? [:]
        metadata["ownerReferences"] = [reference]
        root["metadata"] = .object(metadata)
        self = .object(root)
    }
}
