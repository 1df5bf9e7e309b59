import Foundation

/// A model that keeps the JSON keys it has no property for, so that a
/// read-modify-write sends them back. `KubeJSON` fills and writes
/// `unknownFields` around the type's own (usually synthesized) Codable code:
/// the keys are those for which `CodingKeys(stringValue:)` is nil.
protocol PreservesUnknownFields: Codable {
    associatedtype CodingKeys: CodingKey
    var unknownFields: JSONObject { get set }
}

extension PreservesUnknownFields {
    static func unknownFields(of object: JSONObject) -> JSONObject {
        unknownFields(of: object, matched: 0)
    }

    /// `matched` has bit `i` set for entry `i` (below 64) already known to be one of
    /// `CodingKeys`, so only the other entries go through `CodingKeys(stringValue:)`.
    static func unknownFields(of object: JSONObject, matched: UInt64) -> JSONObject {
        var unknown: [JSONObject.Entry] = []
        for (index, entry) in object.entries.enumerated() {
            if index < 64, matched & (1 << UInt64(index)) != 0 { continue }
            if CodingKeys(stringValue: entry.key) == nil { unknown.append(entry) }
        }
        return JSONObject(uniqueEntries: unknown)
    }
}

/// Decodes `Decodable` values from a `JSONValue` tree.
///
/// One instance walks a whole document: it moves its `value` down to each nested value
/// and back up, keeping the coding path as a stack, so that the common path allocates
/// no path arrays and no container boxes beyond the one `KeyedDecodingContainer` needs.
/// Containers only ever run while the decoder is at their own depth (decoding is
/// strictly nested), which is what makes the shared state safe.
final class JSONValueDecoder: Decoder {
    private(set) var value: JSONValue
    private var path: [any CodingKey]
    /// Per depth: the object container's lookup hint and matched-entry bits.
    private var frames: [ObjectFrame]
    /// Set by `decodeThroughDecodable` until the value's own keyed container takes it.
    private var pendingTracking: (depth: Int, keyType: ObjectIdentifier)?

    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var codingPath: [any CodingKey] { path }

    init(value: JSONValue, codingPath: [any CodingKey]) {
        self.value = value
        path = codingPath
        frames = Array(repeating: ObjectFrame(), count: codingPath.count + 8)
    }

