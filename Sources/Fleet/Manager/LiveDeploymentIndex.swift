import Synchronization

/// What the live deployments (queued, placed or running) hold per team, and which
/// names they use, readable without a hop into the deployment book: dry runs check
/// quotas and names against it. The book keeps it current.
final class LiveDeploymentIndex: Sendable {
    private struct State {
        var usage: [String: ResourceVector] = [:]
        var names: [TeamName: DeploymentID] = [:]
    }

    struct TeamName: Hashable {
        var team: String
        var name: String
    }

    private let state = Mutex(State())

    static func isLive(_ record: DeploymentRecord) -> Bool {
        [.queued, .placed, .running].contains(record.state)
    }

    /// Accounts for a record changing from `old` to `new` (nil for absent).
    func replace(_ old: DeploymentRecord?, with new: DeploymentRecord?) {
        state.withLock { state in
            if let old, Self.isLive(old) {
                state.usage[old.spec.team, default: .zero] -= old.spec.total
                let key = TeamName(team: old.spec.team, name: old.spec.name)
                if state.names[key] == old.id { state.names[key] = nil }
            }
            if let new, Self.isLive(new) {
                state.usage[new.spec.team, default: .zero] += new.spec.total
                state.names[TeamName(team: new.spec.team, name: new.spec.name)] = new.id
            }
        }
    }

    func usage(ofTeam team: String) -> ResourceVector {
        state.withLock { $0.usage[team] ?? .zero }
    }

    func deployment(named name: String, team: String) -> DeploymentID? {
        state.withLock { $0.names[TeamName(team: team, name: name)] }
    }
}
