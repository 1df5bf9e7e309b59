import Fleet
import Foundation
import Protos
import RPCServer
import Synchronization

/// Encodes capacity updates once for all the subscribers that receive the same one.
///
/// Subscribers that keep up receive identical updates: an update is fully determined
/// by its revision, its kind and the names of the clusters in it (each at its state as
/// of that revision). So thousands of WatchCapacity streams cost one encoding per
/// change instead of one each.
final class CapacityUpdateEncoder: Sendable {
    struct Key: Hashable {
        var revision: UInt64
        var kind: UInt8
        var reset: Bool
        var clusters: [ClusterName]
        var removed: [ClusterName]

        /// Whether `update` has this key, without building one for it.
        func describes(_ update: CapacityUpdate) -> Bool {
            switch update {
            case .snapshot(let revision, let clusters, let reset):
                return kind == 0 && revision == self.revision && reset == self.reset && removed.isEmpty
                    && clusters.count == self.clusters.count && zip(clusters, self.clusters).allSatisfy { $0.cluster.name == $1 }
            case .delta(let revision, let changed, let removed):
                return kind == 1 && revision == self.revision && removed == self.removed
                    && changed.count == clusters.count && zip(changed, clusters).allSatisfy { $0.cluster.name == $1 }
            case .heartbeat(let revision):
                return kind == 2 && revision == self.revision
            }
        }

        init(_ update: CapacityUpdate) {
            switch update {
            case .snapshot(let revision, let clusters, let reset):
                self.init(revision: revision, kind: 0, reset: reset, clusters: clusters.map(\.cluster.name), removed: [])
            case .delta(let revision, let changed, let removed):
                self.init(revision: revision, kind: 1, reset: false, clusters: changed.map(\.cluster.name), removed: removed)
            case .heartbeat(let revision):
                self.init(revision: revision, kind: 2, reset: false, clusters: [], removed: [])
            }
        }

        private init(revision: UInt64, kind: UInt8, reset: Bool, clusters: [ClusterName], removed: [ClusterName]) {
            self.revision = revision
            self.kind = kind
            self.reset = reset
            self.clusters = clusters
            self.removed = removed
        }
    }

    /// An update's encoding, and the same framed for pushing on streams.
    struct Encoded: Sendable {
        let payload: [UInt8]
        let framed: RPCFramedMessage
    }

    private struct Cache {
        var encoded: [Key: Encoded] = [:]
        var order: [Key] = []
        /// The update asked for last: a change reaches its subscribers one after another,
        /// and each of them asks for the same one.
        var last: (key: Key, encoded: Encoded)?
    }

    private let cache = Mutex(Cache())
    let capacity: Int
    /// When the fleet manager recorded the change of a revision, if still known.
    private let timeOfChange: @Sendable (UInt64) -> Date?

    init(capacity: Int = 64, timeOfChange: @escaping @Sendable (UInt64) -> Date? = { _ in nil }) {
        self.capacity = capacity
        self.timeOfChange = timeOfChange
    }

    func encode(_ update: CapacityUpdate) throws -> EncodedMessage {
        EncodedMessage(try encoded(update).payload)
    }

    func encoded(_ update: CapacityUpdate) throws -> Encoded {
        if let last = cache.withLock({ $0.last }), last.key.describes(update) { return last.encoded }
        let key = Key(update)
        if let encoded = cache.withLock({ cache -> Encoded? in
            let found = cache.encoded[key]
            if let found { cache.last = (key, found) }
            return found
        }) { return encoded }
        let payload = try DomainToProto.update(update, at: timeOfChange(update.revision) ?? Date()).serializedBytes()
        let encoded = Encoded(payload: payload, framed: RPCFramedMessage(serialized: payload))
        cache.withLock { cache in
            cache.last = (key, encoded)
            guard cache.encoded.updateValue(encoded, forKey: key) == nil else { return }
            cache.order.append(key)
            if cache.order.count > capacity {
                cache.encoded[cache.order.removeFirst()] = nil
            }
        }
        return encoded
    }
}

/// A response message that is already encoded.
struct EncodedMessage: RPCMessage {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(serializedBytes: [UInt8]) {
        bytes = serializedBytes
    }

    func serializedBytes() -> [UInt8] { bytes }
}
