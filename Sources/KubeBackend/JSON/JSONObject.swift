/// A JSON object that keeps its keys in document order. Equality ignores order,
/// as JSON's meaning does.
public struct JSONObject: Sendable {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var entries: [Entry]

    public init() {
        entries = []
    }

    /// Later entries replace earlier ones with the same key, keeping the first position.
    public init(_ entries: [Entry]) {
        self.entries = []
        self.entries.reserveCapacity(entries.count)
        for entry in entries { self[entry.key] = entry.value }
    }

    /// For entries already known to have distinct keys (a parser that checked them).
    init(uniqueEntries: [Entry]) {
        entries = uniqueEntries
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    public func index(forKey key: String) -> Int? {
        entries.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> JSONValue? {
        get { index(forKey: key).map { entries[$0].value } }
        set {
            if let index = index(forKey: key) {
                if let newValue {
                    entries[index].value = newValue
                } else {
                    entries.remove(at: index)
                }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key) else { return nil }
        return entries.remove(at: index).value
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { Entry(key: $0.0, value: $0.1) })
    }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        // A copy nobody changed shares its entries: no walk needed. Comparing an object
        // before and after a write meets mostly such subtrees.
        if lhs.sharesEntries(with: rhs) { return true }
        if lhs.count <= 8 {
            return lhs.entries.allSatisfy { entry in rhs[entry.key] == entry.value }
        }
        let right = Dictionary(rhs.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        return lhs.entries.allSatisfy { right[$0.key] == $0.value }
    }

    private func sharesEntries(with other: JSONObject) -> Bool {
        entries.withUnsafeBufferPointer { mine in
            other.entries.withUnsafeBufferPointer { theirs in mine.baseAddress == theirs.baseAddress }
        }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine the entries' own hashes commutatively.
        var combined = 0
        for entry in entries { combined = combined &+ entry.hashValue }
        hasher.combine(count)
        hasher.combine(combined)
    }
}
