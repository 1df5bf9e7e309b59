import KubeBackend

/// The resource quota controller: keeps each ResourceQuota's status.hard equal to
/// spec.hard and status.used equal to what its namespace uses now.
struct QuotaStatusController: SimulatedController {
    static let watchedResources: [ResourceKey] = [
        .resourceQuotas, .pods, .deployments, .replicaSets, .jobs, .cronJobs, .services, .configMaps, .ingresses,
    ]

    private let context: ClusterContext
    private var quotas: [ObjectKey: JSONValue] = [:]

    init(context: ClusterContext) {
        self.context = context
    }

    mutating func process(_ batch: [ControllerInput]) {
        var namespaces = Set<String>()
        for input in batch {
            guard case .event(let resource, let kind, let object) = input else { continue }
            if resource == .resourceQuotas {
                quotas[object.objectKey] = kind == .deleted ? nil : object
            }
            namespaces.insert(object.metadataString("namespace") ?? "")
        }
        for namespace in namespaces.sorted() {
            let inNamespace = quotas.filter { $0.key.namespace == namespace }
            guard !inNamespace.isEmpty else { continue }
            var usage: [ResourceKey: ResourceAmounts] = [:]
            for (key, quota) in inNamespace.sorted(by: { $0.key < $1.key }) {
                let hard = quota["spec"]?["hard"]?.objectValue ?? [:]
                var usedObject = JSONObject()
                // A resource no evaluator counts (limits.nvidia.com/gpu) is left out of used, as the apiserver leaves it.
                for resource in hard.keys.sorted() {
                    guard let used = used(resource, namespace: namespace, cache: &usage) else { continue }
                    usedObject[resource] = .string(ResourceAmounts.format(milli: used, like: hard[resource]))
                }
                StatusWriter.write(["hard": .object(hard), "used": .object(usedObject)], to: context.resourceQuotas, key, in: context.store)
            }
        }
    }

    private func used(_ resource: String, namespace: String, cache: inout [ResourceKey: ResourceAmounts]) -> Int64? {
        for type in context.store.catalog.types where type.namespaced && QuotaUsage.tracks(resource, for: type) {
            if cache[type.key] == nil { cache[type.key] = QuotaUsage.namespaceUsage(of: type, in: namespace, store: context.store) }
            return cache[type.key]![resource]
        }
        return nil
    }
}
