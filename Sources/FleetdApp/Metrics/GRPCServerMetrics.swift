public import Prometheus
public import RPCServer
import Synchronization

/// gRPC server metrics under the names and labels go-grpc-prometheus uses, so existing
/// dashboards and alerts work: started, handled (by code), messages received and
/// sent, and handling time.
public final class GRPCServerMetrics: ServerInterceptor {
    /// `grpc_type` of each method path; unknown paths are reported as unary.
    let kinds: [String: String]
    let registry: PrometheusCollectorRegistry
    /// Each method's collectors, looked up in the registry once rather than per call.
    private let collectors = Mutex<[String: MethodCollectors]>([:])

    struct MethodCollectors: Sendable {
        let type: String
        let started: Prometheus.Counter
        let received: Prometheus.Counter
        let sent: Prometheus.Counter
        let handling: DurationHistogram
        var handled: [RPCStatusCode: Prometheus.Counter] = [:]
    }
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry, kinds: [String: String]) {
        self.registry = registry
        self.kinds = kinds
    }

    public func intercept(context: ServerContext, next: () async throws -> Void) async throws {
        let method = collectors(for: context.path)
        method.started.increment()
        if method.type == "unary" || method.type == "server_stream" { method.received.increment() }
        context.observeMessages(.init(sent: { method.sent.increment() }, received: { method.received.increment() }))
        let clock = ContinuousClock()
        let start = clock.now
        var code = RPCStatusCode.ok
        defer {
            method.handling.record(clock.now - start)
            handledCounter(path: context.path, code: code).increment()
        }
        do {
            try await next()
        } catch let error as RPCError {
            code = error.code
            throw error
        } catch is CancellationError {
            code = .cancelled
            throw CancellationError()
        } catch {
            code = .unknown
            throw error
        }
    }

    private func labels(for path: String) -> [(String, String)] {
        let (service, method) = Self.split(path)
        return [("grpc_type", kinds[path] ?? "unary"), ("grpc_service", service), ("grpc_method", method)]
    }

    private func collectors(for path: String) -> MethodCollectors {
        if let known = collectors.withLock({ $0[path] }) { return known }
        let labels = labels(for: path)
        let made = MethodCollectors(
            type: kinds[path] ?? "unary",
            started: counter("grpc_server_started_total", "Total number of RPCs started on the server.", labels),
            received: counter("grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.", labels),
            sent: counter("grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.", labels),
            handling: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: "grpc_server_handling", unitName: "seconds",
                                                 helpText: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."),
                labels: labels, buckets: Self.buckets))
        return collectors.withLock { cache in
            if let raced = cache[path] { return raced }
            cache[path] = made
            return made
        }
    }

    /// Methods whose collectors are cached.
    var cachedMethodCount: Int { collectors.withLock { $0.count } }

    private func handledCounter(path: String, code: RPCStatusCode) -> Prometheus.Counter {
        if let known = collectors.withLock({ $0[path]?.handled[code] }) { return known }
        _ = collectors(for: path)
        let made = counter("grpc_server_handled_total", "Total number of RPCs completed on the server, regardless of success or failure.",
                           labels(for: path) + [("grpc_code", Self.name(of: code))])
        collectors.withLock { $0[path]?.handled[code] = made }
        return made
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Prometheus.Counter {
        let base = name.hasSuffix("_total") ? String(name.dropLast(6)) : name
        return registry.makeCounter(descriptor: MetricNameDescriptor(metricName: base, unitName: "total", helpText: help), labels: labels)
    }

    static func split(_ path: String) -> (service: String, method: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return ("unknown", path) }
        return (String(parts[0]), String(parts[1]))
    }

    /// The code's name as go-grpc-prometheus prints it, e.g. `InvalidArgument`.
    static func name(of code: RPCStatusCode) -> String {
        switch code {
        case .ok: "OK"
        case .cancelled: "Canceled"
        case .unknown: "Unknown"
        case .invalidArgument: "InvalidArgument"
        case .deadlineExceeded: "DeadlineExceeded"
        case .notFound: "NotFound"
        case .alreadyExists: "AlreadyExists"
        case .permissionDenied: "PermissionDenied"
        case .resourceExhausted: "ResourceExhausted"
        case .failedPrecondition: "FailedPrecondition"
        case .aborted: "Aborted"
        case .outOfRange: "OutOfRange"
        case .unimplemented: "Unimplemented"
        case .internal: "Internal"
        case .unavailable: "Unavailable"
        case .dataLoss: "DataLoss"
        case .unauthenticated: "Unauthenticated"
        default: "Code(\(code.rawValue))"
        }
    }
}
