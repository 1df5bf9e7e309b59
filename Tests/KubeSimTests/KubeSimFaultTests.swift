import Synchronization
import Foundation
import KubeBackend
import KubeSim
import Testing

private let pods = "/api/v1/namespaces/default/pods"

@Suite(.serialized) struct KubeSimFaultTests {
    @Test func throttleAnswers429WithRetryAfterOnlyForMatchingRequestsAndOnlyCountTimes() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", pods, body: podManifest("web", cpu: "100m"))
        session.cluster.faults.add(.throttle(retryAfterSeconds: 2, verbs: ["list"], resources: ["pods"], count: 2))

        let got = try await session.request("GET", "\(pods)/web")
        #expect(got.status == 200, "a get is not a list")
        let nodes = try await session.request("GET", "/api/v1/nodes")
        #expect(nodes.status == 200, "nodes are not pods")
        for _ in 0..<2 {
            let throttled = try await session.request("GET", pods)
            #expect(throttled.status == 429)
            #expect(throttled.head.value(for: "Retry-After") == "2")
            let status = try KubeJSON.parse(throttled.body)
            #expect(status["reason"] == "TooManyRequests")
            #expect(status["details"]?["retryAfterSeconds"]?.int == 2)
        }
        #expect(try await session.request("GET", pods).status == 200, "the rule is spent after its count")
        #expect(session.cluster.faults.rules.isEmpty)
    }

    @Test func faultsAreSwitchedAtRunTimeOverTheAdminPathWithTheToken() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let unauthenticated = try await session.client.send(HTTPRequest(
            method: "POST", url: URL(string: session.cluster.url.absoluteString + "/kubesim/faults")!,
            body: Array(#"{"action":"error","status":503}"#.utf8)))
        #expect(unauthenticated.status == 401)

        let (added, rule) = try await session.send("POST", "/kubesim/faults", body: ["action": "error", "status": 503, "verbs": ["create"], "resources": ["pods"]])
        #expect(added == 201)
        let id = try #require(rule["id"]?.int)
        let (refused, body) = try await session.send("POST", pods, body: podManifest("web"))
        #expect(refused == 503)
        #expect(body["reason"] == "ServiceUnavailable")
        #expect(try await session.items(pods).isEmpty, "a failed create writes nothing")
        #expect(try await session.get("/kubesim/faults")["items"]?.arrayValue?.count == 1)

        let (removed, _) = try await session.send("DELETE", "/kubesim/faults/\(id)")
        #expect(removed == 200)
        let (createdNow, _) = try await session.send("POST", pods, body: podManifest("web"))
        #expect(createdNow == 201)
    }

    @Test func latencyDelaysMatchingRequests() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        // Wide margins: the test must not depend on how loaded the machine is.
        session.cluster.faults.add(.latency(milliseconds: 2000, verbs: ["list"]))
        var start = ContinuousClock.now
        #expect(try await session.request("GET", "/api/v1/nodes").status == 200)
        let slow = ContinuousClock.now - start
        start = ContinuousClock.now
        #expect(try await session.request("GET", "/api/v1/nodes/missing").status == 404)
        let fast = ContinuousClock.now - start
        #expect(slow >= .milliseconds(2000))
        #expect(fast < .milliseconds(1500), "a get does not match a rule for list")
    }

    @Test func unreachableClosesConnectionsWithoutAnAnswer() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        session.cluster.faults.add(.unreachable(count: 1))
        await #expect(throws: HTTPTransportError.self) { try await session.request("GET", "/api/v1/nodes") }
        #expect(try await session.request("GET", "/api/v1/nodes").status == 200)
    }

    @Test func watchesCanBeForcedToExpireOrBeDropped() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        session.cluster.faults.add(.expireWatch(resources: ["pods"], count: 1))
        let expired = try await readWatch(session, "\(pods)?watch=1&resourceVersion=\(session.cluster.store.currentResourceVersion)")
        #expect(expired.lines.count == 1)
        #expect(expired.lines.first?["type"] == "ERROR")
        #expect(expired.lines.first?["object"]?["code"]?.int == 410)
        #expect(expired.lines.first?["object"]?["reason"] == "Expired")

        session.cluster.faults.add(.dropWatch(afterSeconds: 0.2, count: 1))
        let dropped = try await readWatch(session, "\(pods)?watch=1")
        #expect(dropped.ended, "the server closed the stream")
        #expect(dropped.elapsed >= .milliseconds(200))
    }

    @Test func openWatchesAreInterruptedOnDemand() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        async let watched = readWatch(session, "\(pods)?watch=1&resourceVersion=\(session.cluster.store.currentResourceVersion)")
        let deadline = ContinuousClock.now + .seconds(5)
        while session.cluster.faults.openWatchCount == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        _ = try await session.send("POST", pods, body: podManifest("web", cpu: "100m"))
        try await Task.sleep(for: .milliseconds(100))
        let (status, answer) = try await session.send("POST", "/kubesim/watches/expire")
        #expect(status == 200)
        #expect(answer["interrupted"]?.int == 1)
        let result = try await watched
        #expect(result.lines.first?["type"] == "ADDED")
        #expect(result.lines.last?["type"] == "ERROR")
        #expect(result.lines.last?["object"]?["code"]?.int == 410)
    }

    @Test func profileFaultsAreActiveFromTheStartAndDecisionsHonourProbability() async throws {
        var profile = smallGPUProfile
        profile.faults = [FaultRule(action: .error, verbs: ["get"], resources: ["nodes"], status: 500)]
        let session = try await ClusterSession.start(profile)
        defer { Task { try await session.stop() } }
        let (status, body) = try await session.send("GET", "/api/v1/nodes/any")
        #expect(status == 500)
        #expect(body["reason"] == "InternalError")

        let rolls = RollSequence([0.1, 0.9])
        let injector = FaultInjector(rules: [.serverError(probability: 0.5)], random: { rolls.next() })
        let request = RequestAttributes(verb: "get", resource: "pods")
        #expect(injector.decide(for: request).outcome != .proceed)
        #expect(injector.decide(for: request).outcome == .proceed)
    }
}

private final class RollSequence: Sendable {
    private let values: [Double]
    private let index = Atomic<Int>(0)

    init(_ values: [Double]) { self.values = values }

    func next() -> Double { values[index.add(1, ordering: .relaxed).oldValue % values.count] }
}

private struct WatchResult {
    var lines: [JSONValue] = []
    var ended = false
    var elapsed: Duration = .zero
}

/// Reads a watch until the server ends it (or 5 s pass).
private func readWatch(_ session: ClusterSession, _ path: String) async throws -> WatchResult {
    let start = ContinuousClock.now
    let response = try await session.client.stream(HTTPRequest(
        url: URL(string: session.cluster.url.absoluteString + path)!,
        headers: [HTTPHeader("Authorization", "Bearer \(ClusterSession.token)")], timeout: .seconds(5)))
    var result = WatchResult()
    var buffer: [UInt8] = []
    do {
        for try await chunk in response.body {
            buffer += chunk
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                result.lines.append(try KubeJSON.parse(buffer[..<newline]))
                buffer.removeSubrange(...newline)
            }
        }
        result.ended = true
    } catch {
        // A dropped connection may surface as a transport error rather than a clean end.
        result.ended = ContinuousClock.now - start < .seconds(5)
    }
    result.elapsed = ContinuousClock.now - start
    return result
}
