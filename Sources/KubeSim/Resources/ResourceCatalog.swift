/// The kinds the simulated API server knows, looked up by path segments.
public struct ResourceCatalog: Sendable {
    public let types: [ResourceType]
    private let byKey: [ResourceKey: ResourceType]

    public init(_ types: [ResourceType]) {
        self.types = types
        byKey = Dictionary(types.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func type(group: String, version: String, resource: String) -> ResourceType? {
        byKey[ResourceKey(group: group, version: version, resource: resource)]
    }

    public subscript(key: ResourceKey) -> ResourceType? { byKey[key] }

    /// Group versions in discovery order: the core group is served under /api.
    public var groupVersions: [(group: String, version: String)] {
        var seen = Set<String>()
        var result: [(String, String)] = []
        for type in types where !type.group.isEmpty && seen.insert(type.apiVersion).inserted {
            result.append((type.group, type.version))
        }
        return result
    }

    public func types(group: String, version: String) -> [ResourceType] {
        types.filter { $0.group == group && $0.version == version }
    }

    /// The kinds of KubeBackend's model set, scoped as Kubernetes scopes them.
    public static let builtin = ResourceCatalog([
        ResourceType(group: "", version: "v1", resource: "namespaces", singular: "namespace", kind: "Namespace",
                     namespaced: false, shortNames: ["ns"], nameRule: .dns1123Label, extraFieldLabels: ["status.phase"]),
        ResourceType(group: "", version: "v1", resource: "nodes", singular: "node", kind: "Node",
                     namespaced: false, shortNames: ["no"], extraFieldLabels: ["spec.unschedulable"]),
        ResourceType(group: "", version: "v1", resource: "pods", singular: "pod", kind: "Pod",
                     namespaced: true, shortNames: ["po"],
                     extraFieldLabels: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                        "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
                     tracksGeneration: true),
        ResourceType(group: "", version: "v1", resource: "services", singular: "service", kind: "Service",
                     namespaced: true, shortNames: ["svc"], nameRule: .dns1035Label, extraFieldLabels: ["spec.clusterIP", "spec.type"]),
        ResourceType(group: "", version: "v1", resource: "configmaps", singular: "configmap", kind: "ConfigMap",
                     namespaced: true, shortNames: ["cm"], hasStatusSubresource: false),
        ResourceType(group: "", version: "v1", resource: "resourcequotas", singular: "resourcequota", kind: "ResourceQuota",
                     namespaced: true, shortNames: ["quota"]),
        ResourceType(group: "", version: "v1", resource: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"], hasStatusSubresource: false,
                     extraFieldLabels: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                                        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                                        "reason", "reportingComponent", "source", "type"]),
        ResourceType(group: "apps", version: "v1", resource: "deployments", singular: "deployment", kind: "Deployment",
                     namespaced: true, shortNames: ["deploy"], tracksGeneration: true, hasScaleSubresource: true),
        ResourceType(group: "apps", version: "v1", resource: "replicasets", singular: "replicaset", kind: "ReplicaSet",
                     namespaced: true, shortNames: ["rs"], tracksGeneration: true, hasScaleSubresource: true),
        ResourceType(group: "batch", version: "v1", resource: "jobs", singular: "job", kind: "Job",
                     namespaced: true, extraFieldLabels: ["status.successful"], tracksGeneration: true),
        ResourceType(group: "batch", version: "v1", resource: "cronjobs", singular: "cronjob", kind: "CronJob",
                     namespaced: true, shortNames: ["cj"], tracksGeneration: true),
        ResourceType(group: "networking.k8s.io", version: "v1", resource: "ingresses", singular: "ingress", kind: "Ingress",
                     namespaced: true, shortNames: ["ing"], tracksGeneration: true),
        ResourceType(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", singular: "priorityclass",
                     kind: "PriorityClass", namespaced: false, shortNames: ["pc"], hasStatusSubresource: false),
        ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", singular: "lease", kind: "Lease",
                     namespaced: true, hasStatusSubresource: false),
    ])
}
