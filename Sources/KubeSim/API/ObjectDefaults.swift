import KubeBackend

/// What the apiserver fills in on create: the defaults clients read back, and the
/// status a new object starts with.
final class ObjectDefaults: Sendable {
    func applyOnCreate(_ object: inout JSONValue, as type: ResourceType) {
        // The apiserver's types hold status as a struct, never a pointer, so a new object
        // reads back with an empty status, not without one.
        if type.hasStatusSubresource { object.setField("status", .object([:])) }
        switch type.kind {
        case "Namespace":
            object.setField("spec", ["finalizers": ["kubernetes"]])
            object.setField("status", ["phase": "Active"])
            var labels = object["metadata"]?["labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = .string(object.metadataString("name") ?? "")
            object.setMetadata("labels", .object(labels))
        case "Pod":
            setDefault(&object, ["spec", "restartPolicy"], "Always")
            setDefault(&object, ["spec", "schedulerName"], "default-scheduler")
            setDefault(&object, ["spec", "dnsPolicy"], "ClusterFirst")
            defaultContainerPorts(&object, at: ["spec"])
            object.setField("status", ["phase": "Pending"])
        case "Deployment":
            setDefault(&object, ["spec", "replicas"], 1)
            setDefault(&object, ["spec", "revisionHistoryLimit"], 10)
            setDefault(&object, ["spec", "progressDeadlineSeconds"], 600)
            setDefault(&object, ["spec", "strategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
            defaultContainerPorts(&object, at: ["spec", "template", "spec"])
        case "ReplicaSet":
            defaultContainerPorts(&object, at: ["spec", "template", "spec"])
        case "Job":
            setDefault(&object, ["spec", "parallelism"], 1)
            setDefault(&object, ["spec", "completions"], 1)
            setDefault(&object, ["spec", "backoffLimit"], 6)
            defaultContainerPorts(&object, at: ["spec", "template", "spec"])
        case "CronJob":
            setDefault(&object, ["spec", "concurrencyPolicy"], "Allow")
            setDefault(&object, ["spec", "suspend"], false)
        case "Service":
            setDefault(&object, ["spec", "type"], "ClusterIP")
            setDefault(&object, ["spec", "sessionAffinity"], "None")
            if let ports = object["spec"]?["ports"]?.arrayValue {
                object.set(["spec", "ports"], .array(ports.map { port in
                    var defaulted = port
                    if port["protocol"] == nil { defaulted.setField("protocol", "TCP") }
                    if port["targetPort"] == nil, let number = port["port"] { defaulted.setField("targetPort", number) }
                    return defaulted
                }))
            }
            if object["spec"]?["type"] != "ExternalName" { setDefault(&object, ["spec", "internalTrafficPolicy"], "Cluster") }
            object.setField("status", ["loadBalancer": [:]])
        default:
            break
        }
    }

    /// Container ports are TCP unless they say otherwise.
    private func defaultContainerPorts(_ object: inout JSONValue, at path: [String]) {
        var spec: JSONValue? = object
        for component in path { spec = spec?[component] }
        guard let containers = spec?["containers"]?.arrayValue,
              containers.contains(where: { ($0["ports"]?.arrayValue ?? []).contains { $0["protocol"] == nil } })
        else { return }
        let defaulted = containers.map { container -> JSONValue in
            guard let ports = container["ports"]?.arrayValue else { return container }
            var copy = container
            copy.setField("ports", .array(ports.map { port in
                var copy = port
                if port["protocol"] == nil { copy.setField("protocol", "TCP") }
                return copy
            }))
            return copy
        }
        object.set(path + ["containers"], .array(defaulted))
    }

    private func setDefault(_ object: inout JSONValue, _ path: [String], _ value: JSONValue) {
        guard let first = path.first else { return }
        guard case .object(var root) = object else { return }
        if path.count == 1 {
            if root[first] == nil { root[first] = value }
        } else {
            var child = root[first] ?? .object([:])
            setDefault(&child, Array(path.dropFirst()), value)
            root[first] = child
        }
        object = .object(root)
    }
}

/// The managedFields entry server-side apply records for a field manager.
enum ManagedFields {
    static func record(manager: String, operation: String, apiVersion: String, applied: JSONValue, time: String, into object: inout JSONValue) {
        var entries = (object["metadata"]?["managedFields"]?.arrayValue ?? []).filter {
            !($0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation)
        }
        entries.append([
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fieldSet(of: applied, isRoot: true),
        ])
        object.setMetadata("managedFields", .array(entries))
    }

    /// The FieldsV1 set of the fields an applied configuration names.
    static func fieldSet(of value: JSONValue, isRoot: Bool = false) -> JSONValue {
        switch value {
        case .object(let object):
            var set = JSONObject()
            for entry in object {
                if isRoot, ["apiVersion", "kind"].contains(entry.key) { continue }
                if isRoot, entry.key == "metadata" {
                    var metadata = entry.value.objectValue ?? [:]
                    for field in ["name", "namespace", "resourceVersion", "uid", "managedFields"] { metadata.removeValue(forKey: field) }
                    if !metadata.isEmpty { set["f:metadata"] = fieldSet(of: .object(metadata)) }
                    continue
                }
                if case .array(let items) = entry.value, let mergeKey = StrategicMergePatch.mergeKeys[entry.key] {
                    var listSet = JSONObject()
                    for item in items {
                        if let key = item[mergeKey] {
                            listSet["k:" + JSONValue.object(JSONObject([JSONObject.Entry(key: mergeKey, value: key)])).description] = fieldSet(of: item)
                        }
                    }
                    set["f:" + entry.key] = .object(listSet)
                } else {
                    set["f:" + entry.key] = fieldSet(of: entry.value)
                }
            }
            if !isRoot, object.isEmpty { return .object([:]) }
            return .object(set)
        default:
            return .object([:])
        }
    }
}
