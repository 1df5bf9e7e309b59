/// A model that `KubeJSON` encodes straight to bytes instead of through `Encoder`: the
/// counterpart of `JSONObjectDecodable` for the objects fleetd writes on every Deploy.
/// Going through `Encoder` costs a container box, existential calls and a `JSONValue`
/// tree for every field; that was most of what a Deploy cost fleetd past the network.
///
/// `write(to:)` must give exactly the bytes of the `Encodable` conformance through
/// `JSONValueEncoder` and `JSONWriter`: the same keys in the same order, nil fields left
/// out, unknown fields after the known ones (the tests encode models both ways and
/// compare).
protocol JSONObjectEncodable: PreservesUnknownFields, Encodable {
    associatedtype CodingKeys: CodingKey
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws
}

extension JSONObjectEncodable {
    /// The model as one JSON object, appended to `output`.
    func writeJSON(into output: inout [UInt8]) throws {
        // A hand-made unknown field named like a coding key would be dropped by the tree
        // encoder when that field is set; keep that rule by letting it decide.
        guard unknownFields.allSatisfy({ CodingKeys(stringValue: $0.key) == nil }) else {
            JSONWriter.write(try JSONValueEncoder.encode(self, codingPath: []), into: &output)
            return
        }
        try JSONObjectWriter<CodingKeys>.append(to: &output, unknownFields: unknownFields) { try write(to: &$0) }
    }
}

/// Writes one JSON object's fields by coding key, the hand-written counterpart of a keyed
/// encoding container. Each method leaves out a nil value, as `encodeIfPresent` does.
struct JSONObjectWriter<Key: CodingKey> {
    private var output: [UInt8]
    private var isEmpty = true

    /// Appends one object to `output`: the fields `body` writes, then `unknownFields`.
    /// The bytes move into the writer and back; on an error the caller drops them.
    static func append(
        to output: inout [UInt8], unknownFields: JSONObject = JSONObject(), _ body: (inout JSONObjectWriter) throws -> Void
    ) rethrows {
        var taken: [UInt8] = []
        swap(&taken, &output)
        var fields = JSONObjectWriter(output: taken)
        try body(&fields)
        output = fields.finish(unknownFields: unknownFields)
    }

    private init(output: consuming [UInt8]) {
        self.output = output
        self.output.append(UInt8(ascii: "{"))
    }

    private consuming func finish(unknownFields: JSONObject) -> [UInt8] {
        for entry in unknownFields {
            writeKey(entry.key)
            JSONWriter.write(entry.value, into: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    private mutating func writeKey(_ name: String) {
        if !isEmpty { output.append(UInt8(ascii: ",")) }
        isEmpty = false
        JSONWriter.writeString(name, into: &output)
        output.append(UInt8(ascii: ":"))
    }

    private mutating func writeKey(_ key: Key) {
        writeKey(key.stringValue)
    }

    // MARK: Scalars

    mutating func string(_ key: Key, _ value: String?) {
        guard let value else { return }
        writeKey(key)
        JSONWriter.writeString(value, into: &output)
    }

    mutating func integer<T: FixedWidthInteger>(_ key: Key, _ value: T?) {
        guard let value else { return }
        writeKey(key)
        output.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ key: Key, _ value: Bool?) {
        guard let value else { return }
        writeKey(key)
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func timestamp(_ key: Key, _ value: Timestamp?) {
        string(key, value?.rawValue)
    }

    /// Any JSON, written as it is kept (`affinity`, `managedFields`, `strategy`).
    mutating func json(_ key: Key, _ value: JSONValue?) {
        guard let value else { return }
        writeKey(key)
        JSONWriter.write(value, into: &output)
    }

    // MARK: Collections

    /// Any sequence of strings as an array, in its own order (a `Set` as its `Encodable`
    /// conformance writes it).
    mutating func strings(_ key: Key, _ values: (some Sequence<String>)?) {
        guard let values else { return }
        writeKey(key)
        output.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(value, into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// In the dictionary's own order, as `Dictionary`'s `Encodable` conformance writes it.
    mutating func stringMap(_ key: Key, _ map: [String: String]?) {
        guard let map else { return }
        writeKey(key)
        writeMap(map) { JSONWriter.writeString($0, into: &$1) }
    }

    mutating func quantities(_ key: Key, _ map: [String: Quantity]?) {
        guard let map else { return }
        writeKey(key)
        writeMap(map) { JSONWriter.writeString($0.description, into: &$1) }
    }

    private mutating func writeMap<Value>(_ map: [String: Value], _ writeValue: (Value, inout [UInt8]) -> Void) {
        output.append(UInt8(ascii: "{"))
        var first = true
        for (name, value) in map {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.writeString(name, into: &output)
            output.append(UInt8(ascii: ":"))
            writeValue(value, &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    // MARK: Nested values

    mutating func object<T: JSONObjectEncodable>(_ key: Key, _ value: T?) throws {
        guard let value else { return }
        writeKey(key)
        try value.writeJSON(into: &output)
    }

    mutating func objects<T: JSONObjectEncodable>(_ key: Key, _ values: [T]?) throws {
        guard let values else { return }
        writeKey(key)
        output.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            try value.writeJSON(into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// A nested object written field by field by `body`, for types that are not
    /// `JSONObjectEncodable` themselves (fleetd's own records).
    mutating func object<NestedKey: CodingKey>(
        _ key: Key, keyedBy: NestedKey.Type, _ body: (inout JSONObjectWriter<NestedKey>) throws -> Void
    ) rethrows {
        writeKey(key)
        try JSONObjectWriter<NestedKey>.append(to: &output, body)
    }

    /// A number as `JSONNumber` spells it (a `Date` as seconds since 1970, say).
    mutating func number(_ key: Key, _ value: JSONNumber?) {
        guard let value else { return }
        writeKey(key)
        output.append(contentsOf: value.text.utf8)
    }

    /// Any other `Encodable` field (a status, say), through `JSONValueEncoder`.
    mutating func encodable<T: Encodable>(_ key: Key, _ value: T?) throws {
        guard let value else { return }
        writeKey(key)
        JSONWriter.write(try JSONValueEncoder.encode(value, codingPath: [key]), into: &output)
    }
}
