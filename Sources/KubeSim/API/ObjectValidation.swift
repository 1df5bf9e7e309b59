import KubeBackend

/// The checks behind 422 Invalid: names, and the required fields and enum values
/// of each kind's spec, worded as the apiserver words them.
enum ObjectValidation {
    static func validate(_ object: JSONValue, as type: ResourceType) -> [FieldError] {
        var errors: [FieldError] = []
        let name = object.metadataString("name") ?? ""
        if name.isEmpty {
            if (object.metadataString("generateName") ?? "").isEmpty {
                errors.append(FieldError("metadata.name", .required, "name or generateName is required"))
            }
        } else if let problem = NameValidation.problem(with: name, rule: type.nameRule) {
            errors.append(FieldError("metadata.name", .invalid(.string(name)), problem))
        }
        errors += labelErrors(object)
        switch type.kind {
        case "Pod": errors += podSpecErrors(object["spec"], at: "spec", allowedRestartPolicies: ["Always", "OnFailure", "Never"])
        case "Deployment": errors += deploymentErrors(object)
        case "Job": errors += jobErrors(object["spec"], at: "spec")
        case "CronJob": errors += cronJobErrors(object)
        case "Service": errors += NetworkingValidation.serviceErrors(object)
        case "Ingress": errors += NetworkingValidation.ingressErrors(object)
        case "Node": errors += SchedulingValidation.taintErrors(object["spec"]?["taints"], at: "spec.taints")
        case "ConfigMap": errors += configMapKeyErrors(object)
        case "PriorityClass":
            if object["value"]?.numberValue == nil { errors.append(FieldError("value", .required)) }
        default: break
        }
        return errors
    }

