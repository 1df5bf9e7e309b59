import Foundation
import KubeBackend
import KubeSim
import Synchronization
import Testing

/// A KubeClient against an in-process simulated API server over a real TLS socket.
private struct SimulatedCluster {
    let server: SimulatedAPIServer
    let client: KubeClient

    static func start(credentials: any CredentialProvider = StaticCredentialProvider(Credential(bearerToken: "secret")),
                      bookmarkInterval: Duration = .seconds(5)) async throws -> SimulatedCluster {
        let server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned, bookmarkInterval: bookmarkInterval))
        let connection = ClusterConnection(
            server: server.url, namespace: "default", tls: TLSSettings(certificateAuthorityPEM: server.certificatePEM),
            credentials: credentials)
        return SimulatedCluster(server: server, client: try KubeClient(connection: connection))
    }

    func stop() async throws {
        try await server.shutdown()
    }
}

private func configMap(_ name: String, labels: [String: String]? = nil, data: [String: String] = ["k": "v"]) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, labels: labels), data: data)
}

private func pod(_ name: String, image: String = "nginx:1.27") -> Pod {
    Pod(metadata: ObjectMeta(name: name, labels: ["app": "web"]), spec: PodSpec(containers: [Container(name: "main", image: image)]))
}

private func deployment(_ name: String) -> Deployment {
    let labels = ["app": name]
    return Deployment(metadata: ObjectMeta(name: name), spec: DeploymentSpec(
        replicas: 1, selector: LabelSelector(matchLabels: labels),
        template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))))
}

/// Runs `body` and answers the KubeClientError it throws (failing the test if it throws none or another).
private func kubeError(_ body: () async throws -> Void) async -> KubeClientError? {
    do {
        try await body()
        Issue.record("expected a KubeClientError")
        return nil
    } catch let error as KubeClientError {
        return error
    } catch {
        Issue.record("expected a KubeClientError, got \(error)")
        return nil
    }
}

/// Fails on purpose the first time: a stale token that the server rejects, then a fresh one.
private final class RotatingCredentials: CredentialProvider {
    private let state = Mutex((token: "expired", invalidations: 0))

    func credential() async throws -> Credential {
        Credential(bearerToken: state.withLock { $0.token })
    }

    func invalidate(_ credential: Credential) async {
        state.withLock { state in
            state.invalidations += 1
            state.token = "secret"
        }
    }

    var invalidations: Int { state.withLock { $0.invalidations } }
}

@Suite(.serialized) struct KubeClientTests {
    @Test func createGetUpdateAndConflict() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client

        let created = try await client.create(configMap("settings", labels: ["team": "a"]))
        #expect(created.metadata.namespace == "default")
        #expect(created.metadata.uid != nil)
        let firstVersion = try #require(created.metadata.resourceVersion)

        var fetched = try await client.get(ConfigMap.self, name: "settings")
        #expect(fetched.data == ["k": "v"])
        #expect(fetched.metadata.uid == created.metadata.uid)

        fetched.data = ["k": "v2"]
        let updated = try await client.update(fetched)
        #expect(updated.data == ["k": "v2"])
        #expect(updated.metadata.resourceVersion != firstVersion)

        // The same stale copy again: the server refuses it, as its own error case.
        var stale = fetched
        stale.data = ["k": "v3"]
        let conflict = await kubeError { _ = try await client.update(stale) }
        guard case .conflict(let status)? = conflict else {
            Issue.record("expected .conflict, got \(String(describing: conflict))")
            return
        }
        #expect(status.code == 409)
        #expect(status.reason == "Conflict")
        #expect(status.message.contains("the object has been modified"))
        #expect(try await client.get(ConfigMap.self, name: "settings").data == ["k": "v2"])

