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
        var unknown: [JSONObject.Entry] = []
        for entry in object where CodingKeys(stringValue: entry.key) == nil {
            unknown.append(entry)
        }
        return JSONObject(uniqueEntries: unknown)
    }
}

/// Decodes `Decodable` values from a `JSONValue` tree.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [any CodingKey]) {
        self.value = value
        self.codingPath = codingPath
    }

    /// The literal text when the value is a JSON number (for exact quantities).
    var rawNumberText: String? { value.numberValue?.text }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw JSONValueDecoder.typeMismatch(JSONObject.self, value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw JSONValueDecoder.typeMismatch([JSONValue].self, value, codingPath)
        }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }

    // MARK: Shared conversions

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T {
        if T.self == String.self { return try unboxString(value, codingPath) as! T }
        if let preserving = T.self as? any PreservesUnknownFields.Type {
            return try decodePreserving(preserving, from: value, codingPath: codingPath) as! T
        }
        return try T(from: JSONValueDecoder(value: value, codingPath: codingPath))
    }

    private static func decodePreserving<T: PreservesUnknownFields>(
        _ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]
    ) throws -> T {
        var decoded = try T(from: JSONValueDecoder(value: value, codingPath: codingPath))
        if case .object(let object) = value {
            decoded.unknownFields = T.unknownFields(of: object)
        }
        return decoded
    }

    static func typeMismatch(_ expected: Any.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
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
            expected, DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(expected), found \(found)"))
    }

    static func unboxString(_ value: JSONValue, _ codingPath: [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw typeMismatch(String.self, value, codingPath) }
        return string
    }

    static func unboxBool(_ value: JSONValue, _ codingPath: [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw typeMismatch(Bool.self, value, codingPath) }
        return flag
    }

    static func unboxDouble(_ value: JSONValue, _ codingPath: [any CodingKey]) throws -> Double {
        guard case .number(let number) = value, let double = Double(number.text) else {
            throw typeMismatch(Double.self, value, codingPath)
        }
        return double
    }

    static func unboxInteger<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) throws -> T {
        guard case .number(let number) = value else { throw typeMismatch(T.self, value, codingPath) }
        guard let integer = T(number.text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath, debugDescription: "number \(number.text) is not a valid \(T.self)"))
        }
        return integer
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]
    /// Built for large objects (label maps, ConfigMap data) so lookups stay O(1).
    private let index: [String: Int]?

    init(object: JSONObject, codingPath: [any CodingKey]) {
        self.object = object
        self.codingPath = codingPath
        if object.count > 12 {
            var index: [String: Int] = [:]
            index.reserveCapacity(object.count)
            for (position, entry) in object.entries.enumerated() { index[entry.key] = position }
            self.index = index
        } else {
            self.index = nil
        }
    }

    var allKeys: [Key] { object.entries.compactMap { Key(stringValue: $0.key) } }

    private func lookup(_ key: Key) -> JSONValue? {
        if let index {
            return index[key.stringValue].map { object.entries[$0].value }
        }
        for entry in object.entries where entry.key == key.stringValue { return entry.value }
        return nil
    }

    private func require(_ key: Key) throws -> JSONValue {
        guard let value = lookup(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

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
        try JSONValueDecoder.decode(T.self, from: try require(key), codingPath: path(key))
    }

    // Absent and null both mean "not set", as they do to the apiserver.
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = lookup(key), value != .null else { return nil }
        return try JSONValueDecoder.unboxString(value, path(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = lookup(key), value != .null else { return nil }
        return try JSONValueDecoder.unboxBool(value, path(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = lookup(key), value != .null else { return nil }
        return try JSONValueDecoder.unboxInteger(Int.self, value, path(key))
    }

    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let value = lookup(key), value != .null else { return nil }
        return try JSONValueDecoder.unboxInteger(Int32.self, value, path(key))
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let value = lookup(key), value != .null else { return nil }
        return try JSONValueDecoder.unboxInteger(Int64.self, value, path(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = lookup(key), value != .null else { return nil }
        return try JSONValueDecoder.decode(T.self, from: value, codingPath: path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(value: try require(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(value: try require(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: lookup(Key(stringValue: "super")!) ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(value: lookup(key) ?? .null, codingPath: path(key))
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var elementPath: [any CodingKey] { codingPath + [AnyCodingKey(intValue: currentIndex)] }

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
        let path = elementPath
        return try JSONValueDecoder.unboxBool(try next(), path)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let path = elementPath
        return try JSONValueDecoder.unboxString(try next(), path)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let path = elementPath
        return try JSONValueDecoder.unboxDouble(try next(), path)
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let path = elementPath
        return try JSONValueDecoder.unboxInteger(Int.self, try next(), path)
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let path = elementPath
        return try JSONValueDecoder.unboxInteger(Int64.self, try next(), path)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = elementPath
        return try JSONValueDecoder.decode(T.self, from: try next(), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = elementPath
        return try JSONValueDecoder(value: try next(), codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = elementPath
        return try JSONValueDecoder(value: try next(), codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = elementPath
        return JSONValueDecoder(value: try next(), codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.unboxBool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.unboxString(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONValueDecoder.unboxDouble(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try JSONValueDecoder.unboxDouble(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.unboxInteger(Int.self, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueDecoder.unboxInteger(Int8.self, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueDecoder.unboxInteger(Int16.self, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueDecoder.unboxInteger(Int32.self, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.unboxInteger(Int64.self, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONValueDecoder.unboxInteger(UInt.self, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueDecoder.unboxInteger(UInt8.self, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueDecoder.unboxInteger(UInt16.self, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueDecoder.unboxInteger(UInt32.self, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueDecoder.unboxInteger(UInt64.self, value, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONValueDecoder.decode(T.self, from: value, codingPath: codingPath)
    }
}
