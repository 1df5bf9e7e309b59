import Protos
import RPCClient
import RPCServer

/// Makes capacity change: a real Deploy, then DeleteDeployment of it, and again, one call at
/// a time on a timetable. Each change's revision is what the probe sees the changed
/// cluster's requested CPU become: old value plus (or minus) the deploy's CPU.
struct CapacityDriver: Sendable {
    let connection: RPCClientConnection
    let requests: FleetRequests
    let probe: CapacityProbe
    let schedule: ArrivalSchedule
    let callTimeout: Duration
    /// How long to wait for the probe to see a change before leaving it unattributed.
    let probeTimeout: Duration

    struct Outcome: Sendable {
        var changes: [DeliveryAnalysis.Change] = []
        var callLatency = LatencyHistogram()
        var errors: [String: Int] = [:]
        var deploysByCluster: [String: Int] = [:]
        /// The deployment still standing at the end, to delete.
        var leftOver: String?
    }

    func run(origin: ContinuousClock.Instant, start: ContinuousClock.Instant, end: ContinuousClock.Instant,
             onChange: @Sendable (Int) -> Void) async -> Outcome {
        var outcome = Outcome()
        var live: (id: String, cluster: String)?
        var sequence = 0
        while !Task.isCancelled {
            let due = start + schedule.dueOffset(of: sequence)
            guard due < end else { break }
            try? await Task.sleep(until: due, clock: .continuous)
            sequence += 1
            let baseline = probe.latestRevision
            let sentAt = ContinuousClock.now
            let cluster: String
            let delta: Int64
            do {
                if let standing = live {
                    let _: Fleet_V1_DeleteDeploymentResponse = try await connection.unary(
                        path: FleetRequests.Method.deleteDeployment, request: FleetRequests.delete(id: standing.id), deadline: .now + callTimeout)
                    (cluster, delta) = (standing.cluster, -FleetRequests.cpuMillis)
                    live = nil
                } else {
                    let response: Fleet_V1_DeployResponse = try await connection.unary(
                        path: FleetRequests.Method.deploy, request: requests.realDeploy(sequence: sequence), deadline: .now + callTimeout)
                    guard let deployment = response.deployment, !deployment.cluster.isEmpty else {
                        outcome.errors["queued (no room)", default: 0] += 1
                        if let id = response.deployment?.id { outcome.leftOver = id }
                        break
                    }
                    (cluster, delta) = (deployment.cluster, FleetRequests.cpuMillis)
                    live = (deployment.id, deployment.cluster)
                    outcome.deploysByCluster[cluster, default: 0] += 1
                }
            } catch {
                outcome.errors[error.code.description, default: 0] += 1
                continue
            }
            outcome.callLatency.record(.now - sentAt)
            var revision: UInt64?
            if let before = probe.requested(in: cluster, asOf: baseline) {
                revision = await probe.waitForRevision(where: cluster, requested: before + delta, after: baseline, timeout: probeTimeout)
            }
            outcome.changes.append(.init(sentAt: (sentAt - origin).nanoseconds, revision: revision))
            onChange(outcome.changes.count)
        }
        outcome.leftOver = outcome.leftOver ?? live?.id
        return outcome
    }
}
