import Foundation
import KubeBackend

/// The simulated cluster's kube-scheduler and kubelets in one: binds each pending pod of
/// the default scheduler to the least allocated node that passes every filter and starts
/// it (Running, Ready, a pod IP). A pod that fits nowhere gets PodScheduled=False with the
/// scheduler's message and is retried when capacity appears (a node added or changed, a
/// pod gone or finished), never by polling.
struct PodScheduler: SimulatedController {
    static let watchedResources: [ResourceKey] = [.nodes, .pods]

    private struct Binding {
        var node: String
        var requests: ResourceAmounts
    }

    private let context: ClusterContext
    private var nodes: [String: SchedulingNode] = [:]
    private var requestedByNode: [String: ResourceAmounts] = [:]
    private var bindings: [ObjectKey: Binding] = [:]
    private var pending: [ObjectKey: JSONValue] = [:]
    /// The message last written for an unschedulable pod, so the same one is not rewritten.
    private var reportedMessages: [ObjectKey: String] = [:]
    private var nextHost: [String: Int] = [:]

    init(context: ClusterContext) {
        self.context = context
    }

    mutating func process(_ batch: [ControllerInput]) {
        var capacityChanged = false
        var candidates = Set<ObjectKey>()
        for input in batch {
            guard case .event(let resource, let kind, let object) = input else { continue }
            if resource == .nodes {
                let name = object.metadataString("name") ?? ""
                nodes[name] = kind == .deleted ? nil : SchedulingNode(object)
                capacityChanged = true
                continue
            }
            let key = object.objectKey
            if kind == .deleted || object.isTerminalPod {
                capacityChanged = release(key) || capacityChanged
                pending[key] = nil
                reportedMessages[key] = nil
            } else if let node = object.nodeName {
                account(key, Binding(node: node, requests: Self.usage(of: object)))
                pending[key] = nil
                reportedMessages[key] = nil
            } else if (object["spec"]?["schedulerName"]?.stringValue ?? "default-scheduler") == "default-scheduler" {
                if pending[key]?["spec"] != object["spec"] { candidates.insert(key) }
                pending[key] = object
            }
        }
        let attempt = capacityChanged ? Set(pending.keys) : candidates.filter { pending[$0] != nil }
        for key in order(attempt) { schedule(key) }
    }

    /// Higher priority first, then older first, as the scheduler's queue sorts.
    private func order(_ keys: Set<ObjectKey>) -> [ObjectKey] {
        keys.sorted { lhs, rhs in
            let left = pending[lhs]!, right = pending[rhs]!
            let leftPriority = left["spec"]?["priority"]?.numberValue?.int64Value ?? 0
            let rightPriority = right["spec"]?["priority"]?.numberValue?.int64Value ?? 0
            if leftPriority != rightPriority { return leftPriority > rightPriority }
            let leftTime = left.metadataString("creationTimestamp") ?? "", rightTime = right.metadataString("creationTimestamp") ?? ""
            if leftTime != rightTime { return leftTime < rightTime }
            return lhs < rhs
        }
    }

    private mutating func schedule(_ key: ObjectKey) {
        guard let object = pending[key] else { return }
        let pod = SchedulingPod(object)
        var reasons: [String: Int] = [:]
        var best: (node: SchedulingNode, score: Double)?
        for node in nodes.values.sorted(by: { $0.name < $1.name }) {
            let requested = requestedByNode[node.name] ?? ResourceAmounts()
            let failures = NodeFilter.reasons(pod, on: node, requested: requested)
            if failures.isEmpty {
                let score = Self.allocatedFraction(requested + pod.requests, of: node.allocatable)
                if best == nil || score < best!.score { best = (node, score) }
            } else {
                for reason in failures { reasons[reason, default: 0] += 1 }
            }
        }
        if let best {
            bind(key, to: best.node, requests: Self.usage(of: object))
        } else {
            reportUnschedulable(key, message: NodeFilter.unschedulableMessage(nodeCount: nodes.count, reasons: reasons))
        }
    }

    private mutating func bind(_ key: ObjectKey, to node: SchedulingNode, requests: ResourceAmounts) {
        let host = nextHost[node.name, default: 0]
        nextHost[node.name] = host + 1
        let podIP = Self.podIP(node: node, host: host)
        let now = context.timestamp()
        do {
            try context.store.modify(context.pods, namespace: key.namespace, name: key.name) { old throws(APIError) -> JSONValue in
                guard old.nodeName == nil else { throw APIError.conflict(context.pods, name: key.name) }
                var pod = old
                pod.set(["spec", "nodeName"], .string(node.name))
                pod.setField("status", Self.runningStatus(of: old, hostIP: node.address, podIP: podIP, now: now))
                return pod
            }
            account(key, Binding(node: node.name, requests: requests))
        } catch {
            // Deleted or bound meanwhile: its own event will tell.
        }
        pending[key] = nil
        reportedMessages[key] = nil
    }

