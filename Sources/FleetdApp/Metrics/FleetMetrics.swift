public import Fleet
public import Prometheus

/// The fleet's own metrics: placement latency as it happens, and queue depth, cluster
/// health and capacity read from the manager at each scrape.
public final class FleetMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let placement: DurationHistogram

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        placement = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "fleet_placement_duration", unitName: "seconds",
                                             helpText: "Time to decide where a deployment goes, over every cluster's snapshot."),
            labels: [],
            buckets: [.microseconds(10), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
                      .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(50)])
    }

    public func recordPlacement(_ duration: Duration) {
        placement.record(duration)
    }

    /// Brings the scrape-time gauges up to date.
    public func refresh(from manager: FleetManager) async {
        for (priority, depth) in await manager.queueDepth() {
            gauge("fleet_queue_depth", "Deployments waiting for room.", [("priority", priority.labelValue)]).set(to: Double(depth))
        }
        gauge("fleet_capacity_subscribers", "Open WatchCapacity streams.", []).set(to: Double(manager.hub.subscriberCount))
        for capacity in manager.capacity(matching: .all).clusters {
            let cluster = capacity.cluster.name.rawValue
            let health: Double = switch capacity.health {
            case .healthy: 1
            case .degraded: 0.5
            case .unreachable: 0
            }
            gauge("fleet_cluster_health", "1 healthy, 0.5 degraded (nodes not ready), 0 unreachable.", [("cluster", cluster)]).set(to: health)
            let resources: [(String, ResourceAmount)] = [("cpu_millis", capacity.cpuMillis), ("memory_bytes", capacity.memoryBytes), ("pods", capacity.pods)]
                + capacity.accelerators.map { ($0.kind.type, $0.devices) }
            for (resource, amount) in resources {
                for (state, value) in [("allocatable", amount.allocatable), ("requested", amount.requested), ("reserved", amount.reserved), ("free", amount.free)] {
                    gauge("fleet_cluster_capacity", "A cluster's capacity per resource (accelerators by type, in devices).",
                          [("cluster", cluster), ("resource", resource), ("state", state)]).set(to: Double(value))
                }
            }
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
