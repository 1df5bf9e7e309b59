import Protos

/// Human tables of the Fleet API's messages. Pure functions of the messages (and of `now`
/// for ages), so that they are tested without a server.
enum FleetTables {
    // MARK: deployments

    static func deployments(_ deployments: [Fleet_V1_Deployment], now: Int64) -> String {
        var table = TextTable(["ID", "NAME", "TEAM", "KIND", "PRIORITY", "STATE", "CLUSTER", "READY", "CPU", "MEMORY", "ACCELERATORS", "AGE"])
        for d in deployments {
            table.add([
                d.id, d.name, d.team, short(d.kind), short(d.priority), state(d), d.cluster.isEmpty ? "-" : d.cluster,
                "\(d.readyReplicas)/\(d.replicas)",
                d.resources.map { Quantities.formatCPU(millis: $0.cpuMillis) } ?? "-",
                d.resources.map { Quantities.formatBytes($0.memoryBytes) } ?? "-",
                accelerators(d.resources), Timestamps.age(of: d.createTime, now: now),
            ])
        }
        return table.render()
    }

    static func deployment(_ d: Fleet_V1_Deployment) -> String {
        var list = DetailList()
        list.add("ID", d.id)
        list.add("Name", d.name)
        list.add("Team", d.team)
        list.add("Namespace", d.namespace)
        list.add("Kind", short(d.kind))
        list.add("Priority", short(d.priority))
        list.add("State", state(d))
        list.add("Cluster", d.cluster.isEmpty ? "-" : d.cluster)
        list.add("Replicas", "\(d.readyReplicas)/\(d.replicas) ready")
        if let r = d.resources {
            list.add("Per replica", "cpu \(Quantities.formatCPU(millis: r.cpuMillis)), memory \(Quantities.formatBytes(r.memoryBytes))"
                     + (r.acceleratorType.isEmpty ? "" : ", \(r.acceleratorCount)× \(r.acceleratorType)"))
        }
        if !d.image.isEmpty { list.add("Image", d.image) }
        if !d.schedule.isEmpty { list.add("Schedule", d.schedule) }
        if !d.reservationId.isEmpty { list.add("Reservation", d.reservationId) }
        if !d.endpoints.isEmpty { list.add("Endpoints", d.endpoints.joined(separator: ", ")) }
        if let t = d.createTime { list.add("Created", Timestamps.rfc3339(t)) }
        if let t = d.placeTime { list.add("Placed", Timestamps.rfc3339(t)) }
        if !d.message.isEmpty { list.add("Message", d.message) }
        if !d.requestId.isEmpty { list.add("Request ID", d.requestId) }
        return list.render()
    }

    static func deployResponse(_ response: Fleet_V1_DeployResponse) -> String {
        var sections: [String] = []
        let d = response.deployment ?? Fleet_V1_Deployment()
        if response.dryRun {
            let chosen = response.evaluations.first(where: \.chosen)?.cluster
            sections.append(chosen.map { "Dry run: \(d.name.isEmpty ? "the workload" : d.name) would be placed on \($0). Nothing was written." }
                            ?? "Dry run: no cluster can take \(d.name.isEmpty ? "the workload" : d.name) now; it would be queued. Nothing was written.")
        } else {
            var headline = d.state == .queued
                ? "Queued \(d.name) (\(d.id)) at position \(d.queuePosition)"
                : "Deployed \(d.name) (\(d.id)) to \(d.cluster)"
            if response.replayed { headline += " (an earlier answer to the same request ID)" }
            sections.append(headline)
            sections.append(deployment(d))
        }
        if !response.evaluations.isEmpty {
            sections.append(evaluations(response.evaluations))
        }
        return sections.joined(separator: "\n\n")
    }

    static func evaluations(_ evaluations: [Fleet_V1_ClusterEvaluation]) -> String {
        var table = TextTable(["CLUSTER", "FEASIBLE", "SCORE", "CHOSEN", "REASON", "DETAIL"])
        for e in evaluations {
            table.add([
                e.cluster, e.feasible ? "yes" : "no", e.feasible ? formatScore(e.score) : "-", e.chosen ? "*" : "",
                e.feasible ? "-" : short(e.reason), e.message.isEmpty ? "-" : e.message,
            ])
        }
        return table.render()
    }

    static func serveResponse(_ response: Fleet_V1_ServeResponse) -> String {
        var list = DetailList()
        list.add("Cluster", response.cluster)
        list.add("Service", response.serviceName)
        list.add("Ingress", response.ingressName)
        for (i, endpoint) in response.endpoints.enumerated() {
            list.add(i == 0 ? "Endpoints" : "", endpoint)
        }
        return list.render()
    }

    // MARK: reservations

