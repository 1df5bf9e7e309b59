import KubeBackend

/// The autoscaling/v1 Scale view of a Deployment or ReplicaSet, which `kubectl scale`
/// reads and patches: only `.spec.replicas` of the object changes through it.
struct ScaleSubresource {
    let store: ObjectStore
    let type: ResourceType
    let namespace: String?
    let name: String
    let dryRun: Bool

    func handle(_ request: APIRequest) throws(APIError) -> APIResponse {
        switch request.method {
        case "GET":
            return .json(200, Self.scale(of: try store.get(type, namespace: namespace, name: name)))
        case "PUT":
            guard let body = try? KubeJSON.parse(request.body), body.objectValue != nil else {
                throw APIError.badRequest("the object provided is unrecognized (must be of type JSON object)")
            }
            return .json(200, try write { _ throws(APIError) in body })
        case "PATCH":
            let contentType = request.headers["content-type"] ?? ""
            guard let patchType = PatchType(contentType: contentType) else {
                throw APIError.unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
            }
            let patch: JSONValue
            do throws(YAMLDocument.Failure) { patch = try YAMLDocument.parse(request.body) } catch {
                throw APIError.badRequest("error decoding patch: \(error.message)")
            }
            return .json(200, try write { scale throws(APIError) in
                switch patchType {
                case .merge: return MergePatch.apply(patch, to: scale)
                case .strategicMerge, .apply: return StrategicMergePatch.apply(patch, to: scale)
                case .jsonPatch:
                    do throws(JSONPatch.Failure) { return try JSONPatch.apply(patch, to: scale) } catch {
                        throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(error.message)")
                    }
                }
            })
        default:
            throw APIError.methodNotAllowed(request.method, type)
        }
    }

    /// Applies `change` to the current Scale and stores the replicas it asks for.
    private func write(_ change: (JSONValue) throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        let stored = try store.modify(type, namespace: namespace, name: name, dryRun: dryRun) { old throws(APIError) -> JSONValue in
            let scale = try change(Self.scale(of: old))
            guard let replicas = scale["spec"]?["replicas"]?.numberValue?.int64Value else {
                throw APIError(code: 422, reason: "Invalid", message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Required value")
            }
            guard replicas >= 0 else {
                throw APIError(code: 422, reason: "Invalid", message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0")
            }
            var new = old
            new.set(["spec", "replicas"], .number(JSONNumber(replicas)))
            new.setMetadata("resourceVersion", scale["metadata"]?["resourceVersion"])
            return new
        }
        return Self.scale(of: stored)
    }

    static func scale(of object: JSONValue) -> JSONValue {
        var metadata = JSONObject()
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = object["metadata"]?[field] { metadata[field] = value }
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": ["replicas": object["spec"]?["replicas"] ?? 1],
            "status": ["replicas": object["status"]?["replicas"] ?? 0,
                       "selector": .string(WorkloadTablePrinters.selectorText(object["spec"]?["selector"]))],
        ]
    }
}
