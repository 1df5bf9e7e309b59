import KubeBackend
import Synchronization

/// The ResourceQuota admission plugin: a create that would take a namespace past any
/// of its quotas' hard limits is refused with 403 Forbidden, worded as the apiserver
/// words it. Creates checked against a quota are serialized, so that two of them cannot
/// both take the last unit.
final class QuotaAdmission: Sendable {
    private let store: ObjectStore
    private let serial = Mutex(())

    init(store: ObjectStore) {
        self.store = store
    }

    /// Runs `create` if `object` fits every quota of its namespace.
    func admit(_ object: JSONValue, as type: ResourceType, namespace: String?, create: () throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        guard let namespace, type.namespaced, let quotaType = store.catalog[.resourceQuotas] else { return try create() }
        let quotas = (try? store.list(quotaType, ObjectStore.ListOptions(namespace: namespace)).items) ?? []
        let relevant = quotas.filter { quota in
            (quota["spec"]?["hard"]?.objectValue?.keys ?? []).contains { QuotaUsage.tracks($0, for: type) }
        }
        if relevant.isEmpty { return try create() }
        return try serial.withLock { _ throws(APIError) -> JSONValue in
            let requested = QuotaUsage.usage(of: object, as: type)
            let used = QuotaUsage.namespaceUsage(of: type, in: namespace, store: store)
            for quota in relevant.sorted(by: { ($0.metadataString("name") ?? "") < ($1.metadataString("name") ?? "") }) {
                try check(object, type, requested: requested, used: used, against: quota)
            }
            return try create()
        }
    }

    private func check(_ object: JSONValue, _ type: ResourceType, requested: ResourceAmounts, used: ResourceAmounts, against quota: JSONValue) throws(APIError) {
        let quotaName = quota.metadataString("name") ?? ""
        let hardText = quota["spec"]?["hard"]
        let hard = ResourceAmounts(hardText)
        let name = object.metadataString("name") ?? ""
        if type.kind == "Pod" {
            let missing = Self.missingConstraints(object, hard: hard)
            if !missing.isEmpty {
                throw forbidden(type, name, "failed quota: \(quotaName): must specify \(missing.joined(separator: "; "))")
            }
        }
        let exceeded = hard.resources.filter { resource in
            QuotaUsage.tracks(resource, for: type) && requested[resource] > 0 && used[resource] + requested[resource] > hard[resource]
        }
        guard !exceeded.isEmpty else { return }
        func list(_ amounts: ResourceAmounts) -> String {
            exceeded.map { "\($0)=\(ResourceAmounts.format(milli: amounts[$0], like: hardText?[$0]))" }.joined(separator: ",")
        }
        throw forbidden(type, name, "exceeded quota: \(quotaName), requested: \(list(requested)), used: \(list(used)), limited: \(list(hard))")
    }

    /// A quota on cpu or memory requests or limits requires every container to set them.
    private static func missingConstraints(_ pod: JSONValue, hard: ResourceAmounts) -> [String] {
        let resources = PodResources(pod)
        var missing: [String] = []
        for name in hard.resources {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            let (kind, resource) = parts.count == 2 ? (parts[0], parts[1]) : ("requests", name)
            guard ["cpu", "memory"].contains(resource), ["requests", "limits"].contains(kind) else { continue }
            let containers = resources.containersNotSetting(resource, limitsOnly: kind == "limits")
            // Named as the quota names it: "cpu for: main" for a bare `cpu` quota.
            if !containers.isEmpty { missing.append("\(name) for: \(containers.joined(separator: ","))") }
        }
        return Array(Set(missing)).sorted()
    }

    private func forbidden(_ type: ResourceType, _ name: String, _ reason: String) -> APIError {
        APIError.forbidden("\(type.qualifiedResource) \"\(name)\" is forbidden: \(reason)",
                           details: APIError.details(type, name: name))
    }
}
