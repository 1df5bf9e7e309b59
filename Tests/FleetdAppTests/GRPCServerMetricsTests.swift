import Prometheus
import RPCServer
import Testing
@testable import FleetdApp

@Suite struct GRPCServerMetricsTests {
    func exposition(_ registry: PrometheusCollectorRegistry) -> [String] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func call(_ metrics: GRPCServerMetrics, _ path: String, failing code: RPCStatusCode? = nil) async {
        let context = ServerContext(path: path, requestMetadata: Metadata(), deadline: nil, peer: "test")
        try? await metrics.intercept(context: context) {
            if let code { throw RPCError(code, "refused") }
        }
    }

    @Test func countsEachCallUnderGoGRPCPrometheusNamesAndMakesEachMethodsCollectorsOnce() async {
        let registry = PrometheusCollectorRegistry()
        let metrics = GRPCServerMetrics(registry: registry, kinds: ["/fleet.v1.Fleet/Deploy": "unary"])
        await call(metrics, "/fleet.v1.Fleet/Deploy")
        await call(metrics, "/fleet.v1.Fleet/Deploy")
        await call(metrics, "/fleet.v1.Fleet/Deploy", failing: .invalidArgument)
        #expect(metrics.cachedMethodCount == 1)
        let lines = exposition(registry)
        let labels = #"grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="Deploy""#
        #expect(lines.contains("grpc_server_started_total{\(labels)} 3"))
        #expect(lines.contains("grpc_server_msg_received_total{\(labels)} 3"))
        #expect(lines.contains("grpc_server_msg_sent_total{\(labels)} 2"), "a failed unary call sends no response message")
        #expect(lines.contains("grpc_server_handled_total{\(labels),grpc_code=\"OK\"} 2"))
        #expect(lines.contains("grpc_server_handled_total{\(labels),grpc_code=\"InvalidArgument\"} 1"))
    }
}
