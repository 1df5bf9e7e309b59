public import Fleet
import Foundation
public import KubeBackend
public import KubeSim

/// The fleet fleetd runs on when it has no configuration: the simulator's built-in
/// four clusters (shaped like GKE, AKS, EKS and an on-prem kubeadm cluster), each a
/// SIMULATED Kubernetes API server on loopback, reached over TLS with a bearer
/// token exactly as a real cluster would be.
public final class EmbeddedFleet: Sendable {
    public let simulation: SimulatedFleet
    public let token: String
    public let clusters: [FleetConfiguration.ClusterEntry]

    /// Teams of the embedded fleet. `ml-research` has a fleet-wide quota to show quotas at work.
    public static let teams = [
        Team(name: "ml-research", quota: QuotaLimits(cpuMillis: 2_000_000, memoryBytes: 8 << 40, accelerators: ["nvidia.com/gpu": 64])),
        Team(name: "ml-platform"),
        Team(name: "search"),
    ]

    /// Placement prefers the on-prem cluster, which is already paid for.
    static func descriptor(for profile: ClusterProfile) -> ClusterDescriptor {
        let cloud = Cloud(rawValue: profile.cloud.rawValue) ?? .onprem
        let ingressClass: String = switch cloud {
        case .gke: "gce"
        case .aks: "azure-application-gateway"
        case .eks: "alb"
        case .onprem: "nginx"
        }
        return ClusterDescriptor(
            name: ClusterName(profile.name), cloud: cloud, region: profile.region,
            costRank: cloud == .onprem ? 0 : 1, ingressClassName: ingressClass,
            ingressDomain: "\(profile.name).fleet.local")
    }

    private init(simulation: SimulatedFleet, token: String) {
        self.simulation = simulation
        self.token = token
        self.clusters = simulation.clusters.map { cluster in
            FleetConfiguration.ClusterEntry(descriptor: Self.descriptor(for: cluster.profile), access: .kubeconfig(path: nil, context: cluster.profile.name))
        }
    }

    public static func start(profiles: [ClusterProfile] = ClusterProfile.builtinFleet) async throws -> EmbeddedFleet {
        let token = "fleetd-" + UUID().uuidString.lowercased()
        let simulation = try await SimulatedFleet.start(profiles, options: SimulatedCluster.Options(token: token))
        return EmbeddedFleet(simulation: simulation, token: token)
    }

    /// The simulator is not a shared production apiserver: its clients may go as fast
    /// as it answers.
    static let clientLimits = KubeClientConfiguration(rateLimit: .init(qps: 5000, burst: 5000))

    /// A cluster backend per simulated cluster, each with its own client.
    public func backends() throws -> [KubeClusterAPI] {
        try simulation.clusters.map { cluster in
            let connection = ClusterConnection(
                contextName: cluster.profile.name, server: cluster.url,
                tls: TLSSettings(certificateAuthorityPEM: cluster.certificatePEM),
                credentials: StaticCredentialProvider(Credential(bearerToken: token)))
            return KubeClusterAPI(descriptor: Self.descriptor(for: cluster.profile), client: try KubeClient(connection: connection, configuration: Self.clientLimits))
        }
    }

    /// A kubeconfig with one context per simulated cluster, named after it, for kubectl.
    public func kubeconfig() -> String {
        var clusters = "clusters:\n", contexts = "contexts:\n"
        for cluster in simulation.clusters {
            let name = cluster.profile.name
            clusters += "- name: \(name)\n  cluster:\n    server: \(cluster.url.absoluteString)\n"
            if let pem = cluster.certificatePEM {
                clusters += "    certificate-authority-data: \(Data(pem).base64EncodedString())\n"
            }
            contexts += "- name: \(name)\n  context:\n    cluster: \(name)\n    user: fleetd\n    namespace: default\n"
        }
        return """
            apiVersion: v1
            kind: Config
            \(clusters)\(contexts)current-context: \(simulation.clusters.first?.profile.name ?? "")
            users:
            - name: fleetd
              user:
                token: \(token)

            """
    }

    public func shutdown() async throws {
        try await simulation.shutdown()
    }
}
