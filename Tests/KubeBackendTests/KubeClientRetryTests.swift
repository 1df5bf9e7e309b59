import Foundation
import KubeBackend
import Testing

private let configMapsPath = "/api/v1/namespaces/default/configmaps"

private func status(_ code: Int, _ reason: String, _ message: String, retryAfterSeconds: Int? = nil) -> JSONValue {
    var details: JSONObject = [:]
    if let retryAfterSeconds { details["retryAfterSeconds"] = .number(JSONNumber(retryAfterSeconds)) }
    return ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
            "reason": .string(reason), "details": .object(details), "code": .number(JSONNumber(code))]
}

private let storedConfigMap: JSONValue = [
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm", "namespace": "default", "resourceVersion": "5"], "data": ["k": "v"],
]

/// A client of the scripted server whose waits go to a virtual clock.
private func scriptedClient(_ server: LocalHTTPServer, clock: VirtualKubeClock, retry: RetryPolicy = deterministicRetry) throws -> KubeClient {
    try KubeClient(connection: ClusterConnection(server: server.baseURL),
                   configuration: KubeClientConfiguration(rateLimit: nil, retry: retry, clock: clock))
}

/// Backoff without jitter, so that delays are exact: 1s, 2s, 4s, ...
private let deterministicRetry = RetryPolicy(
    maximumRetries: 3, backoff: Backoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0.5, random: { 0 }))

@Suite(.serialized) struct KubeClientRetryTests {
    @Test func anyRequestIsRetriedOn429AfterRetryAfter() async throws {
        let server = try LocalHTTPServer()
        let clock = VirtualKubeClock()
        let client = try scriptedClient(server, clock: clock)
        try await server.script("POST", configMapsPath,
            .reply(429, status(429, "TooManyRequests", "too many requests, please try again later"), headers: ["Retry-After": "7"]),
            .reply(201, storedConfigMap))
        let created = try await client.create(ConfigMap(metadata: ObjectMeta(name: "cm"), data: ["k": "v"]))
        #expect(created.metadata.resourceVersion == "5")
        #expect(clock.sleeps == [.seconds(7)])
        let requests = try await server.receivedRequests()
        #expect(requests.map(\.method) == ["POST", "POST"])
        #expect(requests.allSatisfy { $0.body.contains("\"name\":\"cm\"") })
    }

