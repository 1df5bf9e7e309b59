public import Fleet
import Foundation
import KubeBackend
import Yams

/// fleetd's configuration file: the clusters and how to reach them, the teams and
/// their quotas, the scheduler policy, and where to listen.
public struct FleetConfiguration: Sendable {
    public struct ClusterEntry: Sendable {
        public var descriptor: ClusterDescriptor
        public var access: ClusterAccess
        /// Client-side limit on requests to this cluster's API server (client-go's QPS and burst).
        public var requestsPerSecond: Double = 50
        public var burst: Int = 100
    }

    /// How fleetd reaches a cluster's API server.
    public enum ClusterAccess: Sendable, Hashable {
        /// A context in a kubeconfig file (nil path: KUBECONFIG or ~/.kube/config).
        case kubeconfig(path: String?, context: String?)
        /// The service account of the pod fleetd runs in.
        case inCluster
    }

    public struct TLSFiles: Sendable, Hashable {
        public var certificateFile: String
        public var keyFile: String
    }

    public var listenHost = "127.0.0.1"
    public var listenPort = 50051
    public var tls: TLSFiles?
    /// Prometheus metrics over HTTP/1.1; nil turns them off.
    public var metricsHost: String? = "127.0.0.1"
    public var metricsPort = 9090
    public var clusters: [ClusterEntry] = []
    /// The cluster whose `fleetd-system` namespace keeps the queue and reservations;
    /// nil for the first cluster.
    public var managementCluster: ClusterName?
    public var settings = FleetSettings(teams: [])
    /// With several replicas: they elect one leader through a Lease in the management
    /// cluster, and the others stand by. nil: this replica serves on its own.
    public var leaderElection: LeaderElection?

    public struct LeaderElection: Sendable, Hashable {
        public var leaseName = "fleetd-leader"
        /// nil: the host name and process id.
        public var identity: String?
        public var leaseDuration: Duration = .seconds(15)
        public var renewDeadline: Duration = .seconds(10)
        public var retryPeriod: Duration = .seconds(2)

        public init() {}
    }

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "invalid fleetd configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    /// `HOST:PORT` (IPv6 hosts in brackets), or nil.
    public static func hostAndPort(_ address: String) -> (host: String, port: Int)? {
        RawConfiguration.hostPort(address)
    }

    public static func load(path: String) throws -> FleetConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Invalid(problems: ["cannot read \(path): \(error.localizedDescription)"])
        }
        return try parse(yaml: text, source: path)
    }

    public static func parse(yaml text: String, source: String = "configuration") throws -> FleetConfiguration {
        let raw: RawConfiguration
        do {
            raw = try YAMLDecoder().decode(RawConfiguration.self, from: text)
        } catch {
            throw Invalid(problems: ["\(source): \(Self.describe(error))"])
        }
        return try raw.validated()
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(Self.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            return "\(Self.path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
    }
}

/// The file as written; `validated()` turns it into a `FleetConfiguration`.
struct RawConfiguration: Decodable {
    struct Listen: Decodable {
        var address: String?
        var tls: TLS?
    }

    struct TLS: Decodable {
        var certFile: String
        var keyFile: String
    }

    struct Metrics: Decodable {
        var address: String?
        var enabled: Bool?
    }

    struct LeaderElection: Decodable {
        var leaseName: String?
        var identity: String?
        var leaseDurationSeconds: Int?
        var renewDeadlineSeconds: Int?
        var retryPeriodSeconds: Int?
    }

    struct Policy: Decodable {
        var strategy: String?
        var costWeight: Double?
        var agingSeconds: Int?
    }

    struct Cluster: Decodable {
        var name: String
        var cloud: String
        var region: String
        var kubeconfig: String?
        var context: String?
        var inCluster: Bool?
        var ingressClass: String?
        var ingressDomain: String
        var costRank: Int?
        var qps: Double?
        var burst: Int?
    }

    struct Team: Decodable {
        var name: String
        var namespace: String?
        var quota: Quota?
    }

    struct Quota: Decodable {
        var cpu: String?
        var memory: String?
        var accelerators: [String: Int64]?
    }

    var listen: Listen?
    var metrics: Metrics?
    var managementCluster: String?
    var leaderElection: LeaderElection?
    var policy: Policy?
    var clusters: [Cluster]
    var teams: [Team]

