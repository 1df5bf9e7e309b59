import KubeBackend

/// Runs each Job's pods: keeps up to spec.parallelism running until spec.completions
/// have succeeded, then marks the Job Complete (SuccessCriteriaMet, completionTime); more
/// than spec.backoffLimit failures mark it Failed. Reports active, ready, succeeded, failed.
struct JobController: SimulatedController {
    static let watchedResources: [ResourceKey] = [.jobs, .pods, .resourceQuotas]

    private let context: ClusterContext
    private var jobs = ManagedObjects()
    private var pods = OwnedObjects()

    init(context: ClusterContext) {
        self.context = context
    }

    mutating func process(_ batch: [ControllerInput]) {
        var dirty = Set<ObjectKey>()
        var retryNamespaces = Set<String>()
        for input in batch {
            guard case .event(let resource, let kind, let object) = input else { continue }
            switch resource {
            case .jobs:
                jobs.apply(kind, object)
                if kind != .deleted { dirty.insert(object.objectKey) }
            case .pods:
                for owner in pods.apply(kind, object) {
                    if let key = jobs.key(forUID: owner) { dirty.insert(key) }
                }
                if kind == .deleted || object.isTerminalPod { retryNamespaces.insert(object.metadataString("namespace") ?? "") }
            default:
                retryNamespaces.insert(object.metadataString("namespace") ?? "")
            }
        }
        // Jobs short of pods (a create refused by quota) try again when room may have appeared.
        for (key, job) in jobs.byKey where retryNamespaces.contains(key.namespace) && !Self.isFinished(job) { dirty.insert(key) }
        for key in dirty.sorted() { reconcile(key) }
    }

    static func isFinished(_ job: JSONValue) -> Bool {
        job.conditionStatus("Complete") == "True" || job.conditionStatus("Failed") == "True"
    }

    private func reconcile(_ key: ObjectKey) {
        guard let job = jobs[key], !job.isBeingDeleted else { return }
        let spec = job["spec"]
        let owned = pods.owned(by: job.uid)
        let active = owned.filter { !$0.isTerminalPod && !$0.isBeingDeleted }
        let succeeded = owned.filter { $0.podPhase == "Succeeded" }.count
        let failed = owned.filter { $0.podPhase == "Failed" }.count
        let completions = spec?["completions"]?.numberValue?.int64Value.map(Int.init)
        let parallelism = Int(spec?["parallelism"]?.numberValue?.int64Value ?? 1)
        let backoffLimit = Int(spec?["backoffLimit"]?.numberValue?.int64Value ?? 6)
        let suspended = spec?["suspend"]?.boolValue ?? false

        var outcome: (type: String, reason: String, message: String)?
        if Self.isFinished(job) {
            outcome = nil
        } else if let completions, succeeded >= completions {
            outcome = ("Complete", "CompletionsReached", "Reached expected number of succeeded pods")
        } else if completions == nil, succeeded > 0, active.isEmpty {
            outcome = ("Complete", "CompletionsReached", "Reached expected number of succeeded pods")
        } else if failed > backoffLimit {
            outcome = ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
        }

        if !Self.isFinished(job), outcome == nil, !suspended {
            let remaining = completions.map { $0 - succeeded - active.count } ?? (succeeded > 0 ? 0 : parallelism - active.count)
            let toCreate = max(0, min(parallelism - active.count, remaining))
            for _ in 0..<toCreate {
                do {
                    _ = try context.api.createAsController(context.pods, namespace: key.namespace, pod(for: job),
                                                           owner: ObjectStore.OwnerCheck(type: context.jobs, key: key, uid: job.uid))
                } catch {
                    break
                }
            }
        }
        writeStatus(key, job, active: Self.isFinished(job) || outcome != nil ? [] : active, succeeded: succeeded, failed: failed, outcome: outcome)
    }

    private func pod(for job: JSONValue) -> JSONValue {
        let template = job["spec"]?["template"] ?? [:]
        var metadata = template["metadata"]?.objectValue ?? [:]
        let name = job.metadataString("name") ?? ""
        metadata["name"] = nil
        metadata["generateName"] = .string(name + "-")
        var labels = metadata["labels"]?.objectValue ?? [:]
        labels["batch.kubernetes.io/controller-uid"] = .string(job.uid)
        labels["batch.kubernetes.io/job-name"] = .string(name)
        labels["controller-uid"] = .string(job.uid)
        labels["job-name"] = .string(name)
        metadata["labels"] = .object(labels)
        if let runSeconds = job["metadata"]?["annotations"]?[PodRunner.runSecondsAnnotation], metadata["annotations"]?[PodRunner.runSecondsAnnotation] == nil {
            var annotations = metadata["annotations"]?.objectValue ?? [:]
            annotations[PodRunner.runSecondsAnnotation] = runSeconds
            metadata["annotations"] = .object(annotations)
        }
        metadata["ownerReferences"] = [job.controllerReference()]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": template["spec"] ?? [:]]
    }

    private func writeStatus(_ key: ObjectKey, _ job: JSONValue, active: [JSONValue], succeeded: Int, failed: Int,
                             outcome: (type: String, reason: String, message: String)?) {
        let now = context.timestamp()
        var status = job["status"]?.objectValue ?? [:]
        if status["startTime"] == nil { status["startTime"] = now }
        status["active"] = active.isEmpty ? nil : .number(JSONNumber(active.count))
        let ready = active.filter(\.isReadyPod).count
        status["ready"] = .number(JSONNumber(ready))
        status["succeeded"] = succeeded > 0 ? .number(JSONNumber(succeeded)) : nil
        status["failed"] = failed > 0 ? .number(JSONNumber(failed)) : nil
        status["terminating"] = 0
        status["uncountedTerminatedPods"] = .object([:])
        if let outcome {
            var conditions = status["conditions"]?.arrayValue ?? []
            func condition(_ type: String) -> JSONValue {
                ["type": .string(type), "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
                 "reason": .string(outcome.reason), "message": .string(outcome.message)]
            }
            if outcome.type == "Complete" {
                conditions += [condition("SuccessCriteriaMet"), condition("Complete")]
                status["completionTime"] = now
            } else {
                conditions += [condition("FailureTarget"), condition("Failed")]
            }
            status["conditions"] = .array(conditions)
        }
        StatusWriter.write(.object(status), to: context.jobs, key, in: context.store)
    }
}
