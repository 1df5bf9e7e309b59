import KubeBackend

/// Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1): every resource of every
/// group version in one answer on /api and on /apis, which kubectl prefers to walking
/// the legacy documents one group at a time.
struct AggregatedDiscovery {
    let catalog: ResourceCatalog

    static func contentType(version: String) -> String {
        "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList"
    }

    /// Nil unless `path` is /api or /apis.
    func document(for path: String, version: String) -> JSONValue? {
        let groups: [JSONValue]
        switch path {
        case "/api": groups = [group(name: nil, versions: ["v1"])]
        case "/apis":
            var names: [String] = []
            for entry in catalog.groupVersions where !names.contains(entry.group) { names.append(entry.group) }
            groups = names.map { name in group(name: name, versions: catalog.groupVersions.filter { $0.group == name }.map(\.version)) }
        default: return nil
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
                "metadata": .object([:]), "items": .array(groups)]
    }

    private func group(name: String?, versions: [String]) -> JSONValue {
        var metadata: JSONObject = [:]
        if let name { metadata["name"] = .string(name) }
        metadata["creationTimestamp"] = .null
        let entries: [JSONValue] = versions.map { version in
            ["version": .string(version),
             "resources": .array(catalog.types(group: name ?? "", version: version).map(resource)),
             "freshness": "Current"]
        }
        return ["metadata": .object(metadata), "versions": .array(entries)]
    }

    private func resource(_ type: ResourceType) -> JSONValue {
        var entry: JSONObject = [
            "resource": .string(type.resource),
            "responseKind": ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)],
            "scope": type.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(type.singular),
            "verbs": .array(ResourceType.verbs.map(JSONValue.string)),
        ]
        if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
        if type.inAllCategory { entry["categories"] = ["all"] }
        let subresources = type.subresources
        if !subresources.isEmpty {
            entry["subresources"] = .array(subresources.map { subresource in
                ["subresource": .string(subresource.name),
                 "responseKind": ["group": .string(subresource.group), "version": .string(subresource.version), "kind": .string(subresource.kind)],
                 "verbs": .array(subresource.verbs.map(JSONValue.string))]
            })
        }
        return .object(entry)
    }
}
