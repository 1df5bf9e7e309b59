public import KubeBackend

/// What a watcher receives, in resourceVersion order.
public enum WatchMessage: Sendable {
    case event(type: StoreEvent.Kind, object: JSONValue, resourceVersion: Int64)
    /// The watcher has seen every change up to `resourceVersion`. `initialEventsEnd` marks
    /// the end of the synthetic ADDED events of a `sendInitialEvents` watch.
    case bookmark(resourceVersion: Int64, initialEventsEnd: Bool)
}

/// What a watch asks for.
public struct WatchRequest: Sendable {
    public var type: ResourceType
    public var namespace: String?
    public var labels: LabelQuery
    public var fields: FieldQuery
    /// Nil (or 0) starts with synthetic ADDED events for the current state.
    public var resourceVersion: Int64?
    public var allowBookmarks: Bool
    /// Send the current state as ADDED events, then a bookmark marking their end.
    public var sendInitialEvents: Bool

    public init(
        type: ResourceType, namespace: String? = nil, labels: LabelQuery = .everything, fields: FieldQuery = .everything,
        resourceVersion: Int64? = nil, allowBookmarks: Bool = false, sendInitialEvents: Bool = false
    ) {
        self.type = type
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.resourceVersion = resourceVersion
        self.allowBookmarks = allowBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    func matches(_ key: ObjectKey, _ object: JSONValue) -> Bool {
        if let namespace, !namespace.isEmpty, key.namespace != namespace { return false }
        return labels.matches(labelsOf: object) && fields.matches(object)
    }

    /// How a store event looks through this watch's selectors: an object that stops
    /// matching is DELETED for it, one that starts matching is ADDED.
    func message(for event: StoreEvent) -> WatchMessage? {
        let matchesNow = matches(event.key, event.object)
        switch event.kind {
        case .added, .deleted:
            return matchesNow ? .event(type: event.kind, object: event.object, resourceVersion: event.resourceVersion) : nil
        case .modified:
            let matchedBefore = event.previous.map { matches(event.key, $0) } ?? false
            switch (matchedBefore, matchesNow) {
            case (true, true): return .event(type: .modified, object: event.object, resourceVersion: event.resourceVersion)
            case (false, true): return .event(type: .added, object: event.object, resourceVersion: event.resourceVersion)
            case (true, false): return .event(type: .deleted, object: event.object, resourceVersion: event.resourceVersion)
            case (false, false): return nil
            }
        }
    }
}

/// A live watch; `cancel()` stops delivery. Cancelling twice is harmless.
public final class WatchRegistration: Sendable {
    private let onCancel: @Sendable () -> Void

    init(onCancel: @escaping @Sendable () -> Void) {
        self.onCancel = onCancel
    }

    public func cancel() { onCancel() }
}
