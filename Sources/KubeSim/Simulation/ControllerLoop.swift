import KubeBackend
import Synchronization

/// What a simulated controller reacts to.
enum ControllerInput: Sendable {
    /// A change to an object of a watched resource (the initial state arrives as `.added`).
    case event(ResourceKey, StoreEvent.Kind, JSONValue)
    /// A timer the controller asked the clock for came due.
    case tick
}

/// A level-triggered controller: it folds each batch of inputs into its cache, then
/// reconciles what the batch touched. Runs on one task, so it needs no locks.
protocol SimulatedController: SendableMetatype {
    /// The resources whose changes it receives.
    static var watchedResources: [ResourceKey] { get }
    mutating func process(_ batch: [ControllerInput])
}

/// Inputs waiting for a controller: posted from store watch callbacks (under the
/// store's lock, so posting only appends) and taken by the controller a batch at a time.
final class ControllerInbox: Sendable {
    private struct State {
        var items: [ControllerInput] = []
        var waiter: CheckedContinuation<[ControllerInput]?, Never>?
        var closed = false
        /// True while the controller is processing a batch it took.
        var busy = false
    }

    private let state = Mutex(State())

    func post(_ input: ControllerInput) {
        let resume = state.withLock { state -> (CheckedContinuation<[ControllerInput]?, Never>, [ControllerInput])? in
            guard !state.closed else { return nil }
            state.items.append(input)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.busy = true
            defer { state.items = [] }
            return (waiter, state.items)
        }
        if let (waiter, items) = resume { waiter.resume(returning: items) }
    }

    /// The next batch; nil once closed.
    func next() async -> [ControllerInput]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [ControllerInput]?? in
                state.busy = false
                if state.closed { return .some(nil) }
                if state.items.isEmpty {
                    state.waiter = continuation
                    return nil
                }
                state.busy = true
                defer { state.items = [] }
                return .some(state.items)
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Nothing waiting and nothing being processed.
    var isIdle: Bool { state.withLock { $0.items.isEmpty && !$0.busy } }

    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<[ControllerInput]?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}

/// One running controller: its watches on the store and the task that feeds it.
final class ControllerRunner: Sendable {
    let inbox: ControllerInbox
    private let registrations: [WatchRegistration]
    private let task: Task<Void, Never>

    private init(inbox: ControllerInbox, registrations: [WatchRegistration], task: Task<Void, Never>) {
        self.inbox = inbox
        self.registrations = registrations
        self.task = task
    }

    static func start<Controller: SimulatedController>(
        _ make: @escaping @Sendable (ControllerInbox) -> Controller, store: ObjectStore
    ) throws(APIError) -> ControllerRunner {
        let inbox = ControllerInbox()
        var registrations: [WatchRegistration] = []
        for resource in Controller.watchedResources {
            guard let type = store.catalog[resource] else { continue }
            registrations.append(try store.watch(WatchRequest(type: type)) { message in
                if case .event(let kind, let object, _) = message { inbox.post(.event(resource, kind, object)) }
            })
        }
        let task = Task {
            var controller = make(inbox)
            while let batch = await inbox.next() {
                controller.process(batch)
            }
        }
        return ControllerRunner(inbox: inbox, registrations: registrations, task: task)
    }

    func stop() {
        for registration in registrations { registration.cancel() }
        inbox.close()
    }
}
