import Synchronization

/// What the unary workers have seen: latencies and errors per operation for the measured
/// window, and running counts for the progress line.
final class UnaryTally: Sendable {
    struct Results: Sendable {
        var latency: [String: LatencyHistogram] = [:]
        var ok: [String: Int] = [:]
        var errors: [String: [String: Int]] = [:]
        var deploysByCluster: [String: Int] = [:]
        var queuedDeploys = 0
        var rpcs = 0
    }

    private let results = Mutex(Results())
    let completed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)

    func success(_ key: String, latency: Duration, measured: Bool, rpcs: Int = 1) {
        completed.add(1, ordering: .relaxed)
        guard measured else { return }
        results.withLock { results in
            results.latency[key, default: LatencyHistogram()].record(latency)
            results.ok[key, default: 0] += 1
            results.rpcs += rpcs
        }
    }

    /// A measured step inside an operation (the legs of deploy-delete): latency only.
    func step(_ key: String, latency: Duration, measured: Bool) {
        guard measured else { return }
        results.withLock { $0.latency[key, default: LatencyHistogram()].record(latency) }
    }

    func failure(_ key: String, code: String, measured: Bool, rpcs: Int = 1) {
        failed.add(1, ordering: .relaxed)
        guard measured else { return }
        results.withLock { results in
            results.errors[key, default: [:]][code, default: 0] += 1
            results.rpcs += rpcs
        }
    }

    func placed(on cluster: String?, measured: Bool) {
        guard measured else { return }
        results.withLock { results in
            if let cluster, !cluster.isEmpty {
                results.deploysByCluster[cluster, default: 0] += 1
            } else {
                results.queuedDeploys += 1
            }
        }
    }

    var snapshot: Results { results.withLock { $0 } }
}
