public import Fleet
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
        let management = configuration.managementCluster ?? backends.first?.descriptor.name
        guard let backend = backends.first(where: { $0.descriptor.name == management }) else { return InMemoryStateStore() }
        return KubeStateStore(client: backend.client)
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
