public import KubeBackend
import Synchronization

/// One write the API server answered, as an apiserver audit event at the
/// RequestResponse level keeps it: the verb, the path, the object sent and the status.
public struct AuditEvent: Sendable {
    public var method: String
    public var path: String
    public var contentType: String
    /// The request body, when it was JSON (or YAML that is JSON, as apply bodies are).
    public var requestObject: JSONValue?
    public var responseCode: Int
}

/// The simulator's audit log of writes, off until started: what tests read to see
/// exactly which objects a client sent.
public final class AuditLog: Sendable {
    private let events = Mutex<[AuditEvent]?>(nil)

    init() {}

    /// Starts recording (again, from empty).
    public func start() {
        events.withLock { $0 = [] }
    }

    public var recorded: [AuditEvent] { events.withLock { $0 ?? [] } }

    func record(_ request: APIRequest, _ response: APIResponse) {
        guard request.method != "GET", case .full(let status, _, _) = response else { return }
        events.withLock { events in
            guard events != nil else { return }
            events!.append(AuditEvent(method: request.method, path: request.path, contentType: request.headers["content-type"] ?? "",
                                      requestObject: try? KubeJSON.parse(request.body), responseCode: status))
        }
    }
}
