public import Fleet
import Foundation
public import KubeBackend

/// The cluster backends a configuration names.
public enum ClusterBackends {
    public struct Failure: Error, CustomStringConvertible {
        public var cluster: String
        public var reason: String
        public var description: String { "cluster \(cluster): \(reason)" }
    }

    /// The store in the management cluster (the first, unless the file names one).
    public static func stateStore(_ configuration: FleetConfiguration, backends: [KubeClusterAPI]) -> any FleetStateStore {
        guard let backend = managementBackend(configuration, backends: backends) else { return InMemoryStateStore() }
        return KubeStateStore(client: backend.client)
    }

    /// The leader elector the configuration asks for, over the management cluster, once
    /// the Lease's namespace exists there; nil when it asks for none.
    public static func elector(_ configuration: FleetConfiguration, backends: [KubeClusterAPI]) async throws -> LeaseElector? {
        guard let election = configuration.leaderElection else { return nil }
        guard let client = managementBackend(configuration, backends: backends)?.client else { return nil }
        let namespace = KubeStateStore.namespace
        // The same manifest as the state store applies under the same field manager; a bare
        // Namespace would take its managed-by label away again.
        try await client.applyDiscardingResult(WorkloadObjects.namespace(namespace), fieldManager: KubeClusterAPI.fieldManager, force: true)
        let identity = election.identity ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        return LeaseElector(client: client, configuration: .init(
            namespace: namespace, name: election.leaseName, identity: identity, leaseDuration: election.leaseDuration,
            renewDeadline: election.renewDeadline, retryPeriod: election.retryPeriod))
    }

    /// The management cluster's backend: the one the file names, else the first.
    private static func managementBackend(_ configuration: FleetConfiguration, backends: [KubeClusterAPI]) -> KubeClusterAPI? {
        let management = configuration.managementCluster ?? backends.first?.descriptor.name
        return backends.first { $0.descriptor.name == management }
    }

    public static func make(_ configuration: FleetConfiguration) throws -> [KubeClusterAPI] {
        try configuration.clusters.map { entry in
            let connection: ClusterConnection
            do {
                switch entry.access {
                case .inCluster:
                    connection = try InClusterConfig().connection()
                case .kubeconfig(let path, let context):
                    connection = try KubeconfigLoader().load(explicitPath: path).connection(context: context)
                }
                let limits = KubeClientConfiguration(rateLimit: .init(qps: entry.requestsPerSecond, burst: entry.burst))
                return KubeClusterAPI(descriptor: entry.descriptor, client: try KubeClient(connection: connection, configuration: limits))
            } catch {
                throw Failure(cluster: entry.descriptor.name.rawValue, reason: "\(error)")
            }
        }
    }
}
