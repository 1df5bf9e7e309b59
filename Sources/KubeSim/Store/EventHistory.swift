public import KubeBackend

/// What happened to one object at one resourceVersion.
public struct StoreEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED"
    }

    public let kind: Kind
    public let resource: ResourceKey
    public let key: ObjectKey
    /// The object after the change; for a deletion, the last state with the deletion's resourceVersion.
    public let object: JSONValue
    /// The object before the change; nil for an addition. Lets a list roll back to an older snapshot.
    public let previous: JSONValue?
    public let resourceVersion: Int64
}

/// The bounded window of recent events that watches resume from and continue
/// tokens roll back through. Everything at or below `compactedThrough` is gone.
struct EventHistory {
    private var buffer: [StoreEvent?]
    private var head = 0
    private(set) var count = 0
    private(set) var compactedThrough: Int64

    init(capacity: Int, startingAfter resourceVersion: Int64) {
        buffer = Array(repeating: nil, count: max(1, capacity))
        compactedThrough = resourceVersion
    }

    var capacity: Int { buffer.count }

    mutating func append(_ event: StoreEvent) {
        if count == buffer.count {
            compactedThrough = buffer[head]!.resourceVersion
            buffer[head] = event
            head = (head + 1) % buffer.count
        } else {
            buffer[(head + count) % buffer.count] = event
            count += 1
        }
    }

    /// Drops every event at or below `resourceVersion`, as an etcd compaction does.
    mutating func compact(through resourceVersion: Int64) {
        while count > 0, let oldest = buffer[head], oldest.resourceVersion <= resourceVersion {
            buffer[head] = nil
            head = (head + 1) % buffer.count
            count -= 1
        }
        compactedThrough = max(compactedThrough, resourceVersion)
    }

    /// Events newer than `resourceVersion`, oldest first.
    func events(after resourceVersion: Int64) -> [StoreEvent] {
        var result: [StoreEvent] = []
        for offset in 0..<count {
            let event = buffer[(head + offset) % buffer.count]!
            if event.resourceVersion > resourceVersion { result.append(event) }
        }
        return result
    }
}
