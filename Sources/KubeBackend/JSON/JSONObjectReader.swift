/// A type that `KubeJSON` decodes straight from a `JSONTape` instead of through
/// `Decoder`. Going through `Decoder` costs a container box, existential calls and
/// generic metadata lookups for every field, on top of the `JSONValue` tree it reads;
/// for the kinds an informer decodes by the thousand (pods, nodes, lists, watch events)
/// that was nearly all of the decode time.
protocol JSONTapeDecodable: Decodable {
    /// Reads the value at token `index`, with the decoder's coding path for errors.
    static func read(from decoder: JSONTapeDecoder, at index: Int) throws -> Self
}

extension JSONTapeDecodable {
    /// `read(from:at:)` for a caller that knows the type only as `T` (the same type): the
    /// value moves into the result instead of being copied out of an existential.
    static func read<T>(from decoder: JSONTapeDecoder, at index: Int, as type: T.Type) throws -> T {
        let value = try read(from: decoder, at: index)
        return (consume value) as! T
    }
}

/// A model whose fields `JSONObjectReader` reads by the model's own coding keys. The
/// result must equal what its `Decodable` conformance gives: the same values, the same
/// treatment of null and absent keys, the same `unknownFields` and errors (the tests
/// decode documents both ways and compare).
protocol JSONObjectDecodable: PreservesUnknownFields, JSONTapeDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws
}

extension JSONObjectDecodable {
    static func read(from decoder: JSONTapeDecoder, at index: Int) throws -> Self {
        var fields = try JSONObjectReader<CodingKeys>(decoder: decoder, objectAt: index)
        var decoded = try Self(reading: &fields)
        guard let unknown = fields.unknownFields() else {
            // The object has a key that init(reading:) never asked for although it is
            // one of CodingKeys: a field added to the model but not to its reader. The
            // Decodable path still gets it right.
            assertionFailure("\(Self.self).init(reading:) does not read every coding key")
            return try JSONValueDecoder.decode(Self.self, from: decoder.tape.value(at: index), codingPath: decoder.codingPath)
        }
        decoded.unknownFields = unknown
        return decoded
    }
}

/// A read-only view of an object that reads the fields it wants and ignores the rest: no
/// unknown fields are kept, and no check that every coding key was read (see `PodClaim`).
protocol JSONObjectProjection: JSONTapeDecodable {
    associatedtype CodingKeys: CodingKey
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws
}

extension JSONObjectProjection {
    static func read(from decoder: JSONTapeDecoder, at index: Int) throws -> Self {
        var fields = try JSONObjectReader<CodingKeys>(decoder: decoder, objectAt: index)
        return try Self(reading: &fields)
    }
}

/// Reads one object's fields by coding key: the hand-written counterpart of a keyed
/// decoding container. It remembers which entries were read, so that the others are
/// the model's unknown fields without asking `CodingKeys(stringValue:)` about each key.
struct JSONObjectReader<Key: CodingKey> {
    let decoder: JSONTapeDecoder
    private let object: Int
    private let count: Int
    private let hasDuplicateKeys: Bool
    /// See `JSONTape.keyLengths(at:)`.
    private let keyLengths: UInt32
    /// Where the next lookup starts: the key token and position of an entry.
    private var hintKey: Int
    private var hintPosition = 0
    /// Bit `i` is set once entry `i` was read. Entries past 64 are not tracked: they only
    /// skip the check for a forgotten field, not the one for unknown keys.
    private var read: UInt64 = 0

    /// A reader of the object at `index`, or the decoder's type mismatch when the value
    /// there is not an object.
    init(decoder: JSONTapeDecoder, objectAt index: Int) throws {
        guard decoder.tape.kind(at: index) == .object else {
            throw decoder.mismatch(JSONObject.self, at: index)
        }
        self.decoder = decoder
        object = index
        count = decoder.tape.count(at: index)
        hasDuplicateKeys = decoder.tape.hasDuplicateKeys(at: index)
        keyLengths = decoder.tape.keyLengths(at: index)
        hintKey = index + 1
    }

