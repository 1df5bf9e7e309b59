/// What a REST path names: a collection or one object of a resource, maybe a subresource.
struct RequestTarget {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?
    /// The legacy `/api/v1/watch/...` form.
    var legacyWatch: Bool

    /// Nil when the path is not a resource path of a known kind; throws 404 for
    /// a known prefix naming an unknown resource.
    static func parse(_ path: String, catalog: ResourceCatalog) -> RequestTarget? {
        var segments = path.split(separator: "/").map { PercentDecoding.decode($0) }
        let group: String, version: String
        if segments.first == "api", segments.count >= 3 {
            (group, version) = ("", segments[1])
            segments.removeFirst(2)
        } else if segments.first == "apis", segments.count >= 4 {
            (group, version) = (segments[1], segments[2])
            segments.removeFirst(3)
        } else {
            return nil
        }
        var legacyWatch = false
        if segments.first == "watch" {
            legacyWatch = true
            segments.removeFirst()
        }
        var namespace: String?
        // namespaces/{ns}/{resource}/..., except a namespace's own subresources.
        if segments.count >= 3, segments[0] == "namespaces", !(segments.count == 3 && ["status", "finalize"].contains(segments[2])) {
            namespace = segments[1]
            segments.removeFirst(2)
        }
        guard !segments.isEmpty, segments.count <= 3,
              let type = catalog.type(group: group, version: version, resource: segments[0]),
              namespace == nil || type.namespaced
        else { return nil }
        return RequestTarget(
            type: type, namespace: namespace, name: segments.count > 1 ? segments[1] : nil,
            subresource: segments.count > 2 ? segments[2] : nil, legacyWatch: legacyWatch)
    }
}
