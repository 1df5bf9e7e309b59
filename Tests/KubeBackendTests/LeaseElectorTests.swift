import KubeBackend
import KubeSim
import Synchronization
import Testing

/// Time that only moves when the test says so.
private final class ManualKubeClock: KubeClock {
    private let current = Mutex<Duration>(.zero)

    func now() -> Duration { current.withLock { $0 } }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: .milliseconds(1)) }
    func advance(by duration: Duration) { current.withLock { $0 += duration } }
}

@Suite struct LeaseElectorTests {
    private static func client(_ server: SimulatedAPIServer) throws -> KubeClient {
        try KubeClient(connection: ClusterConnection(
            server: server.url, namespace: "fleet-system", tls: TLSSettings(certificateAuthorityPEM: server.certificatePEM),
            credentials: StaticCredentialProvider(Credential(bearerToken: "secret"))))
    }

    private static func elector(_ identity: String, _ client: KubeClient, clock: (any KubeClock)? = nil,
                                leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                                retryPeriod: Duration = .seconds(2)) -> LeaseElector {
        LeaseElector(client: client, configuration: .init(namespace: "default", name: "fleetd-leader", identity: identity,
                                                          leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod),
                     clock: clock)
    }

    /// Two replicas on one simulated API server, with time in the test's hands.
    private struct TwoReplicas {
        let server: SimulatedAPIServer
        let client: KubeClient
        let clock = ManualKubeClock()
        let first: LeaseElector
        let second: LeaseElector

        init() async throws {
            server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned))
            client = try LeaseElectorTests.client(server)
            first = LeaseElectorTests.elector("replica-a", client, clock: clock)
            second = LeaseElectorTests.elector("replica-b", client, clock: clock)
        }
    }

    @Test func aFollowerTakesTheLeaseOnlyAfterItWentUnrenewedForItsDuration() async throws {
        let replicas = try await TwoReplicas()
        defer { Task { try await replicas.server.shutdown() } }
        let (client, clock, first, second) = (replicas.client, replicas.clock, replicas.first, replicas.second)

        #expect(try await first.tryAcquireOrRenew())
        #expect(try await !second.tryAcquireOrRenew())
        clock.advance(by: .seconds(10))
        #expect(try await first.tryAcquireOrRenew(), "the holder renews")
        clock.advance(by: .seconds(10))
        #expect(try await !second.tryAcquireOrRenew(), "renewed 10 s ago, so not expired")
        clock.advance(by: .seconds(16))
        #expect(try await second.tryAcquireOrRenew(), "unrenewed for longer than its duration")
        #expect(try await !first.tryAcquireOrRenew(), "the old holder sees the new one")
        #expect(await !first.isLeader)

        let lease = try await client.get(Lease.self, name: "fleetd-leader", namespace: "default")
        #expect(lease.spec?.holderIdentity == "replica-b")
        #expect(lease.spec?.leaseDurationSeconds == 15)
        #expect(lease.spec?.leaseTransitions == 1)
        #expect(lease.spec?.renewTime != nil)
    }

    @Test func aReleasedLeaseIsTakenAtOnce() async throws {
        let replicas = try await TwoReplicas()
        defer { Task { try await replicas.server.shutdown() } }
        let (first, second) = (replicas.first, replicas.second)

        #expect(try await first.tryAcquireOrRenew())
        #expect(try await !second.tryAcquireOrRenew())
        try await first.release()
        #expect(await !first.isLeader)
        #expect(try await second.tryAcquireOrRenew())
    }

    @Test func candidatesRacingForANewLeaseElectExactlyOne() async throws {
        let server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned))
        defer { Task { try await server.shutdown() } }
        let client = try Self.client(server)
        let candidates = (0..<5).map { Self.elector("replica-\($0)", client) }
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for candidate in candidates { group.addTask { try await candidate.tryAcquireOrRenew() } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
    }

    @Test func runReportsLeadershipAndHandsItOverWhenTheLeaderStops() async throws {
        let server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned))
        defer { Task { try await server.shutdown() } }
        let client = try Self.client(server)
        let (changes, report) = AsyncStream<String>.makeStream()
        let first = Self.elector("replica-a", client, retryPeriod: .milliseconds(50))
        let second = Self.elector("replica-b", client, retryPeriod: .milliseconds(50))

        let firstRun = Task { await first.run { report.yield("replica-a \($0 ? "leads" : "stopped leading")") } }
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next() == "replica-a leads")
        let secondRun = Task { await second.run { report.yield("replica-b \($0 ? "leads" : "stopped leading")") } }
        try await Task.sleep(for: .milliseconds(200))
        #expect(await !second.isLeader)

        firstRun.cancel()
        #expect(await iterator.next() == "replica-a stopped leading")
        let stopped = ContinuousClock.now
        #expect(await iterator.next() == "replica-b leads")
        // Released, so the follower took over within a few retry periods (0.1 s alone), not
        // after the 15 s lease expired. Beside the whole parallel suite in CI 5.5 s was seen,
        // so the bound sits just under the lease.
        #expect(ContinuousClock.now - stopped < .seconds(12))
        secondRun.cancel()
        #expect(await iterator.next() == "replica-b stopped leading")
    }

    @Test func aLeaderThatCannotRenewStepsDownByItsRenewDeadline() async throws {
        let server = try await SimulatedAPIServer.start(.init(token: "secret", tls: .selfSigned))
        defer { Task { try await server.shutdown() } }
        let client = try Self.client(server)
        let (changes, report) = AsyncStream<Bool>.makeStream()
        let elector = Self.elector("replica-a", client, leaseDuration: .seconds(15), renewDeadline: .milliseconds(500),
                                   retryPeriod: .milliseconds(50))
        let run = Task { await elector.run { report.yield($0) } }
        defer { run.cancel() }
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next() == true)

        let fault = server.faults.add(.unreachable())
        let cutOff = ContinuousClock.now
        #expect(await iterator.next() == false)
        // By its 500 ms renew deadline, well before the 15 s lease could expire for anyone else.
        #expect(ContinuousClock.now - cutOff < .seconds(7))

        _ = server.faults.remove(id: try #require(fault.id))
        #expect(await iterator.next() == true, "still the holder, so it takes the Lease back")
    }
}
