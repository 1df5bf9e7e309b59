import Foundation
import KubeBackend
import Yams

/// The patch formats the apiserver accepts, by Content-Type.
enum PatchType: String, CaseIterable {
    case jsonPatch = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    init?(contentType: String) {
        let mediaType = contentType.split(separator: ";").first.map { String($0.trimmingSpaces).lowercased() } ?? ""
        self.init(rawValue: mediaType)
    }
}

/// RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for entry in patchObject {
            if entry.value == .null {
                result.removeValue(forKey: entry.key)
            } else {
                result[entry.key] = apply(entry.value, to: result[entry.key] ?? .null)
            }
        }
        return .object(result)
    }
}

/// Strategic merge patch, minimally: a merge patch in which lists of known kinds
/// (containers, ports, env, volumes, conditions, ...) merge element-wise by their
/// merge key, and `$patch: delete|replace` directives are honoured.
enum StrategicMergePatch {
    /// Field name → merge key of its elements, from the Kubernetes types' patchMergeKey tags.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
        "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
        "conditions": "type", "hostAliases": "ip", "ownerReferences": "uid", "topologySpreadConstraints": "topologyKey",
    ]

    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(var patchObject) = patch else { return patch }
        if patchObject["$patch"] == "replace" {
            patchObject.removeValue(forKey: "$patch")
            return .object(patchObject)
        }
        var result = target.objectValue ?? [:]
        for entry in patchObject where !entry.key.hasPrefix("$") {
            if entry.value == .null {
                result.removeValue(forKey: entry.key)
            } else if case .array(let patchItems) = entry.value, case .array(let targetItems)? = result[entry.key],
                      let mergeKey = mergeKey(for: entry.key, patchItems + targetItems) {
                result[entry.key] = .array(mergeList(patchItems, into: targetItems, by: mergeKey))
            } else if case .object = entry.value {
                result[entry.key] = apply(entry.value, to: result[entry.key] ?? .null)
            } else {
                result[entry.key] = entry.value
            }
        }
        return .object(result)
    }

    /// Container ports merge by containerPort, Service ports by port.
    private static func mergeKey(for field: String, _ items: [JSONValue]) -> String? {
        if field == "ports" { return items.contains { $0["containerPort"] != nil } ? "containerPort" : "port" }
        return mergeKeys[field]
    }

    private static func mergeList(_ patchItems: [JSONValue], into targetItems: [JSONValue], by mergeKey: String) -> [JSONValue] {
        var result = targetItems
        for item in patchItems {
            let key = item[mergeKey]
            let index = result.firstIndex { key != nil && $0[mergeKey] == key }
            if item["$patch"] == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = apply(item, to: result[index])
            } else {
                result.append(apply(item, to: .object([:])))
            }
        }
        return result
    }
}

/// RFC 6902 JSON patch.
enum JSONPatch {
    struct Failure: Error { let message: String }

    static func apply(_ patch: JSONValue, to target: JSONValue) throws(Failure) -> JSONValue {
        guard case .array(let operations) = patch else { throw Failure(message: "json patch must be an array of operations") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw Failure(message: "operation must have op and path: \(operation)")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add": document = try add(operation["value"] ?? .null, at: pointer, in: document)
            case "remove": document = try remove(at: pointer, in: document).document
            case "replace":
                document = try remove(at: pointer, in: document).document
                document = try add(try required(operation, "value"), at: pointer, in: document)
            case "move":
                let from = try parsePointer(try required(operation, "from").stringValue ?? "")
                let removal = try remove(at: from, in: document)
                document = try add(removal.value, at: pointer, in: removal.document)
            case "copy":
                let from = try parsePointer(try required(operation, "from").stringValue ?? "")
                document = try add(try value(at: from, in: document), at: pointer, in: document)
            case "test":
                guard try value(at: pointer, in: document) == (operation["value"] ?? .null) else {
                    throw Failure(message: "testing value \(path) failed")
                }
            default:
                throw Failure(message: "Unexpected kind: \(op)")
            }
        }
        return document
    }

    private static func required(_ operation: JSONValue, _ field: String) throws(Failure) -> JSONValue {
        guard let value = operation[field] else { throw Failure(message: "operation missing \(field): \(operation)") }
        return value
    }

    private static func parsePointer(_ path: String) throws(Failure) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw Failure(message: "invalid JSON pointer: \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func value(at pointer: [String], in document: JSONValue) throws(Failure) -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw Failure(message: "path not found: /\(pointer.joined(separator: "/"))") }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { throw Failure(message: "index out of range: \(token)") }
                current = items[index]
            default:
                throw Failure(message: "path not found: /\(pointer.joined(separator: "/"))")
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at pointer: [String], in document: JSONValue) throws(Failure) -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var object):
            if rest.isEmpty {
                object[token] = value
            } else {
                guard let child = object[token] else { throw Failure(message: "path not found: \(token)") }
                object[token] = try add(value, at: rest, in: child)
            }
            return .object(object)
        case .array(var items):
            if rest.isEmpty {
                if token == "-" { items.append(value); return .array(items) }
                guard let index = Int(token), index >= 0, index <= items.count else { throw Failure(message: "index out of range: \(token)") }
                items.insert(value, at: index)
            } else {
                guard let index = Int(token), items.indices.contains(index) else { throw Failure(message: "index out of range: \(token)") }
                items[index] = try add(value, at: rest, in: items[index])
            }
            return .array(items)
        default:
            throw Failure(message: "cannot add to a non-container at \(token)")
        }
    }

    private static func remove(at pointer: [String], in document: JSONValue) throws(Failure) -> (document: JSONValue, value: JSONValue) {
        guard let token = pointer.first else { throw Failure(message: "cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var object):
            guard let child = object[token] else { throw Failure(message: "path not found: \(token)") }
            if rest.isEmpty {
                object.removeValue(forKey: token)
                return (.object(object), child)
            }
            let removal = try remove(at: rest, in: child)
            object[token] = removal.document
            return (.object(object), removal.value)
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else { throw Failure(message: "index out of range: \(token)") }
            if rest.isEmpty {
                let removed = items.remove(at: index)
                return (.array(items), removed)
            }
            let removal = try remove(at: rest, in: items[index])
            items[index] = removal.document
            return (.array(items), removal.value)
        default:
            throw Failure(message: "path not found: \(token)")
        }
    }
}

/// YAML (a superset of JSON) to a JSON tree, for apply-patch+yaml bodies.
enum YAMLDocument {
    struct Failure: Error { let message: String }

    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        if let json = try? KubeJSON.parse(bytes) { return json }
        do {
            guard let node = try Yams.compose(yaml: String(decoding: bytes, as: UTF8.self)) else { return .null }
            return convert(node)
        } catch {
            throw Failure(message: "error converting YAML to JSON: \(error)")
        }
    }

    private static func convert(_ node: Yams.Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? ""] = convert(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case Tag.Name.null: return .null
            case Tag.Name.bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int, Tag.Name.float: return JSONNumber(scalar.string).map(JSONValue.number) ?? node.float.map { .number(JSONNumber($0)) } ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .alias:
            return .null
        }
    }
}
