import KubeBackend

/// `fieldValidation=Strict`, which kubectl sends by default once the OpenAPI document
/// says the server supports it: a field that the official schema of the kind does not
/// define is refused with 400, as the apiserver's strict decoder does.
enum StrictFieldValidation {
    /// Throws 400 BadRequest when `request` asks for strict validation and `object`
    /// has unknown fields.
    static func check(_ object: JSONValue, as type: ResourceType, _ request: APIRequest) throws(APIError) {
        guard request.query["fieldValidation"] == "Strict",
              let schema = OfficialSchemas.schema(named: OpenAPIPaths.definitionName(type)) else { return }
        var unknown: [String] = []
        collectUnknown(object, schema, path: "", into: &unknown)
        guard !unknown.isEmpty else { return }
        let fields = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
        throw APIError.badRequest("\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): strict decoding error: \(fields)")
    }

    private static func collectUnknown(_ value: JSONValue, _ schema: JSONValue, path: String, into unknown: inout [String]) {
        let schema = resolve(schema)
        if schema["x-kubernetes-preserve-unknown-fields"] == true { return }
        switch value {
        case .object(let object):
            if let properties = schema["properties"]?.objectValue {
                for entry in object {
                    let childPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
                    if let child = properties[entry.key] {
                        collectUnknown(entry.value, child, path: childPath, into: &unknown)
                    } else {
                        unknown.append(childPath)
                    }
                }
            } else if let values = schema["additionalProperties"], values.objectValue != nil {
                for entry in object { collectUnknown(entry.value, values, path: "\(path).\(entry.key)", into: &unknown) }
            }
        case .array(let items):
            guard let itemSchema = schema["items"] else { return }
            for (index, item) in items.enumerated() { collectUnknown(item, itemSchema, path: "\(path)[\(index)]", into: &unknown) }
        default:
            return
        }
    }

    /// Follows `$ref` and a single-element `allOf` to the schema they name.
    private static func resolve(_ schema: JSONValue) -> JSONValue {
        var current = schema
        for _ in 0..<8 {
            if let reference = current["$ref"]?.stringValue, reference.hasPrefix(OfficialSchemas.referencePrefix),
               let target = OfficialSchemas.schema(named: String(reference.dropFirst(OfficialSchemas.referencePrefix.count))) {
                current = target
            } else if let all = current["allOf"]?.arrayValue, all.count == 1, current["properties"] == nil {
                current = all[0]
            } else {
                break
            }
        }
        return current
    }
}
