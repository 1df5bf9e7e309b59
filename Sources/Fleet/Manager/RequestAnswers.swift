/// The first answer to each request id, so that a retry gets the answer the first call
/// got: the task working it out while it runs, then only its value.
///
/// A finished `Task` that is still referenced keeps its async stack slabs, tens of KiB
/// per Deploy, so answers kept for the retention window must not hold their tasks.
struct RequestAnswers<Value: Sendable> {
    enum Answer: Sendable {
        case inFlight(Task<Value, any Error>)
        case settled(Value)

        var value: Value {
            get async throws {
                switch self {
                case .inFlight(let task): try await task.value
                case .settled(let value): value
                }
            }
        }
    }

    private var answers: [String: Answer] = [:]

    /// The answer already given or being worked out for `requestID`, or a new one
    /// started by `start`.
    mutating func answer(for requestID: String, orStart start: () -> Task<Value, any Error>) -> (answer: Answer, replayed: Bool) {
        if let answer = answers[requestID] { return (answer, true) }
        let task = start()
        answers[requestID] = .inFlight(task)
        return (.inFlight(task), false)
    }

    /// Keeps `value` in place of the task that worked it out. Does nothing when the
    /// request id was forgotten meanwhile.
    mutating func settle(_ requestID: String, with value: Value) {
        guard case .inFlight = answers[requestID] else { return }
        answers[requestID] = .settled(value)
    }

    /// Records an answer given before a restart.
    mutating func remember(_ value: Value, for requestID: String) {
        answers[requestID] = .settled(value)
    }

    /// Forgets a request id, so that its next call is judged afresh.
    mutating func forget(_ requestID: String) {
        answers[requestID] = nil
    }
}
