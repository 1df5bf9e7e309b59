public import Foundation
public import KubeBackend

/// The simulated API server's in-memory object store, in place of etcd: one global
/// resourceVersion counter bumped by every write, a bounded event history that
/// watches resume from, and watch fan-out.
///
/// Writes run under one lock, which keeps resourceVersions and event order total.
/// Watch handlers are called under that lock, so they must only hand the message
/// on (enqueue it on an event loop, yield it to a stream) and never call back into
/// the store; a slow watcher therefore never blocks a writer.
public final class ObjectStore: Sendable {
    public let catalog: ResourceCatalog
    private let state: StoreLock<State>
    private let now: @Sendable () -> Date

    public enum Propagation: String, Sendable {
        case background = "Background", foreground = "Foreground", orphan = "Orphan"
    }

    public struct ListOptions: Sendable {
        public var namespace: String?
        public var labels: LabelQuery
        public var fields: FieldQuery
        public var limit: Int?
        public var continueToken: String?
        /// Serve the list as of this resourceVersion (resourceVersionMatch=Exact).
        public var exactResourceVersion: Int64?

        public init(
            namespace: String? = nil, labels: LabelQuery = .everything, fields: FieldQuery = .everything,
            limit: Int? = nil, continueToken: String? = nil, exactResourceVersion: Int64? = nil
        ) {
            self.namespace = namespace
            self.labels = labels
            self.fields = fields
            self.limit = limit
            self.continueToken = continueToken
            self.exactResourceVersion = exactResourceVersion
        }
    }

    public struct ListResult: Sendable {
        public var items: [JSONValue]
        public var resourceVersion: Int64
        public var continueToken: String?
        public var remainingItemCount: Int64?
    }

    private struct Watcher {
        let request: WatchRequest
        let deliver: @Sendable (WatchMessage) -> Void
    }

    private struct State {
        var resourceVersion: Int64
        var objects: [ResourceKey: [ObjectKey: JSONValue]] = [:]
        /// Objects by the uid of each owner they name, for the garbage collector: a delete
        /// finds its dependents here instead of scanning every object of every resource.
        var dependents = DependentIndex()
        var history: EventHistory
        var watchers: [ResourceKey: [Int: Watcher]] = [:]
        var nextWatcherID = 0
    }

    /// - Parameters:
    ///   - historyCapacity: how many events are kept for watches and continue tokens.
    ///   - initialResourceVersion: where the counter starts; a restarted simulator starts
    ///     elsewhere so that clients resuming from an old resourceVersion see 410.
    public init(
        catalog: ResourceCatalog = .builtin, historyCapacity: Int = 10_000, initialResourceVersion: Int64 = 1,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.catalog = catalog
        self.now = now
        var objects: [ResourceKey: [ObjectKey: JSONValue]] = [:]
        for type in catalog.types { objects[type.key] = [:] }
        state = StoreLock(State(resourceVersion: initialResourceVersion, objects: objects,
                            history: EventHistory(capacity: historyCapacity, startingAfter: initialResourceVersion)))
    }

    public var currentResourceVersion: Int64 { state.withLock { $0.resourceVersion } }

    /// The oldest resourceVersion a watch may still start from.
    public var compactedResourceVersion: Int64 { state.withLock { $0.history.compactedThrough } }

    /// Forgets history at or below `resourceVersion`, as an etcd compaction does.
    public func compact(through resourceVersion: Int64) {
        state.withLock { $0.history.compact(through: min(resourceVersion, $0.resourceVersion)) }
    }

    /// Forgets every event, as a restarted apiserver's watch cache starts empty at the
    /// current resourceVersion: a watch from any older resourceVersion gets 410 Expired.
    /// Objects and the resourceVersion counter stay, as they stay in etcd.
    public func dropWatchHistory() {
        state.withLock { $0.history.compact(through: $0.resourceVersion) }
    }

    // MARK: Reads

    public func get(_ type: ResourceType, namespace: String?, name: String) throws(APIError) -> JSONValue {
        let key = ObjectKey(namespace: type.namespaced ? namespace : nil, name: name)
        guard let object = state.withLock({ $0.objects[type.key]?[key] }) else { throw APIError.notFound(type, name: name) }
        return object
    }

