/// One kind of request the unary benchmark sends.
enum Operation: String, CaseIterable, Codable, Comparable {
    case deployDryRun = "deploy-dry-run"
    case getCapacity = "get-capacity"
    case listDeployments = "list-deployments"
    /// A real Deploy, then DeleteDeployment of what it created: one operation, two calls.
    case deployDelete = "deploy-delete"
    /// `/bench.v1.Bench/Echo` of rpc-echo-server, for a baseline with the same client.
    case echo

    static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Weighted operations, from `--mix deploy-dry-run=50,get-capacity=30,list-deployments=20`.
struct Mix: Equatable {
    struct Entry: Equatable {
        var operation: Operation
        var weight: Int
    }

    private(set) var entries: [Entry]

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static let defaultText = "deploy-dry-run=50,get-capacity=30,list-deployments=20"

    init(parsing text: String) throws(Invalid) {
        var entries: [Entry] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pieces[0].trimmingSpaces
            guard let operation = Operation(rawValue: name) else {
                let known = Operation.allCases.map(\.rawValue).joined(separator: ", ")
                throw Invalid(description: "--mix: \"\(name)\" is not an operation; known: \(known)")
            }
            var weight = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1].trimmingSpaces), parsed > 0 else {
                    throw Invalid(description: "--mix: the weight of \(name) must be a positive integer, not \"\(pieces[1])\"")
                }
                weight = parsed
            }
            guard !entries.contains(where: { $0.operation == operation }) else {
                throw Invalid(description: "--mix names \(name) twice")
            }
            entries.append(Entry(operation: operation, weight: weight))
        }
        guard !entries.isEmpty else { throw Invalid(description: "--mix is empty") }
        self.entries = entries
    }

    var operations: [Operation] { entries.map(\.operation) }

    func share(of operation: Operation) -> Double {
        let total = entries.reduce(0) { $0 + $1.weight }
        return Double(entries.first { $0.operation == operation }?.weight ?? 0) / Double(total)
    }

    /// One cycle of operations in which each appears as often as its weight, interleaved
    /// (smooth weighted round robin): request k is `cycle[k % cycle.count]`, so every
    /// stretch of the run has the mix's proportions, with no random generator to seed.
    func cycle() -> [Operation] {
        let total = entries.reduce(0) { $0 + $1.weight }
        var current = [Int](repeating: 0, count: entries.count)
        var result: [Operation] = []
        result.reserveCapacity(total)
        for _ in 0..<total {
            for index in entries.indices { current[index] += entries[index].weight }
            let best = current.indices.max { current[$0] < current[$1] || (current[$0] == current[$1] && $0 > $1) }!
            current[best] -= total
            result.append(entries[best].operation)
        }
        return result
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
