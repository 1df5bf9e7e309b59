public import Fleet

/// Reads a Kubernetes Node as the fleet sees it: allocatable resources, taints,
/// readiness, and the accelerator its pool carries.
public enum NodeConversion {
    /// Where each cloud's node pools name their accelerator, with the extended
    /// resource the devices are counted in. The first label found wins.
    public static let acceleratorLabels: [(labelKey: String, resourceName: String)] = [
        ("cloud.google.com/gke-accelerator", "nvidia.com/gpu"),
        ("cloud.google.com/gke-tpu-accelerator", "google.com/tpu"),
        ("k8s.amazonaws.com/accelerator", "nvidia.com/gpu"),
        ("nvidia.com/gpu.product", "nvidia.com/gpu"),
        ("accelerator", "nvidia.com/gpu"),
        (FleetLabels.accelerator, "nvidia.com/gpu"),
    ]

    public static func nodeInfo(_ node: Node) -> NodeInfo? {
        guard let name = node.metadata.name else { return nil }
        let labels = node.metadata.labels ?? [:]
        let allocatable = node.status?.allocatable ?? [:]
        var accelerator: AcceleratorKind?
        for entry in acceleratorLabels {
            if let type = labels[entry.labelKey] {
                accelerator = AcceleratorKind(type: type, resourceName: entry.resourceName, labelKey: entry.labelKey)
                break
            }
        }
        let vector = ResourceVector(
            cpuMillis: allocatable["cpu"]?.milliValue ?? 0,
            memoryBytes: allocatable["memory"]?.value ?? 0,
            accelerators: accelerator.flatMap { allocatable[$0.resourceName]?.value } ?? 0,
            pods: allocatable["pods"]?.value ?? 110)
        let taints = (node.spec?.taints ?? []).compactMap { taint -> Fleet.Taint? in
            guard let effect = Fleet.Taint.Effect(rawValue: taint.effect) else { return nil }
            return Fleet.Taint(key: taint.key, value: taint.value ?? "", effect: effect)
        }
        let ready = node.status?.conditions?.first { $0.type == "Ready" }?.status == "True"
        return NodeInfo(name: name, labels: labels, taints: taints, allocatable: vector, accelerator: accelerator,
                        ready: ready, unschedulable: node.spec?.unschedulable ?? false)
    }
}

/// Reads a Kubernetes Pod as a claim on its node.
public enum PodConversion {
    public static func podInfo(_ pod: Pod) -> PodInfo? {
        podInfo(PodClaim(pod))
    }

    public static func podInfo(_ pod: PodClaim) -> PodInfo? {
        guard let name = pod.metadata.name else { return nil }
        let key = PodInfo.Key(namespace: pod.metadata.namespace ?? "default", name: name)
        let phase = PodInfo.Phase(rawValue: pod.status?.phase ?? "Pending") ?? .unknown
        return PodInfo(key: key, nodeName: pod.spec?.nodeName, requests: requests(of: pod.spec), phase: phase,
                       ready: pod.status?.ready == "True",
                       deploymentID: pod.metadata.labels?[FleetLabels.deploymentID].map { DeploymentID($0) })
    }

    /// What the scheduler reserves for a pod: the sum over its containers, or the
    /// largest init container if that is more, per resource.
    static func requests(of spec: PodClaim.Spec?) -> ResourceVector {
        guard let spec else { return ResourceVector(pods: 1) }
        func vector(_ container: PodClaim.ContainerClaim) -> ResourceVector {
            let requests = container.requests ?? container.limits ?? [:]
            let accelerators = ["nvidia.com/gpu", "google.com/tpu", "amd.com/gpu"].reduce(Int64(0)) { $0 + (requests[$1]?.value ?? 0) }
            return ResourceVector(cpuMillis: requests["cpu"]?.milliValue ?? 0, memoryBytes: requests["memory"]?.value ?? 0, accelerators: accelerators)
        }
        let running = spec.containers.reduce(ResourceVector.zero) { $0 + vector($1) }
        let initMax = (spec.initContainers ?? []).reduce(ResourceVector.zero) { $0.componentMax(vector($1)) }
        var total = running.componentMax(initMax)
        total.pods = 1
        return total
    }
}

/// Reads a ResourceQuota in the units placement compares.
public enum QuotaConversion {
    public static func namespaceQuota(_ quota: ResourceQuota) -> NamespaceQuota? {
        guard let name = quota.metadata.name, let namespace = quota.metadata.namespace else { return nil }
        func amounts(_ values: [String: Quantity]?) -> [String: Int64] {
            var result: [String: Int64] = [:]
            for (resource, quantity) in values ?? [:] {
                let isCPU = resource == "cpu" || resource == "requests.cpu" || resource == "limits.cpu"
                result[normalized(resource)] = isCPU ? quantity.milliValue : quantity.value
            }
            return result
        }
        return NamespaceQuota(namespace: namespace, name: name, hard: amounts(quota.spec?.hard), used: amounts(quota.status?.used))
    }

    /// `cpu` and `memory` quota the same as `requests.cpu` and `requests.memory`.
    static func normalized(_ resource: String) -> String {
        switch resource {
        case "cpu": "requests.cpu"
        case "memory": "requests.memory"
        default: resource
        }
    }
}