    private mutating func reportUnschedulable(_ key: ObjectKey, message: String) {
        guard reportedMessages[key] != message else { return }
        reportedMessages[key] = message
        let now = context.timestamp()
        _ = try? context.store.modify(context.pods, namespace: key.namespace, name: key.name) { old throws(APIError) -> JSONValue in
            guard old.nodeName == nil else { return old }
            var pod = old
            pod.set(["status", "phase"], "Pending")
            let others = (old["status"]?["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != "PodScheduled" }
            pod.set(["status", "conditions"], .array(others + [[
                "type": "PodScheduled", "status": "False", "lastProbeTime": .null, "lastTransitionTime": now,
                "reason": "Unschedulable", "message": .string(message),
            ]]))
            return pod
        }
    }

    private mutating func account(_ key: ObjectKey, _ binding: Binding) {
        _ = release(key)
        bindings[key] = binding
        requestedByNode[binding.node, default: ResourceAmounts()] += binding.requests
    }

    /// Forgets a pod's binding; true when it held capacity.
    private mutating func release(_ key: ObjectKey) -> Bool {
        guard let binding = bindings.removeValue(forKey: key) else { return false }
        requestedByNode[binding.node, default: ResourceAmounts()] -= binding.requests
        return true
    }

    /// A pod's requests plus the one pod slot it takes.
    private static func usage(of pod: JSONValue) -> ResourceAmounts {
        var usage = PodResources(pod).requests
        usage["pods"] = 1000
        return usage
    }

    /// The mean of cpu and memory fractions requested: lower is emptier (LeastAllocated).
    private static func allocatedFraction(_ requested: ResourceAmounts, of allocatable: ResourceAmounts) -> Double {
        var fractions: [Double] = []
        for resource in ["cpu", "memory"] where allocatable[resource] > 0 {
            fractions.append(Double(requested[resource]) / Double(allocatable[resource]))
        }
        return fractions.isEmpty ? 0 : fractions.reduce(0, +) / Double(fractions.count)
    }

    /// The next address in the node's /24 pod CIDR, or a range derived from its name.
    private static func podIP(node: SchedulingNode, host: Int) -> String {
        if let cidr = node.podCIDR, cidr.hasSuffix(".0/24") {
            return cidr.dropLast(4) + String(host % 253 + 2)
        }
        let hash = NodeFactory.fnv1a(node.name)
        return "10.\(200 + Int(hash % 50)).\(Int((hash >> 8) % 256)).\(host % 253 + 2)"
    }

    /// What the kubelet reports once the pod's containers run.
    private static func runningStatus(of pod: JSONValue, hostIP: String?, podIP: String, now: JSONValue) -> JSONValue {
        func condition(_ type: String) -> JSONValue {
            ["type": .string(type), "status": "True", "lastProbeTime": .null, "lastTransitionTime": now]
        }
        let containers = (pod["spec"]?["containers"]?.arrayValue ?? []).map { container -> JSONValue in
            ["name": container["name"] ?? "", "state": ["running": ["startedAt": now]], "ready": true, "restartCount": 0,
             "image": container["image"] ?? "", "imageID": "",
             "containerID": .string("containerd://" + ObjectUID.containerID()),
             "started": true]
        }
        var status: JSONObject = [
            "phase": "Running",
            "conditions": [condition("PodReadyToStartContainers"), condition("Initialized"), condition("Ready"),
                           condition("ContainersReady"), condition("PodScheduled")],
        ]
        if let hostIP {
            status["hostIP"] = .string(hostIP)
            status["hostIPs"] = [["ip": .string(hostIP)]]
        }
        status["podIP"] = .string(podIP)
        status["podIPs"] = [["ip": .string(podIP)]]
        status["startTime"] = now
        status["containerStatuses"] = .array(containers)
        status["qosClass"] = .string(qosClass(of: pod))
        return .object(status)
    }

    static func qosClass(of pod: JSONValue) -> String {
        let containers = pod["spec"]?["containers"]?.arrayValue ?? []
        var anySet = false, guaranteed = true
        for container in containers {
            let requests = ResourceAmounts(container["resources"]?["requests"])
            let limits = ResourceAmounts(container["resources"]?["limits"])
            if !requests.resources.isEmpty || !limits.resources.isEmpty { anySet = true }
            for resource in ["cpu", "memory"] {
                let limit = limits[resource]
                let request = container["resources"]?["requests"]?[resource] == nil ? limit : requests[resource]
                if limit == 0 || request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