    /// The entries that were not read and are not coding keys; nil when one that was
    /// not read is a coding key (see `JSONObjectDecodable.read(from:at:)`).
    func unknownFields() -> JSONObject? {
        let tape = decoder.tape
        var unknown: [JSONObject.Entry] = []
        var key = object + 1
        for position in 0..<count {
            if position >= 64 || read & (1 << UInt64(position)) == 0 {
                let name = tape.string(at: key)
                if Key(stringValue: name) != nil {
                    if position < 64 { return nil }
                } else {
                        unknown.append(JSONObject.Entry(key: name, value: tape.value(at: key + 1)))
                }
            }
            key = tape.end(of: key + 1)
        }
        // A repeated key keeps its first place and last value, as in the parsed tree.
        return hasDuplicateKeys ? JSONObject(unknown) : JSONObject(uniqueEntries: unknown)
    }

    private mutating func markRead(_ position: Int) {
        if position < 64 { read |= 1 << UInt64(position) }
    }

    // MARK: Lookup

    /// The token of the value for `key`, null included. Scans from just after the
    /// previous match, since fields are mostly read in the order the apiserver writes them.
    mutating func find(_ key: Key) -> Int? {
        guard count > 0 else { return nil }
        let name = key.stringValue
        assert(name.utf8.allSatisfy { $0 < 0x80 }, "coding keys read from a tape are ASCII")
        // Most absent keys are settled here, without a scan.
        let length = name.utf8.count
        guard keyLengths & JSONTape.keyLengthBit(length) != 0 else { return nil }
        if hasDuplicateKeys { return findLast(name, length: length) }
        let tape = decoder.tape
        var keyToken = hintKey
        var position = hintPosition
        for _ in 0..<count {
            let next = tape.end(of: keyToken + 1)
            if tape.keyMayHaveLength(at: keyToken, length), tape.string(at: keyToken, equalsASCII: name) {
                markRead(position)
                if position + 1 < count {
                    hintKey = next
                    hintPosition = position + 1
                } else {
                    hintKey = object + 1
                    hintPosition = 0
                }
                return keyToken + 1
            }
            position += 1
            keyToken = next
            if position == count {
                position = 0
                keyToken = object + 1
            }
        }
        return nil
    }

    /// With a repeated key the last value counts, as in the parsed tree.
    private mutating func findLast(_ name: String, length: Int) -> Int? {
        let tape = decoder.tape
        var found: Int?
        var keyToken = object + 1
        for position in 0..<count {
            if tape.keyMayHaveLength(at: keyToken, length), tape.string(at: keyToken, equalsASCII: name) {
                markRead(position)
                found = keyToken + 1
            }
            keyToken = tape.end(of: keyToken + 1)
        }
        return found
    }

    /// The value for `key`, or nil when it is absent or null: both mean "not set".
    private mutating func present(_ key: Key) -> Int? {
        guard let index = find(key), decoder.tape.kind(at: index) != .null else { return nil }
        return index
    }

    private mutating func required(_ key: Key) throws -> Int {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return index
    }

    // MARK: Scalars

    mutating func string(_ key: Key) throws -> String {
        try string(at: try required(key), key)
    }

    mutating func stringIfPresent(_ key: Key) throws -> String? {
        guard let index = present(key) else { return nil }
        return try string(at: index, key)
    }

    /// Whether the string value of `key` is `text` (ASCII), compared as `String`s
    /// compare, without building the value's text.
    mutating func string(_ key: Key, equals text: String) throws -> Bool {
        decoder.tape.string(at: try stringToken(at: try required(key), key), equalsASCII: text)
    }

    /// Checks that `key` has a string value, as `string(_:)` does, without building it.
    mutating func checkString(_ key: Key) throws {
        _ = try stringToken(at: try required(key), key)
    }

    private func string(at index: Int, _ key: Key) throws -> String {
        decoder.tape.string(at: try stringToken(at: index, key))
    }

    private func stringToken(at index: Int, _ key: Key) throws -> Int {
        guard decoder.tape.kind(at: index) == .string else { throw decoder.mismatch(String.self, at: index, key: key) }
        return index
    }

    mutating func bool(_ key: Key) throws -> Bool {
        try bool(at: try required(key), key)
    }

    mutating func boolIfPresent(_ key: Key) throws -> Bool? {
        guard let index = present(key) else { return nil }
        return try bool(at: index, key)
    }

