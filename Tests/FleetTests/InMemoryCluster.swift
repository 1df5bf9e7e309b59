import Synchronization
@testable import Fleet

/// A simulated cluster for manager tests: it keeps nodes and pods in memory, "binds"
/// the pods of an applied workload to the planned nodes (when `bindOnApply`), and
/// reports everything as ClusterEvents. Not a Kubernetes API.
final class InMemoryCluster: ClusterAPI {
    struct Counters {
        var applies = 0
        var deletes = 0
        var exposes: [EndpointRequest] = []
    }

    let descriptor: ClusterDescriptor
    private let state = Mutex(State())
    let bindOnApply: Bool

    private struct State {
        var nodes: [NodeInfo] = []
        var pods: [PodInfo.Key: PodInfo] = [:]
        var workloads: [DeploymentID: DeploymentRecord] = [:]
        var counters = Counters()
        var failApplies = 0
        var quotas: [String: QuotaLimits] = [:]
        var subscribers: [AsyncStream<ClusterEvent>.Continuation] = []
    }

    /// Every subscriber's stream, as an informer-fed backend would deliver it.
    private var continuation: Broadcast { Broadcast(cluster: self) }

    struct Broadcast {
        let cluster: InMemoryCluster
        func yield(_ event: ClusterEvent) {
            for subscriber in cluster.state.withLock({ $0.subscribers }) { subscriber.yield(event) }
        }
    }

    init(_ descriptor: ClusterDescriptor, nodes: [NodeInfo], bindOnApply: Bool = true) {
        self.descriptor = descriptor
        self.bindOnApply = bindOnApply
        state.withLock { $0.nodes = nodes }
    }

    var counters: Counters { state.withLock { $0.counters } }
    var podCount: Int { state.withLock { $0.pods.count } }

    func failNextApplies(_ count: Int) { state.withLock { $0.failApplies = count } }

    /// A new stream per call, starting with full lists, as after an informer's first list.
    func events() -> AsyncStream<ClusterEvent> {
        let (stream, continuation) = AsyncStream<ClusterEvent>.makeStream()
        state.withLock { state in
            continuation.yield(.nodesListed(state.nodes))
            continuation.yield(.podsListed(Array(state.pods.values)))
            continuation.yield(.quotasListed([]))
            state.subscribers.append(continuation)
        }
        return stream
    }

    func managedWorkloads() async throws -> [DeploymentRecord] {
        state.withLock { Array($0.workloads.values) }
    }

    func send(_ event: ClusterEvent) { continuation.yield(event) }

    struct InjectedFailure: Error {}

    func apply(_ workload: PlacedWorkload) async throws {
        let pods: [PodInfo]? = try state.withLock { state in
            state.counters.applies += 1
            if state.failApplies > 0 {
                state.failApplies -= 1
                throw InjectedFailure()
            }
            state.workloads[workload.record.id] = workload.record
            guard bindOnApply else { return nil }
            var created: [PodInfo] = []
            var index = 0
            for assignment in workload.plan.assignments {
                for _ in 0..<assignment.replicas {
                    let pod = PodInfo(key: .init(namespace: workload.record.spec.namespace, name: "\(workload.record.spec.name)-\(index)"),
                                      nodeName: assignment.node, requests: workload.record.spec.perReplica.vector,
                                      phase: .running, ready: true, deploymentID: workload.record.id)
                    state.pods[pod.key] = pod
                    created.append(pod)
                    index += 1
                }
            }
            return created
        }
        for pod in pods ?? [] { continuation.yield(.podChanged(pod)) }
    }

    func delete(_ record: DeploymentRecord) async throws {
        let gone: [PodInfo.Key] = state.withLock { state in
            state.counters.deletes += 1
            state.workloads[record.id] = nil
            let keys = state.pods.values.filter { $0.deploymentID == record.id }.map(\.key)
            for key in keys { state.pods[key] = nil }
            return keys
        }
        for key in gone { continuation.yield(.podDeleted(key)) }
    }

    func expose(_ endpoint: EndpointRequest) async throws -> [String] {
        state.withLock { $0.counters.exposes.append(endpoint) }
        return ["http://\(endpoint.host)\(endpoint.path)"]
    }

    func reserve(_ reservation: ReservationID, nodes: [String]) async throws {
        relabel(nodes) { $0.reserved(by: reservation) }
    }

    func release(_ reservation: ReservationID, nodes: [String]) async throws {
        relabel(nodes) { $0.reservation == reservation ? $0.reserved(by: nil) : $0 }
    }

    private func relabel(_ names: [String], _ change: (NodeInfo) -> NodeInfo) {
        let changed: [NodeInfo] = state.withLock { state in
            var changed: [NodeInfo] = []
            for index in state.nodes.indices where names.contains(state.nodes[index].name) {
                state.nodes[index] = change(state.nodes[index])
                changed.append(state.nodes[index])
            }
            return changed
        }
        for node in changed { continuation.yield(.nodeChanged(node)) }
    }

    var quotas: [String: QuotaLimits] { state.withLock { $0.quotas } }

    func ensureQuota(namespace: String, limits: QuotaLimits) async throws {
        state.withLock { $0.quotas[namespace] = limits }
    }
}
