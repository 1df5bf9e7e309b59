/// The default scheduler's filter plugins, in its order; a node failing one plugin is
/// not checked against the next. Reasons are worded as kube-scheduler words them.
enum NodeFilter {
    /// Why `pod` cannot go to `node` given what is already requested there; empty when it fits.
    static func reasons(_ pod: SchedulingPod, on node: SchedulingNode, requested: ResourceAmounts) -> [String] {
        if node.unschedulable,
           !pod.tolerates(SchedulingNode.Taint(key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule")) {
            return ["node(s) were unschedulable"]
        }
        if let taint = node.taints.first(where: { ($0.effect == "NoSchedule" || $0.effect == "NoExecute") && !pod.tolerates($0) }) {
            return ["node(s) had untolerated taint {\(taint.key): \(taint.value)}"]
        }
        if !matchesAffinity(pod, node) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        return insufficientResources(pod, node, requested)
    }

    static func matchesAffinity(_ pod: SchedulingPod, _ node: SchedulingNode) -> Bool {
        for (key, value) in pod.nodeSelector where node.labels[key] != value { return false }
        if let terms = pod.requiredTerms, !terms.contains(where: { $0.matches(node) }) { return false }
        return true
    }

    private static func insufficientResources(_ pod: SchedulingPod, _ node: SchedulingNode, _ requested: ResourceAmounts) -> [String] {
        var reasons: [String] = []
        if requested["pods"] + 1000 > node.allocatable["pods"] { reasons.append("Too many pods") }
        for resource in pod.requests.resources where resource != "pods" && pod.requests[resource] > 0 {
            if requested[resource] + pod.requests[resource] > node.allocatable[resource] {
                reasons.append("Insufficient \(resource)")
            }
        }
        return reasons
    }

    /// The FitError text: "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) had untolerated taint {...}."
    static func unschedulableMessage(nodeCount: Int, reasons: [String: Int]) -> String {
        let histogram = reasons.map { "\($0.value) \($0.key)" }.sorted()
        let summary = "0/\(nodeCount) nodes are available"
        let preemption = "preemption: 0/\(nodeCount) nodes are available: \(nodeCount) Preemption is not helpful for scheduling."
        if histogram.isEmpty { return "no nodes available to schedule pods" }
        return "\(summary): \(histogram.joined(separator: ", ")). \(preemption)"
    }
}