    public func list(_ type: ResourceType, _ options: ListOptions = ListOptions()) throws(APIError) -> ListResult {
        let token = try options.continueToken.flatMap { text throws(APIError) in try ContinueToken(decoding: text) }
        return try state.withLock { state throws(APIError) -> ListResult in
            var snapshotVersion = state.resourceVersion
            var objects = state.objects[type.key] ?? [:]
            if let asOf = token?.resourceVersion ?? options.exactResourceVersion, asOf < state.resourceVersion {
                guard asOf >= state.history.compactedThrough else {
                    throw token != nil ? APIError.expiredContinue
                        : APIError.tooOldResourceVersion(requested: asOf, oldest: state.history.compactedThrough + 1)
                }
                Self.rollBack(&objects, of: type.key, to: asOf, using: state.history)
                snapshotVersion = asOf
            }
            let namespace = type.namespaced ? options.namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
            var keys = objects.keys.filter { key in
                if let namespace, key.namespace != namespace { return false }
                if let start = token?.startAfter, key <= start { return false }
                return true
            }
            keys.sort()
            var items: [JSONValue] = []
            var lastKey: ObjectKey?
            var remaining: Int64 = 0
            for key in keys {
                let object = objects[key]!
                guard options.labels.matches(labelsOf: object), options.fields.matches(object) else { continue }
                if let limit = options.limit, limit > 0, items.count >= limit {
                    remaining += 1
                    continue
                }
                items.append(object)
                lastKey = key
            }
            var result = ListResult(items: items, resourceVersion: snapshotVersion)
            if remaining > 0, let lastKey {
                result.continueToken = ContinueToken(resourceVersion: snapshotVersion, startAfter: lastKey).encoded()
                // The apiserver counts what is left only when no selector hides items from it.
                if options.labels.isEverything, options.fields.isEverything { result.remainingItemCount = remaining }
            }
            return result
        }
    }

    /// Undoes, newest first, the retained events after `resourceVersion`.
    private static func rollBack(_ objects: inout [ObjectKey: JSONValue], of resource: ResourceKey, to resourceVersion: Int64, using history: EventHistory) {
        for event in history.events(after: resourceVersion).reversed() where event.resource == resource {
            switch event.kind {
            case .added: objects[event.key] = nil
            case .modified, .deleted: objects[event.key] = event.previous
            }
        }
    }

    // MARK: Writes

    /// Stores a new object, giving it uid, creationTimestamp, resourceVersion and generation,
    /// and a name from metadata.generateName when it has none.
    @discardableResult
    public func create(_ type: ResourceType, namespace: String?, _ object: JSONValue) throws(APIError) -> JSONValue {
        try create(type, namespace: namespace, object, requiringOwner: nil)
    }

    /// An object that must still exist, with this uid, for a create to go ahead: what a
    /// controller creating dependents checks so that none outlive a just-deleted owner.
    struct OwnerCheck {
        var type: ResourceType
        var key: ObjectKey
        var uid: String
    }

    @discardableResult
    func create(_ type: ResourceType, namespace: String?, _ object: JSONValue, requiringOwner owner: OwnerCheck?) throws(APIError) -> JSONValue {
        try state.withLock { state throws(APIError) -> JSONValue in
            if let owner, state.objects[owner.type.key]?[owner.key]?.metadataString("uid") != owner.uid {
                throw APIError.notFound(owner.type, name: owner.key.name)
            }
            var object = object
            object.setField("kind", .string(type.kind))
            object.setField("apiVersion", .string(type.apiVersion))
            if type.namespaced {
                let namespace = namespace ?? object.metadataString("namespace") ?? "default"
                guard state.objects[Self.namespaces]?[ObjectKey(namespace: nil, name: namespace)] != nil else {
                    throw APIError.notFound(catalog[Self.namespaces]!, name: namespace)
                }
                object.setMetadata("namespace", .string(namespace))
            } else {
                object.setMetadata("namespace", nil)
            }
            var name = object.metadataString("name") ?? ""
            if name.isEmpty, let prefix = object.metadataString("generateName"), !prefix.isEmpty {
                repeat { name = prefix + Self.randomSuffix() }
                while state.objects[type.key]?[ObjectKey(namespace: object.metadataString("namespace"), name: name)] != nil
                object.setMetadata("name", .string(name))
            }
            let key = ObjectKey(namespace: object.metadataString("namespace"), name: name)
            guard state.objects[type.key]?[key] == nil else { throw APIError.alreadyExists(type, name: name) }
            object.setMetadata("uid", .string(ObjectUID.make()))
            object.setMetadata("creationTimestamp", .string(Timestamp(now()).rawValue))
            object.setMetadata("deletionTimestamp", nil)
            object.setMetadata("generation", type.tracksGeneration ? 1 : nil)
            return Self.write(&state, .added, type.key, key, object.inServerFieldOrder(), previous: nil)
        }
    }

