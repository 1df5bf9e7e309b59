import Foundation
import KubeBackend
import KubeSim
import Synchronization
import Testing

private let configMapsPath = "/api/v1/namespaces/default/configmaps"

private func item(_ name: String, _ version: String) -> JSONValue {
    ["metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(version)], "data": ["v": .string(version)]]
}

private func listBody(_ version: String, _ items: [JSONValue]) -> JSONValue {
    ["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": .string(version)], "items": .array(items)]
}

private func event(_ type: String, _ object: JSONValue) -> JSONValue {
    ["type": .string(type), "object": object]
}

private func bookmark(_ version: String) -> JSONValue {
    event("BOOKMARK", ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["resourceVersion": .string(version)]])
}

private let expired: JSONValue = [
    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
    "message": "too old resource version: 10 (15)", "reason": "Expired", "code": 410,
]

/// Every event an informer's cache publishes, as short text: "added a", "updated b 4→15", "deleted a", "synced 10".
private final class EventRecorder: Sendable {
    private final class Log: Sendable {
        let lines = Mutex<[String]>([])
    }

    private let log = Log()

    init<Object: KubernetesObject>(_ cache: InformerCache<Object>) {
        let stream = cache.events()
        let log = self.log
        Task {
            for await event in stream {
                let text: String
                switch event {
                case .added(let object): text = "added \(object.metadata.name ?? "")"
                case .updated(let old, let new):
                    text = "updated \(new.metadata.name ?? "") \(old.metadata.resourceVersion ?? "")→\(new.metadata.resourceVersion ?? "")"
                case .deleted(let object): text = "deleted \(object.metadata.name ?? "")"
                case .synced(let version): text = "synced \(version)"
                }
                log.lines.withLock { $0.append(text) }
            }
        }
    }

    var events: [String] { log.lines.withLock { $0 } }

    /// Waits (in real time, for the server's answers) until `count` events are in.
    func waitFor(_ count: Int) async throws -> [String] {
        _ = try await eventually { self.events.count >= count }
        return events
    }
}

private struct ScriptedInformer {
    let server: LocalHTTPServer
    let clock = VirtualKubeClock()
    let informer: Informer<ConfigMap>
    let run: Task<Void, Never>
    let recorder: EventRecorder

    /// The client does no retries of its own here, so that what is checked is the informer's.
    init(server: LocalHTTPServer) throws {
        self.server = server
        let client = try KubeClient(connection: ClusterConnection(server: server.baseURL),
                                    configuration: KubeClientConfiguration(rateLimit: nil, retry: .none, clock: clock))
        informer = Informer(ConfigMap.self, client: client, namespace: "default", configuration: InformerConfiguration(
            backoff: Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0.5, random: { 0 })))
        recorder = EventRecorder(informer.cache)
        let informer = informer
        run = Task { await informer.run() }
    }

    func requests() async throws -> [String] {
        try await server.receivedRequests().map { request in
            request.query["watch"] == "true"
                ? "watch rv=\(request.query["resourceVersion"] ?? "") bookmarks=\(request.query["allowWatchBookmarks"] ?? "")"
                : "list"
        }
    }

    func stop() {
        run.cancel()
    }
}

@Suite(.serialized) struct InformerTests {
    @Test func relistsOnAnExpiredErrorEventAndSynthesizesDeletions() async throws {
        let server = try LocalHTTPServer()
        try await server.script("GET", configMapsPath,
            .reply(200, listBody("10", [item("a", "3"), item("b", "4")])),
            .reply(200, listBody("20", [item("b", "15"), item("c", "18")])))
        try await server.script("GET", configMapsPath, watch: true,
            .stream([event("ERROR", expired)], end: .finish))
        let informer = try ScriptedInformer(server: server)
        defer { informer.stop() }

        let events = try await informer.recorder.waitFor(7)
        #expect(events == ["added a", "added b", "synced 10", "deleted a", "updated b 4→15", "added c", "synced 20"])
        #expect(informer.informer.cache.keys == [NamespacedName(namespace: "default", name: "b"), NamespacedName(namespace: "default", name: "c")])
        #expect(informer.informer.cache.get(name: "b", namespace: "default")?.data == ["v": "15"])
        _ = try await eventually { try await informer.requests().count >= 4 }
        #expect(try await informer.requests() == ["list", "watch rv=10 bookmarks=true", "list", "watch rv=20 bookmarks=true"])
        #expect(informer.clock.sleeps.isEmpty, "a relist on 410 happens at once")
    }

    @Test func relistsOnAnExpiredHTTPStatus() async throws {
        let server = try LocalHTTPServer()
        try await server.script("GET", configMapsPath,
            .reply(200, listBody("10", [item("a", "3")])), .reply(200, listBody("30", [item("a", "3")])))
        try await server.script("GET", configMapsPath, watch: true, .reply(410, expired))
        let informer = try ScriptedInformer(server: server)
        defer { informer.stop() }

        #expect(try await informer.recorder.waitFor(3) == ["added a", "synced 10", "synced 30"])
        _ = try await eventually { try await informer.requests().count >= 4 }
        #expect(try await informer.requests() == ["list", "watch rv=10 bookmarks=true", "list", "watch rv=30 bookmarks=true"])
        #expect(informer.informer.cache.resourceVersion == "30")
    }

