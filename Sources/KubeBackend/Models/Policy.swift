/// `core/v1.ResourceQuota`.
public struct ResourceQuota: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "v1"
    public static let kind = "ResourceQuota"
    public static let resource = "resourcequotas"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ResourceQuotaSpec?
    public var status: ResourceQuotaStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ResourceQuotaSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct ResourceQuotaSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// e.g. `["requests.cpu": "64", "requests.nvidia.com/gpu": "8", "pods": "100"]`.
    public var hard: [String: Quantity]?
    public var scopes: [String]?
    /// Kept opaque.
    public var scopeSelector: JSONValue?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case hard, scopes, scopeSelector
    }

    public init(hard: [String: Quantity]? = nil, scopes: [String]? = nil) {
        self.hard = hard
        self.scopes = scopes
    }
}

public struct ResourceQuotaStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var hard: [String: Quantity]?
    public var used: [String: Quantity]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case hard, used
    }

    public init(hard: [String: Quantity]? = nil, used: [String: Quantity]? = nil) {
        self.hard = hard
        self.used = used
    }
}

/// `scheduling.k8s.io/v1.PriorityClass`. Its fields sit at the top level, with no spec.
public struct PriorityClass: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "scheduling.k8s.io/v1"
    public static let kind = "PriorityClass"
    public static let resource = "priorityclasses"
    public static let isNamespaced = false

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var value: Int32
    public var globalDefault: Bool?
    public var description: String?
    /// PreemptLowerPriority (the default) or Never.
    public var preemptionPolicy: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, value, globalDefault, description, preemptionPolicy
    }

    public init(metadata: ObjectMeta = ObjectMeta(), value: Int32, description: String? = nil, preemptionPolicy: String? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.value = value
        self.description = description
        self.preemptionPolicy = preemptionPolicy
    }
}

/// `coordination.k8s.io/v1.Lease`, which fleetd's replicas lead through.
public struct Lease: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "coordination.k8s.io/v1"
    public static let kind = "Lease"
    public static let resource = "leases"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct LeaseSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int32?
    /// MicroTime: six fractional digits on the wire.
    public var acquireTime: Timestamp?
    public var renewTime: Timestamp?
    public var leaseTransitions: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions
    }

    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: Timestamp? = nil,
        renewTime: Timestamp? = nil, leaseTransitions: Int32? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}

/// `core/v1.ConfigMap`.
public struct ConfigMap: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "v1"
    public static let kind = "ConfigMap"
    public static let resource = "configmaps"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Base64 text, as on the wire.
    public var binaryData: [String: String]?
    public var immutable: Bool?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, data, binaryData, immutable
    }

    public init(metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.data = data
    }
}
