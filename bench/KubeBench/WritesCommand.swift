import ArgumentParser
import Foundation
import KubeBackend
import KubeSim
import Synchronization

/// The simulator's sustained write rate: many concurrent KubeClient requests, each a
/// create (POST) or a server-side apply of a new ConfigMap, against an in-process
/// kubesim or one given by --server, for a fixed time.
struct WritesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "writes", abstract: "Sustained writes per second into kubesim.")

    @Option(help: "Concurrent requests in flight.") var concurrency = 32
    @Option(help: "Seconds to run, after one second of warm-up.") var seconds = 10
    @Option(help: "create or apply.") var operation = "create"
    @Option(help: "A running kubesim (plain http, e.g. `kubesim --no-tls --port 7443`); in-process when absent.") var server: String?
    @Flag(help: "Serve the in-process kubesim over TLS, as fleetd reaches clusters.") var tls = false

    func run() async throws {
        var started: SimulatedAPIServer?
        let url: URL
        var ca: [UInt8]?
        if let server {
            guard let given = URL(string: server) else { throw ValidationError("bad --server") }
            url = given
        } else {
            let local = try await SimulatedAPIServer.start(.init(tls: tls ? .selfSigned : .none, historyCapacity: 10_000))
            started = local
            url = local.url
            ca = local.certificatePEM
        }
        let client = try KubeClient(connection: ClusterConnection(server: url, tls: TLSSettings(certificateAuthorityPEM: ca)),
                                    configuration: KubeClientConfiguration(rateLimit: nil))
        let namespace = "bench-\(UInt32.random(in: 0..<UInt32.max))"
        _ = try await client.create(Namespace(metadata: ObjectMeta(name: namespace)))

        let counter = WriteCounter()
        let operation = operation
        let warmUp = ContinuousClock.now + .seconds(1)
        let deadline = warmUp + .seconds(seconds)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var index = 0
                    while ContinuousClock.now < deadline {
                        var map = ConfigMap(metadata: ObjectMeta(name: "w\(worker)-\(index)", namespace: namespace, labels: ["bench": "writes"]))
                        map.data = ["worker": String(worker), "index": String(index), "payload": String(repeating: "x", count: 256)]
                        index += 1
                        let ok: Bool
                        do {
                            if operation == "apply" {
                                _ = try await client.apply(map, fieldManager: "kube-bench", force: true)
                            } else {
                                _ = try await client.create(map)
                            }
                            ok = true
                        } catch {
                            ok = false
                        }
                        if ContinuousClock.now >= warmUp { counter.record(ok) }
                    }
                }
            }
        }
        let (done, failed) = counter.totals
        print("\(operation) x \(concurrency) concurrent, \(seconds) s against \(started == nil ? url.absoluteString : "in-process kubesim (\(url.scheme ?? ""))"):")
        print(String(format: "%.0f writes/s (%d ok, %d failed)", Double(done) / Double(seconds), done, failed))
        try await started?.shutdown()
    }
}

private final class WriteCounter: Sendable {
    private let counts = Mutex((ok: 0, failed: 0))

    func record(_ ok: Bool) {
        counts.withLock { if ok { $0.ok += 1 } else { $0.failed += 1 } }
    }

    var totals: (Int, Int) { counts.withLock { ($0.ok, $0.failed) } }
}
