import KubeBackend

/// The OpenAPI path items of one resource, shaped as the apiserver publishes them:
/// each operation names its kind in `x-kubernetes-group-version-kind` and lists its
/// query parameters (kubectl looks for `fieldValidation` on PATCH to decide that the
/// server validates fields, and then skips its own validation).
struct OpenAPIPaths {
    let type: ResourceType

    static let metaDefinitions = ["Status", "DeleteOptions", "Patch", "WatchEvent", "APIResourceList"]
        .map { "io.k8s.apimachinery.pkg.apis.meta.v1." + $0 }
    static let scaleDefinition = "io.k8s.api.autoscaling.v1.Scale"

    /// io.k8s.api.apps.v1.Deployment, io.k8s.api.core.v1.Pod, ...
    static func definitionName(_ type: ResourceType) -> String {
        let package = type.group.isEmpty ? "core" : String(type.group.split(separator: ".")[0])
        return "io.k8s.api.\(package).\(type.version).\(type.kind)"
    }

    static func hasScale(_ type: ResourceType) -> Bool { type.hasScaleSubresource }

    func pathItems() -> [(key: String, value: JSONValue)] {
        let base = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        let collection = type.namespaced ? "\(base)/namespaces/{namespace}/\(type.resource)" : "\(base)/\(type.resource)"
        let item = collection + "/{name}"
        let scope = type.namespaced ? "Namespaced" : ""
        var items: [(key: String, value: JSONValue)] = [
            (collection, pathItem(named: false, [
                ("get", operation("list\(scope)\(type.kind)", "list or watch objects of kind \(type.kind)", action: "list", response: Self.definitionName(type) + "List", query: Self.listParameters)),
                ("post", operation("create\(scope)\(type.kind)", "create a \(type.kind)", action: "post", response: Self.definitionName(type), query: Self.writeParameters, body: Self.definitionName(type))),
                ("delete", operation("deleteCollection\(scope)\(type.kind)", "delete collection of \(type.kind)", action: "deletecollection", response: "io.k8s.apimachinery.pkg.apis.meta.v1.Status", query: Self.listParameters + ["dryRun", "gracePeriodSeconds", "propagationPolicy"], body: "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")),
            ])),
            (item, objectPathItem(suffix: "", response: Self.definitionName(type), kind: nil, deletable: true)),
        ]
        if type.namespaced {
            items.append(("\(base)/\(type.resource)", pathItem(named: false, namespaced: false, [
                ("get", operation("list\(type.kind)ForAllNamespaces", "list or watch objects of kind \(type.kind)", action: "list", response: Self.definitionName(type) + "List", query: Self.listParameters)),
            ])))
        }
        if type.hasStatusSubresource {
            items.append((item + "/status", objectPathItem(suffix: "Status", response: Self.definitionName(type), kind: nil, deletable: false)))
        }
        if type.hasScaleSubresource {
            items.append((item + "/scale", objectPathItem(suffix: "Scale", response: Self.scaleDefinition,
                                                           kind: ["group": "autoscaling", "kind": "Scale", "version": "v1"], deletable: false)))
        }
        return items
    }

