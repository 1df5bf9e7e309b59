/// `metav1.Status`: what the apiserver answers on errors (and some deletes).
public struct Status: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    /// "Success" or "Failure".
    public var status: String?
    public var message: String?
    /// A machine-readable cause: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, Expired, ...
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code.
    public var code: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, status, message, reason, details, code
    }

    public init(status: String? = nil, message: String? = nil, reason: String? = nil, details: StatusDetails? = nil, code: Int32? = nil) {
        apiVersion = "v1"
        kind = "Status"
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

public struct StatusDetails: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, group, kind, uid, causes, retryAfterSeconds
    }

    public init(name: String? = nil, group: String? = nil, kind: String? = nil, causes: [StatusCause]? = nil, retryAfterSeconds: Int32? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

public struct StatusCause: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// e.g. FieldValueInvalid, FieldValueRequired.
    public var reason: String?
    public var message: String?
    /// The JSON path of the offending field, e.g. "metadata.name".
    public var field: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case reason, message, field
    }

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// A list response: `PodList`, `DeploymentList`, ...
public struct KubeList<Item: KubernetesObject>: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, items
    }

    public init(metadata: ListMeta = ListMeta(), items: [Item]) {
        apiVersion = Item.apiVersion
        kind = Item.kind + "List"
        self.metadata = metadata
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The apiserver writes `"items": null` for an empty list of some kinds.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// One event of a watch stream.
public enum WatchEvent<Object: KubernetesObject>: Sendable, Hashable, Codable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Carries only the resourceVersion the watch has reached (in the object's metadata).
    case bookmark(Object)
    /// The server ended the watch, e.g. with 410 Expired.
    case error(Status)

    enum CodingKeys: String, CodingKey {
        case type, object
    }

    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object), .bookmark(let object): return object
        case .error: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK": self = .bookmark(try container.decode(Object.self, forKey: .object))
        case "ERROR": self = .error(try container.decode(Status.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .added(let object):
            try container.encode("ADDED", forKey: .type)
            try container.encode(object, forKey: .object)
        case .modified(let object):
            try container.encode("MODIFIED", forKey: .type)
            try container.encode(object, forKey: .object)
        case .deleted(let object):
            try container.encode("DELETED", forKey: .type)
            try container.encode(object, forKey: .object)
        case .bookmark(let object):
            try container.encode("BOOKMARK", forKey: .type)
            try container.encode(object, forKey: .object)
        case .error(let status):
            try container.encode("ERROR", forKey: .type)
            try container.encode(status, forKey: .object)
        }
    }
}

// MARK: Reading without Decoder (see JSONTapeDecodable), with the same results as init(from:).

extension KubeList: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let apiVersion: String? = try fields.stringIfPresent(.apiVersion)
        let kind: String? = try fields.stringIfPresent(.kind)
        let metadata: ListMeta = try fields.objectIfPresent(.metadata) ?? ListMeta()
        let items: [Item] = try fields.arrayIfPresent(.items) ?? []
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }
}

extension WatchEvent: JSONTapeDecodable {
    static func read(from decoder: JSONTapeDecoder, at index: Int) throws -> WatchEvent {
        var fields = try JSONObjectReader<CodingKeys>(decoder: decoder, objectAt: index)
        let type = try fields.string(.type)
        switch type {
        case "ADDED": return .added(try fields.decode(.object))
        case "MODIFIED": return .modified(try fields.decode(.object))
        case "DELETED": return .deleted(try fields.decode(.object))
        case "BOOKMARK": return .bookmark(try fields.decode(.object))
        case "ERROR": return .error(try fields.decode(.object))
        default:
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath + [CodingKeys.type], debugDescription: "unknown watch event type \(type)"))
        }
    }
}
