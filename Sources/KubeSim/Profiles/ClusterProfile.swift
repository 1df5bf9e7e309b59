import Foundation
import KubeBackend
import Yams

/// What a simulated cluster looks like: its cloud, region and zones, and its node pools.
/// Read from YAML (`kubesim --profile FILE`) or built in Swift for in-process use.
public struct ClusterProfile: Sendable, Hashable, Codable {
    public enum Cloud: String, Sendable, Hashable, Codable, CaseIterable {
        case gke, aks, eks, onprem
    }

    public var name: String
    public var cloud: Cloud
    public var region: String
    /// Nodes of each pool are spread over these round-robin; defaults to one zone per cloud's naming.
    public var zones: [String]
    public var nodePools: [NodePool]
    /// How long a Job's pod runs before it succeeds, unless its Job or pod carries
    /// the `kubesim.fleet.io/run-seconds` annotation.
    public var jobRunSeconds: Double
    /// Faults active from the start.
    public var faults: [FaultRule]

    public init(
        name: String, cloud: Cloud, region: String, zones: [String] = [], nodePools: [NodePool],
        jobRunSeconds: Double = 30, faults: [FaultRule] = []
    ) {
        self.name = name
        self.cloud = cloud
        self.region = region
        self.zones = zones
        self.nodePools = nodePools
        self.jobRunSeconds = jobRunSeconds
        self.faults = faults
    }

    enum CodingKeys: String, CodingKey {
        case name, cloud, region, zones, nodePools, jobRunSeconds, faults
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        cloud = try container.decode(Cloud.self, forKey: .cloud)
        region = try container.decode(String.self, forKey: .region)
        zones = try container.decodeIfPresent([String].self, forKey: .zones) ?? []
        nodePools = try container.decodeIfPresent([NodePool].self, forKey: .nodePools) ?? []
        jobRunSeconds = try container.decodeIfPresent(Double.self, forKey: .jobRunSeconds) ?? 30
        faults = try container.decodeIfPresent([FaultRule].self, forKey: .faults) ?? []
    }

    /// The zones nodes are placed in: the profile's, or one zone named as the cloud names them.
    public var effectiveZones: [String] {
        if !zones.isEmpty { return zones }
        switch cloud {
        case .gke: return ["\(region)-a"]
        case .aks: return ["\(region)-1"]
        case .eks: return ["\(region)a"]
        case .onprem: return [region]
        }
    }

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses and checks a profile in YAML.
    public static func parse(yaml text: String) throws -> ClusterProfile {
        let profile: ClusterProfile
        do {
            profile = try YAMLDecoder().decode(ClusterProfile.self, from: text)
        } catch {
            throw Invalid(description: "invalid cluster profile: \(error)")
        }
        try profile.validate()
        return profile
    }

    public static func load(path: String) throws -> ClusterProfile {
        try parse(yaml: String(contentsOfFile: path, encoding: .utf8))
    }

    /// Every quantity parses, names are DNS-1123 labels, pool names are unique.
    public func validate() throws {
        if NameValidation.problem(with: name, rule: .dns1123Label) != nil {
            throw Invalid(description: "cluster name \"\(name)\" is not a DNS-1123 label")
        }
        var poolNames = Set<String>()
        for pool in nodePools {
            guard poolNames.insert(pool.name).inserted else { throw Invalid(description: "node pool \"\(pool.name)\" is defined twice") }
            if NameValidation.problem(with: pool.name, rule: .dns1123Label) != nil {
                throw Invalid(description: "node pool name \"\(pool.name)\" is not a DNS-1123 label")
            }
            guard pool.count >= 0 else { throw Invalid(description: "node pool \"\(pool.name)\": count must not be negative") }
            for (resource, text) in pool.capacity {
                guard let quantity = try? Quantity(parsing: text), quantity.signum >= 0 else {
                    throw Invalid(description: "node pool \"\(pool.name)\": \(resource) \"\(text)\" is not a quantity")
                }
            }
            for taint in pool.taints where !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(taint.effect) {
                throw Invalid(description: "node pool \"\(pool.name)\": taint effect \"\(taint.effect)\" is not NoSchedule, PreferNoSchedule or NoExecute")
            }
        }
    }

    /// The profile as YAML, for `kubesim --print-profile` and for writing samples.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }
}

/// A group of identical nodes.
public struct NodePool: Sendable, Hashable, Codable {
    public var name: String
    public var count: Int
    /// Quantities as Kubernetes writes them: "8", "32Gi", "500m".
    public var cpu: String
    public var memory: String
    public var pods: Int
    public var ephemeralStorage: String
    /// The cloud's machine type, for the node.kubernetes.io/instance-type label.
    public var instanceType: String?
    /// Extra node labels, e.g. an accelerator label.
    public var labels: [String: String]
    /// Extended resources each node offers, e.g. `nvidia.com/gpu: "8"`.
    public var extendedResources: [String: String]
    public var taints: [PoolTaint]

    public init(
        name: String, count: Int, cpu: String, memory: String, pods: Int = 110, ephemeralStorage: String = "100Gi",
        instanceType: String? = nil, labels: [String: String] = [:], extendedResources: [String: String] = [:],
        taints: [PoolTaint] = []
    ) {
        self.name = name
        self.count = count
        self.cpu = cpu
        self.memory = memory
        self.pods = pods
        self.ephemeralStorage = ephemeralStorage
        self.instanceType = instanceType
        self.labels = labels
        self.extendedResources = extendedResources
        self.taints = taints
    }

    enum CodingKeys: String, CodingKey {
        case name, count, cpu, memory, pods, ephemeralStorage, instanceType, labels, extendedResources, taints
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
        cpu = try container.decode(String.self, forKey: .cpu)
        memory = try container.decode(String.self, forKey: .memory)
        pods = try container.decodeIfPresent(Int.self, forKey: .pods) ?? 110
        ephemeralStorage = try container.decodeIfPresent(String.self, forKey: .ephemeralStorage) ?? "100Gi"
        instanceType = try container.decodeIfPresent(String.self, forKey: .instanceType)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        extendedResources = try container.decodeIfPresent([String: String].self, forKey: .extendedResources) ?? [:]
        taints = try container.decodeIfPresent([PoolTaint].self, forKey: .taints) ?? []
    }

    /// Each node's capacity, by resource name.
    public var capacity: [String: String] {
        var result = ["cpu": cpu, "memory": memory, "pods": String(pods), "ephemeral-storage": ephemeralStorage]
        for (resource, amount) in extendedResources { result[resource] = amount }
        return result
    }
}

public struct PoolTaint: Sendable, Hashable, Codable {
    public var key: String
    public var value: String?
    public var effect: String

    public init(key: String, value: String? = nil, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}
