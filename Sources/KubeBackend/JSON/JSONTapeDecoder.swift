/// Decodes values from a `JSONTape`: models that read themselves (`JSONTapeDecodable`)
/// and the shapes they are mostly made of directly; anything else by building that
/// value's `JSONValue` and handing it to `JSONValueDecoder`. Either way the result and
/// the errors are those of `JSONValueDecoder` on the parsed tree.
final class JSONTapeDecoder {
    let tape: JSONTape
    // Pushed and popped around every nested value, always from one thread.
    @exclusivity(unchecked) private(set) var codingPath: [any CodingKey]

    init(tape: JSONTape, codingPath: [any CodingKey] = []) {
        self.tape = tape
        self.codingPath = codingPath
        // Pods nest about eight deep; one allocation instead of one per doubling.
        self.codingPath.reserveCapacity(codingPath.count + 16)
    }

    /// Runs `body` with `key` appended to the coding path.
    func withChild<T>(key: any CodingKey, _ body: () throws -> T) rethrows -> T {
        codingPath.append(key)
        defer { codingPath.removeLast() }
        return try body()
    }

    func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        if T.self == String.self { return try string(at: index) as! T }
        if T.self == [String: String].self { return try stringMap(at: index) as! T }
        if T.self == [String].self { return try strings(at: index) as! T }
        if T.self == Timestamp.self { return Timestamp(rawValue: try string(at: index)) as! T }
        if T.self == Quantity.self { return try quantity(at: index) as! T }
        if T.self == [String: Quantity].self { return try quantityMap(at: index) as! T }
        if T.self == JSONValue.self { return tape.value(at: index) as! T }
        if let direct = T.self as? any JSONTapeDecodable.Type {
            return try direct.read(from: self, at: index, as: T.self)
        }
        return try JSONValueDecoder.decode(T.self, from: tape.value(at: index), codingPath: codingPath)
    }

    /// The error `JSONValueDecoder` gives for the value at `index` when it is not an `expected`.
    func mismatch(_ expected: Any.Type, at index: Int, key: (any CodingKey)? = nil) -> DecodingError {
        JSONValueDecoder.typeMismatch(expected, tape.value(at: index), key.map { codingPath + [$0] } ?? codingPath)
    }

    private func string(at index: Int) throws -> String {
        guard tape.kind(at: index) == .string else { throw mismatch(String.self, at: index) }
        return tape.string(at: index)
    }

    func strings(at index: Int) throws -> [String] {
        guard tape.kind(at: index) == .array else { throw mismatch([JSONValue].self, at: index) }
        var strings: [String] = []
        strings.reserveCapacity(tape.count(at: index))
        var element = index + 1
        for position in 0..<tape.count(at: index) {
            guard tape.kind(at: element) == .string else { throw mismatch(String.self, at: element, key: IndexCodingKey(position)) }
            strings.append(tape.string(at: element))
            element = tape.end(of: element)
        }
        return strings
    }

    func stringMap(at index: Int) throws -> [String: String] {
        guard tape.kind(at: index) == .object else { throw mismatch(JSONObject.self, at: index) }
        // The stdlib's reserveCapacity is not specialized here: it looked up the
        // dictionary's generic metadata on every call.
        var map = [String: String](minimumCapacity: tape.count(at: index))
        var key = index + 1
        for _ in 0..<tape.count(at: index) {
            guard tape.kind(at: key + 1) == .string else {
                throw mismatch(String.self, at: key + 1, key: NameCodingKey(tape.string(at: key)))
            }
            // A repeated key keeps its last value, as the parsed tree does.
            map[tape.string(at: key)] = tape.string(at: key + 1)
            key = tape.end(of: key + 1)
        }
        return map
    }

    /// `Quantity(from:)`, through `QuantityCache` for strings and numbers.
    private func quantity(at index: Int) throws -> Quantity {
        switch tape.kind(at: index) {
        case .string: return try QuantityCache.shared.quantity(for: tape.string(at: index)) { try quantityThroughTree(at: index) }
        case .number: return try QuantityCache.shared.quantity(for: tape.numberText(at: index)) { try quantityThroughTree(at: index) }
        default: return try quantityThroughTree(at: index)
        }
    }

    private func quantityThroughTree(at index: Int) throws -> Quantity {
        try Quantity(from: JSONValueDecoder(value: tape.value(at: index), codingPath: codingPath))
    }

    func quantityMap(at index: Int) throws -> [String: Quantity] {
        guard tape.kind(at: index) == .object else { throw mismatch(JSONObject.self, at: index) }
        var map = [String: Quantity](minimumCapacity: tape.count(at: index))
        var key = index + 1
        for _ in 0..<tape.count(at: index) {
            let name = tape.string(at: key)
            map[name] = try withChild(key: NameCodingKey(name)) { try quantity(at: key + 1) }
            key = tape.end(of: key + 1)
        }
        return map
    }
}
