import Synchronization

/// What changed in an informer's cache.
public enum InformerEvent<Object: KubernetesObject>: Sendable, Hashable {
    case added(Object)
    case updated(old: Object, new: Object)
    /// The object as last seen (for a deletion noticed on a relist, as the cache had it).
    case deleted(Object)
    /// The cache matches the server as of this resourceVersion: sent after each
    /// complete list (the first one and every relist), after the changes it caused.
    case synced(resourceVersion: String)
}

/// The local copy of one kind, keyed by namespace/name, and the subscribers that
/// hear about every change. Changes and notifications happen under one lock, so a
/// new subscriber's replay of the cache and the live events that follow it never
/// overlap or miss anything.
public final class InformerCache<Object: KubernetesObject>: Sendable {
    private struct State: ~Copyable {
        var objects: [NamespacedName: Object] = [:]
        var resourceVersion: String?
        var hasSynced = false
        var subscribers: [Int: AsyncStream<InformerEvent<Object>>.Continuation] = [:]
        var nextSubscriber = 0

        func publish(_ event: InformerEvent<Object>) {
            for subscriber in subscribers.values { subscriber.yield(event) }
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func get(name: String, namespace: String? = nil) -> Object? {
        state.withLock { $0.objects[NamespacedName(namespace: namespace, name: name)] }
    }

    /// Every cached object, sorted by namespace/name.
    public func list() -> [Object] {
        state.withLock { state in
            state.objects.sorted { $0.key < $1.key }.map(\.value)
        }
    }

    public var keys: Set<NamespacedName> { state.withLock { Set($0.objects.keys) } }
    public var count: Int { state.withLock { $0.objects.count } }
    /// True once the first list has been applied.
    public var hasSynced: Bool { state.withLock { $0.hasSynced } }
    /// The last resourceVersion the cache reflects.
    public var resourceVersion: String? { state.withLock { $0.resourceVersion } }

    /// A stream of every change from now on, starting with an `.added` for each object
    /// already cached and, if the cache has synced, a `.synced`. It ends when the
    /// consumer stops iterating or the informer finishes.
    public func events() -> AsyncStream<InformerEvent<Object>> {
        let (stream, continuation) = AsyncStream<InformerEvent<Object>>.makeStream()
        let id = state.withLock { state in
            for (_, object) in state.objects.sorted(by: { $0.key < $1.key }) { continuation.yield(.added(object)) }
            if state.hasSynced, let version = state.resourceVersion { continuation.yield(.synced(resourceVersion: version)) }
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Makes the cache exactly `items` (a complete list): objects missing from it are
    /// deleted, new ones added, changed ones updated; then `.synced`.
    package func replace(with items: [Object], resourceVersion: String) {
        state.withLock { state in
            var fresh: [NamespacedName: Object] = [:]
            fresh.reserveCapacity(items.count)
            for item in items { fresh[NamespacedName(item.metadata)] = item }
            for (key, old) in state.objects.sorted(by: { $0.key < $1.key }) where fresh[key] == nil {
                state.publish(.deleted(old))
            }
            for (key, new) in fresh.sorted(by: { $0.key < $1.key }) {
                if let old = state.objects[key] {
                    if old.metadata.resourceVersion != new.metadata.resourceVersion || old != new {
                        state.publish(.updated(old: old, new: new))
                    }
                } else {
                    state.publish(.added(new))
                }
            }
            state.objects = fresh
            state.resourceVersion = resourceVersion
            state.hasSynced = true
            state.publish(.synced(resourceVersion: resourceVersion))
        }
    }

    /// Applies one watch event.
    package func apply(_ event: WatchEvent<Object>) {
        state.withLock { state in
            switch event {
            case .added(let object), .modified(let object):
                let key = NamespacedName(object.metadata)
                if let old = state.objects.updateValue(object, forKey: key) {
                    state.publish(.updated(old: old, new: object))
                } else {
                    state.publish(.added(object))
                }
                state.resourceVersion = object.metadata.resourceVersion ?? state.resourceVersion
            case .deleted(let object):
                let old = state.objects.removeValue(forKey: NamespacedName(object.metadata))
                state.publish(.deleted(old ?? object))
                state.resourceVersion = object.metadata.resourceVersion ?? state.resourceVersion
            case .bookmark(let object):
                state.resourceVersion = object.metadata.resourceVersion ?? state.resourceVersion
            case .error:
                break
            }
        }
    }

    /// Ends every subscriber's stream.
    func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
