/// Custom metadata of a call: an ordered multimap of lower-case keys to values.
/// Keys ending in `-bin` carry binary values; they travel base64-encoded.
public struct Metadata: Sendable, Equatable, Sequence {
    public enum Value: Sendable, Equatable {
        case string(String)
        case binary([UInt8])
    }

    public struct Element: Sendable, Equatable {
        public var key: String
        public var value: Value
    }

    private var elements: [Element] = []

    public init() {}

    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }

    public func makeIterator() -> IndexingIterator<[Element]> { elements.makeIterator() }

    /// Adds a text value. The key is lower-cased.
    public mutating func add(_ key: String, _ value: String) {
        elements.append(Element(key: key.lowercased(), value: .string(value)))
    }

    /// Adds a binary value. The key is lower-cased and must end in `-bin`.
    public mutating func add(_ key: String, binary value: [UInt8]) {
        precondition(key.hasSuffix("-bin"), "binary metadata keys end in -bin")
        elements.append(Element(key: key.lowercased(), value: .binary(value)))
    }

    /// Adds a value as it arrived on the wire: `-bin` values are base64 (padded or not).
    /// Returns false when a `-bin` value is not valid base64.
    @discardableResult
    public mutating func addWireValue(key: String, value: String) -> Bool {
        if key.withUTF8Bytes({ $0.ends(withASCII: "-bin") }) {
            guard let bytes = Base64.decode(value) else { return false }
            elements.append(Element(key: key, value: .binary(bytes)))
        } else {
            elements.append(Element(key: key, value: .string(value)))
        }
        return true
    }

    /// Adds an element as it is (its key is already lower-case).
    mutating func append(_ element: Element) {
        elements.append(element)
    }

    /// Every value under `key`, in order.
    public subscript(key: String) -> [Value] {
        let key = key.lowercased()
        return elements.lazy.filter { $0.key == key }.map(\.value)
    }

    /// The first text value under `key`.
    public func first(_ key: String) -> String? {
        for element in elements where element.key == key {
            if case .string(let value) = element.value { return value }
        }
        return nil
    }

    /// The first binary value under `key`.
    public func firstBinary(_ key: String) -> [UInt8]? {
        for element in elements where element.key == key {
            if case .binary(let value) = element.value { return value }
        }
        return nil
    }

    /// The metadata as wire header fields: `-bin` values are base64 without padding.
    var wireFields: [HeaderField] {
        elements.map { element in
            switch element.value {
            case .string(let s): HeaderField(element.key, s)
            case .binary(let b): HeaderField(element.key, Base64.encode(b, padded: false))
            }
        }
    }
}

/// One HTTP/2 header field as the transport sends or received it.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
