import Foundation
import KubeBackend

/// Creates each CronJob's Jobs on its schedule, in simulated time: at most one Job per
/// due time (the most recent one missed, as the real controller), named
/// `<cronjob>-<minutes since the epoch>`; honours suspend, concurrencyPolicy and
/// startingDeadlineSeconds; keeps status.active, lastScheduleTime and lastSuccessfulTime;
/// deletes finished Jobs beyond the history limits.
struct CronJobController: SimulatedController {
    static let watchedResources: [ResourceKey] = [.cronJobs, .jobs]

    private let context: ClusterContext
    private let inbox: ControllerInbox
    private var cronJobs = ManagedObjects()
    private var jobs = OwnedObjects()
    /// The wake-up already asked of the clock for each CronJob.
    private var wakeUps: [ObjectKey: Date] = [:]

    init(context: ClusterContext, inbox: ControllerInbox) {
        self.context = context
        self.inbox = inbox
    }

    mutating func process(_ batch: [ControllerInput]) {
        var dirty = Set<ObjectKey>()
        var tick = false
        for input in batch {
            switch input {
            case .tick:
                tick = true
            case .event(.cronJobs, let kind, let object):
                cronJobs.apply(kind, object)
                if kind == .deleted { wakeUps[object.objectKey] = nil } else { dirty.insert(object.objectKey) }
            case .event(_, let kind, let object):
                for owner in jobs.apply(kind, object) {
                    if let key = cronJobs.key(forUID: owner) { dirty.insert(key) }
                }
            }
        }
        if tick {
            let now = context.clock.now()
            for (key, wake) in wakeUps where wake <= now {
                wakeUps[key] = nil
                dirty.insert(key)
            }
        }
        for key in dirty.sorted() { reconcile(key) }
    }

    private mutating func reconcile(_ key: ObjectKey) {
        guard let cronJob = cronJobs[key], !cronJob.isBeingDeleted,
              let schedule = try? CronSchedule(parsing: cronJob["spec"]?["schedule"]?.stringValue ?? "")
        else { return }
        let spec = cronJob["spec"]
        let now = context.clock.now()
        var owned = jobs.owned(by: cronJob.uid)
        var active = owned.filter { !JobController.isFinished($0) }
        var status = cronJob["status"]?.objectValue ?? [:]
        let lastScheduled = status["lastScheduleTime"]?.stringValue.flatMap { Timestamp(rawValue: $0).date }
            ?? cronJob.metadataString("creationTimestamp").flatMap { Timestamp(rawValue: $0).date } ?? now

        if !(spec?["suspend"]?.boolValue ?? false), let due = schedule.latest(after: lastScheduled, upTo: now) {
            let deadline = spec?["startingDeadlineSeconds"]?.numberValue?.int64Value
            let tooLate = deadline.map { now.timeIntervalSince(due) > Double($0) } ?? false
            let policy = spec?["concurrencyPolicy"]?.stringValue ?? "Allow"
            if !tooLate, !(policy == "Forbid" && !active.isEmpty) {
                if policy == "Replace" {
                    for job in active { delete(job) }
                    active = []
                }
                if let job = try? context.api.createAsController(
                    context.jobs, namespace: key.namespace, job(for: cronJob, at: due),
                    owner: ObjectStore.OwnerCheck(type: context.cronJobs, key: key, uid: cronJob.uid)) {
                    active.append(job)
                    owned.append(job)
                }
                status["lastScheduleTime"] = .string(Timestamp(due).rawValue)
            } else if tooLate {
                status["lastScheduleTime"] = .string(Timestamp(due).rawValue)
            }
        }

        let succeeded = owned.filter { $0.conditionStatus("Complete") == "True" }
        if let latest = succeeded.compactMap({ $0["status"]?["completionTime"]?.stringValue }).max() {
            status["lastSuccessfulTime"] = .string(latest)
        }
        status["active"] = active.isEmpty ? nil : .array(active.map { job in
            ["kind": "Job", "namespace": .string(key.namespace), "name": .string(job.metadataString("name") ?? ""),
             "uid": .string(job.uid), "apiVersion": "batch/v1", "resourceVersion": .string(job.metadataString("resourceVersion") ?? "")]
        })
        StatusWriter.write(.object(status), to: context.cronJobs, key, in: context.store)
        pruneHistory(cronJob, owned: owned)

        if let next = schedule.next(after: now), wakeUps[key] != next {
            wakeUps[key] = next
            let inbox = inbox
            context.clock.schedule(at: next) { inbox.post(.tick) }
        }
    }

    private func job(for cronJob: JSONValue, at time: Date) -> JSONValue {
        let template = cronJob["spec"]?["jobTemplate"] ?? [:]
        var metadata = template["metadata"]?.objectValue ?? [:]
        metadata["name"] = .string("\(cronJob.metadataString("name") ?? "")-\(Int(time.timeIntervalSince1970 / 60))")
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = .string(Timestamp(time).rawValue)
        metadata["annotations"] = .object(annotations)
        metadata["ownerReferences"] = [cronJob.controllerReference()]
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": .object(metadata), "spec": template["spec"] ?? [:]]
    }

    /// Keeps the newest successfulJobsHistoryLimit (3) succeeded and failedJobsHistoryLimit (1) failed Jobs.
    private func pruneHistory(_ cronJob: JSONValue, owned: [JSONValue]) {
        let spec = cronJob["spec"]
        for (condition, field, defaultLimit) in [("Complete", "successfulJobsHistoryLimit", 3), ("Failed", "failedJobsHistoryLimit", 1)] {
            let limit = Int(spec?[field]?.numberValue?.int64Value ?? Int64(defaultLimit))
            let finished = owned.filter { $0.conditionStatus(condition) == "True" }
                .sorted { ($0.metadataString("creationTimestamp") ?? "", $0.objectKey.name) > ($1.metadataString("creationTimestamp") ?? "", $1.objectKey.name) }
            for job in finished.dropFirst(max(limit, 0)) { delete(job) }
        }
    }

    private func delete(_ job: JSONValue) {
        _ = try? context.store.delete(context.jobs, namespace: job.objectKey.namespace, name: job.objectKey.name, propagation: .background)
    }
}
