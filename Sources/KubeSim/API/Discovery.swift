import KubeBackend

/// The discovery documents clients read before anything else.
struct Discovery {
    let catalog: ResourceCatalog

    /// Nil when `path` is not a discovery path.
    func document(for path: String, serverAddress: String) -> JSONValue? {
        let segments = path.split(separator: "/").map(String.init)
        switch segments.count {
        case 1 where segments[0] == "version": return Self.version
        case 1 where segments[0] == "api":
            return ["kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
        case 1 where segments[0] == "apis":
            return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupNames.map(group))]
        case 2 where segments[0] == "api" && segments[1] == "v1":
            return resourceList(group: "", version: "v1")
        case 2 where segments[0] == "apis" && groupNames.contains(segments[1]):
            return group(segments[1])
        case 3 where segments[0] == "apis" && !catalog.types(group: segments[1], version: segments[2]).isEmpty:
            return resourceList(group: segments[1], version: segments[2])
        default: return nil
        }
    }

    static let version: JSONValue = [
        "major": "1", "minor": "33", "gitVersion": "v1.33.0", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    private var groupNames: [String] {
        var names: [String] = []
        for entry in catalog.groupVersions where !names.contains(entry.group) { names.append(entry.group) }
        return names
    }

    private func group(_ name: String) -> JSONValue {
        let versions: [JSONValue] = catalog.groupVersions.filter { $0.group == name }.map {
            ["groupVersion": .string("\(name)/\($0.version)"), "version": .string($0.version)]
        }
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(versions),
                "preferredVersion": versions[0]]
    }

    private func resourceList(group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for type in catalog.types(group: group, version: version) {
            var entry: JSONObject = [
                "name": .string(type.resource), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(ResourceType.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if type.inAllCategory { entry["categories"] = ["all"] }
            resources.append(.object(entry))
            for subresource in type.subresources {
                var item: JSONObject = ["name": .string("\(type.resource)/\(subresource.name)"), "singularName": "", "namespaced": .bool(type.namespaced)]
                if !subresource.group.isEmpty { item["group"] = .string(subresource.group) }
                if subresource.version != type.version || !subresource.group.isEmpty { item["version"] = .string(subresource.version) }
                item["kind"] = .string(subresource.kind)
                item["verbs"] = .array(subresource.verbs.map(JSONValue.string))
                resources.append(.object(item))
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }
}
