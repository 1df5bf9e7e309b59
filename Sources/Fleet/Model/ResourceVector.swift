/// Amounts of the resources placement reasons about, in base units. `accelerators`
/// counts devices of the node's one accelerator type (see `NodeInfo.accelerator`).
/// Its arithmetic saturates (see `saturatingAdding`) rather than trapping.
public struct ResourceVector: Hashable, Sendable {
    public var cpuMillis: Int64
    public var memoryBytes: Int64
    public var accelerators: Int64
    public var pods: Int64

    public init(cpuMillis: Int64 = 0, memoryBytes: Int64 = 0, accelerators: Int64 = 0, pods: Int64 = 0) {
        self.cpuMillis = cpuMillis
        self.memoryBytes = memoryBytes
        self.accelerators = accelerators
        self.pods = pods
    }

    public static let zero = ResourceVector()

    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(cpuMillis: lhs.cpuMillis.saturatingAdding(rhs.cpuMillis), memoryBytes: lhs.memoryBytes.saturatingAdding(rhs.memoryBytes),
             accelerators: lhs.accelerators.saturatingAdding(rhs.accelerators), pods: lhs.pods.saturatingAdding(rhs.pods))
    }

    public static func - (lhs: Self, rhs: Self) -> Self {
        Self(cpuMillis: lhs.cpuMillis.saturatingSubtracting(rhs.cpuMillis), memoryBytes: lhs.memoryBytes.saturatingSubtracting(rhs.memoryBytes),
             accelerators: lhs.accelerators.saturatingSubtracting(rhs.accelerators), pods: lhs.pods.saturatingSubtracting(rhs.pods))
    }

    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }

    public static func * (lhs: Self, factor: Int64) -> Self {
        Self(cpuMillis: lhs.cpuMillis.saturatingMultiplied(by: factor), memoryBytes: lhs.memoryBytes.saturatingMultiplied(by: factor),
             accelerators: lhs.accelerators.saturatingMultiplied(by: factor), pods: lhs.pods.saturatingMultiplied(by: factor))
    }

    /// Whether every amount of `self` is at most the one in `other`.
    public func fits(in other: Self) -> Bool {
        cpuMillis <= other.cpuMillis && memoryBytes <= other.memoryBytes
            && accelerators <= other.accelerators && pods <= other.pods
    }

    /// The per-resource maximum of two vectors.
    public func componentMax(_ other: Self) -> Self {
        Self(cpuMillis: max(cpuMillis, other.cpuMillis), memoryBytes: max(memoryBytes, other.memoryBytes),
             accelerators: max(accelerators, other.accelerators), pods: max(pods, other.pods))
    }

    /// Negative amounts (more requested than allocatable) clamped to zero.
    public var clampedAtZero: Self { componentMax(.zero) }

    /// How many copies of `unit` fit in `self`; a zero amount in `unit` does not limit.
    public func copies(of unit: Self) -> Int64 {
        var count = Int64.max
        func limit(_ have: Int64, _ need: Int64) {
            guard need > 0 else { return }
            count = min(count, have > 0 ? have / need : 0)
        }
        limit(cpuMillis, unit.cpuMillis)
        limit(memoryBytes, unit.memoryBytes)
        limit(accelerators, unit.accelerators)
        limit(pods, unit.pods)
        return count
    }
}
