/// Options of a list: selectors and pagination.
public struct ListOptions: Sendable, Hashable {
    /// e.g. `app=web,tier in (front,back),!canary`.
    public var labelSelector: String?
    /// e.g. `metadata.name=web,spec.nodeName!=`.
    public var fieldSelector: String?
    /// At most this many items per page; the answer's `metadata.continueToken` fetches the next.
    public var limit: Int?
    public var continueToken: String?
    /// nil for the most recent state (a consistent read).
    public var resourceVersion: String?
    /// "Exact" or "NotOlderThan", with `resourceVersion`.
    public var resourceVersionMatch: String?
    /// Replaces the client's request timeout for this call, retries included.
    public var timeout: Duration?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeout: Duration? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeout = timeout
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch)) }
        return items
    }
}

/// Options of a watch.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this resourceVersion (usually a list's); nil or "0" starts with ADDED events for what exists.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events, which advance the resourceVersion to resume from without any change.
    public var allowBookmarks: Bool
    /// The server ends the watch after this long; the transfer is given a little more before the client gives up.
    public var timeout: Duration

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                allowBookmarks: Bool = true, timeout: Duration = .seconds(300)) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowBookmarks = allowBookmarks
        self.timeout = timeout
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if allowBookmarks { items.append(("allowWatchBookmarks", "true")) }
        items.append(("timeoutSeconds", String(max(1, timeout.components.seconds))))
        return items
    }
}

/// Options of create, update and patch.
public struct WriteOptions: Sendable, Hashable {
    /// Recorded in managedFields; "fleetd" for everything fleetd writes.
    public var fieldManager: String?
    /// Validate and answer what would be written, writing nothing.
    public var dryRun: Bool
    public var timeout: Duration?

    public init(fieldManager: String? = nil, dryRun: Bool = false, timeout: Duration? = nil) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
        self.timeout = timeout
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let fieldManager, !fieldManager.isEmpty { items.append(("fieldManager", fieldManager)) }
        if dryRun { items.append(("dryRun", "All")) }
        return items
    }
}

/// What happens to the objects a deleted object owns.
public enum PropagationPolicy: String, Sendable, Hashable {
    /// The owner goes first; the garbage collector deletes the dependents afterwards.
    case background = "Background"
    /// The dependents go first; the owner stays (with a finalizer) until they are gone.
    case foreground = "Foreground"
    /// The dependents stay.
    case orphan = "Orphan"
}

/// Options of a delete.
public struct DeleteOptions: Sendable, Hashable {
    public var propagationPolicy: PropagationPolicy?
    public var gracePeriodSeconds: Int64?
    /// Delete only if the object still has this uid (409 Conflict otherwise).
    public var preconditionUID: String?
    /// Delete only if the object is still at this resourceVersion (409 Conflict otherwise).
    public var preconditionResourceVersion: String?
    public var dryRun: Bool
    public var timeout: Duration?

    public init(propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int64? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false, timeout: Duration? = nil) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
        self.timeout = timeout
    }

    /// The `meta.k8s.io/v1 DeleteOptions` body.
    var body: JSONValue {
        var object: JSONObject = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { object["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { object["gracePeriodSeconds"] = .number(JSONNumber(gracePeriodSeconds)) }
        var preconditions = JSONObject()
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { object["preconditions"] = .object(preconditions) }
        if dryRun { object["dryRun"] = ["All"] }
        return .object(object)
    }
}

/// A patch, by type.
public enum Patch: Sendable, Hashable {
    /// RFC 7386: objects merge, `null` deletes, lists are replaced whole.
    case merge(JSONValue)
    /// Kubernetes' strategic merge: lists with a merge key (containers by name, ...) merge by that key.
    case strategicMerge(JSONValue)
    /// RFC 6902: a list of operations, e.g. `[{"op": "replace", "path": "/spec/replicas", "value": 3}]`.
    case json(JSONValue)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .json: return "application/json-patch+json"
        }
    }

    var document: JSONValue {
        switch self {
        case .merge(let value), .strategicMerge(let value), .json(let value): return value
        }
    }
}
