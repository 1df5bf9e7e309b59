/// A `core/v1.Pod` seen only as a claim on its node's capacity: the fields fleetd's
/// capacity view reads (identity, labels, node, phase, readiness and what each container
/// requests), read from the server's JSON while everything else in it is skipped. An
/// informer over every pod of a cluster decodes thousands of these per second; skipping
/// the rest of each pod (statuses, volumes, managed fields, unknown fields) is most of
/// that cost saved.
///
/// Read-only: it keeps nothing it does not read, so it must never be written back to a
/// cluster. Use `Pod` to change pods.
public struct PodClaim: KubernetesObject {
    public static let apiVersion = Pod.apiVersion
    public static let kind = Pod.kind
    public static let resource = Pod.resource
    public static let isNamespaced = Pod.isNamespaced

    public var apiVersion: String?
    public var kind: String?
    /// Only name, generateName, namespace, uid, resourceVersion, generation, labels,
    /// creationTimestamp and deletionTimestamp.
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var nodeName: String?
        public var containers: [ContainerClaim]
        public var initContainers: [ContainerClaim]?

        public init(nodeName: String? = nil, containers: [ContainerClaim], initContainers: [ContainerClaim]? = nil) {
            self.nodeName = nodeName
            self.containers = containers
            self.initContainers = initContainers
        }
    }

    public struct ContainerClaim: Codable, Sendable, Hashable {
        public var name: String
        public var requests: [String: Quantity]?
        public var limits: [String: Quantity]?

        public init(name: String, requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
            self.name = name
            self.requests = requests
            self.limits = limits
        }
    }

    public struct Status: Codable, Sendable, Hashable {
        /// Pending, Running, Succeeded, Failed or Unknown.
        public var phase: String?
        /// The status of the pod's `Ready` condition ("True", "False", "Unknown"), if it has one.
        public var ready: String?

        public init(phase: String? = nil, ready: String? = nil) {
            self.phase = phase
            self.ready = ready
        }
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: Spec? = nil, status: Status? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The claim of a full pod.
    public init(_ pod: Pod) {
        self.init(metadata: PodClaim.claimedMetadata(pod.metadata), spec: pod.spec.map { spec in
            Spec(nodeName: spec.nodeName, containers: spec.containers.map(ContainerClaim.init),
                 initContainers: spec.initContainers?.map(ContainerClaim.init))
        }, status: pod.status.map { Status(phase: $0.phase, ready: $0.conditions?.first { $0.type == "Ready" }?.status) })
        apiVersion = pod.apiVersion
        kind = pod.kind
    }

    static func claimedMetadata(_ full: ObjectMeta) -> ObjectMeta {
        var metadata = ObjectMeta(name: full.name, namespace: full.namespace, labels: full.labels)
        metadata.generateName = full.generateName
        metadata.uid = full.uid
        metadata.resourceVersion = full.resourceVersion
        metadata.generation = full.generation
        metadata.creationTimestamp = full.creationTimestamp
        metadata.deletionTimestamp = full.deletionTimestamp
        return metadata
    }
}

extension PodClaim.ContainerClaim {
    init(_ container: Container) {
        self.init(name: container.name, requests: container.resources?.requests, limits: container.resources?.limits)
    }
}

// MARK: Decoding: from a tree through Decodable, from bytes through the tape; both read a
// full pod's JSON and give what `PodClaim(Pod)` gives for it.

extension PodClaim {
    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decode(ClaimedMetadata.self, forKey: .metadata).metadata
        spec = try container.decodeIfPresent(PodSpecClaim.self, forKey: .spec)?.spec
        status = try container.decodeIfPresent(PodStatusClaim.self, forKey: .status)?.status
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(apiVersion, forKey: .apiVersion)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encodeIfPresent(spec, forKey: .spec)
        try container.encodeIfPresent(status, forKey: .status)
    }
}

extension PodClaim: JSONObjectProjection {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        apiVersion = try fields.stringIfPresent(.apiVersion)
        kind = try fields.stringIfPresent(.kind)
        metadata = try fields.object(.metadata, as: ClaimedMetadata.self).metadata
        spec = try fields.objectIfPresent(.spec, as: PodSpecClaim.self)?.spec
        status = try fields.objectIfPresent(.status, as: PodStatusClaim.self)?.status
    }
}

/// The metadata fields a claim keeps, read as `ObjectMeta` reads them.
private struct ClaimedMetadata: Decodable, JSONObjectProjection {
    var metadata = ObjectMeta()

