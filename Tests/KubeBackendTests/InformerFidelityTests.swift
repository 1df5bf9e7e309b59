import Foundation
import KubeBackend
import KubeSim
import Synchronization
import Testing

/// An informer on the ConfigMaps of `default` in a simulated API server over TLS, with
/// a client that makes changes beside it, and a count of the complete lists it applied.
private final class InformerHarness: Sendable {
    let server: Mutex<SimulatedAPIServer>
    let client: KubeClient
    let informer: Informer<ConfigMap>
    private let run: Task<Void, Never>
    private let watcher: Task<Void, Never>
    private let relists = SyncCounter()

    init() async throws {
        let server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned, bookmarkInterval: .milliseconds(200)))
        self.server = Mutex(server)
        client = try KubeClient(connection: ClusterConnection(
            server: server.url, tls: TLSSettings(certificateAuthorityPEM: server.certificatePEM),
            credentials: StaticCredentialProvider(Credential(bearerToken: "secret"))),
            configuration: KubeClientConfiguration(rateLimit: nil))
        informer = Informer(ConfigMap.self, client: client, namespace: "default", configuration: InformerConfiguration(
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))))
        let informer = informer
        let stream = informer.cache.events()
        let relists = relists
        watcher = Task {
            for await event in stream { if case .synced = event { relists.increment() } }
        }
        for step in 0..<20 { try await Self.write(step, client: client) }
        run = Task { await informer.run() }
    }

    /// Complete lists applied: the first one and every relist.
    var relistCount: Int { relists.value }
    var currentServer: SimulatedAPIServer { server.withLock { $0 } }

    /// One change through the API: creates, updates and deletes in turn.
    private static func write(_ step: Int, client: KubeClient) async throws(KubeClientError) {
        let name = "cm-\(step % 25)"
        switch step % 3 {
        case 0, 1:
            var map = ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"))
            map.data = ["step": String(step)]
            _ = try await client.apply(map, fieldManager: "test", force: true)
        default:
            do {
                try await client.delete(ConfigMap.self, name: name, namespace: "default")
            } catch {
                guard error.isNotFound else { throw error }
            }
        }
    }

    /// Writes `count` changes, retrying each across the moments the server is away.
    func write(count: Int, from start: Int) async throws {
        for step in start..<(start + count) {
            for attempt in 0..<50 {
                do throws(KubeClientError) {
                    try await Self.write(step, client: client)
                    break
                } catch {
                    guard error.isTransport, attempt < 49 else { throw error }
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Whether the cache holds exactly what a fresh list from the server holds.
    func cacheMatchesServer() async throws -> Bool {
        let fresh = try await client.list(ConfigMap.self, namespace: "default").items
        let cached = informer.cache.list()
        func summary(_ maps: [ConfigMap]) -> [String] {
            maps.map { "\($0.metadata.name ?? "")@\($0.metadata.resourceVersion ?? "") \($0.data ?? [:])" }
        }
        return summary(cached) == summary(fresh)
    }

    func waitUntilSynced() async throws {
        _ = try await eventually {
            guard self.relistCount >= 1 else { return false }
            return try await self.cacheMatchesServer()
        }
    }

    func stop() async {
        run.cancel()
        watcher.cancel()
        try? await currentServer.shutdown()
    }
}

private final class SyncCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

@Suite(.serialized) struct InformerFidelityTests {
    @Test func theCacheEqualsTheServerAfterAForced410() async throws {
        let harness = try await InformerHarness()
        try await harness.waitUntilSynced()
        let listsBefore = harness.relistCount

        // The open watch gets an ERROR event with 410, and so does the next one after the relist.
        harness.currentServer.faults.add(.expireWatch(resources: ["configmaps"], count: 1))
        #expect(harness.currentServer.faults.interruptWatches(.expire) == 1)
        try await harness.write(count: 30, from: 20)

        #expect(try await eventually { try await harness.cacheMatchesServer() })
        // Lists are counted from the cache's event stream, which a task consumes after the cache
        // has changed: wait for the count rather than sample it.
        #expect(try await eventually { harness.relistCount >= listsBefore + 2 }, "each 410 makes the informer relist")
        await harness.stop()
    }

    @Test func theCacheEqualsTheServerAfterADroppedWatch() async throws {
        let harness = try await InformerHarness()
        try await harness.waitUntilSynced()
        let listsBefore = harness.relistCount

        // Drop the open watch, then the next two shortly after they start, while changes go on.
        harness.currentServer.faults.add(.dropWatch(afterSeconds: 0.05, resources: ["configmaps"], count: 2))
        #expect(harness.currentServer.faults.interruptWatches(.drop) == 1)
        try await harness.write(count: 30, from: 20)

        #expect(try await eventually { try await harness.cacheMatchesServer() })
        #expect(harness.relistCount == listsBefore, "a dropped watch resumes from the last resourceVersion, with no relist")
        await harness.stop()
    }

    @Test func theCacheEqualsTheServerAfterASimulatorRestart() async throws {
        let harness = try await InformerHarness()
        try await harness.waitUntilSynced()
        let listsBefore = harness.relistCount
        let old = harness.currentServer
        let versionBefore = old.store.currentResourceVersion

        // While the server is down, the store changes underneath (as through another
        // apiserver of the cluster): the informer must notice on its own.
        let configMaps = try #require(old.store.catalog.type(group: "", version: "v1", resource: "configmaps"))
        let restarted = try await old.restart {
            try old.store.create(configMaps, namespace: "default", ["metadata": ["name": "made-while-down"], "data": ["k": "v"]])
            try old.store.delete(configMaps, namespace: "default", name: "cm-0")
        }
        harness.server.withLock { $0 = restarted }
        #expect(restarted.port == old.port)
        #expect(restarted.store === old.store, "objects survive, as in etcd")
        #expect(restarted.store.currentResourceVersion > versionBefore)
        try await harness.write(count: 30, from: 20)

        #expect(try await eventually { try await harness.cacheMatchesServer() })
        #expect(harness.informer.cache.get(name: "made-while-down", namespace: "default") != nil)
        #expect(try await eventually { harness.relistCount > listsBefore },
                "the restarted server's empty watch cache answers 410, and the informer relists")
        await harness.stop()
    }
}
