import Synchronization

/// The faults one simulated API server injects, switchable at run time: the rules that
/// requests are matched against, and the watches open right now (to drop or expire them
/// on demand).
public final class FaultInjector: Sendable {
    /// What to do to one request.
    public struct Decision: Sendable, Equatable {
        public enum Outcome: Sendable, Equatable {
            case proceed
            case fail(APIError)
            case disconnect
            case expireWatch
            case dropWatch(afterSeconds: Double)
        }

        public var latencyMilliseconds: Int = 0
        public var outcome: Outcome = .proceed
    }

    /// How an open watch is interrupted.
    public enum Interruption: Sendable {
        /// The connection closes mid-stream.
        case drop
        /// An ERROR event with 410 Expired, then the stream ends.
        case expire
    }

    private struct State {
        var rules: [FaultRule] = []
        var nextRuleID = 1
        var watches: [Int: @Sendable (Interruption) -> Void] = [:]
        var nextWatchID = 0
    }

    private let state = Mutex(State())
    private let random: @Sendable () -> Double

    public init(rules: [FaultRule] = [], random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.random = random
        for rule in rules { add(rule) }
    }

    /// Adds a rule and returns it with its id.
    @discardableResult
    public func add(_ rule: FaultRule) -> FaultRule {
        state.withLock { state in
            var rule = rule
            rule.id = state.nextRuleID
            state.nextRuleID += 1
            state.rules.append(rule)
            return rule
        }
    }

    /// Removes one rule; false when there was none with that id.
    @discardableResult
    public func remove(id: Int) -> Bool {
        state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { $0.id == id }
            return state.rules.count != before
        }
    }

    public func removeAll() {
        state.withLock { $0.rules.removeAll() }
    }

    public var rules: [FaultRule] { state.withLock { $0.rules } }

    /// Matches a request against the rules, spending their counts: latencies add up; the
    /// first rule that answers instead of the server decides the outcome.
    public func decide(for request: RequestAttributes) -> Decision {
        state.withLock { state in
            var decision = Decision()
            var index = 0
            while index < state.rules.count {
                let rule = state.rules[index]
                guard rule.matches(request), rule.action == .latency || decision.outcome == .proceed,
                      rule.probability >= 1 || random() < rule.probability
                else {
                    index += 1
                    continue
                }
                switch rule.action {
                case .latency: decision.latencyMilliseconds += max(rule.latencyMilliseconds ?? 0, 0)
                case .error: decision.outcome = .fail(Self.serverError(rule))
                case .throttle: decision.outcome = .fail(APIError.tooManyRequests(retryAfter: max(rule.retryAfterSeconds ?? 1, 0)))
                case .dropWatch: decision.outcome = .dropWatch(afterSeconds: max(rule.afterSeconds ?? 0, 0))
                case .expireWatch: decision.outcome = .expireWatch
                case .disconnect: decision.outcome = .disconnect
                }
                if let count = rule.count {
                    if count <= 1 {
                        state.rules.remove(at: index)
                        continue
                    }
                    state.rules[index].count = count - 1
                }
                index += 1
            }
            return decision
        }
    }

    private static func serverError(_ rule: FaultRule) -> APIError {
        let code = rule.status ?? 500
        let reason: String
        switch code {
        case 503: reason = "ServiceUnavailable"
        case 504: reason = "Timeout"
        case 429: reason = "TooManyRequests"
        default: reason = code >= 500 ? "InternalError" : "BadRequest"
        }
        let message = rule.message ?? (code == 500 ? "Internal error occurred: injected by kubesim" : "injected by kubesim")
        return APIError(code: code, reason: reason, message: message, retryAfterSeconds: rule.retryAfterSeconds)
    }

    // MARK: Open watches

    /// Registers an open watch; the returned closure unregisters it.
    func registerWatch(_ interrupt: @escaping @Sendable (Interruption) -> Void) -> @Sendable () -> Void {
        let id = state.withLock { state in
            defer { state.nextWatchID += 1 }
            state.watches[state.nextWatchID] = interrupt
            return state.nextWatchID
        }
        return { [weak self] in self?.state.withLock { _ = $0.watches.removeValue(forKey: id) } }
    }

    /// Interrupts every open watch; returns how many there were.
    @discardableResult
    public func interruptWatches(_ interruption: Interruption) -> Int {
        let watches = state.withLock { state in
            defer { state.watches.removeAll() }
            return Array(state.watches.values)
        }
        for interrupt in watches { interrupt(interruption) }
        return watches.count
    }

    public var openWatchCount: Int { state.withLock { $0.watches.count } }
}