    /// The literal text when the value is a JSON number (for exact quantities).
    var rawNumberText: String? { value.numberValue?.text }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T {
        try JSONValueDecoder(value: value, codingPath: codingPath).decodeCurrent(type)
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw JSONValueDecoder.typeMismatch(JSONObject.self, value, path)
        }
        let depth = path.count
        var frame = ObjectFrame()
        if let pending = pendingTracking, pending.depth == depth {
            pendingTracking = nil
            frame.isTracked = pending.keyType == ObjectIdentifier(Key.self)
        }
        frames[depth] = frame
        return KeyedDecodingContainer(KeyedContainer<Key>(entries: object.entries, decoder: self, depth: depth))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw JSONValueDecoder.typeMismatch([JSONValue].self, value, path)
        }
        return UnkeyedContainer(elements: elements, decoder: self, depth: path.count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Walking the tree

    /// Decodes the current value; the fast paths skip `Decodable` for the shapes that
    /// Kubernetes objects are mostly made of.
    func decodeCurrent<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return try JSONValueDecoder.unboxString(value, path) as! T }
        if T.self == JSONValue.self { return value as! T }
        if T.self == [String: String].self { return try decodeStringMap() as! T }
        if T.self == [String].self { return try decodeStringArray() as! T }
        if T.self == Timestamp.self { return Timestamp(rawValue: try JSONValueDecoder.unboxString(value, path)) as! T }
        if T.self == Quantity.self { return try decodeQuantity() as! T }
        if T.self == [String: Quantity].self { return try decodeQuantityMap() as! T }
        if T.self == Date.self { return Date(timeIntervalSince1970: try JSONValueDecoder.unboxDouble(value, path)) as! T }
        if let preserving = T.self as? any PreservesUnknownFields.Type {
            return try decodeThroughDecodable(preserving) as! T
        }
        return try T(from: self)
    }

    /// Decodes `child` (reached by `key` from the current value) as a `T`.
    func decode<T: Decodable>(_ type: T.Type, child: JSONValue, key: any CodingKey) throws -> T {
        try withChild(child, key: key) { try $0.decodeCurrent(type) }
    }

    /// Runs `body` with the decoder moved onto `child`, reached by `key` from the current value.
    func withChild<T>(_ child: JSONValue, key: any CodingKey, _ body: (JSONValueDecoder) throws -> T) rethrows -> T {
        let parent = value
        value = child
        path.append(key)
        if frames.count <= path.count { frames.append(ObjectFrame()) }
        defer {
            path.removeLast()
            value = parent
        }
        return try body(self)
    }

    /// A decoder of its own for `child`, for callers that keep it (super decoders).
    func detached(child: JSONValue, key: (any CodingKey)?, depth: Int) -> JSONValueDecoder {
        var childPath = Array(path.prefix(depth))
        if let key { childPath.append(key) }
        return JSONValueDecoder(value: child, codingPath: childPath)
    }

    func codingPath(depth: Int) -> [any CodingKey] {
        depth == path.count ? path : Array(path.prefix(depth))
    }

    func codingPath(depth: Int, appending key: any CodingKey) -> [any CodingKey] {
        codingPath(depth: depth) + [key]
    }

    /// A model through its `Decodable` conformance, with `unknownFields` filled in after.
    func decodeThroughDecodable<T: PreservesUnknownFields>(_ type: T.Type) throws -> T {
        guard case .object(let object) = value else { return try T(from: self) }
        let depth = path.count
        let outerPending = pendingTracking
        pendingTracking = (depth, ObjectIdentifier(T.CodingKeys.self))
        defer { pendingTracking = outerPending }
        var decoded = try T(from: self)
        let frame = frames[depth]
        frames[depth].isTracked = false
        decoded.unknownFields = T.unknownFields(of: object, matched: frame.isTracked ? frame.matched : 0)
        return decoded
    }

    private func decodeStringMap() throws -> [String: String] {
        guard case .object(let object) = value else { throw JSONValueDecoder.typeMismatch(JSONObject.self, value, path) }
        var map: [String: String] = [:]
        map.reserveCapacity(object.count)
        for entry in object.entries {
            guard case .string(let string) = entry.value else {
                throw JSONValueDecoder.typeMismatch(String.self, entry.value, path + [NameCodingKey(entry.key)])
            }
            map[entry.key] = string
        }
        return map
    }

    /// `Quantity(from:)`, through `QuantityCache` when the value is a string or number.
    private func decodeQuantity() throws -> Quantity {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number.text
        default: return try Quantity(from: self)
        }
        return try QuantityCache.shared.quantity(for: text) { try Quantity(from: self) }
    }

    private func decodeQuantityMap() throws -> [String: Quantity] {
        guard case .object(let object) = value else { throw JSONValueDecoder.typeMismatch(JSONObject.self, value, path) }
        var map: [String: Quantity] = [:]
        map.reserveCapacity(object.count)
        for entry in object.entries {
            map[entry.key] = try withChild(entry.value, key: NameCodingKey(entry.key)) { try $0.decodeQuantity() }
        }
        return map
    }

    private func decodeStringArray() throws -> [String] {
        guard case .array(let elements) = value else { throw JSONValueDecoder.typeMismatch([JSONValue].self, value, path) }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                throw JSONValueDecoder.typeMismatch(String.self, element, path + [IndexCodingKey(index)])
            }
            strings.append(string)
        }
        return strings
    }

    // MARK: Object lookups

    /// The index of the entry named `key`, scanning from just after the previous match:
    /// synthesized `init(from:)` asks for keys in declaration order, which is mostly the
    /// order the apiserver writes them in, so most lookups compare one key.
    func lookup(_ key: String, in entries: [JSONObject.Entry], depth: Int) -> Int? {
        let count = entries.count
        guard count > 0 else { return nil }
        let length = key.utf8.count
        var index = frames[depth].hint
        if index >= count { index = 0 }
        for _ in 0..<count {
            let candidate = entries[index].key
            if candidate.utf8.count == length, candidate == key {
                frames[depth].hint = index + 1
                if frames[depth].isTracked, index < 64 { frames[depth].matched |= 1 << UInt64(index) }
                return index
            }
            index += 1
            if index == count { index = 0 }
        }
        return nil
    }

    // MARK: Shared conversions

    static func typeMismatch(_ expected: Any.Type, _ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) -> DecodingError {
        let found: String
        switch value {
        case .null: found = "null"
        case .bool: found = "a boolean"
        case .number: found = "a number"
        case .string: found = "a string"
        case .array: found = "an array"
        case .object: found = "an object"
        }
        return DecodingError.typeMismatch(
            expected, DecodingError.Context(codingPath: codingPath(), debugDescription: "expected \(expected), found \(found)"))
    }

    static func unboxString(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw typeMismatch(String.self, value, codingPath()) }
        return string
    }

    static func unboxBool(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw typeMismatch(Bool.self, value, codingPath()) }
        return flag
    }

    static func unboxDouble(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard case .number(let number) = value, let double = Double(number.text) else {
            throw typeMismatch(Double.self, value, codingPath())
        }
        return double
    }

    static func unboxInteger<T: FixedWidthInteger>(
        _ type: T.Type, _ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        guard case .number(let number) = value else { throw typeMismatch(T.self, value, codingPath()) }
        guard let integer = T(number.text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath(), debugDescription: "number \(number.text) is not a valid \(T.self)"))
        }
        return integer
    }
}

/// The state of the object container at one depth; see `JSONValueDecoder.lookup`.
private struct ObjectFrame {
    var hint = 0
    var matched: UInt64 = 0
    /// Whether `matched` counts: the container is keyed by the preserving type's own keys.
    var isTracked = false
}

/// An object key in a coding path, small enough to sit inline in `any CodingKey`.
struct NameCodingKey: CodingKey {
    let stringValue: String

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    var intValue: Int? { nil }
}