    private func bool(at index: Int, _ key: Key) throws -> Bool {
        switch decoder.tape.kind(at: index) {
        case .true: return true
        case .false: return false
        default: throw decoder.mismatch(Bool.self, at: index, key: key)
        }
    }

    mutating func integer<T: FixedWidthInteger>(_ key: Key, as type: T.Type = T.self) throws -> T {
        try integer(at: try required(key), key)
    }

    mutating func integerIfPresent<T: FixedWidthInteger>(_ key: Key, as type: T.Type = T.self) throws -> T? {
        guard let index = present(key) else { return nil }
        return try integer(at: index, key)
    }

    private func integer<T: FixedWidthInteger>(at index: Int, _ key: Key) throws -> T {
        guard decoder.tape.kind(at: index) == .number else { throw decoder.mismatch(T.self, at: index, key: key) }
        let text = decoder.tape.numberText(at: index)
        guard let integer = T(text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath + [key], debugDescription: "number \(text) is not a valid \(T.self)"))
        }
        return integer
    }

    mutating func timestampIfPresent(_ key: Key) throws -> Timestamp? {
        try stringIfPresent(key).map(Timestamp.init(rawValue:))
    }

    /// Any JSON, kept as it came (`affinity`, `managedFields`).
    mutating func jsonIfPresent(_ key: Key) -> JSONValue? {
        present(key).map { decoder.tape.value(at: $0) }
    }

    // MARK: Nested values

    mutating func object<T: JSONTapeDecodable>(_ key: Key, as type: T.Type = T.self) throws -> T {
        let index = try required(key)
        let decoder = decoder
        return try decoder.withChild(key: key) { try T.read(from: decoder, at: index) }
    }

    mutating func objectIfPresent<T: JSONTapeDecodable>(_ key: Key, as type: T.Type = T.self) throws -> T? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try decoder.withChild(key: key) { try T.read(from: decoder, at: index) }
    }

    mutating func objects<T: JSONTapeDecodable>(_ key: Key, of type: T.Type = T.self) throws -> [T] {
        let decoder = decoder
        return try elements(at: try required(key), key) { try T.read(from: decoder, at: $0) }
    }

    mutating func objectsIfPresent<T: JSONTapeDecodable>(_ key: Key, of type: T.Type = T.self) throws -> [T]? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try elements(at: index, key) { try T.read(from: decoder, at: $0) }
    }

    /// Any other `Decodable` field, through the decoder's fast paths or `Decodable`.
    mutating func decode<T: Decodable>(_ key: Key, as type: T.Type = T.self) throws -> T {
        let index = try required(key)
        let decoder = decoder
        return try decoder.withChild(key: key) { try decoder.decode(T.self, at: index) }
    }

    mutating func decodeIfPresent<T: Decodable>(_ key: Key, as type: T.Type = T.self) throws -> T? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try decoder.withChild(key: key) { try decoder.decode(T.self, at: index) }
    }

    mutating func stringsIfPresent(_ key: Key) throws -> [String]? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try decoder.withChild(key: key) { try decoder.strings(at: index) }
    }

    mutating func stringMapIfPresent(_ key: Key) throws -> [String: String]? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try decoder.withChild(key: key) { try decoder.stringMap(at: index) }
    }

    mutating func quantitiesIfPresent(_ key: Key) throws -> [String: Quantity]? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try decoder.withChild(key: key) { try decoder.quantityMap(at: index) }
    }

    /// An array field of any `Decodable` elements (a list's items).
    mutating func arrayIfPresent<T: Decodable>(_ key: Key, of type: T.Type = T.self) throws -> [T]? {
        guard let index = present(key) else { return nil }
        let decoder = decoder
        return try elements(at: index, key) { try decoder.decode(T.self, at: $0) }
    }

    private func elements<T>(at index: Int, _ key: Key, _ read: (Int) throws -> T) throws -> [T] {
        let decoder = decoder
        let tape = decoder.tape
        guard tape.kind(at: index) == .array else { throw decoder.mismatch([JSONValue].self, at: index, key: key) }
        return try decoder.withChild(key: key) {
            var results: [T] = []
            results.reserveCapacity(tape.count(at: index))
            var element = index + 1
            for position in 0..<tape.count(at: index) {
                results.append(try decoder.withChild(key: IndexCodingKey(position)) { try read(element) })
                element = tape.end(of: element)
            }
            return results
        }
    }
}
