import KubeBackend

/// Keeps each ReplicaSet's count of live pods at spec.replicas and reports
/// replicas, readyReplicas and availableReplicas. A pod create refused by admission
/// (quota) sets the ReplicaFailure condition and is retried when pods or quotas change.
struct ReplicaSetController: SimulatedController {
    static let watchedResources: [ResourceKey] = [.replicaSets, .pods, .resourceQuotas]

    private let context: ClusterContext
    private var replicaSets = ManagedObjects()
    private var pods = OwnedObjects()
    /// ReplicaSets whose last pod create failed, with the error.
    private var failures: [ObjectKey: APIError] = [:]

    init(context: ClusterContext) {
        self.context = context
    }

    mutating func process(_ batch: [ControllerInput]) {
        var dirty = Set<ObjectKey>()
        var retryNamespaces = Set<String>()
        for input in batch {
            guard case .event(let resource, let kind, let object) = input else { continue }
            switch resource {
            case .replicaSets:
                replicaSets.apply(kind, object)
                if kind == .deleted { failures[object.objectKey] = nil } else { dirty.insert(object.objectKey) }
            case .pods:
                for owner in pods.apply(kind, object) {
                    if let key = replicaSets.key(forUID: owner) { dirty.insert(key) }
                }
                if kind == .deleted || object.isTerminalPod { retryNamespaces.insert(object.metadataString("namespace") ?? "") }
            default:
                retryNamespaces.insert(object.metadataString("namespace") ?? "")
            }
        }
        for key in failures.keys where retryNamespaces.contains(key.namespace) { dirty.insert(key) }
        for key in dirty.sorted() { reconcile(key) }
    }

    private mutating func reconcile(_ key: ObjectKey) {
        guard let replicaSet = replicaSets[key], !replicaSet.isBeingDeleted else { return }
        let desired = Int(replicaSet["spec"]?["replicas"]?.numberValue?.int64Value ?? 1)
        let live = pods.owned(by: replicaSet.uid).filter { !$0.isTerminalPod && !$0.isBeingDeleted }
        var failure: APIError?
        if live.count < desired {
            for _ in live.count..<desired {
                do {
                    _ = try context.api.createAsController(context.pods, namespace: key.namespace, pod(for: replicaSet),
                                                           owner: ObjectStore.OwnerCheck(type: context.replicaSets, key: key, uid: replicaSet.uid))
                } catch {
                    failure = error
                    break
                }
            }
        } else if live.count > desired {
            for pod in Self.deletionOrder(live).prefix(live.count - desired) {
                _ = try? context.store.delete(context.pods, namespace: key.namespace, name: pod.metadataString("name") ?? "")
            }
        }
        failures[key] = failure
        writeStatus(key, replicaSet, live: Array(live.prefix(desired)), failure: failure)
    }

    /// Unscheduled before scheduled, not ready before ready, newer before older.
    private static func deletionOrder(_ pods: [JSONValue]) -> [JSONValue] {
        pods.sorted { lhs, rhs in
            if (lhs.nodeName == nil) != (rhs.nodeName == nil) { return lhs.nodeName == nil }
            if lhs.isReadyPod != rhs.isReadyPod { return !lhs.isReadyPod }
            return (lhs.metadataString("creationTimestamp") ?? "", lhs.objectKey.name) > (rhs.metadataString("creationTimestamp") ?? "", rhs.objectKey.name)
        }
    }

    private func pod(for replicaSet: JSONValue) -> JSONValue {
        let template = replicaSet["spec"]?["template"] ?? [:]
        var metadata = template["metadata"]?.objectValue ?? [:]
        metadata["name"] = nil
        metadata["generateName"] = .string((replicaSet.metadataString("name") ?? "") + "-")
        metadata["ownerReferences"] = [replicaSet.controllerReference()]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": template["spec"] ?? [:]]
    }

    private func writeStatus(_ key: ObjectKey, _ replicaSet: JSONValue, live: [JSONValue], failure: APIError?) {
        let selector = replicaSet["spec"]?["selector"]?["matchLabels"]?.objectValue ?? [:]
        let fullyLabeled = live.filter { pod in selector.allSatisfy { pod.labels[$0.key] == $0.value.stringValue } }
        let ready = live.filter(\.isReadyPod).count
        var status: JSONObject = [
            "replicas": .number(JSONNumber(live.count)),
            "fullyLabeledReplicas": .number(JSONNumber(fullyLabeled.count)),
            "readyReplicas": .number(JSONNumber(ready)),
            "availableReplicas": .number(JSONNumber(ready)),
            "observedGeneration": replicaSet["metadata"]?["generation"] ?? 1,
        ]
        if let failure {
            let previous = replicaSet["status"]?["conditions"]?.arrayValue ?? []
            status["conditions"] = [JSONValue.condition("ReplicaFailure", "True", reason: "FailedCreate", message: failure.message,
                                                        now: context.timestamp(), previous: previous)]
        }
        StatusWriter.write(.object(status), to: context.replicaSets, key, in: context.store)
    }
}

/// Writes an object's status only when it changed, leaving the spec alone.
enum StatusWriter {
    static func write(_ status: JSONValue, to type: ResourceType, _ key: ObjectKey, in store: ObjectStore) {
        _ = try? store.modify(type, namespace: key.namespace, name: key.name) { old throws(APIError) -> JSONValue in
            guard old["status"] != status else { return old }
            var new = old
            new.setField("status", status)
            return new
        }
    }
}