extension NameCodingKey: ExpressibleByStringLiteral {
    init(stringLiteral name: String) { self.init(name) }
}

/// An array index in a coding path, small enough to sit inline in `any CodingKey`.
struct IndexCodingKey: CodingKey {
    let index: Int

    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { index = intValue }

    var stringValue: String { String(index) }
    var intValue: Int? { index }
}

// The decoder is its own single-value container: no box to allocate.
extension JSONValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.unboxBool(value, path) }
    func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.unboxString(value, path) }
    func decode(_ type: Double.Type) throws -> Double { try JSONValueDecoder.unboxDouble(value, path) }
    func decode(_ type: Float.Type) throws -> Float { Float(try JSONValueDecoder.unboxDouble(value, path)) }
    func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.unboxInteger(Int.self, value, path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueDecoder.unboxInteger(Int8.self, value, path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueDecoder.unboxInteger(Int16.self, value, path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueDecoder.unboxInteger(Int32.self, value, path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.unboxInteger(Int64.self, value, path) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONValueDecoder.unboxInteger(UInt.self, value, path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueDecoder.unboxInteger(UInt8.self, value, path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueDecoder.unboxInteger(UInt16.self, value, path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueDecoder.unboxInteger(UInt32.self, value, path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueDecoder.unboxInteger(UInt64.self, value, path) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeCurrent(type) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [JSONObject.Entry]
    let decoder: JSONValueDecoder
    let depth: Int

    var codingPath: [any CodingKey] { decoder.codingPath(depth: depth) }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    private func lookup(_ key: Key) -> JSONValue? {
        decoder.lookup(key.stringValue, in: entries, depth: depth).map { entries[$0].value }
    }

    private func require(_ key: Key) throws -> JSONValue {
        guard let value = lookup(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return value
    }

    /// The value for `key`, or nil when it is absent or null: both mean "not set", as
    /// they do to the apiserver.
    private func present(_ key: Key) -> JSONValue? {
        guard let value = lookup(key) else { return nil }
        if case .null = value { return nil }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { decoder.codingPath(depth: depth, appending: key) }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try require(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try JSONValueDecoder.unboxBool(try require(key), path(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try JSONValueDecoder.unboxString(try require(key), path(key))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try JSONValueDecoder.unboxDouble(try require(key), path(key))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(try JSONValueDecoder.unboxDouble(try require(key), path(key)))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try JSONValueDecoder.unboxInteger(T.self, try require(key), path(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(T.self, child: try require(key), key: key)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.unboxString(value, path(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.unboxBool(value, path(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.unboxInteger(Int.self, value, path(key))
    }

    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.unboxInteger(Int32.self, value, path(key))
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.unboxInteger(Int64.self, value, path(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try decoder.decode(T.self, child: value, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.detached(child: try require(key), key: key, depth: depth).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.detached(child: try require(key), key: key, depth: depth).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.detached(child: lookup(Key(stringValue: "super")!) ?? .null, key: nil, depth: depth)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.detached(child: lookup(key) ?? .null, key: key, depth: depth)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: JSONValueDecoder
    let depth: Int
    private(set) var currentIndex = 0

    init(elements: [JSONValue], decoder: JSONValueDecoder, depth: Int) {
        self.elements = elements
        self.decoder = decoder
        self.depth = depth
    }

    var codingPath: [any CodingKey] { decoder.codingPath(depth: depth) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var elementPath: [any CodingKey] { decoder.codingPath(depth: depth, appending: IndexCodingKey(currentIndex)) }

    private mutating func next() throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, DecodingError.Context(
                codingPath: elementPath, debugDescription: "unkeyed container is at end"))
        }
        defer { currentIndex += 1 }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let index = currentIndex
        return try JSONValueDecoder.unboxBool(try next(), decoder.codingPath(depth: depth, appending: IndexCodingKey(index)))
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let index = currentIndex
        return try JSONValueDecoder.unboxString(try next(), decoder.codingPath(depth: depth, appending: IndexCodingKey(index)))
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let index = currentIndex
        return try JSONValueDecoder.unboxDouble(try next(), decoder.codingPath(depth: depth, appending: IndexCodingKey(index)))
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let index = currentIndex
        return try JSONValueDecoder.unboxInteger(
            Int.self, try next(), decoder.codingPath(depth: depth, appending: IndexCodingKey(index)))
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let index = currentIndex
        return try JSONValueDecoder.unboxInteger(
            Int64.self, try next(), decoder.codingPath(depth: depth, appending: IndexCodingKey(index)))
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = currentIndex
        return try decoder.decode(T.self, child: try next(), key: IndexCodingKey(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let index = currentIndex
        return try decoder.detached(child: try next(), key: IndexCodingKey(index), depth: depth).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let index = currentIndex
        return try decoder.detached(child: try next(), key: IndexCodingKey(index), depth: depth).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let index = currentIndex
        return decoder.detached(child: try next(), key: IndexCodingKey(index), depth: depth)
    }
}
