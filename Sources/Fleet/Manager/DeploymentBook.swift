import Foundation

/// The deployments fleetd knows, the first answer to every request id, and the queue
/// of deployments waiting for room.
actor DeploymentBook {
    // Never handed out whole: a caller holding the dictionary across an await would
    // make the next insert copy every record (copy-on-write).
    private var records: [DeploymentID: DeploymentRecord] = [:]
    nonisolated let live = LiveDeploymentIndex()
    private var answers = RequestAnswers<DeployOutcome>()
    private var queue: PriorityWorkQueue<DeploymentID>

    init(agingInterval: Duration) {
        queue = PriorityWorkQueue(agingInterval: agingInterval)
    }

    /// The answer already given (or being worked out) for this request id, or a new
    /// one started by `start`. The first caller's answer is every retry's answer.
    func answer(for requestID: String, orStart start: @Sendable () -> Task<DeployOutcome, any Error>) -> (answer: RequestAnswers<DeployOutcome>.Answer, replayed: Bool) {
        answers.answer(for: requestID, orStart: start)
    }

    /// Keeps the outcome in place of the task that worked it out.
    func settleAnswer(_ outcome: DeployOutcome) {
        answers.settle(outcome.record.request.requestID, with: outcome)
    }

    /// Records the answer a request id already got before a restart.
    func rememberAnswer(_ outcome: DeployOutcome) {
        answers.remember(outcome, for: outcome.record.request.requestID)
    }

    /// Forgets a request id whose deploy was refused, so a retry is judged afresh.
    func forgetAnswer(for requestID: String) {
        answers.forget(requestID)
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

    func record(_ id: DeploymentID) -> DeploymentRecord? {
        records[id]
    }

    func records(where isIncluded: @Sendable (DeploymentRecord) -> Bool) -> [DeploymentRecord] {
        records.values.filter(isIncluded)
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

    var queuedCount: Int { queue.count }

    var queueDepthByPriority: [Priority: Int] { queue.depthByPriority }

    /// Counts enqueues, so that a pass over the queue can tell that work joined it meanwhile.
    private var queueRevision = 0

    func enqueue(_ id: DeploymentID, priority: Priority) {
        queue.enqueue(id, priority: priority, at: .now)
        queueRevision += 1
    }

    func dequeue(_ id: DeploymentID) -> Bool {
        queue.remove { $0 == id } != nil
    }

    func queuePosition(of id: DeploymentID) -> Int? {
        queue.position(where: { $0 == id }, at: .now)
    }

    /// Queued deployments in the order they should be tried now, and the queue's revision.
    func queuedInOrder() -> (records: [DeploymentRecord], revision: Int) {
        (queue.ordered(at: .now).compactMap { records[$0.item] }, queueRevision)
    }

    /// Whether `id` is still queued, and whether nothing joined the queue since `revision`.
    func queueState(of id: DeploymentID, since revision: Int) -> (queued: Bool, unchanged: Bool) {
        (records[id]?.state == .queued, queueRevision == revision)
    }

    /// Forgets deployments that ended before `date`, and the answers to their request
    /// ids: a retry that late is a new request.
    func prune(endedBefore date: Date) -> Int {
        let old = records.values.filter { ($0.endedAt ?? .distantFuture) < date }
        for record in old {
            live.replace(records.removeValue(forKey: record.id), with: nil)
            answers.forget(record.request.requestID)
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
