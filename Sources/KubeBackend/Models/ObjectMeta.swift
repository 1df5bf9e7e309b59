/// A Kubernetes kind that fleetd reads or writes: its REST coordinates plus metadata.
public protocol KubernetesObject: Codable, Sendable, Hashable {
    /// `group/version`, or just `version` for the core group ("v1").
    static var apiVersion: String { get }
    static var kind: String { get }
    /// The lower-case plural used in REST paths, e.g. "deployments".
    static var resource: String { get }
    static var isNamespaced: Bool { get }

    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    /// The API group, "" for the core group.
    public static var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    public static var version: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }
}

/// `metav1.ObjectMeta`.
public struct ObjectMeta: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?
    public var creationTimestamp: Timestamp?
    public var deletionTimestamp: Timestamp?
    public var deletionGracePeriodSeconds: Int64?
    /// Kept opaque: fleetd only sends it back as it came.
    public var managedFields: JSONValue?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, generateName, namespace, uid, resourceVersion, generation, labels, annotations
        case ownerReferences, finalizers, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds
        case managedFields
    }

    public init(
        name: String? = nil, namespace: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// `metav1.OwnerReference`.
public struct OwnerReference: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, name, uid, controller, blockOwnerDeletion
    }

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var resourceVersion: String?
    /// The token for the next page of a paginated list; nil or empty on the last page.
    public var continueToken: String?
    public var remainingItemCount: Int64?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case resourceVersion
        case continueToken = "continue"
        case remainingItemCount
    }

    public init(resourceVersion: String? = nil, continueToken: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

/// The condition shape shared by every kind (`metav1.Condition` and the per-kind
/// variants); kind-specific extras (lastProbeTime, lastHeartbeatTime, ...) stay in
/// `unknownFields`.
public struct Condition: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: Timestamp?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case type, status, reason, message, lastTransitionTime
    }

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    public var isTrue: Bool { status == "True" }
}

/// `metav1.LabelSelector`.
public struct LabelSelector: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case matchLabels, matchExpressions
    }

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

public struct LabelSelectorRequirement: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var key: String
    /// In, NotIn, Exists or DoesNotExist.
    public var `operator`: String
    public var values: [String]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case key, `operator`, values
    }

    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// `core/v1.ObjectReference`.
public struct ObjectReference: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, namespace, name, uid, resourceVersion
    }

    public init(apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// A field that is an integer or a string, such as a Service's `targetPort`.
public enum IntOrString: Codable, Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case int(Int32)
    case string(String)

    public init(integerLiteral value: Int32) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int32.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }
}

// MARK: Reading without Decoder (see JSONObjectDecodable); every coding key, as Decodable reads it.

extension ObjectMeta: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let name: String? = try fields.stringIfPresent(.name)
        let generateName: String? = try fields.stringIfPresent(.generateName)
        let namespace: String? = try fields.stringIfPresent(.namespace)
        let uid: String? = try fields.stringIfPresent(.uid)
        let resourceVersion: String? = try fields.stringIfPresent(.resourceVersion)
        let generation: Int64? = try fields.integerIfPresent(.generation)
        let labels: [String: String]? = try fields.stringMapIfPresent(.labels)
        let annotations: [String: String]? = try fields.stringMapIfPresent(.annotations)
        let ownerReferences: [OwnerReference]? = try fields.objectsIfPresent(.ownerReferences)
        let finalizers: [String]? = try fields.stringsIfPresent(.finalizers)
        let creationTimestamp: Timestamp? = try fields.timestampIfPresent(.creationTimestamp)
        let deletionTimestamp: Timestamp? = try fields.timestampIfPresent(.deletionTimestamp)
        let deletionGracePeriodSeconds: Int64? = try fields.integerIfPresent(.deletionGracePeriodSeconds)
        let managedFields: JSONValue? = fields.jsonIfPresent(.managedFields)
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.managedFields = managedFields
    }
}

extension OwnerReference: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let apiVersion: String = try fields.string(.apiVersion)
        let kind: String = try fields.string(.kind)
        let name: String = try fields.string(.name)
        let uid: String = try fields.string(.uid)
        let controller: Bool? = try fields.boolIfPresent(.controller)
        let blockOwnerDeletion: Bool? = try fields.boolIfPresent(.blockOwnerDeletion)
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

extension ListMeta: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let resourceVersion: String? = try fields.stringIfPresent(.resourceVersion)
        let continueToken: String? = try fields.stringIfPresent(.continueToken)
        let remainingItemCount: Int64? = try fields.integerIfPresent(.remainingItemCount)
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

extension Condition: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let type: String = try fields.string(.type)
        let status: String = try fields.string(.status)
        let reason: String? = try fields.stringIfPresent(.reason)
        let message: String? = try fields.stringIfPresent(.message)
        let lastTransitionTime: Timestamp? = try fields.timestampIfPresent(.lastTransitionTime)
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

// MARK: Writing without Encoder (see JSONObjectEncodable); every coding key, in order.

extension ObjectMeta: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.name, name)
        fields.string(.generateName, generateName)
        fields.string(.namespace, namespace)
        fields.string(.uid, uid)
        fields.string(.resourceVersion, resourceVersion)
        fields.integer(.generation, generation)
        fields.stringMap(.labels, labels)
        fields.stringMap(.annotations, annotations)
        try fields.objects(.ownerReferences, ownerReferences)
        fields.strings(.finalizers, finalizers)
        fields.timestamp(.creationTimestamp, creationTimestamp)
        fields.timestamp(.deletionTimestamp, deletionTimestamp)
        fields.integer(.deletionGracePeriodSeconds, deletionGracePeriodSeconds)
        fields.json(.managedFields, managedFields)
    }
}

extension OwnerReference: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.apiVersion, apiVersion)
        fields.string(.kind, kind)
        fields.string(.name, name)
        fields.string(.uid, uid)
        fields.bool(.controller, controller)
        fields.bool(.blockOwnerDeletion, blockOwnerDeletion)
    }
}

extension LabelSelector: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.stringMap(.matchLabels, matchLabels)
        try fields.objects(.matchExpressions, matchExpressions)
    }
}

extension LabelSelectorRequirement: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.key, key)
        fields.string(.operator, `operator`)
        fields.strings(.values, values)
    }
}