        // Cluster-scoped kinds have no namespace in their path.
        let namespace = try await client.create(Namespace(metadata: ObjectMeta(name: "team-a")))
        #expect(namespace.metadata.namespace == nil)
        #expect(try await client.get(Namespace.self, name: "team-a").metadata.uid == namespace.metadata.uid)
    }

    @Test func apiErrorsAreTypedWithTheServersStatus() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client

        let missing = await kubeError { _ = try await client.get(Deployment.self, name: "missing") }
        #expect(missing?.isNotFound == true)
        #expect(missing?.isTransport == false)
        #expect(missing?.statusError?.message == "deployments.apps \"missing\" not found")
        #expect(missing?.statusError?.details?.name == "missing")
        #expect(missing?.statusError?.details?.group == "apps")

        _ = try await client.create(pod("web-1"))
        let duplicate = await kubeError { _ = try await client.create(pod("web-1")) }
        #expect(duplicate?.isAlreadyExists == true)
        #expect(duplicate?.isConflict == false)
        #expect(duplicate?.code == 409)

        let invalid = await kubeError { _ = try await client.create(Service(metadata: ObjectMeta(name: "1web"))) }
        #expect(invalid?.isInvalid == true)
        #expect(invalid?.statusError?.causes.first?.field == "metadata.name")
        #expect(invalid?.statusError?.details?.kind == "Service")

        let badName = await kubeError { _ = try await client.get(Pod.self, name: "a/b") }
        guard case .invalidRequest? = badName else {
            Issue.record("a name with a slash must not reach the server: \(String(describing: badName))")
            return
        }
    }

    @Test func aRejectedCredentialIsRefreshedOnceAndTheRequestRepeated() async throws {
        let credentials = RotatingCredentials()
        let cluster = try await SimulatedCluster.start(credentials: credentials)
        defer { Task { try await cluster.stop() } }
        let namespaces = try await cluster.client.list(Namespace.self)
        #expect(namespaces.items.contains { $0.metadata.name == "default" })
        #expect(credentials.invalidations == 1)

        let wrong = try KubeClient(connection: ClusterConnection(
            server: cluster.server.url, tls: TLSSettings(certificateAuthorityPEM: cluster.server.certificatePEM),
            credentials: StaticCredentialProvider(Credential(bearerToken: "wrong"))))
        let unauthorized = await kubeError { _ = try await wrong.list(Namespace.self) }
        #expect(unauthorized?.isUnauthorized == true)
    }

    @Test func listsBySelectorsAndPages() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client
        for index in 0..<7 {
            let tier = index % 2 == 0 ? "front" : "back"
            _ = try await client.create(configMap("cm-\(index)", labels: ["app": "web", "tier": tier, "canary": index == 6 ? "yes" : "no"]))
        }
        _ = try await client.create(configMap("other", labels: ["app": "db"]), namespace: "kube-system")

        let front = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: "app=web,tier in (front),canary!=yes"))
        #expect(front.items.compactMap(\.metadata.name) == ["cm-0", "cm-2", "cm-4"])

        let byName = try await client.list(ConfigMap.self, options: ListOptions(fieldSelector: "metadata.name=other"))
        #expect(byName.items.map(\.metadata.namespace) == ["kube-system"])

        let everywhere = try await client.list(ConfigMap.self)
        #expect(everywhere.items.count == 8)

        let firstPage = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(limit: 3))
        #expect(firstPage.items.count == 3)
        let token = try #require(firstPage.metadata.continueToken)
        let secondPage = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(limit: 3, continueToken: token))
        #expect(Set(secondPage.items.compactMap(\.metadata.name)).isDisjoint(with: firstPage.items.compactMap(\.metadata.name)))

        let all = try await client.listAll(ConfigMap.self, namespace: "default", pageSize: 2)
        #expect(all.items.compactMap(\.metadata.name).sorted() == (0..<7).map { "cm-\($0)" })
        #expect(all.metadata.continueToken == nil)
        #expect(all.metadata.resourceVersion != nil)
    }

    @Test func deleteHonoursPropagationAndPreconditions() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client

        func ownedPod(_ name: String, by owner: Deployment) -> Pod {
            var owned = pod(name)
            owned.metadata.ownerReferences = [OwnerReference(
                apiVersion: "apps/v1", kind: "Deployment", name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true)]
            return owned
        }
        let kept = try await client.create(deployment("kept"))
        _ = try await client.create(ownedPod("kept-pod", by: kept))
        let removed = try await client.create(deployment("removed"))
        _ = try await client.create(ownedPod("removed-pod", by: removed))

        let orphaning = try await client.delete(Deployment.self, name: "kept", options: DeleteOptions(propagationPolicy: .orphan))
        #expect(orphaning == nil)
        let orphan = try await client.get(Pod.self, name: "kept-pod")
        #expect(orphan.metadata.ownerReferences == nil)

        try await client.delete(Deployment.self, name: "removed", options: DeleteOptions(propagationPolicy: .background))
        let gone = await kubeError { _ = try await client.get(Pod.self, name: "removed-pod") }
        #expect(gone?.isNotFound == true)

        // A precondition that no longer holds is a conflict, and nothing is deleted.
        let stale = await kubeError {
            try await client.delete(Pod.self, name: "kept-pod", options: DeleteOptions(preconditionResourceVersion: "1"))
        }
        #expect(stale?.isConflict == true)
        // Pods answer with the object being deleted.
        let deletedPod = try await client.delete(Pod.self, name: "kept-pod")
        #expect(deletedPod?.metadata.name == "kept-pod")
        let again = await kubeError { try await client.delete(Pod.self, name: "kept-pod") }
        #expect(again?.isNotFound == true)
    }

    @Test func patchesOfEachType() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client
        _ = try await client.create(pod("web-1"))

        let merged = try await client.patch(Pod.self, name: "web-1", patch: .merge(["metadata": ["labels": ["tier": "front", "app": nil]]]))
        #expect(merged.metadata.labels == ["tier": "front"])

        let strategic = try await client.patch(Pod.self, name: "web-1", patch: .strategicMerge(
            ["spec": ["containers": [["name": "sidecar", "image": "envoy"]]]]))
        #expect(strategic.spec?.containers.map(\.name) == ["main", "sidecar"])

        let jsonPatched = try await client.patch(Pod.self, name: "web-1", patch: .json(
            [["op": "replace", "path": "/spec/containers/0/image", "value": "nginx:1.28"]]))
        #expect(jsonPatched.spec?.containers.first?.image == "nginx:1.28")

        let failing = await kubeError {
            _ = try await client.patch(Pod.self, name: "web-1", patch: .json([["op": "test", "path": "/metadata/name", "value": "other"]]))
        }
        #expect(failing?.isInvalid == true)
    }

    @Test func serverSideApplyCreatesThenUpdatesAndRecordsTheManager() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client

        var desired = deployment("model-a")
        desired.metadata.labels = ["app.kubernetes.io/managed-by": "fleetd"]
        desired.apiVersion = nil
        desired.kind = nil
        let created = try await client.apply(desired, fieldManager: "fleetd")
        #expect(created.metadata.uid != nil)
        #expect(created.spec?.replicas == 1)
        let managers = created.metadata.managedFields?.arrayValue?.compactMap { $0["manager"]?.stringValue }
        #expect(managers == ["fleetd"])

        desired.spec?.replicas = 3
        let updated = try await client.apply(desired, fieldManager: "fleetd", force: true)
        #expect(updated.metadata.uid == created.metadata.uid)
        #expect(updated.spec?.replicas == 3)

    }

    @Test func applyDiscardingResultWritesTheObjectAndStillThrowsTheServersError() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let client = cluster.client

        var desired = deployment("model-b")
        desired.spec?.replicas = 2
        try await client.applyDiscardingResult(desired, fieldManager: "fleetd", force: true)
        let stored = try await client.get(Deployment.self, name: "model-b", namespace: "default")
        #expect(stored.spec?.replicas == 2)

        let invalid = await kubeError {
            try await client.applyDiscardingResult(deployment("Not_A_DNS_Name"), fieldManager: "fleetd", force: true)
        }
        #expect(invalid?.isInvalid == true)
    }

    @Test func watchesFromAListsResourceVersionWithBookmarks() async throws {
        let cluster = try await SimulatedCluster.start(bookmarkInterval: .milliseconds(100))
        defer { Task { try await cluster.stop() } }
        let client = cluster.client
        _ = try await client.create(configMap("before"))
        let list = try await client.list(ConfigMap.self, namespace: "default")
        let version = try #require(list.metadata.resourceVersion)

        let stream = try await client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: version))
        var iterator = stream.makeAsyncIterator()
        _ = try await client.create(configMap("after"))
        var seen: [String] = []
        var bookmarks = 0
        while seen.count < 1 || bookmarks < 1 {
            switch try await iterator.next() {
            case .added(let object)?: seen.append(object.metadata.name ?? "")
            case .bookmark(let object)?:
                bookmarks += 1
                #expect(object.metadata.resourceVersion != nil)
            case let other?: Issue.record("unexpected \(other)")
            case nil: Issue.record("the watch ended"); return
            }
        }
        // Only what came after the list's resourceVersion.
        #expect(seen == ["after"])
    }

    @Test func aWatchFromAnExpiredResourceVersionGetsAnErrorEvent() async throws {
        let cluster = try await SimulatedCluster.start()
        defer { Task { try await cluster.stop() } }
        let stream = try await cluster.client.watch(ConfigMap.self, options: WatchOptions(resourceVersion: "1"))
        var iterator = stream.makeAsyncIterator()
        guard case .error(let status)? = try await iterator.next() else {
            Issue.record("expected an ERROR event")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == "Expired")
    }

    @Test func aDeadlineEndsASlowCallAndCancellationAbortsIt() async throws {
        let server = try LocalHTTPServer()
        let client = try KubeClient(connection: ClusterConnection(server: server.baseURL), configuration: KubeClientConfiguration(retry: .none))
        // Nothing is scripted for this path, so the server never answers.
        let started = ContinuousClock.now
        let timedOut = await kubeError { _ = try await client.get(ConfigMap.self, name: "slow", timeout: .milliseconds(300)) }
        #expect(timedOut?.isTimeout == true)
        #expect(timedOut?.isTransport == true)
        #expect(ContinuousClock.now - started < .seconds(5))

        let call = Task { try await client.get(ConfigMap.self, name: "slow", timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(200))
        call.cancel()
        let cancelledAt = ContinuousClock.now
        let cancelled = await kubeError { _ = try await call.value }
        #expect(cancelled?.isCancelled == true)
        #expect(ContinuousClock.now - cancelledAt < .seconds(10), "ended by the cancellation, not by the 60 s timeout")
    }
}
