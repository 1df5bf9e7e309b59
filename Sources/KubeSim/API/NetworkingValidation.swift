import KubeBackend

/// 422 checks of Service ports and Ingress rules, worded as the apiserver's validation.
enum NetworkingValidation {
    static let protocols = ["SCTP", "TCP", "UDP"]
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    static let pathTypes = ["Exact", "ImplementationSpecific", "Prefix"]

    static func serviceErrors(_ service: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let spec = service["spec"]
        let type = spec?["type"]?.stringValue ?? "ClusterIP"
        if !serviceTypes.contains(type) { errors.append(FieldError("spec.type", .notSupported(.string(type), serviceTypes))) }
        if let affinity = spec?["sessionAffinity"]?.stringValue, !["ClientIP", "None"].contains(affinity) {
            errors.append(FieldError("spec.sessionAffinity", .notSupported(.string(affinity), ["ClientIP", "None"])))
        }
        let ports = spec?["ports"]?.arrayValue ?? []
        if type != "ExternalName", spec?["clusterIP"] != "None", ports.isEmpty {
            errors.append(FieldError("spec.ports", .required))
        }
        var names = Set<String>()
        for (index, port) in ports.enumerated() {
            let at = "spec.ports[\(index)]"
            let name = port["name"]?.stringValue ?? ""
            if name.isEmpty {
                if ports.count > 1 { errors.append(FieldError("\(at).name", .required)) }
            } else if let problem = NameValidation.problem(with: name, rule: .dns1123Label) {
                errors.append(FieldError("\(at).name", .invalid(.string(name)), problem))
            } else if !names.insert(name).inserted {
                errors.append(FieldError("\(at).name", .duplicate(.string(name))))
            }
            errors += portNumberErrors(port["port"], at: "\(at).port", zeroIsMissing: false)
            errors += protocolErrors(port["protocol"], at: "\(at).protocol")
        }
        return errors
    }

    static func ingressErrors(_ ingress: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let spec = ingress["spec"]
        for (ruleIndex, rule) in (spec?["rules"]?.arrayValue ?? []).enumerated() {
            let at = "spec.rules[\(ruleIndex)]"
            // Wildcard hosts have rules (and wording) of their own, not checked here.
            if let host = rule["host"]?.stringValue, !host.isEmpty, !host.contains("*") {
                if let problem = NameValidation.problem(with: host, rule: .dns1123Subdomain) {
                    errors.append(FieldError("\(at).host", .invalid(.string(host)), problem))
                }
            }
            guard let http = rule["http"] else { continue }
            let paths = http["paths"]?.arrayValue ?? []
            if paths.isEmpty { errors.append(FieldError("\(at).http.paths", .required)) }
            for (pathIndex, path) in paths.enumerated() {
                errors += pathErrors(path, at: "\(at).http.paths[\(pathIndex)]")
            }
        }
        return errors
    }

    private static func pathErrors(_ path: JSONValue, at: String) -> [FieldError] {
        guard let pathType = path["pathType"]?.stringValue else {
            return [FieldError("\(at).pathType", .required, "pathType must be specified")]
        }
        var errors: [FieldError] = []
        let text = path["path"]?.stringValue ?? ""
        switch pathType {
        case "Exact", "Prefix":
            if !text.hasPrefix("/") { errors.append(FieldError("\(at).path", .invalid(.string(text)), "must be an absolute path")) }
        case "ImplementationSpecific":
            if !text.isEmpty, !text.hasPrefix("/") { errors.append(FieldError("\(at).path", .invalid(.string(text)), "must be an absolute path")) }
        default:
            errors.append(FieldError("\(at).pathType", .notSupported(.string(pathType), pathTypes)))
        }
        return errors
    }

    /// A missing or zero port is "Required value" for a container port and "Invalid value: 0"
    /// for a Service port, as the apiserver has it.
    static func portNumberErrors(_ value: JSONValue?, at path: String, zeroIsMissing: Bool) -> [FieldError] {
        let number = value?.numberValue?.int64Value ?? 0
        if number == 0, zeroIsMissing { return [FieldError(path, .required)] }
        if !(1...65535).contains(number) {
            return [FieldError(path, .invalid(.number(JSONNumber(number))), "must be between 1 and 65535, inclusive")]
        }
        return []
    }

    static func protocolErrors(_ value: JSONValue?, at path: String) -> [FieldError] {
        guard let text = value?.stringValue, !protocols.contains(text) else { return [] }
        return [FieldError(path, .notSupported(.string(text), protocols))]
    }
}
