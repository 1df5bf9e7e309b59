import KubeBackend

/// How much of each ResourceQuota resource name an object uses, counted as the
/// apiserver's quota evaluators count: compute requests and limits and the pod count
/// for pods that have not finished, load balancers and node ports for Services,
/// `count/<resource>[.<group>]` for every object.
enum QuotaUsage {
    /// Core resources whose object count also has a bare quota name ("services").
    private static let legacyCountNames: Set<String> = [
        "pods", "services", "configmaps", "secrets", "resourcequotas", "persistentvolumeclaims", "replicationcontrollers",
    ]
    private static let standardCompute: Set<String> = ["cpu", "memory", "ephemeral-storage"]

    static func usage(of object: JSONValue, as type: ResourceType) -> ResourceAmounts {
        var usage = ResourceAmounts()
        if type.kind == "Pod", object.isTerminalPod { return usage }
        usage["count/\(type.qualifiedResource)"] = 1000
        if type.group.isEmpty, legacyCountNames.contains(type.resource) { usage[type.resource] = 1000 }
        if type.kind == "Service" { usage += serviceUsage(object) }
        guard type.kind == "Pod" else { return usage }
        let resources = PodResources(object)
        for resource in resources.requests.resources {
            usage["requests.\(resource)"] = resources.requests[resource]
            if standardCompute.contains(resource) { usage[resource] = resources.requests[resource] }
        }
        for resource in resources.limits.resources where standardCompute.contains(resource) {
            usage["limits.\(resource)"] = resources.limits[resource]
        }
        return usage
    }

    /// A LoadBalancer Service uses one load balancer; NodePort and LoadBalancer Services
    /// use a node port per port.
    private static func serviceUsage(_ service: JSONValue) -> ResourceAmounts {
        var usage = ResourceAmounts()
        let type = service["spec"]?["type"]?.stringValue ?? "ClusterIP"
        if type == "LoadBalancer" { usage["services.loadbalancers"] = 1000 }
        if type == "LoadBalancer" || type == "NodePort" {
            usage["services.nodeports"] = Int64(service["spec"]?["ports"]?.arrayValue?.count ?? 0) * 1000
        }
        return usage
    }

    /// What everything of `type` in `namespace` uses.
    static func namespaceUsage(of type: ResourceType, in namespace: String, store: ObjectStore) -> ResourceAmounts {
        let items = (try? store.list(type, ObjectStore.ListOptions(namespace: namespace)).items) ?? []
        return items.reduce(into: ResourceAmounts()) { $0 += usage(of: $1, as: type) }
    }

    /// The resource names a quota can track that `type`'s objects count against.
    static func tracks(_ resourceName: String, for type: ResourceType) -> Bool {
        if resourceName == "count/\(type.qualifiedResource)" { return true }
        if type.group.isEmpty, resourceName == type.resource, legacyCountNames.contains(resourceName) { return true }
        if type.kind == "Service" { return ["services.loadbalancers", "services.nodeports"].contains(resourceName) }
        guard type.kind == "Pod" else { return false }
        // Extended resources (nvidia.com/gpu) are quota'd only as requests.<name>: the
        // apiserver never counts limits.nvidia.com/gpu, since their limits equal their requests.
        if resourceName.hasPrefix("limits.") { return standardCompute.contains(String(resourceName.dropFirst("limits.".count))) }
        return resourceName.hasPrefix("requests.") || standardCompute.contains(resourceName)
    }
}
