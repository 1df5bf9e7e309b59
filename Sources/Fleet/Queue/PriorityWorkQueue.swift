/// Work waiting for room, ordered HIGH before MEDIUM before LOW and first come first
/// served within a priority. Waiting ages an entry upwards by one priority per
/// `agingInterval`, and an aged entry keeps its place in arrival order, so LOW work
/// overtakes newer HIGH work once it has waited two intervals: nothing starves.
public struct PriorityWorkQueue<Item: Sendable>: Sendable {
    public struct Entry: Sendable {
        public let item: Item
        public let priority: Priority
        public let enqueuedAt: ContinuousClock.Instant
        let sequence: UInt64
    }

    public let agingInterval: Duration
    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    public init(agingInterval: Duration = .seconds(300)) {
        precondition(agingInterval > .zero, "agingInterval must be positive")
        self.agingInterval = agingInterval
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func enqueue(_ item: Item, priority: Priority, at now: ContinuousClock.Instant) {
        entries.append(Entry(item: item, priority: priority, enqueuedAt: now, sequence: nextSequence))
        nextSequence += 1
    }

    /// The entries in the order they should be tried at `now`.
    public func ordered(at now: ContinuousClock.Instant) -> [Entry] {
        entries
            .map { (rank: effectiveRank(of: $0, at: now), entry: $0) }
            .sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.entry.sequence < $1.entry.sequence }
            .map(\.entry)
    }

    /// The priority an entry competes at after aging: 0 is HIGH.
    public func effectiveRank(of entry: Entry, at now: ContinuousClock.Instant) -> Int {
        let waited = entry.enqueuedAt.duration(to: now)
        let steps = waited > .zero ? Int(waited / agingInterval) : 0
        return max(0, entry.priority.rawValue - steps)
    }

    /// Removes and returns the first entry whose item matches.
    @discardableResult
    public mutating func remove(where matches: (Item) -> Bool) -> Item? {
        guard let index = entries.firstIndex(where: { matches($0.item) }) else { return nil }
        return entries.remove(at: index).item
    }

    /// 1-based position in the order at `now`.
    public func position(where matches: (Item) -> Bool, at now: ContinuousClock.Instant) -> Int? {
        ordered(at: now).firstIndex { matches($0.item) }.map { $0 + 1 }
    }

    /// How many entries wait at each declared priority (not aged), for metrics.
    public var depthByPriority: [Priority: Int] {
        var result = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, 0) })
        for entry in entries { result[entry.priority, default: 0] += 1 }
        return result
    }
}
