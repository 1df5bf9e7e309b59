import Synchronization

/// Quantities already decoded, by their JSON text. Parsing a quantity exactly costs
/// microseconds, and the same few texts ("100m", "16Gi", "4") fill every pod and node,
/// so the JSON decoder parses each text once per process (well, once per `capacity`
/// texts). The result depends on nothing but the text, so sharing it is safe.
final class QuantityCache: Sendable {
    static let shared = QuantityCache(capacity: 1024)

    private let capacity: Int
    private let entries = Mutex<[String: Quantity]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func quantity(for text: String, orParse parse: () throws -> Quantity) rethrows -> Quantity {
        if let cached = entries.withLock({ $0[text] }) { return cached }
        let parsed = try parse()
        entries.withLock { entries in
            // Wholesale eviction keeps this simple; real documents use few distinct texts.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = parsed
        }
        return parsed
    }
}