    /// Replaces an object. A non-empty metadata.resourceVersion in `object` must match
    /// the stored one (409 Conflict otherwise). Server-owned metadata is kept; a write
    /// that changes nothing keeps the old resourceVersion and sends no event.
    @discardableResult
    public func update(_ type: ResourceType, namespace: String?, name: String, _ object: JSONValue) throws(APIError) -> JSONValue {
        try modify(type, namespace: namespace, name: name) { _ throws(APIError) in object }
    }

    /// Atomically reads, transforms and writes one object; the transform sees the
    /// stored object and returns the new one (with the same precondition rules as `update`).
    /// A dry run checks and returns what would be stored, and writes nothing.
    @discardableResult
    public func modify(
        _ type: ResourceType, namespace: String?, name: String, dryRun: Bool = false,
        _ transform: (JSONValue) throws(APIError) -> JSONValue
    ) throws(APIError) -> JSONValue {
        let key = ObjectKey(namespace: type.namespaced ? namespace : nil, name: name)
        return try state.withLock { state throws(APIError) -> JSONValue in
            guard let old = state.objects[type.key]?[key] else { throw APIError.notFound(type, name: name) }
            var new = try transform(old)
            if let expected = new.metadataString("resourceVersion"), !expected.isEmpty,
               expected != old.metadataString("resourceVersion") {
                throw APIError.conflict(type, name: name)
            }
            if let uid = new.metadataString("uid"), !uid.isEmpty, uid != old.metadataString("uid") {
                throw APIError.conflict(type, name: name)
            }
            if new["kind"]?.stringValue != type.kind { new.setField("kind", .string(type.kind)) }
            if new["apiVersion"]?.stringValue != type.apiVersion { new.setField("apiVersion", .string(type.apiVersion)) }
            // Most writes (every status write) leave these as stored: setting them anyway
            // copied the object's metadata on each.
            for field in ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "resourceVersion", "generation"]
            where new["metadata"]?[field] != old["metadata"]?[field] {
                new.setMetadata(field, old["metadata"]?[field])
            }
            if type.tracksGeneration, new.desiredState != old.desiredState {
                let generation = old["metadata"]?["generation"]?.numberValue?.int64Value ?? 0
                new.setMetadata("generation", .number(JSONNumber(generation + 1)))
            }
            new = new.inServerFieldOrder()
            if new.withoutServerFields == old.withoutServerFields { return old }
            if dryRun { return new }
            return Self.write(&state, .modified, type.key, key, new, previous: old)
        }
    }

    /// Deletes an object and, unless `propagation` is orphan, every object it owns
    /// (transitively); orphaned dependents lose their owner reference instead.
    /// Deleting a namespace deletes everything in it.
    @discardableResult
    public func delete(
        _ type: ResourceType, namespace: String?, name: String, propagation: Propagation = .background,
        preconditionUID: String? = nil, preconditionResourceVersion: String? = nil
    ) throws(APIError) -> JSONValue {
        let key = ObjectKey(namespace: type.namespaced ? namespace : nil, name: name)
        return try state.withLock { state throws(APIError) -> JSONValue in
            guard let object = state.objects[type.key]?[key] else { throw APIError.notFound(type, name: name) }
            if let preconditionUID, preconditionUID != object.metadataString("uid") {
                throw APIError.conflict(type, name: name)
            }
            if let preconditionResourceVersion, preconditionResourceVersion != object.metadataString("resourceVersion") {
                throw APIError.conflict(type, name: name)
            }
            let deleted = Self.remove(&state, type.key, key)
            if type.key == Self.namespaces {
                for resource in state.objects.keys {
                    for objectKey in state.objects[resource]!.keys.sorted() where objectKey.namespace == name {
                        Self.remove(&state, resource, objectKey)
                    }
                }
            }
            if let uid = object.metadataString("uid") {
                Self.handleDependents(&state, ownerUID: uid, propagation: propagation)
            }
            return deleted
        }
    }

    private static func handleDependents(_ state: inout State, ownerUID: String, propagation: Propagation) {
        for dependent in state.dependents.of(ownerUID) {
            let resource = dependent.resource, key = dependent.key
            guard let object = state.objects[resource]?[key] else { continue }
            if propagation == .orphan {
                var orphan = object
                let remaining = (object["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != ownerUID }
                orphan.setMetadata("ownerReferences", remaining.isEmpty ? nil : .array(remaining))
                write(&state, .modified, resource, key, orphan, previous: object)
            } else {
                let removed = remove(&state, resource, key)
                if let uid = removed.metadataString("uid") { handleDependents(&state, ownerUID: uid, propagation: propagation) }
            }
        }
    }

    @discardableResult
    private static func remove(_ state: inout State, _ resource: ResourceKey, _ key: ObjectKey) -> JSONValue {
        let object = state.objects[resource]![key]!
        return write(&state, .deleted, resource, key, object, previous: object)
    }

    /// The single place that bumps the resourceVersion, records history and fans out.
    @discardableResult
    private static func write(
        _ state: inout State, _ kind: StoreEvent.Kind, _ resource: ResourceKey, _ key: ObjectKey, _ object: JSONValue,
        previous: JSONValue?
    ) -> JSONValue {
        state.resourceVersion += 1
        var stored = object
        stored.setMetadata("resourceVersion", .string(String(state.resourceVersion)))
        if kind == .deleted {
            state.objects[resource]?.removeValue(forKey: key)
        } else {
            state.objects[resource, default: [:]][key] = stored
        }
        state.dependents.update(ObjectRef(resource: resource, key: key),
                                from: previous?.ownerUIDs ?? [], to: kind == .deleted ? [] : stored.ownerUIDs)
        let event = StoreEvent(kind: kind, resource: resource, key: key, object: stored, previous: previous,
                               resourceVersion: state.resourceVersion)
        state.history.append(event)
        if let watchers = state.watchers[resource] {
            for watcher in watchers.values {
                if let message = watcher.request.message(for: event) { watcher.deliver(message) }
            }
        }
        return stored
    }

    // MARK: Watch

    /// Starts a watch: replays what the watcher missed (or the current state), then
    /// delivers every matching change. Throws 410 Expired when `request.resourceVersion`
    /// is older than the retained history.
    public func watch(_ request: WatchRequest, deliver: @escaping @Sendable (WatchMessage) -> Void) throws(APIError) -> WatchRegistration {
        let id = try state.withLock { state throws(APIError) -> Int in
            let resource = request.type.key
            if let from = request.resourceVersion, from > 0, !request.sendInitialEvents {
                guard from >= state.history.compactedThrough else {
                    throw APIError.tooOldResourceVersion(requested: from, oldest: state.history.compactedThrough + 1)
                }
                for event in state.history.events(after: from) where event.resource == resource {
                    if let message = request.message(for: event) { deliver(message) }
                }
            } else {
                for (key, object) in (state.objects[resource] ?? [:]).sorted(by: { $0.key < $1.key }) where request.matches(key, object) {
                    let version = Int64(object.metadataString("resourceVersion") ?? "") ?? 0
                    deliver(.event(type: .added, object: object, resourceVersion: version))
                }
                if request.sendInitialEvents, request.allowBookmarks {
                    deliver(.bookmark(resourceVersion: state.resourceVersion, initialEventsEnd: true))
                }
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[resource, default: [:]][id] = Watcher(request: request, deliver: deliver)
            return id
        }
        let resource = request.type.key
        return WatchRegistration { [weak self] in
            self?.state.withLock { _ = $0.watchers[resource]?.removeValue(forKey: id) }
        }
    }

    /// A watch as an async sequence, for in-process users and tests.
    public func watchStream(_ request: WatchRequest) throws(APIError) -> AsyncStream<WatchMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: WatchMessage.self)
        let registration = try watch(request) { continuation.yield($0) }
        continuation.onTermination = { _ in registration.cancel() }
        return stream
    }

    /// Sends a BOOKMARK with the current resourceVersion to every watcher that allows them.
    public func sendBookmarks() {
        state.withLock { state in
            for watchers in state.watchers.values {
                for watcher in watchers.values where watcher.request.allowBookmarks {
                    watcher.deliver(.bookmark(resourceVersion: state.resourceVersion, initialEventsEnd: false))
                }
            }
        }
    }

    public var watcherCount: Int { state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } } }

    // MARK: Helpers

    static let namespaces = ResourceKey(group: "", version: "v1", resource: "namespaces")

    private static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// Five characters from the alphabet the apiserver's name generator uses.
    static func randomSuffix() -> String {
        String((0..<5).map { _ in suffixAlphabet.randomElement()! })
    }
}
