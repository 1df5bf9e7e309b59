import Protos
import RPCClient
import RPCServer
import Synchronization

/// What a unary run does: which operations, how fast, for how long, with how many workers.
struct UnaryPlan: Sendable {
    enum Pacing: Sendable, Equatable {
        /// Requests fall due on a timetable; each worker takes the next due request.
        case openLoop(ArrivalSchedule)
        /// Each worker sends its next request as soon as the last one is answered.
        case closedLoop
    }

    var cycle: [Operation]
    var pacing: Pacing
    /// Concurrent calls at most: workers are spread evenly over the connections.
    var workers: Int
    var warmup: Duration
    var duration: Duration
    var callTimeout: Duration
}

/// Runs the workers of a unary plan against open connections.
struct UnaryRunner: Sendable {
    let plan: UnaryPlan
    let requests: FleetRequests
    let connections: [RPCClientConnection]
    let tally = UnaryTally()

    /// The run's timeline: everything is measured from `start`.
    struct Timeline: Sendable {
        let start: ContinuousClock.Instant
        let measureStart: ContinuousClock.Instant
        let end: ContinuousClock.Instant
    }

    func timeline(startingAt start: ContinuousClock.Instant) -> Timeline {
        Timeline(start: start, measureStart: start + plan.warmup, end: start + plan.warmup + plan.duration)
    }

    func run(_ timeline: Timeline) async {
        let tickets = TicketDispenser()
        await withDiscardingTaskGroup { group in
            for worker in 0..<plan.workers {
                let connection = connections[worker % connections.count]
                group.addTask {
                    await work(on: connection, tickets: tickets, timeline: timeline)
                }
            }
        }
    }

    private func work(on connection: RPCClientConnection, tickets: TicketDispenser, timeline: Timeline) async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let ticket = tickets.take()
            let from: ContinuousClock.Instant
            switch plan.pacing {
            case .openLoop(let schedule):
                from = timeline.start + schedule.dueOffset(of: ticket)
                guard from < timeline.end else { return }
                if from > clock.now { try? await Task.sleep(until: from, clock: clock) }
            case .closedLoop:
                from = clock.now
                guard from < timeline.end else { return }
            }
            let operation = plan.cycle[ticket % plan.cycle.count]
            await perform(operation, ticket: ticket, on: connection, from: from, measured: from >= timeline.measureStart)
        }
    }

    private func perform(_ operation: Operation, ticket: Int, on connection: RPCClientConnection,
                         from: ContinuousClock.Instant, measured: Bool) async {
        let key = operation.rawValue
        let path: String
        let bytes: [UInt8]
        switch operation {
        case .deployDryRun: (path, bytes) = (FleetRequests.Method.deploy, requests.deployDryRun)
        case .getCapacity: (path, bytes) = (FleetRequests.Method.getCapacity, requests.getCapacity)
        case .listDeployments: (path, bytes) = (FleetRequests.Method.listDeployments, requests.listDeployments)
        case .echo: (path, bytes) = (FleetRequests.echoPath, requests.echo)
        case .deployDelete:
            await deployThenDelete(sequence: ticket, on: connection, from: from, measured: measured)
            return
        }
        do {
            _ = try await connection.unary(path: path, request: bytes, deadline: .now + plan.callTimeout)
            tally.success(key, latency: .now - from, measured: measured)
        } catch {
            tally.failure(key, code: error.code.description, measured: measured)
        }
    }

    private func deployThenDelete(sequence: Int, on connection: RPCClientConnection, from: ContinuousClock.Instant, measured: Bool) async {
        let key = Operation.deployDelete.rawValue
        let deployed: Fleet_V1_DeployResponse
        let deployStart = ContinuousClock.now
        do {
            deployed = try await connection.unary(path: FleetRequests.Method.deploy, request: requests.realDeploy(sequence: sequence),
                                                  deadline: .now + plan.callTimeout)
        } catch {
            tally.failure(key, code: "Deploy " + error.code.description, measured: measured)
            return
        }
        let deleteStart = ContinuousClock.now
        tally.step(key + " 1: Deploy", latency: deleteStart - deployStart, measured: measured)
        tally.placed(on: deployed.deployment?.cluster, measured: measured)
        do {
            let _: Fleet_V1_DeleteDeploymentResponse = try await connection.unary(
                path: FleetRequests.Method.deleteDeployment, request: FleetRequests.delete(id: deployed.deployment?.id ?? ""),
                deadline: .now + plan.callTimeout)
        } catch {
            tally.failure(key, code: "DeleteDeployment " + error.code.description, measured: measured, rpcs: 2)
            return
        }
        let end = ContinuousClock.now
        tally.step(key + " 2: DeleteDeployment", latency: end - deleteStart, measured: measured)
        tally.success(key, latency: end - from, measured: measured, rpcs: 2)
    }
}

/// Hands out request numbers 0, 1, 2, ... to the workers.
final class TicketDispenser: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
