import KubeBackend

/// Where an object lives within one resource: namespace ("" when cluster-scoped) and name.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let namespace: String
    public let name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace ?? ""
        self.name = name
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    /// The ordering key continue tokens carry.
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// Reading and writing `metadata` fields of an object kept as untyped JSON.
extension JSONValue {
    var metadata: JSONObject { self["metadata"]?.objectValue ?? [:] }

    func metadataString(_ field: String) -> String? { self["metadata"]?[field]?.stringValue }

    var labels: [String: String] {
        var result: [String: String] = [:]
        for entry in self["metadata"]?["labels"]?.objectValue ?? [:] {
            if let value = entry.value.stringValue { result[entry.key] = value }
        }
        return result
    }

    var ownerUIDs: [String] {
        (self["metadata"]?["ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    // The setters below first let go of what they change (`self = .null`, a `.null`
    // placeholder in the parent), so that the object they change is referenced only once
    // and changes in place. Otherwise each call copies the object and its metadata.

    mutating func setMetadata(_ field: String, _ value: JSONValue?) {
        guard case .object(var root) = self else { return }
        self = .null
        var metadata = root["metadata"]?.objectValue ?? [:]
        root["metadata"] = .null
        metadata[field] = value
        root["metadata"] = .object(metadata)
        self = .object(root)
    }

    mutating func setField(_ field: String, _ value: JSONValue?) {
        guard case .object(var root) = self else { return }
        self = .null
        root[field] = value
        self = .object(root)
    }

    /// The object without the fields the server owns, for "did anything change" checks.
    var withoutServerFields: JSONValue {
        var copy = self
        copy.setMetadata("resourceVersion", nil)
        copy.setMetadata("managedFields", nil)
        copy.setMetadata("generation", nil)
        return copy
    }

    /// Everything but metadata and status: what a spec change bumps generation for.
    var desiredState: JSONObject {
        var object = objectValue ?? [:]
        for field in ["metadata", "status", "kind", "apiVersion"] { object.removeValue(forKey: field) }
        return object
    }

    /// kind, apiVersion and metadata first, as the apiserver writes them.
    func inServerFieldOrder() -> JSONValue {
        guard let object = objectValue else { return self }
        var ordered = JSONObject()
        for field in ["kind", "apiVersion", "metadata"] { if let value = object[field] { ordered[field] = value } }
        for entry in object where ordered[entry.key] == nil { ordered[entry.key] = entry.value }
        return .object(ordered)
    }
}