    private static func labelErrors(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        for entry in object["metadata"]?["labels"]?.objectValue ?? [:] {
            if !LabelQuery.isValidKey(entry.key) {
                errors.append(FieldError("metadata.labels", .invalid(.string(entry.key)), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
            }
            if let value = entry.value.stringValue, !LabelQuery.isValidValue(value) {
                errors.append(FieldError("metadata.labels", .invalid(.string(value)), "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
            }
        }
        return errors
    }

    private static let pullPolicies = ["Always", "IfNotPresent", "Never"]

    static func podSpecErrors(_ spec: JSONValue?, at path: String, allowedRestartPolicies: [String]) -> [FieldError] {
        guard let spec, spec.objectValue != nil else { return [FieldError(path, .required)] }
        var errors: [FieldError] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { errors.append(FieldError("\(path).containers", .required)) }
        var seen = Set<String>()
        for (index, container) in containers.enumerated() {
            let at = "\(path).containers[\(index)]"
            let containerName = container["name"]?.stringValue ?? ""
            if containerName.isEmpty {
                errors.append(FieldError("\(at).name", .required))
            } else if let problem = NameValidation.problem(with: containerName, rule: .dns1123Label) {
                errors.append(FieldError("\(at).name", .invalid(.string(containerName)), problem))
            } else if !seen.insert(containerName).inserted {
                errors.append(FieldError("\(at).name", .duplicate(.string(containerName))))
            }
            if (container["image"]?.stringValue ?? "").isEmpty { errors.append(FieldError("\(at).image", .required)) }
            if let policy = container["imagePullPolicy"]?.stringValue, !pullPolicies.contains(policy) {
                errors.append(FieldError("\(at).imagePullPolicy", .notSupported(.string(policy), pullPolicies)))
            }
            for (portIndex, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
                errors += NetworkingValidation.portNumberErrors(port["containerPort"], at: "\(at).ports[\(portIndex)].containerPort", zeroIsMissing: true)
                errors += NetworkingValidation.protocolErrors(port["protocol"], at: "\(at).ports[\(portIndex)].protocol")
            }
        }
        if let policy = spec["restartPolicy"]?.stringValue, !allowedRestartPolicies.contains(policy) {
            errors.append(FieldError("\(path).restartPolicy", .notSupported(.string(policy), allowedRestartPolicies)))
        }
        errors += SchedulingValidation.tolerationErrors(spec["tolerations"], at: "\(path).tolerations")
        return errors
    }

    private static func deploymentErrors(_ object: JSONValue) -> [FieldError] {
        guard let spec = object["spec"] else { return [FieldError("spec.selector", .required), FieldError("spec.template.spec.containers", .required)] }
        var errors: [FieldError] = []
        if let replicas = spec["replicas"]?.numberValue?.int64Value, replicas < 0 {
            errors.append(FieldError("spec.replicas", .invalid(.number(JSONNumber(replicas))), "must be greater than or equal to 0"))
        }
        let selector = spec["selector"]
        if selector == nil || selector?.objectValue?.isEmpty == true {
            errors.append(FieldError("spec.selector", .required))
        } else if let selector, !selectorMatches(selector, spec["template"]?["metadata"]?["labels"]) {
            errors.append(FieldError("spec.template.metadata.labels", .invalid(spec["template"]?["metadata"]?["labels"] ?? .null), "`selector` does not match template `labels`"))
        }
        if let strategy = spec["strategy"]?["type"]?.stringValue, !["Recreate", "RollingUpdate"].contains(strategy) {
            errors.append(FieldError("spec.strategy.type", .notSupported(.string(strategy), ["Recreate", "RollingUpdate"])))
        }
        errors += podSpecErrors(spec["template"]?["spec"], at: "spec.template.spec", allowedRestartPolicies: ["Always"])
        return errors
    }

    private static func jobErrors(_ spec: JSONValue?, at path: String) -> [FieldError] {
        guard let spec else { return [FieldError("\(path).template", .required)] }
        var errors = podSpecErrors(spec["template"]?["spec"], at: "\(path).template.spec", allowedRestartPolicies: ["OnFailure", "Never"])
        // A template without restartPolicy is defaulted to Always, which a Job refuses.
        if spec["template"]?["spec"]?["restartPolicy"] == nil, spec["template"]?["spec"] != nil {
            errors.append(FieldError("\(path).template.spec.restartPolicy", .notSupported("Always", ["OnFailure", "Never"])))
        }
        return errors
    }

    private static func cronJobErrors(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        // Its Jobs are named <name>-<11 characters>, and must stay DNS-1035 labels.
        if let name = object.metadataString("name"), name.utf8.count > 52 {
            errors.append(FieldError("metadata.name", .invalid(.string(name)), "must be no more than 52 characters"))
        }
        let schedule = object["spec"]?["schedule"]?.stringValue ?? ""
        if schedule.isEmpty {
            errors.append(FieldError("spec.schedule", .required))
        } else if schedule.split(separator: " ").count != 5, !schedule.hasPrefix("@") {
            errors.append(FieldError("spec.schedule", .invalid(.string(schedule)), "expected exactly 5 fields, found \(schedule.split(separator: " ").count): \(schedule)"))
        }
        if let policy = object["spec"]?["concurrencyPolicy"]?.stringValue, !["Allow", "Forbid", "Replace"].contains(policy) {
            errors.append(FieldError("spec.concurrencyPolicy", .notSupported(.string(policy), ["Allow", "Forbid", "Replace"])))
        }
        errors += jobErrors(object["spec"]?["jobTemplate"]?["spec"], at: "spec.jobTemplate.spec")
        return errors
    }

    private static func configMapKeyErrors(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        for field in ["data", "binaryData"] {
            for key in object[field]?.objectValue?.keys ?? [] where !isConfigKey(key) {
                errors.append(FieldError("\(field)[\(key)]", .invalid(.string(key)), "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
            }
        }
        return errors
    }

    private static func isConfigKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 253 && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ".")].contains(byte)
        }
    }

    /// Whether the template's labels satisfy a metav1.LabelSelector.
    private static func selectorMatches(_ selector: JSONValue, _ labels: JSONValue?) -> Bool {
        var values: [String: String] = [:]
        for entry in labels?.objectValue ?? [:] { values[entry.key] = entry.value.stringValue }
        for entry in selector["matchLabels"]?.objectValue ?? [:] where values[entry.key] != entry.value.stringValue { return false }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue else { return false }
            let options = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            switch expression["operator"]?.stringValue {
            case "In": if !(values[key].map(options.contains) ?? false) { return false }
            case "NotIn": if values[key].map(options.contains) ?? false { return false }
            case "Exists": if values[key] == nil { return false }
            case "DoesNotExist": if values[key] != nil { return false }
            default: return false
            }
        }
        return true
    }
}
