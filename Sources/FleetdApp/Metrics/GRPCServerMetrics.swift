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
    private let methods = Mutex<[String: MethodMetrics]>([:])

    /// One method's collectors.
    final class MethodMetrics: Sendable {
        let type: String
        let started: Prometheus.Counter
        let received: Prometheus.Counter
        let sent: Prometheus.Counter
        let handling: DurationHistogram
        private let labels: [(String, String)]
        private let registry: PrometheusCollectorRegistry
        /// Made on the first call that ends with each code.
        private let handled = Mutex<[RPCStatusCode: Prometheus.Counter]>([:])

        init(type: String, labels: [(String, String)], registry: PrometheusCollectorRegistry) {
            self.type = type
            self.labels = labels
            self.registry = registry
            started = GRPCServerMetrics.counter(registry, "grpc_server_started_total", "Total number of RPCs started on the server.", labels)
            received = GRPCServerMetrics.counter(registry, "grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.", labels)
            sent = GRPCServerMetrics.counter(registry, "grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.", labels)
            handling = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: "grpc_server_handling", unitName: "seconds",
                                                 helpText: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."),
                labels: labels, buckets: GRPCServerMetrics.buckets)
        }

        /// Whole-message sides: a unary request or response is counted by the interceptor
        /// itself, without observing each message.
        var singleRequest: Bool { type == "unary" || type == "server_stream" }
        var singleResponse: Bool { type == "unary" || type == "client_stream" }

        func handled(_ code: RPCStatusCode) -> Prometheus.Counter {
            handled.withLock { counters in
                if let known = counters[code] { return known }
                let made = GRPCServerMetrics.counter(registry, "grpc_server_handled_total",
                                                     "Total number of RPCs completed on the server, regardless of success or failure.",
                                                     labels + [("grpc_code", GRPCServerMetrics.name(of: code))])
                counters[code] = made
                return made
            }
        }
    }
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry, kinds: [String: String]) {
        self.registry = registry
        self.kinds = kinds
    }

    public func intercept(context: ServerContext, next: () async throws -> Void) async throws {
        let method = metrics(for: context.path)
        method.started.increment()
        if method.singleRequest { method.received.increment() }
        switch (method.singleRequest, method.singleResponse) {
        case (true, true): break
        case (true, false): context.observeMessages(.init(sent: { method.sent.increment() }, received: {}))
        case (false, true): context.observeMessages(.init(sent: {}, received: { method.received.increment() }))
        case (false, false): context.observeMessages(.init(sent: { method.sent.increment() }, received: { method.received.increment() }))
        }
        let clock = ContinuousClock()
        let start = clock.now
        var code = RPCStatusCode.ok
        defer {
            method.handling.record(clock.now - start)
            // As go-grpc-prometheus counts it: a single response was sent when the call succeeded.
            if method.singleResponse && code == .ok { method.sent.increment() }
            method.handled(code).increment()
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

    private func metrics(for path: String) -> MethodMetrics {
        if let known = methods.withLock({ $0[path] }) { return known }
        let (service, name) = Self.split(path)
        let type = kinds[path] ?? "unary"
        let made = MethodMetrics(type: type, labels: [("grpc_type", type), ("grpc_service", service), ("grpc_method", name)], registry: registry)
        return methods.withLock { cache in
            if let raced = cache[path] { return raced }
            cache[path] = made
            return made
        }
    }

    /// Methods whose collectors are cached.
    var cachedMethodCount: Int { methods.withLock { $0.count } }

    fileprivate static func counter(_ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)]) -> Prometheus.Counter {
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
