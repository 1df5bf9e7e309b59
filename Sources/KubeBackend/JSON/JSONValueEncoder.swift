import Foundation

/// Encodes `Encodable` values into a `JSONValue` tree. Containers are handed out
/// as values but must write into their parent later, so the tree under
/// construction lives in reference-typed nodes until `finish()`.
final class JSONValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    fileprivate var root: EncodingNode = .empty

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    /// Sets the whole value directly (used by `JSONValue`'s own encoding).
    func store(_ value: JSONValue) {
        root = .value(value)
    }

    func finish() -> JSONValue {
        root.resolved ?? JSONValue.object(JSONObject())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing) = root {
            box = existing
        } else {
            box = ObjectBox()
            root = .object(box)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing) = root {
            box = existing
        } else {
            box = ArrayBox()
            root = .array(box)
        }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    // MARK: Shared conversion

    static func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSONValue {
        if let string = value as? String { return .string(string) }
        // Kubernetes objects carry times as RFC 3339 strings (`Timestamp`); a `Date` is one
        // of fleetd's own records, stored as seconds since 1970 (see Fleet's RecordCoding).
        if let date = value as? Date { return .number(JSONNumber(date.timeIntervalSince1970)) }
        let encoder = JSONValueEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        var result = encoder.finish()
        if let preserving = value as? any PreservesUnknownFields,
           !preserving.unknownFields.isEmpty,
           case .object(var object) = result
        {
            for entry in preserving.unknownFields where object[entry.key] == nil {
                object[entry.key] = entry.value
            }
            result = .object(object)
        }
        return result
    }
}

/// A value under construction.
fileprivate enum EncodingNode {
    case empty
    case value(JSONValue)
    case object(ObjectBox)
    case array(ArrayBox)
    case encoder(JSONValueEncoder)

    var resolved: JSONValue? {
        switch self {
        case .empty: return nil
        case .value(let value): return value
        case .object(let box): return .object(JSONObject(box.entries.map { JSONObject.Entry(key: $0.key, value: $0.node.resolved ?? .object(JSONObject())) }))
        case .array(let box): return .array(box.elements.map { $0.resolved ?? .object(JSONObject()) })
        case .encoder(let encoder): return encoder.finish()
        }
    }
}

fileprivate final class ObjectBox {
    var entries: [(key: String, node: EncodingNode)] = []

    func set(_ key: String, _ node: EncodingNode) {
        entries.append((key, node))
    }
}

fileprivate final class ArrayBox {
    var elements: [EncodingNode] = []
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ObjectBox
    let codingPath: [any CodingKey]

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .value(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .value(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .value(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.set(key.stringValue, .value(.number(JSONNumber(value)))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, .value(.number(JSONNumber(value)))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, .value(.number(JSONNumber(Int64(value))))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .value(.number(JSONNumber(value)))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.set(key.stringValue, .value(try JSONValueEncoder.encode(value, codingPath: path(key))))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = ObjectBox()
        box.set(key.stringValue, .object(child))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = ArrayBox()
        box.set(key.stringValue, .array(child))
        return UnkeyedContainer(box: child, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONValueEncoder(codingPath: codingPath + [AnyCodingKey("super")])
        box.set("super", .encoder(encoder))
        return encoder
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = JSONValueEncoder(codingPath: path(key))
        box.set(key.stringValue, .encoder(encoder))
        return encoder
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: ArrayBox
    let codingPath: [any CodingKey]

    var count: Int { box.elements.count }

    private var elementPath: [any CodingKey] { codingPath + [AnyCodingKey(intValue: count)] }

    mutating func encodeNil() throws { box.elements.append(.value(.null)) }
    mutating func encode(_ value: Bool) throws { box.elements.append(.value(.bool(value))) }
    mutating func encode(_ value: String) throws { box.elements.append(.value(.string(value))) }
    mutating func encode(_ value: Int) throws { box.elements.append(.value(.number(JSONNumber(value)))) }
    mutating func encode(_ value: Int64) throws { box.elements.append(.value(.number(JSONNumber(value)))) }
    mutating func encode(_ value: Double) throws { box.elements.append(.value(.number(JSONNumber(value)))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.elements.append(.value(try JSONValueEncoder.encode(value, codingPath: elementPath)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = ObjectBox()
        let path = elementPath
        box.elements.append(.object(child))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = ArrayBox()
        let path = elementPath
        box.elements.append(.array(child))
        return UnkeyedContainer(box: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONValueEncoder(codingPath: elementPath)
        box.elements.append(.encoder(encoder))
        return encoder
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.store(.null) }
    mutating func encode(_ value: Bool) throws { encoder.store(.bool(value)) }
    mutating func encode(_ value: String) throws { encoder.store(.string(value)) }
    mutating func encode(_ value: Double) throws { encoder.store(.number(JSONNumber(value))) }
    mutating func encode(_ value: Float) throws { encoder.store(.number(JSONNumber(Double(value)))) }
    mutating func encode(_ value: Int) throws { encoder.store(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int8) throws { encoder.store(.number(JSONNumber(Int64(value)))) }
    mutating func encode(_ value: Int16) throws { encoder.store(.number(JSONNumber(Int64(value)))) }
    mutating func encode(_ value: Int32) throws { encoder.store(.number(JSONNumber(Int64(value)))) }
    mutating func encode(_ value: Int64) throws { encoder.store(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt) throws { encoder.store(.number(JSONNumber(uncheckedText: String(value)))) }
    mutating func encode(_ value: UInt8) throws { encoder.store(.number(JSONNumber(Int64(value)))) }
    mutating func encode(_ value: UInt16) throws { encoder.store(.number(JSONNumber(Int64(value)))) }
    mutating func encode(_ value: UInt32) throws { encoder.store(.number(JSONNumber(Int64(value)))) }
    mutating func encode(_ value: UInt64) throws { encoder.store(.number(JSONNumber(uncheckedText: String(value)))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.store(try JSONValueEncoder.encode(value, codingPath: codingPath))
    }
}
