public import Prometheus
public import RPCServer

/// gRPC server metrics under the names and labels go-grpc-prometheus uses, so existing
/// dashboards and alerts work: started, handled (by code), messages received and
/// sent, and handling time.
public final class GRPCServerMetrics: ServerInterceptor {
    /// `grpc_type` of each method path; unknown paths are reported as unary.
    let kinds: [String: String]
    let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry, kinds: [String: String]) {
        self.registry = registry
        self.kinds = kinds
    }

    public func intercept(context: ServerContext, next: () async throws -> Void) async throws {
        let (service, method) = Self.split(context.path)
        let type = kinds[context.path] ?? "unary"
        let labels = [("grpc_type", type), ("grpc_service", service), ("grpc_method", method)]
        counter("grpc_server_started_total", "Total number of RPCs started on the server.", labels).increment()
        if type == "unary" || type == "server_stream" {
            counter("grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.", labels).increment()
        }
        let clock = ContinuousClock()
        let start = clock.now
        var code = RPCStatusCode.ok
        defer {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: "grpc_server_handling", unitName: "seconds",
                                                 helpText: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."),
                labels: labels, buckets: Self.buckets
            ).record(clock.now - start)
            counter("grpc_server_handled_total", "Total number of RPCs completed on the server, regardless of success or failure.",
                    labels + [("grpc_code", Self.name(of: code))]).increment()
            if code == .ok && (type == "unary" || type == "client_stream") {
                counter("grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.", labels).increment()
            }
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