    enum CodingKeys: String, CodingKey {
        case name, generateName, namespace, uid, resourceVersion, generation, labels, creationTimestamp, deletionTimestamp
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata.name = try container.decodeIfPresent(String.self, forKey: .name)
        metadata.generateName = try container.decodeIfPresent(String.self, forKey: .generateName)
        metadata.namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        metadata.uid = try container.decodeIfPresent(String.self, forKey: .uid)
        metadata.resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion)
        metadata.generation = try container.decodeIfPresent(Int64.self, forKey: .generation)
        metadata.labels = try container.decodeIfPresent([String: String].self, forKey: .labels)
        metadata.creationTimestamp = try container.decodeIfPresent(Timestamp.self, forKey: .creationTimestamp)
        metadata.deletionTimestamp = try container.decodeIfPresent(Timestamp.self, forKey: .deletionTimestamp)
    }

    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        metadata.name = try fields.stringIfPresent(.name)
        metadata.generateName = try fields.stringIfPresent(.generateName)
        metadata.namespace = try fields.stringIfPresent(.namespace)
        metadata.uid = try fields.stringIfPresent(.uid)
        metadata.resourceVersion = try fields.stringIfPresent(.resourceVersion)
        metadata.generation = try fields.integerIfPresent(.generation)
        metadata.labels = try fields.stringMapIfPresent(.labels)
        metadata.creationTimestamp = try fields.timestampIfPresent(.creationTimestamp)
        metadata.deletionTimestamp = try fields.timestampIfPresent(.deletionTimestamp)
    }
}

private struct PodSpecClaim: Decodable, JSONObjectProjection {
    var spec: PodClaim.Spec

    enum CodingKeys: String, CodingKey {
        case nodeName, containers, initContainers
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = PodClaim.Spec(
            nodeName: try container.decodeIfPresent(String.self, forKey: .nodeName),
            containers: try container.decode([ContainerClaimFields].self, forKey: .containers).map(\.claim),
            initContainers: try container.decodeIfPresent([ContainerClaimFields].self, forKey: .initContainers)?.map(\.claim))
    }

    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        spec = PodClaim.Spec(
            nodeName: try fields.stringIfPresent(.nodeName),
            containers: try fields.objects(.containers, of: ContainerClaimFields.self).map(\.claim),
            initContainers: try fields.objectsIfPresent(.initContainers, of: ContainerClaimFields.self)?.map(\.claim))
    }
}

private struct ContainerClaimFields: Decodable, JSONObjectProjection {
    var claim: PodClaim.ContainerClaim

    enum CodingKeys: String, CodingKey {
        case name, resources
    }

    enum ResourceKeys: String, CodingKey {
        case requests, limits
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        claim = PodClaim.ContainerClaim(name: try container.decode(String.self, forKey: .name))
        guard container.contains(.resources), try !container.decodeNil(forKey: .resources) else { return }
        let resources = try container.nestedContainer(keyedBy: ResourceKeys.self, forKey: .resources)
        claim.requests = try resources.decodeIfPresent([String: Quantity].self, forKey: .requests)
        claim.limits = try resources.decodeIfPresent([String: Quantity].self, forKey: .limits)
    }

    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        claim = PodClaim.ContainerClaim(name: try fields.string(.name))
        if let resources = try fields.objectIfPresent(.resources, as: ResourceFields.self) {
            claim.requests = resources.requests
            claim.limits = resources.limits
        }
    }

    private struct ResourceFields: Decodable, JSONObjectProjection {
        var requests: [String: Quantity]?
        var limits: [String: Quantity]?

        enum CodingKeys: String, CodingKey {
            case requests, limits
        }

        init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
            requests = try fields.quantitiesIfPresent(.requests)
            limits = try fields.quantitiesIfPresent(.limits)
        }
    }
}

private struct PodStatusClaim: Decodable, JSONObjectProjection {
    var status: PodClaim.Status

    enum CodingKeys: String, CodingKey {
        case phase, conditions
    }

    /// A condition as far as a claim cares: the status, when it is the Ready condition.
    private struct ConditionFields: Decodable, JSONObjectProjection {
        /// nil for every condition that is not Ready.
        var readyStatus: String?

        enum CodingKeys: String, CodingKey {
            case type, status
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            let status = try container.decode(String.self, forKey: .status)
            readyStatus = type == "Ready" ? status : nil
        }

        // The same checks, without building the text of the conditions that are not Ready.
        init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
            if try fields.string(.type, equals: "Ready") {
                readyStatus = try fields.string(.status)
            } else {
                try fields.checkString(.status)
            }
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let conditions = try container.decodeIfPresent([ConditionFields].self, forKey: .conditions)
        status = PodClaim.Status(phase: try container.decodeIfPresent(String.self, forKey: .phase),
                                 ready: conditions?.lazy.compactMap(\.readyStatus).first)
    }

    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let conditions = try fields.objectsIfPresent(.conditions, of: ConditionFields.self)
        status = PodClaim.Status(phase: try fields.stringIfPresent(.phase), ready: conditions?.lazy.compactMap(\.readyStatus).first)
    }
}
