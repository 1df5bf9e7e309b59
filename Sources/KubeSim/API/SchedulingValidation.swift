import KubeBackend

/// 422 checks of taints and tolerations, worded as the apiserver's core validation.
enum SchedulingValidation {
    static let taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]

    static func tolerationErrors(_ tolerations: JSONValue?, at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, toleration) in (tolerations?.arrayValue ?? []).enumerated() {
            let at = "\(path)[\(index)]"
            let value = toleration["value"]?.stringValue ?? ""
            switch toleration["operator"]?.stringValue ?? "" {
            case "Equal", "":
                break
            case "Exists":
                if !value.isEmpty {
                    errors.append(FieldError("\(at).operator", .invalidText(goToleration(toleration)), "value must be empty when `operator` is 'Exists'"))
                }
            case let other:
                errors.append(FieldError("\(at).operator", .notSupported(.string(other), ["Equal", "Exists"])))
            }
            if let effect = toleration["effect"]?.stringValue, !effect.isEmpty, !taintEffects.contains(effect) {
                errors.append(FieldError("\(at).effect", .notSupported(.string(effect), taintEffects)))
            }
        }
        return errors
    }

    static func taintErrors(_ taints: JSONValue?, at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, taint) in (taints?.arrayValue ?? []).enumerated() {
            let at = "\(path)[\(index)]"
            let effect = taint["effect"]?.stringValue ?? ""
            if effect.isEmpty {
                errors.append(FieldError("\(at).effect", .required))
            } else if !taintEffects.contains(effect) {
                errors.append(FieldError("\(at).effect", .notSupported(.string(effect), taintEffects)))
            }
        }
        return errors
    }

    /// A toleration as Go's %#v prints the core.Toleration struct.
    private static func goToleration(_ toleration: JSONValue) -> String {
        let seconds = toleration["tolerationSeconds"]?.numberValue.map { "(*int64)(\($0.text))" } ?? "(*int64)(nil)"
        let fields = [
            "Key:\"\(toleration["key"]?.stringValue ?? "")\"", "Operator:\"\(toleration["operator"]?.stringValue ?? "")\"",
            "Value:\"\(toleration["value"]?.stringValue ?? "")\"", "Effect:\"\(toleration["effect"]?.stringValue ?? "")\"",
            "TolerationSeconds:\(seconds)",
        ]
        return "core.Toleration{" + fields.joined(separator: ", ") + "}"
    }
}