    private func objectPathItem(suffix: String, response: String, kind: JSONValue?, deletable: Bool) -> JSONValue {
        let scope = type.namespaced ? "Namespaced" : ""
        let name = "\(scope)\(type.kind)\(suffix)"
        let what = suffix.isEmpty ? "the specified \(type.kind)" : "\(suffix.lowercased()) of the specified \(type.kind)"
        var operations: [(String, JSONValue)] = [
            ("get", operation("read\(name)", "read \(what)", action: "get", response: response, kind: kind)),
            ("put", operation("replace\(name)", "replace \(what)", action: "put", response: response, kind: kind, query: Self.writeParameters, body: response)),
            ("patch", operation("patch\(name)", "partially update \(what)", action: "patch", response: response, kind: kind,
                                query: Self.writeParameters + ["force"], body: "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", patch: true)),
        ]
        if deletable {
            operations.append(("delete", operation("delete\(name)", "delete a \(type.kind)", action: "delete", response: "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                                                   kind: kind, query: ["dryRun", "gracePeriodSeconds", "propagationPolicy"], body: "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")))
        }
        return pathItem(named: true, operations)
    }

    private func pathItem(named: Bool, namespaced: Bool? = nil, _ operations: [(String, JSONValue)]) -> JSONValue {
        var item = JSONObject()
        for (method, operation) in operations { item[method] = operation }
        var parameters: [JSONValue] = []
        if named { parameters.append(Self.parameter("name", in: "path", "name of the \(type.kind)", required: true)) }
        if namespaced ?? type.namespaced { parameters.append(Self.parameter("namespace", in: "path", "object name and auth scope, such as for teams and projects", required: true)) }
        parameters.append(Self.parameter("pretty", in: "query", "If 'true', then the output is pretty printed."))
        item["parameters"] = .array(parameters)
        return .object(item)
    }

    private func operation(_ id: String, _ description: String, action: String, response: String, kind: JSONValue? = nil,
                           query: [String] = [], body: String? = nil, patch: Bool = false) -> JSONValue {
        var operation: JSONObject = [
            "tags": .string(tag).asArray,
            "description": .string(description),
            "operationId": .string(id.prefixingGroup(operationPrefix)),
        ]
        if !query.isEmpty { operation["parameters"] = .array(query.map(Self.queryParameter)) }
        if let body {
            let mediaTypes = patch ? PatchType.allCases.map(\.rawValue) : ["*/*"]
            var content = JSONObject()
            for mediaType in mediaTypes { content[mediaType] = ["schema": Self.reference(body)] }
            operation["requestBody"] = ["content": .object(content), "required": true]
        }
        var responses: JSONObject = ["200": Self.response(response)]
        if action == "post" || action == "put" || action == "patch" { responses["201"] = Self.response(response) }
        if action == "post" || action == "delete" { responses["202"] = Self.response(response) }
        responses["401"] = ["description": "Unauthorized"]
        operation["responses"] = .object(responses)
        operation["x-kubernetes-action"] = .string(action)
        operation["x-kubernetes-group-version-kind"] = kind ?? ["group": .string(type.group), "kind": .string(type.kind), "version": .string(type.version)]
        return .object(operation)
    }

    /// "core_v1", "apps_v1", "networking_v1".
    private var tag: String {
        (type.group.isEmpty ? "core" : String(type.group.split(separator: ".")[0])) + "_" + type.version
    }

    /// "CoreV1", "AppsV1", "NetworkingV1".
    private var operationPrefix: String {
        let group = type.group.isEmpty ? "core" : String(type.group.split(separator: ".")[0])
        return group.prefix(1).uppercased() + group.dropFirst() + type.version.prefix(1).uppercased() + type.version.dropFirst()
    }

    private static func response(_ definition: String) -> JSONValue {
        ["description": "OK", "content": ["application/json": ["schema": reference(definition)],
                                          "application/yaml": ["schema": reference(definition)]]]
    }

    private static func reference(_ definition: String) -> JSONValue {
        ["$ref": .string(OfficialSchemas.referencePrefix + definition)]
    }

    private static let listParameters = ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
                                         "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"]
    private static let writeParameters = ["dryRun", "fieldManager", "fieldValidation"]

    private static func queryParameter(_ name: String) -> JSONValue {
        let booleans: Set = ["allowWatchBookmarks", "sendInitialEvents", "watch", "force"]
        let integers: Set = ["limit", "timeoutSeconds", "gracePeriodSeconds"]
        let schema: JSONValue = booleans.contains(name) ? ["type": "boolean", "uniqueItems": true]
            : integers.contains(name) ? ["type": "integer", "uniqueItems": true] : ["type": "string", "uniqueItems": true]
        return ["name": .string(name), "in": "query", "description": .string(parameterDescriptions[name] ?? name), "schema": schema]
    }

    private static func parameter(_ name: String, in location: String, _ description: String, required: Bool = false) -> JSONValue {
        var parameter: JSONObject = ["name": .string(name), "in": .string(location), "description": .string(description)]
        if required { parameter["required"] = true }
        parameter["schema"] = ["type": "string", "uniqueItems": true]
        return .object(parameter)
    }

    private static let parameterDescriptions = [
        "dryRun": "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed",
        "fieldManager": "fieldManager is a name associated with the actor or entity that is making these changes.",
        "fieldValidation": "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
        "force": "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people.",
        "labelSelector": "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
        "fieldSelector": "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
        "limit": "limit is a maximum number of responses to return for a list call.",
        "continue": "The continue option should be set when retrieving more results from the server.",
        "watch": "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
        "propagationPolicy": "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
    ]
}

private extension JSONValue {
    var asArray: JSONValue { .array([self]) }
}

private extension String {
    /// "listNamespacedPod" → "listCoreV1NamespacedPod", as the apiserver names operations.
    func prefixingGroup(_ group: String) -> String {
        guard let index = firstIndex(where: \.isUppercase) else { return self + group }
        return String(self[..<index]) + group + String(self[index...])
    }
}
