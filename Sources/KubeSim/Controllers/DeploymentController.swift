import KubeBackend

/// Rolls each Deployment out through ReplicaSets named `<deployment>-<pod-template-hash>`:
/// the ReplicaSet of the current template gets spec.replicas, older ones are scaled to
/// zero at once (a simplified rollout), and the Deployment reports replicas,
/// updatedReplicas, readyReplicas, availableReplicas, observedGeneration and its
/// Available and Progressing conditions.
struct DeploymentController: SimulatedController {
    static let watchedResources: [ResourceKey] = [.deployments, .replicaSets]

    private let context: ClusterContext
    private var deployments = ManagedObjects()
    private var replicaSets = OwnedObjects()
    /// Each deployment's pod-template-hash at the generation it was computed for: the
    /// template is part of the spec, so it can only change with the generation.
    private var templateHashes: [String: (generation: Int64, hash: String)] = [:]

    init(context: ClusterContext) {
        self.context = context
    }

    mutating func process(_ batch: [ControllerInput]) {
        var dirty = Set<ObjectKey>()
        for input in batch {
            guard case .event(let resource, let kind, let object) = input else { continue }
            if resource == .deployments {
                deployments.apply(kind, object)
                if kind != .deleted { dirty.insert(object.objectKey) } else { templateHashes[object.uid] = nil }
            } else {
                for owner in replicaSets.apply(kind, object) {
                    if let key = deployments.key(forUID: owner) { dirty.insert(key) }
                }
            }
        }
        for key in dirty.sorted() { reconcile(key) }
    }

    private mutating func reconcile(_ key: ObjectKey) {
        guard let deployment = deployments[key], !deployment.isBeingDeleted else { return }
        let desired = deployment["spec"]?["replicas"]?.numberValue?.int64Value ?? 1
        let template = deployment["spec"]?["template"] ?? [:]
        let hash = templateHash(deployment, template)
        let owned = replicaSets.owned(by: deployment.uid)
        var current = owned.first { $0.labels["pod-template-hash"] == hash }
        let revision = (owned.compactMap { Int($0["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.stringValue ?? "") }.max() ?? 0)
        if current == nil {
            current = try? context.api.createAsController(
                context.replicaSets, namespace: key.namespace,
                replicaSet(for: deployment, template: template, hash: hash, replicas: desired, revision: revision + 1),
                owner: ObjectStore.OwnerCheck(type: context.deployments, key: key, uid: deployment.uid))
        } else if current?["spec"]?["replicas"]?.numberValue?.int64Value != desired {
            current = scale(current!, to: desired)
        }
        for old in owned where old.uid != current?.uid && (old["spec"]?["replicas"]?.numberValue?.int64Value ?? 0) != 0 {
            _ = scale(old, to: 0)
        }
        writeStatus(key, deployment, current: current, owned: owned, desired: desired)
    }

    private mutating func templateHash(_ deployment: JSONValue, _ template: JSONValue) -> String {
        let generation = deployment["metadata"]?["generation"]?.numberValue?.int64Value ?? 0
        if let known = templateHashes[deployment.uid], known.generation == generation { return known.hash }
        let hash = PodTemplateHash.of(template)
        templateHashes[deployment.uid] = (generation, hash)
        return hash
    }

    private func scale(_ replicaSet: JSONValue, to replicas: Int64) -> JSONValue? {
        try? context.store.modify(context.replicaSets, namespace: replicaSet.objectKey.namespace, name: replicaSet.objectKey.name) { old throws(APIError) -> JSONValue in
            var new = old
            new.set(["spec", "replicas"], .number(JSONNumber(replicas)))
            new.set(["metadata", "annotations", "deployment.kubernetes.io/desired-replicas"], .string(String(replicas)))
            return new
        }
    }

    private func replicaSet(for deployment: JSONValue, template: JSONValue, hash: String, replicas: Int64, revision: Int) -> JSONValue {
        let name = "\(deployment.metadataString("name") ?? "")-\(hash)"
        var podTemplate = template
        podTemplate.set(["metadata", "labels", "pod-template-hash"], .string(hash))
        var selector = deployment["spec"]?["selector"] ?? [:]
        selector.set(["matchLabels", "pod-template-hash"], .string(hash))
        var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
        labels["pod-template-hash"] = .string(hash)
        return [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string(name), "labels": .object(labels),
                "annotations": [
                    "deployment.kubernetes.io/desired-replicas": .string(String(replicas)),
                    "deployment.kubernetes.io/max-replicas": .string(String(replicas + 1)),
                    "deployment.kubernetes.io/revision": .string(String(revision)),
                ],
                "ownerReferences": [deployment.controllerReference()],
            ],
            "spec": ["replicas": .number(JSONNumber(replicas)), "selector": selector, "template": podTemplate],
        ]
    }

    private func writeStatus(_ key: ObjectKey, _ deployment: JSONValue, current: JSONValue?, owned: [JSONValue], desired: Int64) {
        func sum(_ field: String) -> Int64 {
            owned.reduce(0) { $0 + ($1["status"]?[field]?.numberValue?.int64Value ?? 0) }
        }
        let replicas = sum("replicas"), ready = sum("readyReplicas"), available = sum("availableReplicas")
        let updated = owned.first { $0.uid == current?.uid }?["status"]?["replicas"]?.numberValue?.int64Value ?? 0
        let now = context.timestamp()
        let previous = deployment["status"]?["conditions"]?.arrayValue ?? []
        let minimumAvailable = desired - Self.maxUnavailable(deployment, desired: desired)
        let isAvailable = available >= minimumAvailable
        let currentName = current?.metadataString("name") ?? ""
        let complete = updated == desired && available == desired && replicas == desired
        var status: JSONObject = ["observedGeneration": deployment["metadata"]?["generation"] ?? 1]
        if replicas > 0 { status["replicas"] = .number(JSONNumber(replicas)) }
        if updated > 0 { status["updatedReplicas"] = .number(JSONNumber(updated)) }
        if ready > 0 { status["readyReplicas"] = .number(JSONNumber(ready)) }
        if available > 0 { status["availableReplicas"] = .number(JSONNumber(available)) }
        if desired - available > 0 { status["unavailableReplicas"] = .number(JSONNumber(desired - available)) }
        status["conditions"] = [
            .condition("Available", isAvailable ? "True" : "False",
                       reason: isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                       message: isAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                       now: now, previous: previous, updateTime: true),
            .condition("Progressing", "True",
                       reason: complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                       message: complete ? "ReplicaSet \"\(currentName)\" has successfully progressed." : "ReplicaSet \"\(currentName)\" is progressing.",
                       now: now, previous: previous, updateTime: true),
        ]
        StatusWriter.write(.object(status), to: context.deployments, key, in: context.store)
    }

    /// spec.strategy.rollingUpdate.maxUnavailable, an int or a percentage rounded down (default 25%).
    private static func maxUnavailable(_ deployment: JSONValue, desired: Int64) -> Int64 {
        let value = deployment["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"]
        if let number = value?.numberValue?.int64Value { return number }
        let text = value?.stringValue ?? "25%"
        guard text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return Int64(text) ?? 0 }
        return desired * percent / 100
    }
}

/// The pod-template-hash label value: FNV-32a of the template, spelled with the
/// apiserver's vowel-free alphabet, as the deployment controller names ReplicaSets.
enum PodTemplateHash {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func of(_ template: JSONValue) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in KubeJSON.serialize(template) {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}
