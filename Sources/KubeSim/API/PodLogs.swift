import KubeBackend

/// `GET pods/{name}/log`. No container really runs in the simulator, so a started
/// container's log is one line saying so; a container that has not started answers
/// 400 as the apiserver does ("is waiting to start").
struct PodLogs {
    let pod: JSONValue

    func response(container requested: String?) throws(APIError) -> APIResponse {
        let podName = pod.metadataString("name") ?? ""
        let containers = (pod["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let container: String
        if let requested, !requested.isEmpty {
            guard containers.contains(requested) else {
                throw APIError.badRequest("container \(requested) is not valid for pod \(podName)")
            }
            container = requested
        } else if containers.count == 1 {
            container = containers[0]
        } else {
            throw APIError.badRequest("a container name must be specified for pod \(podName), choose one of: [\(containers.joined(separator: " "))]")
        }
        let status = (pod["status"]?["containerStatuses"]?.arrayValue ?? []).first { $0["name"]?.stringValue == container }
        guard let state = status?["state"], state["waiting"] == nil, state["running"] != nil || state["terminated"] != nil else {
            let reason = status?["state"]?["waiting"]?["reason"]?.stringValue ?? "ContainerCreating"
            throw APIError.badRequest("container \"\(container)\" in pod \"\(podName)\" is waiting to start: \(reason)")
        }
        let started = state["running"]?["startedAt"]?.stringValue ?? state["terminated"]?["startedAt"]?.stringValue ?? ""
        let image = (pod["spec"]?["containers"]?.arrayValue ?? []).first { $0["name"]?.stringValue == container }?["image"]?.stringValue ?? ""
        let line = "\(started) kubesim: simulated container \"\(container)\" (image \(image)) on node \(pod["spec"]?["nodeName"]?.stringValue ?? ""); the simulator runs no processes, so there is no other output\n"
        return .full(status: 200, headers: [("Content-Type", "text/plain")], body: Array(line.utf8))
    }
}
