public import Protos
public import RPCServer
import Synchronization

/// `grpc.health.v1.Health`: Check and Watch, with a serving status per service name that the
/// application sets. The empty name stands for the whole server.
public final class HealthService: RPCService {
    public typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus
    public static let serviceName = Grpc_Health_V1_Health.serviceName

    private struct State {
        var statuses: [String: ServingStatus] = ["": .serving]
        var watchers: [Int: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the status of `service` and tells everyone watching it.
    public func setStatus(_ status: ServingStatus, for service: String = "") {
        let watchers = state.withLock { state in
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Marks every known service NOT_SERVING, as a server about to stop does.
    public func enterShutdown() {
        let services = state.withLock { Array($0.statuses.keys) }
        for service in services { setStatus(.notServing, for: service) }
    }

    public func register(into router: inout RPCRouter) {
        router.synchronousUnary(Grpc_Health_V1_Health.Method.check) { [self] (request: Grpc_Health_V1_HealthCheckRequest, _) in
            guard let status = state.withLock({ $0.statuses[request.service] }) else {
                throw RPCError(.notFound, "unknown service '\(request.service)'")
            }
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            return response
        }
        router.serverStreaming(Grpc_Health_V1_Health.Method.watch) {
            [self] (request: Grpc_Health_V1_HealthCheckRequest, writer: RPCResponseWriter<Grpc_Health_V1_HealthCheckResponse>, _) in
            // Only the latest status matters to a watcher that fell behind.
            let (updates, continuation) = AsyncStream.makeStream(of: ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
            let id = state.withLock { state in
                let id = state.nextWatcher
                state.nextWatcher += 1
                state.watchers[id] = (request.service, continuation)
                continuation.yield(state.statuses[request.service] ?? .serviceUnknown)
                return id
            }
            defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
            var last: ServingStatus?
            for await status in updates where status != last {
                last = status
                var response = Grpc_Health_V1_HealthCheckResponse()
                response.status = status
                try await writer.write(response)
            }
        }
    }
}
