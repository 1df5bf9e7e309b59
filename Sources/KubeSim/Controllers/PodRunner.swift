import Foundation
import KubeBackend

/// The simulated kubelets' container runtime for run-to-completion pods (restartPolicy
/// Never or OnFailure): each runs for `kubesim.fleet.io/run-seconds` of simulated time
/// (the profile's jobRunSeconds by default), then exits with `kubesim.fleet.io/exit-code`
/// (0 by default) and so Succeeds or Fails.
struct PodRunner: SimulatedController {
    static let watchedResources: [ResourceKey] = [.pods]
    static let runSecondsAnnotation = "kubesim.fleet.io/run-seconds"
    static let exitCodeAnnotation = "kubesim.fleet.io/exit-code"

    private let context: ClusterContext
    private let inbox: ControllerInbox
    private var finishTimes: [ObjectKey: Date] = [:]

    init(context: ClusterContext, inbox: ControllerInbox) {
        self.context = context
        self.inbox = inbox
    }

    mutating func process(_ batch: [ControllerInput]) {
        for input in batch {
            guard case .event(_, let kind, let pod) = input else { continue }
            let key = pod.objectKey
            guard kind != .deleted, pod.podPhase == "Running", pod["spec"]?["restartPolicy"]?.stringValue != "Always",
                  let started = pod["status"]?["startTime"]?.stringValue.flatMap({ Timestamp(rawValue: $0).date })
            else {
                finishTimes[key] = nil
                continue
            }
            guard finishTimes[key] == nil else { continue }
            let seconds = pod["metadata"]?["annotations"]?[Self.runSecondsAnnotation]?.stringValue.flatMap(Double.init) ?? context.jobRunSeconds
            let finish = started.addingTimeInterval(max(seconds, 0))
            finishTimes[key] = finish
            let inbox = inbox
            context.clock.schedule(at: finish) { inbox.post(.tick) }
        }
        let now = context.clock.now()
        for (key, finish) in finishTimes where finish <= now {
            finishTimes[key] = nil
            complete(key)
        }
    }

    private func complete(_ key: ObjectKey) {
        let now = context.timestamp()
        _ = try? context.store.modify(context.pods, namespace: key.namespace, name: key.name) { old throws(APIError) -> JSONValue in
            guard old.podPhase == "Running" else { return old }
            let exitCode = Int64(old["metadata"]?["annotations"]?[Self.exitCodeAnnotation]?.stringValue ?? "") ?? 0
            var pod = old
            pod.set(["status", "phase"], exitCode == 0 ? "Succeeded" : "Failed")
            let conditions = (old["status"]?["conditions"]?.arrayValue ?? []).map { condition -> JSONValue in
                guard ["Ready", "ContainersReady"].contains(condition["type"]?.stringValue ?? "") else { return condition }
                var changed = condition
                changed.setField("status", "False")
                changed.setField("lastTransitionTime", now)
                changed.setField("reason", "PodCompleted")
                return changed
            }
            pod.set(["status", "conditions"], .array(conditions))
            let containers = (old["status"]?["containerStatuses"]?.arrayValue ?? []).map { container -> JSONValue in
                var changed = container
                changed.setField("ready", false)
                changed.setField("started", false)
                changed.setField("state", ["terminated": [
                    "exitCode": .number(JSONNumber(exitCode)), "reason": exitCode == 0 ? "Completed" : "Error",
                    "startedAt": container["state"]?["running"]?["startedAt"] ?? now, "finishedAt": now,
                    "containerID": container["containerID"] ?? "",
                ]])
                return changed
            }
            pod.set(["status", "containerStatuses"], .array(containers))
            return pod
        }
    }
}
