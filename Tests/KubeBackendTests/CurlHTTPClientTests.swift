import Foundation
import KubeBackend
import Testing

/// Serialized: each test starts its own server process, and timing assertions
/// should not compete with nine other servers starting at once.
@Suite(.serialized) struct CurlHTTPClientTests {
    func echo(_ response: HTTPResponse) throws -> JSONValue {
        try KubeJSON.parse(response.body)
    }

    @Test func sendsRequestsAndReadsResponses() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let response = try await client.send(HTTPRequest(url: server.url("/echo?x=1"), headers: [HTTPHeader("X-Fleet", "yes")]))
        #expect(response.status == 200)
        #expect(response.head.httpVersion == "1.1")
        #expect(response.head.value(for: "content-type") == "application/json")
        let echoed = try echo(response)
        #expect(echoed["method"] == "GET")
        #expect(echoed["headers"]?["x-fleet"] == "yes")
        #expect(echoed["headers"]?["expect"] == nil)
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func sendsBodies(method: String) async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let body = Array(#"{"spec":{"replicas":3}}"#.utf8)
        let response = try await client.send(HTTPRequest(
            method: method, url: server.url("/echo"), headers: [HTTPHeader("Content-Type", "application/merge-patch+json")], body: body))
        let echoed = try echo(response)
        #expect(echoed["method"] == .string(method))
        #expect(echoed["body"] == #"{"spec":{"replicas":3}}"#)
        #expect(echoed["headers"]?["content-type"] == "application/merge-patch+json")
    }

    @Test func reusesKeptAliveConnections() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let first = try await client.send(HTTPRequest(url: server.url("/echo")))
        let second = try await client.send(HTTPRequest(url: server.url("/echo")))
        let third = try await client.send(HTTPRequest(method: "POST", url: server.url("/echo"), body: Array("x".utf8)))
        #expect(first.head.newConnectionCount == 1)
        #expect(second.head.newConnectionCount == 0)
        #expect(third.head.newConnectionCount == 0)
    }

    @Test func errorStatusesAreResponsesAndTransportFailuresAreErrors() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let unavailable = try await client.send(HTTPRequest(url: server.url("/status/503")))
        #expect(unavailable.status == 503)
        #expect(String(decoding: unavailable.body, as: UTF8.self) == #"{"kind":"Status"}"#)

        // A port nothing listens on: bind one, note it, close it.
        let closedPort = try LocalHTTPServer().port
        try await Task.sleep(for: .milliseconds(200))
        await #expect {
            _ = try await client.send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(closedPort)/")!, timeout: .seconds(5)))
        } throws: { error in
            guard case HTTPTransportError.connectionFailed = error else { return false }
            return true
        }
    }

    @Test func enforcesTheDeadline() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let started = ContinuousClock.now
        await #expect(throws: HTTPTransportError.timedOut) {
            _ = try await client.send(HTTPRequest(url: server.url("/slow?ms=15000"), timeout: .milliseconds(300)))
        }
        #expect(ContinuousClock.now - started < .seconds(7), "ended by the 300 ms deadline, not by the 15 s answer")
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let started = ContinuousClock.now
        let request = Task { try await client.send(HTTPRequest(url: server.url("/slow?ms=15000"))) }
        try await Task.sleep(for: .milliseconds(200))
        request.cancel()
        await #expect(throws: HTTPTransportError.cancelled) { _ = try await request.value }
        #expect(ContinuousClock.now - started < .seconds(7), "ended by the cancellation, not by the 15 s answer")

        let alreadyCancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.url("/echo")))
        }
        await #expect(throws: HTTPTransportError.cancelled) { _ = try await alreadyCancelled.value }
        #expect(try await client.send(HTTPRequest(url: server.url("/echo"))).status == 200)
    }

    @Test func streamsTheBodyAsItArrives() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let response = try await client.stream(HTTPRequest(url: server.url("/stream?chunks=4&ms=250"), timeout: nil))
        let headArrived = ContinuousClock.now
        #expect(response.head.status == 200)

        var chunks: [[UInt8]] = []
        for try await chunk in response.body { chunks.append(chunk) }
        #expect(ContinuousClock.now - headArrived > .milliseconds(600), "the headers came while the body was still being sent")
        #expect(chunks.count >= 2, "the body arrives in pieces")
        let lines = String(decoding: chunks.flatMap { $0 }, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(try KubeJSON.parse(Array(lines[3].utf8))["n"] == 3)
    }

    @Test func abandoningAStreamAbortsIt() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let response = try await client.stream(HTTPRequest(url: server.url("/stream?chunks=100&ms=50"), timeout: nil))
        for try await _ in response.body { break }

        let started = ContinuousClock.now
        let consumer = Task {
            let watch = try await client.stream(HTTPRequest(url: server.url("/stream?chunks=100&ms=50"), timeout: nil))
            for try await _ in watch.body {}
        }
        try await Task.sleep(for: .milliseconds(300))
        consumer.cancel()
        _ = await consumer.result
        #expect(ContinuousClock.now - started < .seconds(2), "a cancelled watch ends long before its 5 s body would")
        #expect(try await client.send(HTTPRequest(url: server.url("/echo"))).status == 200)
    }

    @Test func runsManyRequestsConcurrently() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { try await client.send(HTTPRequest(url: server.url(index % 2 == 0 ? "/echo" : "/slow?ms=100"))).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 20))
    }

    @Test func shutdownFailsLaterRequests() async throws {
        let server = try LocalHTTPServer()
        let client = try CurlHTTPClient()
        client.shutdown()
        await #expect(throws: HTTPTransportError.shutDown) {
            _ = try await client.send(HTTPRequest(url: server.url("/echo")))
        }
    }
}