    @Test func readsAreRetriedOnServerErrorsWithExponentialBackoff() async throws {
        let server = try LocalHTTPServer()
        let clock = VirtualKubeClock()
        let client = try scriptedClient(server, clock: clock)
        try await server.script("GET", configMapsPath + "/cm",
            .reply(503, status(503, "ServiceUnavailable", "etcd leader changed")),
            .text(502, "<html>Bad Gateway</html>"),
            .reply(500, status(500, "InternalError", "oops")),
            .reply(200, storedConfigMap))
        let fetched = try await client.get(ConfigMap.self, name: "cm")
        #expect(fetched.data == ["k": "v"])
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func readsGiveUpAfterTheLastRetryWithTheServersError() async throws {
        let server = try LocalHTTPServer()
        let clock = VirtualKubeClock()
        let client = try scriptedClient(server, clock: clock)
        try await server.script("GET", configMapsPath + "/cm",
            .reply(503, status(503, "ServiceUnavailable", "a")), .reply(503, status(503, "ServiceUnavailable", "b")),
            .reply(503, status(503, "ServiceUnavailable", "c")), .text(502, "<html>Bad Gateway</html>"))
        do {
            _ = try await client.get(ConfigMap.self, name: "cm")
            Issue.record("expected the fourth failure to be thrown")
        } catch {
            // A body that is not a Status still becomes a typed error, as client-go does.
            #expect(error.code == 502)
            #expect(error.isServerError)
            #expect(error.statusError?.message == "<html>Bad Gateway</html>")
        }
        #expect(clock.sleeps.count == 3)
    }

    @Test func writesAreNotRetriedWhenTheServerMayHaveActed() async throws {
        let server = try LocalHTTPServer()
        let clock = VirtualKubeClock()
        let client = try scriptedClient(server, clock: clock)
        try await server.script("POST", configMapsPath,
            .reply(503, status(503, "ServiceUnavailable", "storage is unavailable")), .reply(201, storedConfigMap))
        do {
            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "cm")))
            Issue.record("a 503 on a write must not be retried")
        } catch {
            #expect(error.code == 503)
            #expect(error.reason == "ServiceUnavailable")
            #expect(error.statusError?.message == "storage is unavailable")
        }
        #expect(clock.sleeps.isEmpty)
        #expect(try await server.receivedRequests().count == 1)
    }

    @Test func aRetryAfterBeyondTheLimitFailsAtOnceCarryingIt() async throws {
        let server = try LocalHTTPServer()
        let clock = VirtualKubeClock()
        let client = try scriptedClient(server, clock: clock)
        try await server.script("GET", configMapsPath + "/cm",
            .reply(429, status(429, "TooManyRequests", "slow down", retryAfterSeconds: 120)))
        do {
            _ = try await client.get(ConfigMap.self, name: "cm")
            Issue.record("expected a 429")
        } catch {
            #expect(error.isTooManyRequests)
            #expect(error.retryAfter == .seconds(120))
        }
        #expect(clock.sleeps.isEmpty)
    }

    @Test func connectionFailuresAreRetriedForEveryVerbAndStayTransportErrors() async throws {
        let closedPort = try LocalHTTPServer().port
        try await Task.sleep(for: .milliseconds(200))
        let clock = VirtualKubeClock()
        let client = try KubeClient(
            connection: ClusterConnection(server: URL(string: "http://127.0.0.1:\(closedPort)")!),
            configuration: KubeClientConfiguration(rateLimit: nil, retry: deterministicRetry, clock: clock))
        do {
            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "cm")))
            Issue.record("nothing listens there")
        } catch {
            guard case .transport(.connectionFailed) = error else {
                Issue.record("expected a connection failure, got \(error)")
                return
            }
            #expect(error.statusError == nil)
            #expect(!error.isNotFound)
        }
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func requestsCarryTheCredentialAndEscapedQueries() async throws {
        let server = try LocalHTTPServer()
        let client = try KubeClient(connection: ClusterConnection(
            server: server.baseURL, credentials: StaticCredentialProvider(Credential(bearerToken: "t0k3n"))))
        try await server.script("GET", configMapsPath, .reply(200, ["kind": "ConfigMapList", "metadata": ["resourceVersion": "9"], "items": []]))
        let list = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(
            labelSelector: "fleet.io/team in (a+b,c),!canary", fieldSelector: "metadata.name!=x", limit: 10))
        #expect(list.metadata.resourceVersion == "9")
        let request = try #require(try await server.receivedRequests().first)
        #expect(request.authorization == "Bearer t0k3n")
        #expect(request.query["labelSelector"] == "fleet.io/team in (a+b,c),!canary")
        #expect(request.query["fieldSelector"] == "metadata.name!=x")
        #expect(request.query["limit"] == "10")
    }

    @Test func applySendsTheFieldManagerForceAndDryRun() async throws {
        let server = try LocalHTTPServer()
        let client = try scriptedClient(server, clock: VirtualKubeClock())
        try await server.script("PATCH", configMapsPath + "/cm", .reply(200, storedConfigMap))
        var configuration = ConfigMap(metadata: ObjectMeta(name: "cm"), data: ["k": "v"])
        configuration.kind = nil
        _ = try await client.apply(configuration, fieldManager: "fleetd", force: true, dryRun: true)
        let request = try #require(try await server.receivedRequests().first)
        #expect(request.query == ["fieldManager": "fleetd", "force": "true", "dryRun": "All"])
        let body = try KubeJSON.parse(Array(request.body.utf8))
        // An apply configuration always names its kind, even when the caller left it out.
        #expect(body["kind"] == "ConfigMap")
        #expect(body["apiVersion"] == "v1")
    }

    @Test func listAllStartsOverUnpaginatedWhenItsSnapshotExpires() async throws {
        let server = try LocalHTTPServer()
        let client = try scriptedClient(server, clock: VirtualKubeClock())
        func item(_ name: String) -> JSONValue { ["metadata": ["name": .string(name), "namespace": "default"]] }
        try await server.script("GET", configMapsPath,
            .reply(200, ["kind": "ConfigMapList", "metadata": ["resourceVersion": "10", "continue": "page2"], "items": [item("a")]]),
            .reply(410, status(410, "Expired", "The provided continue parameter is too old")),
            .reply(200, ["kind": "ConfigMapList", "metadata": ["resourceVersion": "12"], "items": [item("a"), item("b")]]))
        let all = try await client.listAll(ConfigMap.self, namespace: "default", pageSize: 1)
        #expect(all.items.compactMap(\.metadata.name) == ["a", "b"])
        #expect(all.metadata.resourceVersion == "12")
        let queries = try await server.receivedRequests().map(\.query)
        #expect(queries.map { $0["continue"] } == [nil, "page2", nil])
        #expect(queries.map { $0["limit"] } == ["1", "1", nil])
    }
}

@Suite struct RateLimiterTests {
    @Test func aBurstPassesThenRequestsAreSpacedAtTheRate() async throws {
        let clock = VirtualKubeClock()
        let limiter = TokenBucketRateLimiter(qps: 10, burst: 3, clock: clock)
        for _ in 0..<5 { try await limiter.acquire() }
        // Three from the burst, then one every 100 ms; each wait is counted from the last reservation.
        #expect(clock.sleeps.count == 2)
        #expect(abs(clock.sleeps[0].seconds - 0.1) < 0.001)
        #expect(abs(clock.sleeps[1].seconds - 0.1) < 0.001)
    }

    @Test func tokensRefillWhileIdleUpToTheBurst() async throws {
        let clock = VirtualKubeClock()
        let limiter = TokenBucketRateLimiter(qps: 2, burst: 2, clock: clock)
        try await limiter.acquire()
        try await limiter.acquire()
        try await clock.sleep(for: .seconds(60))
        try await limiter.acquire()
        try await limiter.acquire()
        try await limiter.acquire()
        #expect(clock.sleeps.count == 2)
        #expect(abs(clock.sleeps[1].seconds - 0.5) < 0.001)
    }

    @Test func backoffGrowsExponentiallyWithinItsJitterAndCap() {
        let fixed = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5, random: { 0 })
        #expect((0..<6).map { fixed.delay(attempt: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        let jittered = Backoff(initial: .seconds(1), maximum: .seconds(10), jitter: 0.5)
        for attempt in 0..<4 {
            let delay = jittered.delay(attempt: attempt).seconds
            let base = min(pow(2, Double(attempt)), 10)
            #expect(delay <= base && delay >= base * 0.5)
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
