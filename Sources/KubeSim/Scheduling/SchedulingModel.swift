import KubeBackend

/// A node as the scheduler sees it.
struct SchedulingNode: Sendable {
    struct Taint: Sendable, Hashable {
        var key: String
        var value: String
        var effect: String
    }

    let name: String
    let labels: [String: String]
    let taints: [Taint]
    let allocatable: ResourceAmounts
    let unschedulable: Bool
    let address: String?
    let podCIDR: String?

    init(_ node: JSONValue) {
        name = node.metadataString("name") ?? ""
        labels = node.labels
        var taints = (node["spec"]?["taints"]?.arrayValue ?? []).map { taint in
            Taint(key: taint["key"]?.stringValue ?? "", value: taint["value"]?.stringValue ?? "",
                  effect: taint["effect"]?.stringValue ?? "")
        }
        // The node lifecycle controller taints nodes that are not Ready.
        if node.conditionStatus("Ready") != "True" {
            taints.append(Taint(key: "node.kubernetes.io/not-ready", value: "", effect: "NoSchedule"))
        }
        self.taints = taints
        allocatable = ResourceAmounts(node["status"]?["allocatable"] ?? node["status"]?["capacity"])
        unschedulable = node["spec"]?["unschedulable"]?.boolValue ?? false
        address = (node["status"]?["addresses"]?.arrayValue ?? [])
            .first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue
        podCIDR = node["spec"]?["podCIDR"]?.stringValue
    }
}

/// What a pod needs from a node.
struct SchedulingPod: Sendable {
    struct Toleration: Sendable {
        var key: String
        var `operator`: String
        var value: String
        var effect: String

        func tolerates(_ taint: SchedulingNode.Taint) -> Bool {
            if !effect.isEmpty, effect != taint.effect { return false }
            if key.isEmpty { return `operator` == "Exists" }
            guard key == taint.key else { return false }
            return `operator` == "Exists" || value == taint.value
        }
    }

    struct NodeSelectorRequirement: Sendable {
        var key: String
        var `operator`: String
        var values: [String]

        func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch `operator` {
            case "In": return value.map(values.contains) ?? false
            case "NotIn": return value.map { !values.contains($0) } ?? true
            case "Exists": return value != nil
            case "DoesNotExist": return value == nil
            case "Gt", "Lt":
                guard let value, let actual = Int64(value), values.count == 1, let bound = Int64(values[0]) else { return false }
                return `operator` == "Gt" ? actual > bound : actual < bound
            default: return false
            }
        }
    }

    /// One nodeSelectorTerm: every expression must match.
    struct NodeSelectorTerm: Sendable {
        var expressions: [NodeSelectorRequirement]
        var fields: [NodeSelectorRequirement]

        func matches(_ node: SchedulingNode) -> Bool {
            if expressions.isEmpty, fields.isEmpty { return false }
            return expressions.allSatisfy { $0.matches(node.labels) }
                && fields.allSatisfy { $0.key == "metadata.name" && $0.matches(["metadata.name": node.name]) }
        }
    }

    let key: ObjectKey
    let requests: ResourceAmounts
    let nodeSelector: [String: String]
    /// Nil when the pod has no required node affinity; otherwise any term may match.
    let requiredTerms: [NodeSelectorTerm]?
    let tolerations: [Toleration]
    let priority: Int64

    init(_ pod: JSONValue) {
        key = ObjectKey(namespace: pod.metadataString("namespace"), name: pod.metadataString("name") ?? "")
        let spec = pod["spec"]
        requests = PodResources(pod).requests
        var selector: [String: String] = [:]
        for entry in spec?["nodeSelector"]?.objectValue ?? [:] { selector[entry.key] = entry.value.stringValue ?? "" }
        nodeSelector = selector
        let terms = spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]?.arrayValue
        requiredTerms = terms.map { terms in
            terms.map { term in
                NodeSelectorTerm(expressions: Self.requirements(term["matchExpressions"]), fields: Self.requirements(term["matchFields"]))
            }
        }
        tolerations = (spec?["tolerations"]?.arrayValue ?? []).map { toleration in
            Toleration(key: toleration["key"]?.stringValue ?? "", operator: toleration["operator"]?.stringValue ?? "Equal",
                       value: toleration["value"]?.stringValue ?? "", effect: toleration["effect"]?.stringValue ?? "")
        }
        priority = spec?["priority"]?.numberValue?.int64Value ?? 0
    }

    private static func requirements(_ value: JSONValue?) -> [NodeSelectorRequirement] {
        (value?.arrayValue ?? []).map { requirement in
            NodeSelectorRequirement(key: requirement["key"]?.stringValue ?? "", operator: requirement["operator"]?.stringValue ?? "",
                                    values: (requirement["values"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }

    func tolerates(_ taint: SchedulingNode.Taint) -> Bool {
        tolerations.contains { $0.tolerates(taint) }
    }
}