    static func reservations(_ reservations: [Fleet_V1_Reservation], now: Int64) -> String {
        var table = TextTable(["ID", "TEAM", "CLUSTER", "STATE", "NODES", "ENDS", "AGE"])
        for r in reservations {
            table.add([
                r.id, r.team, r.cluster.isEmpty ? "-" : r.cluster, short(r.state), nodes(r.nodes),
                r.endTime.map(Timestamps.rfc3339) ?? "-", Timestamps.age(of: r.createTime, now: now),
            ])
        }
        return table.render()
    }

    static func reservation(_ r: Fleet_V1_Reservation) -> String {
        var list = DetailList()
        list.add("ID", r.id)
        list.add("Team", r.team)
        list.add("Cluster", r.cluster)
        list.add("State", short(r.state))
        list.add("Nodes", r.nodes.isEmpty ? "-" : r.nodes.joined(separator: ", "))
        if let t = r.createTime { list.add("Created", Timestamps.rfc3339(t)) }
        if let t = r.endTime { list.add("Ends", Timestamps.rfc3339(t)) }
        if let q = r.quota {
            var parts: [String] = []
            if q.cpuMillis > 0 { parts.append("cpu \(Quantities.formatCPU(millis: q.cpuMillis))") }
            if q.memoryBytes > 0 { parts.append("memory \(Quantities.formatBytes(q.memoryBytes))") }
            for (name, count) in q.accelerators.sorted(by: { $0.key < $1.key }) { parts.append("\(name) \(count)") }
            if !parts.isEmpty { list.add("Quota", parts.joined(separator: ", ")) }
        }
        if !r.requestId.isEmpty { list.add("Request ID", r.requestId) }
        return list.render()
    }

    // MARK: capacity

    /// One row per cluster: free of allocatable for CPU, memory and pods, and per accelerator type.
    static func capacity(_ clusters: [Fleet_V1_ClusterCapacity]) -> String {
        var table = TextTable(["CLUSTER", "CLOUD", "REGION", "HEALTH", "NODES", "CPU FREE", "MEMORY FREE", "PODS FREE", "ACCELERATORS FREE"])
        for c in clusters.sorted(by: { $0.cluster < $1.cluster }) {
            table.add([
                c.cluster, short(c.cloud), c.region.isEmpty ? "-" : c.region, health(c),
                "\(c.readyNodes)/\(c.nodes)",
                amount(c.cpuMillis) { Quantities.formatCPU(millis: $0) },
                amount(c.memoryBytes) { Quantities.formatBytes($0) },
                amount(c.pods) { "\($0)" },
                c.accelerators.isEmpty ? "-" : c.accelerators.map { a in
                    "\(a.type) \(a.devices?.free ?? 0)/\(a.devices?.allocatable ?? 0)"
                }.joined(separator: ", "),
            ])
        }
        return table.render()
    }

    // MARK: pieces

    static func short(_ value: some CustomStringConvertible) -> String {
        let name = value.description
        for prefix in ["PRIORITY_", "WORKLOAD_KIND_", "CLOUD_", "DEPLOYMENT_STATE_", "REJECTION_REASON_", "RESERVATION_STATE_",
                       "CLUSTER_HEALTH_", "CAPACITY_UPDATE_KIND_"] where name.hasPrefix(prefix) {
            return String(name.dropFirst(prefix.count))
        }
        return name
    }

    private static func state(_ d: Fleet_V1_Deployment) -> String {
        d.state == .queued && d.queuePosition > 0 ? "QUEUED (#\(d.queuePosition))" : short(d.state)
    }

    private static func health(_ c: Fleet_V1_ClusterCapacity) -> String {
        c.healthMessage.isEmpty || c.health == .healthy ? short(c.health) : "\(short(c.health)) (\(c.healthMessage))"
    }

    private static func accelerators(_ resources: Fleet_V1_Resources?) -> String {
        guard let r = resources, !r.acceleratorType.isEmpty else { return "-" }
        return "\(r.acceleratorType)=\(r.acceleratorCount)"
    }

    private static func amount(_ amount: Fleet_V1_ResourceAmount?, _ format: (Int64) -> String) -> String {
        guard let amount else { return "-" }
        return "\(format(amount.free))/\(format(amount.allocatable))"
    }

    private static func nodes(_ nodes: [String]) -> String {
        switch nodes.count {
        case 0: "-"
        case 1...2: nodes.joined(separator: ",")
        default: "\(nodes[0]),\(nodes[1]) +\(nodes.count - 2)"
        }
    }

    private static func formatScore(_ score: Double) -> String {
        let hundredths = (score * 100).rounded()
        let whole = Int64(hundredths / 100)
        let fraction = Int64(abs(hundredths.truncatingRemainder(dividingBy: 100)))
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
