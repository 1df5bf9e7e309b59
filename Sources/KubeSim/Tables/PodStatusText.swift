import Foundation
import KubeBackend

/// The READY, STATUS and RESTARTS cells of a pod, worked out as kubectl users know
/// them: a waiting or terminated container's reason wins over the phase,
/// "Terminating" while a deletion is pending.
struct PodStatusText {
    let ready: String
    let status: String
    let restarts: String

    init(_ pod: JSONValue, now: Date) {
        let containers = pod["spec"]?["containers"]?.arrayValue ?? []
        let statuses = pod["status"]?["containerStatuses"]?.arrayValue ?? []
        var reason = pod["status"]?["reason"]?.stringValue ?? pod.podPhase
        var readyCount = 0
        var restartCount: Int64 = 0
        var lastRestart: Date?
        var hasRunning = false

        if (pod["status"]?["conditions"]?.arrayValue ?? []).contains(where: {
            $0["type"] == "PodScheduled" && $0["reason"] == "SchedulingGated"
        }) {
            reason = "SchedulingGated"
        }
        if let initText = Self.initReason(pod) { reason = initText }
        for container in statuses.reversed() {
            restartCount += container["restartCount"]?.numberValue?.int64Value ?? 0
            if let finished = container["lastState"]?["terminated"]?["finishedAt"]?.stringValue.flatMap({ Timestamp(rawValue: $0).date }),
               lastRestart.map({ finished > $0 }) ?? true {
                lastRestart = finished
            }
            let state = container["state"]
            if let waiting = state?["waiting"]?["reason"]?.stringValue, !waiting.isEmpty {
                reason = waiting
            } else if let terminated = state?["terminated"] {
                if let text = terminated["reason"]?.stringValue, !text.isEmpty {
                    reason = text
                } else if let signal = terminated["signal"]?.numberValue?.int64Value, signal != 0 {
                    reason = "Signal:\(signal)"
                } else {
                    reason = "ExitCode:\(terminated["exitCode"]?.numberValue?.int64Value ?? 0)"
                }
            } else if container["ready"]?.boolValue == true, state?["running"] != nil {
                hasRunning = true
                readyCount += 1
            }
        }
        if reason == "Completed", hasRunning {
            let podReady = (pod["status"]?["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
            reason = podReady ? "Running" : "NotReady"
        }
        if pod.isBeingDeleted {
            reason = pod["status"]?["reason"]?.stringValue == "NodeLost" ? "Unknown" : "Terminating"
        }
        ready = "\(readyCount)/\(containers.count)"
        status = reason
        restarts = lastRestart.map { "\(restartCount) (\(HumanDuration.format(now.timeIntervalSince($0))) ago)" } ?? "\(restartCount)"
    }

    /// "Init:1/2" while init containers run, or the failing one's reason.
    private static func initReason(_ pod: JSONValue) -> String? {
        let statuses = pod["status"]?["initContainerStatuses"]?.arrayValue ?? []
        let total = (pod["spec"]?["initContainers"]?.arrayValue ?? []).count
        for (index, container) in statuses.enumerated() {
            let state = container["state"]
            if let terminated = state?["terminated"] {
                if terminated["exitCode"]?.numberValue?.int64Value == 0 { continue }
                return "Init:" + (terminated["reason"]?.stringValue ?? "ExitCode:\(terminated["exitCode"]?.numberValue?.int64Value ?? 0)")
            }
            if let waiting = state?["waiting"]?["reason"]?.stringValue, !waiting.isEmpty, waiting != "PodInitializing" {
                return "Init:" + waiting
            }
            return "Init:\(index)/\(total)"
        }
        return nil
    }
}
