import Foundation
import KubeBackend

/// The columns `kubectl get` shows for the core/v1 kinds, as the apiserver's printers define them.
enum CoreTablePrinters {
    static let pod = TablePrinter(columns: [
        .name,
        TableColumn("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        TableColumn("Status", "The aggregate status of the containers in this pod."),
        TableColumn("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        .age,
        TableColumn("IP", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", priority: 1),
        TableColumn("Node", "NodeName is a request to schedule this pod onto a specific node.", priority: 1),
        TableColumn("Nominated Node", "nominatedNodeName is set when this pod preempts other pods on the node.", priority: 1),
        TableColumn("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", priority: 1),
    ]) { pod, now in
        let text = PodStatusText(pod, now: now)
        let gates = pod["spec"]?["readinessGates"]?.arrayValue ?? []
        let gateText: String
        if gates.isEmpty {
            gateText = "<none>"
        } else {
            let conditions = pod["status"]?["conditions"]?.arrayValue ?? []
            let passed = gates.filter { gate in conditions.contains { $0["type"] == gate["conditionType"] && $0["status"] == "True" } }
            gateText = "\(passed.count)/\(gates.count)"
        }
        return [
            .string(pod.metadataString("name") ?? ""), .string(text.ready), .string(text.status), .string(text.restarts),
            .string(HumanDuration.since(pod["metadata"]?["creationTimestamp"], now: now)),
            .string(nonEmpty(pod["status"]?["podIP"]?.stringValue)), .string(nonEmpty(pod["spec"]?["nodeName"]?.stringValue)),
            .string(nonEmpty(pod["status"]?["nominatedNodeName"]?.stringValue)), .string(gateText),
        ]
    }

    static let node = TablePrinter(columns: [
        .name,
        TableColumn("Status", "The status of the node"),
        TableColumn("Roles", "The roles of the node"),
        .age,
        TableColumn("Version", "Kubelet Version reported by the node."),
        TableColumn("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1),
        TableColumn("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1),
        TableColumn("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1),
        TableColumn("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1),
        TableColumn("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1),
    ]) { node, now in
        var states: [String] = []
        for condition in node["status"]?["conditions"]?.arrayValue ?? [] where condition["type"] == "Ready" {
            switch condition["status"]?.stringValue {
            case "True": states.append("Ready")
            case "False": states.append("NotReady")
            default: states.append("Unknown")
            }
        }
        if states.isEmpty { states.append("Unknown") }
        if node["spec"]?["unschedulable"]?.boolValue == true { states.append("SchedulingDisabled") }
        let addresses = node["status"]?["addresses"]?.arrayValue ?? []
        func address(_ type: String) -> String {
            nonEmpty(addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue)
        }
        let info = node["status"]?["nodeInfo"]
        return [
            .string(node.metadataString("name") ?? ""), .string(states.joined(separator: ",")), .string(roles(of: node)),
            .string(HumanDuration.since(node["metadata"]?["creationTimestamp"], now: now)),
            .string(info?["kubeletVersion"]?.stringValue ?? ""), .string(address("InternalIP")), .string(address("ExternalIP")),
            .string(nonEmpty(info?["osImage"]?.stringValue)), .string(nonEmpty(info?["kernelVersion"]?.stringValue)),
            .string(nonEmpty(info?["containerRuntimeVersion"]?.stringValue)),
        ]
    }

    static let namespace = TablePrinter(columns: [
        .name, TableColumn("Status", "The status of the namespace"), .age,
    ]) { namespace, now in
        [.string(namespace.metadataString("name") ?? ""), .string(namespace["status"]?["phase"]?.stringValue ?? ""),
         .string(HumanDuration.since(namespace["metadata"]?["creationTimestamp"], now: now))]
    }

    static let service = TablePrinter(columns: [
        .name,
        TableColumn("Type", "The type of the service."),
        TableColumn("Cluster-IP", "The IP address of the service."),
        TableColumn("External-IP", "The external IP address of the service."),
        TableColumn("Port(s)", "The ports exposed by the service."),
        .age,
        TableColumn("Selector", "Route service traffic to pods with label keys and values matching this selector.", priority: 1),
    ]) { service, now in
        let spec = service["spec"]
        let type = spec?["type"]?.stringValue ?? "ClusterIP"
        let ports = (spec?["ports"]?.arrayValue ?? []).map { port -> String in
            let number = port["port"]?.numberValue?.text ?? ""
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let nodePort = port["nodePort"]?.numberValue?.text { return "\(number):\(nodePort)/\(proto)" }
            return "\(number)/\(proto)"
        }
        let selector = (spec?["selector"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted()
        return [
            .string(service.metadataString("name") ?? ""), .string(type), .string(nonEmpty(spec?["clusterIP"]?.stringValue)),
            .string(externalIP(of: service, type: type)), .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")),
            .string(HumanDuration.since(service["metadata"]?["creationTimestamp"], now: now)),
            .string(selector.isEmpty ? "<none>" : selector.joined(separator: ",")),
        ]
    }

    static let configMap = TablePrinter(columns: [
        .name, TableColumn("Data", "integer", "Data contains the configuration data."), .age,
    ]) { configMap, now in
        let count = (configMap["data"]?.objectValue?.count ?? 0) + (configMap["binaryData"]?.objectValue?.count ?? 0)
        return [.string(configMap.metadataString("name") ?? ""), .number(JSONNumber(count)),
                .string(HumanDuration.since(configMap["metadata"]?["creationTimestamp"], now: now))]
    }

    static let resourceQuota = TablePrinter(columns: [
        .name, .age,
        TableColumn("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
        TableColumn("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    ]) { quota, now in
        let used = quota["status"]?["used"]?.objectValue ?? [:]
        var requests: [String] = [], limits: [String] = []
        for entry in (quota["status"]?["hard"]?.objectValue ?? quota["spec"]?["hard"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let text = "\(entry.key): \(used[entry.key]?.stringValue ?? "0")/\(entry.value.stringValue ?? "")"
            if entry.key.hasPrefix("limits.") { limits.append(text) } else { requests.append(text) }
        }
        return [.string(quota.metadataString("name") ?? ""), .string(HumanDuration.since(quota["metadata"]?["creationTimestamp"], now: now)),
                .string(requests.joined(separator: ", ")), .string(limits.joined(separator: ", "))]
    }

    static let event = TablePrinter(columns: [
        TableColumn("Last Seen", "Time when this Event was last observed."),
        TableColumn("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
        TableColumn("Reason", "This should be a short, machine understandable string that gives the reason for this event being generated."),
        TableColumn("Object", "The object this Event is about."),
        TableColumn("Message", "A human-readable description of the status of this operation."),
        TableColumn("Source", "The component reporting this event.", priority: 1),
        TableColumn("First Seen", "The time at which the event was first recorded.", priority: 1),
        TableColumn("Count", "integer", "The number of times this event has occurred.", priority: 1),
        TableColumn("Name", format: "name", "The name of the event.", priority: 1),
    ]) { event, now in
        let involved = event["involvedObject"]
        let lastSeen = event["lastTimestamp"] ?? event["eventTime"] ?? event["metadata"]?["creationTimestamp"]
        return [
            .string(HumanDuration.since(lastSeen, now: now)), .string(event["type"]?.stringValue ?? ""),
            .string(event["reason"]?.stringValue ?? ""),
            .string("\((involved?["kind"]?.stringValue ?? "").lowercased())/\(involved?["name"]?.stringValue ?? "")"),
            .string(event["message"]?.stringValue ?? ""), .string(event["source"]?["component"]?.stringValue ?? ""),
            .string(HumanDuration.since(event["firstTimestamp"] ?? lastSeen, now: now)),
            .number(JSONNumber(event["count"]?.numberValue?.int64Value ?? 1)), .string(event.metadataString("name") ?? ""),
        ]
    }

    /// node-role.kubernetes.io/<role> labels and the older kubernetes.io/role.
    private static func roles(of node: JSONValue) -> String {
        var roles = Set<String>()
        for (key, value) in node.labels {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", !value.isEmpty {
                roles.insert(value)
            }
        }
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    private static func externalIP(of service: JSONValue, type: String) -> String {
        let external = (service["spec"]?["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch type {
        case "ExternalName":
            return nonEmpty(service["spec"]?["externalName"]?.stringValue)
        case "LoadBalancer":
            let ingress = (service["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap {
                $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
            }
            let all = ingress + external
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        default:
            return external.isEmpty ? "<none>" : external.joined(separator: ",")
        }
    }
}

/// The placeholder the printers show for an empty field.
func nonEmpty(_ text: String?) -> String {
    guard let text, !text.isEmpty else { return "<none>" }
    return text
}
