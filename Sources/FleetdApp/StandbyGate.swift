import RPCServer
import Synchronization

/// Refuses Fleet API calls while this replica stands by, so that only the elected
/// leader changes the fleet. Health and reflection still answer.
final class StandbyGate: ServerInterceptor {
    private let leading = Atomic<Bool>(false)
    private let servicePrefix: String

    init(service: String) {
        servicePrefix = "/\(service)/"
    }

    var isOpen: Bool { leading.load(ordering: .acquiring) }

    func open() {
        leading.store(true, ordering: .releasing)
    }

    func intercept(context: ServerContext, next: () async throws -> Void) async throws {
        if !isOpen && context.path.hasPrefix(servicePrefix) {
            throw RPCError(.unavailable,
                           "this fleetd replica is standing by: another replica holds the leader Lease and serves the Fleet API; retry, or call the leader")
        }
        try await next()
    }
}