    func validated() throws -> FleetConfiguration {
        var problems: [String] = []
        var configuration = FleetConfiguration()

        if let address = listen?.address {
            if let (host, port) = Self.hostPort(address) {
                configuration.listenHost = host
                configuration.listenPort = port
            } else {
                problems.append("listen.address: \"\(address)\" is not HOST:PORT")
            }
        }
        configuration.tls = listen?.tls.map { FleetConfiguration.TLSFiles(certificateFile: $0.certFile, keyFile: $0.keyFile) }
        if metrics?.enabled == false {
            configuration.metricsHost = nil
        } else if let address = metrics?.address {
            if let (host, port) = Self.hostPort(address) {
                configuration.metricsHost = host
                configuration.metricsPort = port
            } else {
                problems.append("metrics.address: \"\(address)\" is not HOST:PORT")
            }
        }

        var policy = PlacementPolicy()
        if let strategy = self.policy?.strategy {
            if let parsed = PlacementPolicy.Strategy(rawValue: strategy) { policy.strategy = parsed }
            else { problems.append("policy.strategy: \"\(strategy)\" is not bin-pack or spread") }
        }
        if let weight = self.policy?.costWeight { policy.costWeight = weight }
        let aging = Duration.seconds(self.policy?.agingSeconds ?? 300)
        if aging <= .zero { problems.append("policy.agingSeconds must be positive") }

        if clusters.isEmpty { problems.append("clusters: at least one cluster is needed") }
        var names = Set<String>()
        for (index, cluster) in clusters.enumerated() {
            let at = "clusters[\(index)] (\(cluster.name))"
            if !names.insert(cluster.name).inserted { problems.append("\(at): the name is used twice") }
            guard let cloud = Cloud(rawValue: cluster.cloud) else {
                problems.append("\(at).cloud: \"\(cluster.cloud)\" is not one of gke, aks, eks, onprem")
                continue
            }
            let access: FleetConfiguration.ClusterAccess
            if cluster.inCluster == true {
                if cluster.kubeconfig != nil || cluster.context != nil { problems.append("\(at): inCluster excludes kubeconfig and context") }
                access = .inCluster
            } else {
                access = .kubeconfig(path: cluster.kubeconfig, context: cluster.context)
            }
            let descriptor = ClusterDescriptor(
                name: ClusterName(cluster.name), cloud: cloud, region: cluster.region, costRank: cluster.costRank ?? 0,
                ingressClassName: cluster.ingressClass ?? "nginx", ingressDomain: cluster.ingressDomain)
            var entry = FleetConfiguration.ClusterEntry(descriptor: descriptor, access: access)
            if let qps = cluster.qps {
                if qps > 0 { entry.requestsPerSecond = qps } else { problems.append("\(at).qps must be positive") }
            }
            if let burst = cluster.burst {
                if burst > 0 { entry.burst = burst } else { problems.append("\(at).burst must be positive") }
            }
            configuration.clusters.append(entry)
        }

        if let management = managementCluster {
            if names.contains(management) { configuration.managementCluster = ClusterName(management) }
            else { problems.append("managementCluster: \"\(management)\" is not one of the clusters") }
        }

        if let raw = leaderElection {
            var election = FleetConfiguration.LeaderElection()
            if let name = raw.leaseName {
                if !KubernetesNames.isDNS1123Subdomain(name) {
                    problems.append("leaderElection.leaseName: \"\(name)\" is not a DNS-1123 subdomain")
                }
                election.leaseName = name
            }
            if let identity = raw.identity {
                if identity.isEmpty { problems.append("leaderElection.identity must not be empty") }
                election.identity = identity
            }
            let lease = raw.leaseDurationSeconds ?? Int(election.leaseDuration.components.seconds)
            let renew = raw.renewDeadlineSeconds ?? Int(election.renewDeadline.components.seconds)
            let retry = raw.retryPeriodSeconds ?? Int(election.retryPeriod.components.seconds)
            if lease <= 0 || renew <= 0 || retry <= 0 {
                problems.append("leaderElection: leaseDurationSeconds, renewDeadlineSeconds and retryPeriodSeconds must be positive")
            } else if !(retry < renew && renew < lease) {
                problems.append("leaderElection: needs retryPeriodSeconds < renewDeadlineSeconds < leaseDurationSeconds, so that a leader steps down before its Lease expires (have \(retry), \(renew), \(lease))")
            }
            election.leaseDuration = .seconds(lease)
            election.renewDeadline = .seconds(renew)
            election.retryPeriod = .seconds(retry)
            configuration.leaderElection = election
        }

        var teams: [Fleet.Team] = []
        if self.teams.isEmpty { problems.append("teams: at least one team is needed") }
        for (index, team) in self.teams.enumerated() {
            let at = "teams[\(index)] (\(team.name))"
            var limits: QuotaLimits?
            if let quota = team.quota {
                var parsed = QuotaLimits(accelerators: quota.accelerators ?? [:])
                if let cpu = quota.cpu {
                    if let value = try? Quantity(parsing: cpu) { parsed.cpuMillis = value.milliValue }
                    else { problems.append("\(at).quota.cpu: \"\(cpu)\" is not a quantity") }
                }
                if let memory = quota.memory {
                    if let value = try? Quantity(parsing: memory) { parsed.memoryBytes = value.value }
                    else { problems.append("\(at).quota.memory: \"\(memory)\" is not a quantity") }
                }
                limits = parsed
            }
            teams.append(Fleet.Team(name: team.name, namespace: team.namespace, quota: limits))
        }
        configuration.settings = FleetSettings(teams: teams, policy: policy, agingInterval: aging)
        guard problems.isEmpty else { throw FleetConfiguration.Invalid(problems: problems) }
        return configuration
    }

    private var policy_strategy: String? { policy?.strategy }

    static func hostPort(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }
}
