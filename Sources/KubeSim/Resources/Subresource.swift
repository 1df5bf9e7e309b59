/// A subresource that discovery lists under its resource: `deployments/scale` answers
/// with an autoscaling/v1 Scale, `pods/log` with text.
struct Subresource: Sendable, Hashable {
    let name: String
    /// The group and version of `kind`; the resource's own for status.
    let group: String
    let version: String
    let kind: String
    let verbs: [String]
}

extension ResourceType {
    var subresources: [Subresource] {
        var result: [Subresource] = []
        if kind == "Pod" { result.append(Subresource(name: "log", group: "", version: "v1", kind: "Pod", verbs: ["get"])) }
        if hasScaleSubresource {
            result.append(Subresource(name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"]))
        }
        if hasStatusSubresource {
            result.append(Subresource(name: "status", group: group, version: version, kind: kind, verbs: ["get", "patch", "update"]))
        }
        return result
    }

    /// Whether `kubectl get all` includes it.
    var inAllCategory: Bool {
        ["pods", "services", "deployments", "replicasets", "jobs", "cronjobs"].contains(resource)
    }
}