    @Test func aDroppedWatchResumesFromTheLastResourceVersionSeen() async throws {
        let server = try LocalHTTPServer()
        try await server.script("GET", configMapsPath, .reply(200, listBody("10", [item("a", "3")])))
        try await server.script("GET", configMapsPath, watch: true,
            .stream([event("ADDED", item("b", "11")), bookmark("15")], end: .drop),
            .stream([event("MODIFIED", item("a", "16")), event("DELETED", item("b", "17"))], end: .hang))
        let informer = try ScriptedInformer(server: server)
        defer { informer.stop() }

        #expect(try await informer.recorder.waitFor(5) == ["added a", "synced 10", "added b", "updated a 3→16", "deleted b"])
        // No relist: the second watch starts from the bookmark's resourceVersion.
        #expect(try await informer.requests() == ["list", "watch rv=10 bookmarks=true", "watch rv=15 bookmarks=true"])
        #expect(informer.informer.cache.resourceVersion == "17")
        #expect(informer.clock.sleeps.isEmpty)
    }

    @Test func backsOffExponentiallyOnErrorsAndWaitsOutRetryAfter() async throws {
        let server = try LocalHTTPServer()
        let failure: JSONValue = ["kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "etcd", "reason": "InternalError", "code": 500]
        let throttled: JSONValue = ["kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "slow down", "reason": "TooManyRequests", "code": 429]
        try await server.script("GET", configMapsPath,
            .reply(500, failure), .reply(500, failure), .reply(200, listBody("10", [item("a", "3")])))
        try await server.script("GET", configMapsPath, watch: true, .reply(429, throttled, headers: ["Retry-After": "7"]))
        let informer = try ScriptedInformer(server: server)
        defer { informer.stop() }

        #expect(try await informer.recorder.waitFor(2) == ["added a", "synced 10"])
        _ = try await eventually { try await informer.requests().count >= 5 }
        #expect(try await informer.requests() == ["list", "list", "list", "watch rv=10 bookmarks=true", "watch rv=10 bookmarks=true"])
        #expect(informer.clock.sleeps == [.seconds(1), .seconds(2), .seconds(7)])
    }

    @Test func aSubscriberJoiningLateGetsTheCacheThenLiveEvents() async throws {
        let server = try LocalHTTPServer()
        try await server.script("GET", configMapsPath, .reply(200, listBody("10", [item("a", "3"), item("b", "4")])))
        let informer = try ScriptedInformer(server: server)
        defer { informer.stop() }
        _ = try await informer.recorder.waitFor(3)
        let late = EventRecorder(informer.informer.cache)
        #expect(try await late.waitFor(3) == ["added a", "added b", "synced 10"])
    }

    @Test func theCacheFollowsASimulatedClusterThroughEveryChange() async throws {
        let server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned, bookmarkInterval: .milliseconds(200)))
        defer { Task { try await server.shutdown() } }
        let client = try KubeClient(connection: ClusterConnection(
            server: server.url, tls: TLSSettings(certificateAuthorityPEM: server.certificatePEM),
            credentials: StaticCredentialProvider(Credential(bearerToken: "secret"))))
        for name in ["a", "b", "c"] { _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name), data: ["v": "1"])) }
        _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "elsewhere")), namespace: "kube-system")

        let informer = Informer(ConfigMap.self, client: client, namespace: "default")
        let recorder = EventRecorder(informer.cache)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        let initial = try await recorder.waitFor(4)
        #expect(initial.prefix(3) == ["added a", "added b", "added c"])
        #expect(initial.last?.hasPrefix("synced ") == true)

        var b = try await client.get(ConfigMap.self, name: "b")
        b.data = ["v": "2"]
        _ = try await client.update(b)
        try await client.delete(ConfigMap.self, name: "c")
        _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "d")))

        func matchesServer() async throws -> Bool {
            let onServer = try await client.list(ConfigMap.self, namespace: "default").items
            let cached = informer.cache.list()
            return cached.map(\.metadata.name) == onServer.map(\.metadata.name)
                && cached.map(\.metadata.resourceVersion) == onServer.map(\.metadata.resourceVersion)
        }
        #expect(try await eventually { try await matchesServer() })
        #expect(informer.cache.get(name: "b", namespace: "default")?.data == ["v": "2"])
        #expect(informer.cache.get(name: "c", namespace: "default") == nil)
        // The recorder reads its own event stream, which may trail the cache a little.
        let all = try await recorder.waitFor(7)
        #expect(Array(all.dropFirst(4).prefix(3)).map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
                == ["updated b", "deleted c", "added d"])
    }
}
