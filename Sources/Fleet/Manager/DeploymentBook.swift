import Foundation

/// The deployments fleetd knows, the first answer to every request id, and the queue
/// of deployments waiting for room.
actor DeploymentBook {
    private(set) var records: [DeploymentID: DeploymentRecord] = [:]
    nonisolated let live = LiveDeploymentIndex()
    private var answers: [String: Task<DeployOutcome, any Error>] = [:]
    private(set) var queue: PriorityWorkQueue<DeploymentID>

    init(agingInterval: Duration) {
        queue = PriorityWorkQueue(agingInterval: agingInterval)
    }

    /// The answer already given (or being worked out) for this request id, or a new
    /// one started by `start`. The first caller's answer is every retry's answer.
    func answer(for requestID: String, orStart start: @Sendable () -> Task<DeployOutcome, any Error>) -> (task: Task<DeployOutcome, any Error>, replayed: Bool) {
        if let task = answers[requestID] { return (task, true) }
        let task = start()
        answers[requestID] = task
        return (task, false)
    }

    /// Records the answer a request id already got before a restart.
    func rememberAnswer(_ outcome: DeployOutcome) {
        answers[outcome.record.request.requestID] = Task { outcome }
    }

    /// Forgets a request id whose deploy was refused, so a retry is judged afresh.
    func forgetAnswer(for requestID: String) {
        answers[requestID] = nil
    }

    /// Inserts a new record if the team's quota has room for it and no live deployment
    /// of the team has its name; checked and inserted in one turn, so two concurrent
    /// deploys cannot both take the last of a quota or the same name.
    func insertIfAdmissible(_ record: DeploymentRecord, team: Team) throws {
        try FleetManager.checkTeamQuota(for: record.spec, team: team, live: live)
        if let existing = live.deployment(named: record.spec.name, team: team.name) {
            throw FleetManager.nameTaken(by: existing, name: record.spec.name, team: team.name)
        }
        set(record)
    }

    func insert(_ record: DeploymentRecord) {
        set(record)
    }

    func remove(_ id: DeploymentID) {
        live.replace(records.removeValue(forKey: id), with: nil)
        queue.remove { $0 == id }
    }

    func update(_ id: DeploymentID, _ change: (inout DeploymentRecord) -> Void) -> DeploymentRecord? {
        guard var record = records[id] else { return nil }
        change(&record)
        set(record)
        return record
    }

    /// Every change to a record goes through here, so the live index stays right.
    private func set(_ record: DeploymentRecord) {
        live.replace(records.updateValue(record, forKey: record.id), with: record)
    }

    func enqueue(_ id: DeploymentID, priority: Priority) {
        queue.enqueue(id, priority: priority, at: .now)
    }

    func dequeue(_ id: DeploymentID) -> Bool {
        queue.remove { $0 == id } != nil
    }

    func queuePosition(of id: DeploymentID) -> Int? {
        queue.position(where: { $0 == id }, at: .now)
    }

    /// Queued deployments in the order they should be tried now.
    func queuedInOrder() -> [DeploymentRecord] {
        queue.ordered(at: .now).compactMap { records[$0.item] }
    }

    /// Forgets deployments that ended before `date`, and the answers to their request
    /// ids: a retry that late is a new request.
    func prune(endedBefore date: Date) -> Int {
        let old = records.values.filter { ($0.endedAt ?? .distantFuture) < date }
        for record in old {
            live.replace(records.removeValue(forKey: record.id), with: nil)
            answers[record.request.requestID] = nil
        }
        return old.count
    }
}

/// The answer to a Deploy.
public struct DeployOutcome: Hashable, Sendable {
    public var record: DeploymentRecord
    /// Every cluster, best first.
    public var evaluations: [ClusterEvaluation]
    public var dryRun: Bool
    public var replayed = false
    /// 1-based, while queued.
    public var queuePosition: Int?

    public init(record: DeploymentRecord, evaluations: [ClusterEvaluation], dryRun: Bool, queuePosition: Int? = nil) {
        self.record = record
        self.evaluations = evaluations
        self.dryRun = dryRun
        self.queuePosition = queuePosition
    }
}
