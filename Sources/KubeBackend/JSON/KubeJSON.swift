/// JSON for Kubernetes objects: decoding keeps every field the models have no
/// property for, and encoding writes them back, so a read-modify-write loses
/// nothing. Numbers keep their exact text.
///
/// Use these rather than Foundation's JSONDecoder/JSONEncoder, which would drop
/// unknown fields.
public enum KubeJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try JSONTape.withTape(of: bytes) { tape in try JSONTapeDecoder(tape: tape).decode(type, at: 0) }
    }

    /// `decode(_:from:)`, or nil when the document is a `Status` instead (what a delete
    /// answers once the object is gone). The bytes are parsed once either way.
    static func decodeUnlessStatus<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T? {
        try JSONTape.withTape(of: bytes) { tape in
            if tape.kind(at: 0) == .object, tape.string(forKey: "kind", inObjectAt: 0) == "Status" { return nil }
            return try JSONTapeDecoder(tape: tape).decode(type, at: 0)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoder.decode(type, from: value, codingPath: [])
    }

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        guard let direct = value as? any JSONObjectEncodable else {
            return JSONWriter.serialize(try encodeToValue(value))
        }
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        try direct.writeJSON(into: &output)
        return output
    }

    public static func encodeToValue<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValueEncoder.encode(value, codingPath: [])
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(bytes)
    }

    public static func serialize(_ value: JSONValue) -> [UInt8] {
        JSONWriter.serialize(value)
    }
}
