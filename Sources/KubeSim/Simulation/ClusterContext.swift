import Foundation
import KubeBackend

/// What every simulated controller works with: the store, the API (for writes that must
/// pass admission, as controllers' writes do), the clock and the profile's settings.
struct ClusterContext: Sendable {
    let store: ObjectStore
    let api: KubeAPI
    let clock: SimulationClock
    let jobRunSeconds: Double

    func type(_ resource: String, group: String = "", version: String = "v1") -> ResourceType {
        guard let type = store.catalog.type(group: group, version: version, resource: resource) else {
            preconditionFailure("the catalog lacks \(group)/\(version)/\(resource)")
        }
        return type
    }

    var pods: ResourceType { type("pods") }
    var nodes: ResourceType { type("nodes") }
    var resourceQuotas: ResourceType { type("resourcequotas") }
    var deployments: ResourceType { type("deployments", group: "apps") }
    var replicaSets: ResourceType { type("replicasets", group: "apps") }
    var jobs: ResourceType { type("jobs", group: "batch") }
    var cronJobs: ResourceType { type("cronjobs", group: "batch") }

    func timestamp() -> JSONValue { .string(Timestamp(clock.now()).rawValue) }
}

extension ResourceKey {
    static let pods = ResourceKey(group: "", version: "v1", resource: "pods")
    static let nodes = ResourceKey(group: "", version: "v1", resource: "nodes")
    static let resourceQuotas = ResourceKey(group: "", version: "v1", resource: "resourcequotas")
    static let deployments = ResourceKey(group: "apps", version: "v1", resource: "deployments")
    static let replicaSets = ResourceKey(group: "apps", version: "v1", resource: "replicasets")
    static let jobs = ResourceKey(group: "batch", version: "v1", resource: "jobs")
    static let cronJobs = ResourceKey(group: "batch", version: "v1", resource: "cronjobs")
    static let services = ResourceKey(group: "", version: "v1", resource: "services")
    static let configMaps = ResourceKey(group: "", version: "v1", resource: "configmaps")
    static let ingresses = ResourceKey(group: "networking.k8s.io", version: "v1", resource: "ingresses")
}

extension JSONValue {
    var objectKey: ObjectKey { ObjectKey(namespace: metadataString("namespace"), name: metadataString("name") ?? "") }

    /// The uid of the owner reference marked controller, if any.
    var controllerUID: String? {
        (self["metadata"]?["ownerReferences"]?.arrayValue ?? [])
            .first { $0["controller"]?.boolValue == true }?["uid"]?.stringValue
    }

    var uid: String { metadataString("uid") ?? "" }

    var isBeingDeleted: Bool { self["metadata"]?["deletionTimestamp"].map { $0 != .null } ?? false }

    /// A controller owner reference pointing at this object.
    func controllerReference() -> JSONValue {
        ["apiVersion": self["apiVersion"] ?? "", "kind": self["kind"] ?? "", "name": .string(metadataString("name") ?? ""),
         "uid": .string(uid), "controller": true, "blockOwnerDeletion": true]
    }

    /// Sets `value` at a path of object keys, creating objects on the way.
    mutating func set(_ path: [String], _ value: JSONValue?) {
        set(path[...], value)
    }

    /// Changes in place, as `setField` does (see ObjectAccess).
    private mutating func set(_ path: ArraySlice<String>, _ value: JSONValue?) {
        guard let first = path.first else { return }
        var root = objectValue ?? [:]
        self = .null
        if path.count == 1 {
            root[first] = value
        } else {
            var child = root[first] ?? .object([:])
            if child.objectValue == nil { child = .object([:]) }
            root[first] = .null
            child.set(path.dropFirst(), value)
            root[first] = child
        }
        self = .object(root)
    }

    /// A condition list entry keeping its lastTransitionTime while its status stays the same.
    static func condition(_ type: String, _ status: String, reason: String, message: String, now: JSONValue,
                          previous: [JSONValue], updateTime: Bool = false) -> JSONValue {
        let old = previous.first { $0["type"]?.stringValue == type }
        let unchanged = old?["status"]?.stringValue == status
        var condition: JSONObject = ["type": .string(type), "status": .string(status)]
        if updateTime {
            let sameReason = unchanged && old?["reason"]?.stringValue == reason && old?["message"]?.stringValue == message
            condition["lastUpdateTime"] = sameReason ? (old?["lastUpdateTime"] ?? now) : now
        }
        condition["lastTransitionTime"] = unchanged ? (old?["lastTransitionTime"] ?? now) : now
        condition["reason"] = .string(reason)
        condition["message"] = .string(message)
        return .object(condition)
    }
}
