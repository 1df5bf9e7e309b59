/// `core/v1.Node`.
public struct Node: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "v1"
    public static let kind = "Node"
    public static let resource = "nodes"
    public static let isNamespaced = false

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: NodeSpec?
    public var status: NodeStatus?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct NodeSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var podCIDR: String?
    public var podCIDRs: [String]?
    public var providerID: String?
    public var unschedulable: Bool?
    public var taints: [Taint]?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case podCIDR, podCIDRs, providerID, unschedulable, taints
    }

    public init(unschedulable: Bool? = nil, taints: [Taint]? = nil) {
        self.unschedulable = unschedulable
        self.taints = taints
    }
}

/// `core/v1.Taint`.
public struct Taint: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var key: String
    public var value: String?
    /// "NoSchedule", "PreferNoSchedule" or "NoExecute".
    public var effect: String
    public var timeAdded: Timestamp?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case key, value, effect, timeAdded
    }

    public init(key: String, value: String? = nil, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

public struct NodeStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var capacity: [String: Quantity]?
    public var allocatable: [String: Quantity]?
    public var conditions: [Condition]?
    public var addresses: [NodeAddress]?
    public var nodeInfo: NodeSystemInfo?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case capacity, allocatable, conditions, addresses, nodeInfo
    }

    public init(capacity: [String: Quantity]? = nil, allocatable: [String: Quantity]? = nil, conditions: [Condition]? = nil) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.conditions = conditions
    }
}

public struct NodeAddress: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// Hostname, InternalIP, ExternalIP, ...
    public var type: String
    public var address: String
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case type, address
    }

    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

public struct NodeSystemInfo: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var kubeletVersion: String?
    public var architecture: String?
    public var operatingSystem: String?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case kubeletVersion, architecture, operatingSystem
    }

    public init(kubeletVersion: String? = nil, architecture: String? = nil, operatingSystem: String? = nil) {
        self.kubeletVersion = kubeletVersion
        self.architecture = architecture
        self.operatingSystem = operatingSystem
    }
}

/// `core/v1.Namespace`.
public struct Namespace: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "v1"
    public static let kind = "Namespace"
    public static let resource = "namespaces"
    public static let isNamespaced = false

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta()) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
    }
}

public struct NamespaceSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var finalizers: [String]?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case finalizers
    }

    public init(finalizers: [String]? = nil) {
        self.finalizers = finalizers
    }
}

public struct NamespaceStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// Active or Terminating.
    public var phase: String?
    public var conditions: [Condition]?
    public var unknownFields: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case phase, conditions
    }

    public init(phase: String? = nil) {
        self.phase = phase
    }
}
