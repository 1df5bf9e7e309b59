import Foundation
import KubeBackend

/// The columns `kubectl get` shows for the apps, batch, networking, scheduling and
/// coordination kinds the simulator serves.
enum WorkloadTablePrinters {
    static let deployment = TablePrinter(columns: [
        .name,
        TableColumn("Ready", "Number of the pod with ready state"),
        TableColumn("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        TableColumn("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        .age, .containers, .images, .selector,
    ]) { deployment, now in
        let status = deployment["status"]
        return [
            .string(deployment.metadataString("name") ?? ""),
            .string("\(int(status?["readyReplicas"]))/\(int(deployment["spec"]?["replicas"], default: 1))"),
            .number(JSONNumber(int(status?["updatedReplicas"]))), .number(JSONNumber(int(status?["availableReplicas"]))),
            .string(HumanDuration.since(deployment["metadata"]?["creationTimestamp"], now: now)),
        ] + templateCells(deployment["spec"]?["template"], selector: deployment["spec"]?["selector"])
    }

    static let replicaSet = TablePrinter(columns: [
        .name,
        TableColumn("Desired", "integer", "Replicas is the number of desired replicas."),
        TableColumn("Current", "integer", "Replicas is the most recently observed number of replicas."),
        TableColumn("Ready", "integer", "The number of ready replicas for this replica set."),
        .age, .containers, .images, .selector,
    ]) { replicaSet, now in
        let status = replicaSet["status"]
        return [
            .string(replicaSet.metadataString("name") ?? ""),
            .number(JSONNumber(int(replicaSet["spec"]?["replicas"], default: 1))),
            .number(JSONNumber(int(status?["replicas"]))), .number(JSONNumber(int(status?["readyReplicas"]))),
            .string(HumanDuration.since(replicaSet["metadata"]?["creationTimestamp"], now: now)),
        ] + templateCells(replicaSet["spec"]?["template"], selector: replicaSet["spec"]?["selector"])
    }

    static let job = TablePrinter(columns: [
        .name,
        TableColumn("Status", "Status of the job."),
        TableColumn("Completions", "The desired number of successfully finished pods the job should be run with."),
        TableColumn("Duration", "Time required to complete the job."),
        .age, .containers, .images, .selector,
    ]) { job, now in
        [
            .string(job.metadataString("name") ?? ""), .string(jobStatus(job)), .string(completions(job)),
            .string(jobDuration(job, now: now)), .string(HumanDuration.since(job["metadata"]?["creationTimestamp"], now: now)),
        ] + templateCells(job["spec"]?["template"], selector: job["spec"]?["selector"])
    }

    static let cronJob = TablePrinter(columns: [
        .name,
        TableColumn("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        TableColumn("Timezone", "The time zone name for the given schedule."),
        TableColumn("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
        TableColumn("Active", "integer", "A list of pointers to currently running jobs."),
        TableColumn("Last Schedule", "Information when was the last time the job was successfully scheduled."),
        .age, .containers, .images, .selector,
    ]) { cronJob, now in
        let spec = cronJob["spec"]
        let lastSchedule = cronJob["status"]?["lastScheduleTime"]
        return [
            .string(cronJob.metadataString("name") ?? ""), .string(spec?["schedule"]?.stringValue ?? ""),
            .string(nonEmpty(spec?["timeZone"]?.stringValue)), .bool(spec?["suspend"]?.boolValue ?? false),
            .number(JSONNumber(cronJob["status"]?["active"]?.arrayValue?.count ?? 0)),
            .string(lastSchedule == nil ? "<none>" : HumanDuration.since(lastSchedule, now: now)),
            .string(HumanDuration.since(cronJob["metadata"]?["creationTimestamp"], now: now)),
        ] + templateCells(spec?["jobTemplate"]?["spec"]?["template"], selector: spec?["jobTemplate"]?["spec"]?["selector"])
    }

    static let ingress = TablePrinter(columns: [
        .name,
        TableColumn("Class", "The name of the IngressClass resource."),
        TableColumn("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
        TableColumn("Address", "Address is a list containing ingress points for the load-balancer"),
        TableColumn("Ports", "Ports of TLS configurations that open"),
        .age,
    ]) { ingress, now in
        let spec = ingress["spec"]
        let hosts = (spec?["rules"]?.arrayValue ?? []).map { $0["host"]?.stringValue ?? "*" }
        let addresses = (ingress["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap {
            $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
        }
        return [
            .string(ingress.metadataString("name") ?? ""), .string(nonEmpty(spec?["ingressClassName"]?.stringValue)),
            .string(hosts.isEmpty ? "*" : hosts.joined(separator: ",")), .string(addresses.joined(separator: ",")),
            .string((spec?["tls"]?.arrayValue ?? []).isEmpty ? "80" : "80, 443"),
            .string(HumanDuration.since(ingress["metadata"]?["creationTimestamp"], now: now)),
        ]
    }

    static let priorityClass = TablePrinter(columns: [
        .name,
        TableColumn("Value", "integer", "The value of this priority class."),
        TableColumn("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority."),
        .age,
        TableColumn("Preemption-Policy", "PreemptionPolicy is the Policy for preempting pods with lower priority."),
    ]) { priorityClass, now in
        [
            .string(priorityClass.metadataString("name") ?? ""), .number(JSONNumber(int(priorityClass["value"]))),
            .bool(priorityClass["globalDefault"]?.boolValue ?? false),
            .string(HumanDuration.since(priorityClass["metadata"]?["creationTimestamp"], now: now)),
            .string(priorityClass["preemptionPolicy"]?.stringValue ?? "PreemptLowerPriority"),
        ]
    }

    static let lease = TablePrinter(columns: [
        .name, TableColumn("Holder", "The holder of the lease."), .age,
    ]) { lease, now in
        [.string(lease.metadataString("name") ?? ""), .string(lease["spec"]?["holderIdentity"]?.stringValue ?? ""),
         .string(HumanDuration.since(lease["metadata"]?["creationTimestamp"], now: now))]
    }

    // MARK: Shared cells

    private static func int(_ value: JSONValue?, default fallback: Int64 = 0) -> Int64 {
        value?.numberValue?.int64Value ?? fallback
    }

    /// CONTAINERS, IMAGES and SELECTOR of a pod template.
    private static func templateCells(_ template: JSONValue?, selector: JSONValue?) -> [JSONValue] {
        let containers = template?["spec"]?["containers"]?.arrayValue ?? []
        return [
            .string(containers.compactMap { $0["name"]?.stringValue }.joined(separator: ",")),
            .string(containers.compactMap { $0["image"]?.stringValue }.joined(separator: ",")),
            .string(selectorText(selector)),
        ]
    }

    /// A metav1.LabelSelector as `kubectl get -o wide` prints it.
    static func selectorText(_ selector: JSONValue?) -> String {
        guard let selector else { return "<none>" }
        var terms = (selector["matchLabels"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted()
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
            switch expression["operator"]?.stringValue {
            case "In": terms.append("\(key) in (\(values))")
            case "NotIn": terms.append("\(key) notin (\(values))")
            case "Exists": terms.append(key)
            case "DoesNotExist": terms.append("!\(key)")
            default: break
            }
        }
        return terms.isEmpty ? "<none>" : terms.joined(separator: ",")
    }

    private static func hasCondition(_ job: JSONValue, _ type: String) -> Bool {
        (job["status"]?["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == type && $0["status"] == "True" }
    }

    private static func jobStatus(_ job: JSONValue) -> String {
        if hasCondition(job, "Complete") { return "Complete" }
        if hasCondition(job, "Failed") { return "Failed" }
        if job.isBeingDeleted { return "Terminating" }
        if hasCondition(job, "Suspended") { return "Suspended" }
        if hasCondition(job, "FailureTarget") { return "FailureTarget" }
        if hasCondition(job, "SuccessCriteriaMet") { return "SuccessCriteriaMet" }
        return "Running"
    }

    private static func completions(_ job: JSONValue) -> String {
        let succeeded = int(job["status"]?["succeeded"])
        if let completions = job["spec"]?["completions"]?.numberValue?.int64Value { return "\(succeeded)/\(completions)" }
        let parallelism = int(job["spec"]?["parallelism"], default: 1)
        return parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
    }

    private static func jobDuration(_ job: JSONValue, now: Date) -> String {
        guard let start = job["status"]?["startTime"]?.stringValue.flatMap({ Timestamp(rawValue: $0).date }) else { return "" }
        let end = job["status"]?["completionTime"]?.stringValue.flatMap { Timestamp(rawValue: $0).date } ?? now
        return HumanDuration.format(end.timeIntervalSince(start))
    }
}
