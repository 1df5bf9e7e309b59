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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

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
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case phase, conditions
    }

    public init(phase: String? = nil) {
        self.phase = phase
    }
}

// MARK: Reading without Decoder (see JSONObjectDecodable); every coding key, as Decodable reads it.

extension Node: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let apiVersion: String? = try fields.stringIfPresent(.apiVersion)
        let kind: String? = try fields.stringIfPresent(.kind)
        let metadata: ObjectMeta = try fields.object(.metadata)
        let spec: NodeSpec? = try fields.objectIfPresent(.spec)
        let status: NodeStatus? = try fields.objectIfPresent(.status)
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension NodeSpec: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let podCIDR: String? = try fields.stringIfPresent(.podCIDR)
        let podCIDRs: [String]? = try fields.stringsIfPresent(.podCIDRs)
        let providerID: String? = try fields.stringIfPresent(.providerID)
        let unschedulable: Bool? = try fields.boolIfPresent(.unschedulable)
        let taints: [Taint]? = try fields.objectsIfPresent(.taints)
        self.podCIDR = podCIDR
        self.podCIDRs = podCIDRs
        self.providerID = providerID
        self.unschedulable = unschedulable
        self.taints = taints
    }
}

extension Taint: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let key: String = try fields.string(.key)
        let value: String? = try fields.stringIfPresent(.value)
        let effect: String = try fields.string(.effect)
        let timeAdded: Timestamp? = try fields.timestampIfPresent(.timeAdded)
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}

extension NodeStatus: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let capacity: [String: Quantity]? = try fields.quantitiesIfPresent(.capacity)
        let allocatable: [String: Quantity]? = try fields.quantitiesIfPresent(.allocatable)
        let conditions: [Condition]? = try fields.objectsIfPresent(.conditions)
        let addresses: [NodeAddress]? = try fields.objectsIfPresent(.addresses)
        let nodeInfo: NodeSystemInfo? = try fields.objectIfPresent(.nodeInfo)
        self.capacity = capacity
        self.allocatable = allocatable
        self.conditions = conditions
        self.addresses = addresses
        self.nodeInfo = nodeInfo
    }
}

extension NodeAddress: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let type: String = try fields.string(.type)
        let address: String = try fields.string(.address)
        self.type = type
        self.address = address
    }
}

extension NodeSystemInfo: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let kubeletVersion: String? = try fields.stringIfPresent(.kubeletVersion)
        let architecture: String? = try fields.stringIfPresent(.architecture)
        let operatingSystem: String? = try fields.stringIfPresent(.operatingSystem)
        self.kubeletVersion = kubeletVersion
        self.architecture = architecture
        self.operatingSystem = operatingSystem
    }
}
