/// A validated JSON document as a flat array of tokens over its bytes. Nothing is built
/// (no `String`, no array, no `JSONValue`) until a reader asks for that value, so a
/// model can be decoded from it without a tree that is thrown away straight after.
///
/// This is the one type that holds a pointer into the caller's bytes; a tape exists only
/// inside `JSONTape.withTape(of:_:)`, and everything it hands out is a copy.
struct JSONTape {
    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    struct Token {
        var kind: Kind
        var flags: Flags
        /// Strings: the first byte after the opening quote. Numbers: the first byte.
        /// Objects: `keyLengthBit` of every key, or'ed (all bits if a key has escapes or
        /// bytes beyond ASCII, whose length as text is not their length in bytes).
        var start: UInt32
        /// Strings and numbers: the length in bytes. Objects: entries. Arrays: elements.
        var length: UInt32
        /// The index of the first token after this value (and everything inside it).
        var end: UInt32
    }

    struct Flags: OptionSet {
        let rawValue: UInt8
        /// A string with backslash escapes: its text must be decoded, not copied.
        static let escaped = Flags(rawValue: 1)
        /// A string with bytes beyond ASCII.
        static let nonASCII = Flags(rawValue: 2)
        /// An object in which a key appears more than once.
        static let duplicateKeys = Flags(rawValue: 4)

        // SetAlgebra's own isEmpty compares through generic code, once per key looked up.
        var isEmpty: Bool { rawValue == 0 }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    /// Borrowed from the parser's buffer for as long as the tape exists, so that copying a
    /// tape (every object reader holds one) costs no reference counting.
    private let tokens: UnsafeBufferPointer<Token>

    /// Runs `body` with the tape of `data`. The tape must not outlive `body`.
    static func withTape<R>(of data: some Collection<UInt8>, _ body: (JSONTape) throws -> R) throws -> R {
        let result = try data.withContiguousStorageIfAvailable { buffer in try withTape(of: buffer, body) }
        if let result { return result }
        return try Array(data).withUnsafeBufferPointer { buffer in try withTape(of: buffer, body) }
    }

    private static func withTape<R>(of buffer: UnsafeBufferPointer<UInt8>, _ body: (JSONTape) throws -> R) throws -> R {
        var parser = Parser(bytes: buffer)
        try parser.parseDocument()
        return try parser.withTape(body)
    }

    /// The document as a `JSONValue` tree.
    static func value(of data: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        func build(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
            var parser = Parser(bytes: buffer)
            do throws(JSONParseError) {
                try parser.parseDocument()
            } catch {
                return .failure(error)
            }
            return .success(parser.withTape { $0.value(at: 0) })
        }
        let result = data.withContiguousStorageIfAvailable(build)
        return try (result ?? Array(data).withUnsafeBufferPointer(build)).get()
    }

    init(bytes: UnsafeBufferPointer<UInt8>, tokens: UnsafeBufferPointer<Token>) {
        self.bytes = bytes
        self.tokens = tokens
    }

    // MARK: Reading tokens

    func kind(at index: Int) -> Kind { tokens[index].kind }

    /// The index of the token after the value at `index`.
    func end(of index: Int) -> Int { Int(tokens[index].end) }

    func count(at index: Int) -> Int { Int(tokens[index].length) }

    func hasDuplicateKeys(at index: Int) -> Bool { tokens[index].flags.contains(.duplicateKeys) }

    /// For the object at `index`: a key of UTF-8 length `n` can be there only if
    /// `keyLengthBit(n)` is set.
    func keyLengths(at index: Int) -> UInt32 { tokens[index].start }

    @inline(__always) static func keyLengthBit(_ length: Int) -> UInt32 { 1 << UInt32(length & 31) }

    /// The text of the string token at `index`, escapes decoded; invalid UTF-8 is
    /// repaired with U+FFFD, as `String(decoding:as:)` does.
    func string(at index: Int) -> String {
        let token = tokens[index]
        let text = UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.start + token.length)])
        guard token.flags.contains(.escaped) else { return String(decoding: text, as: UTF8.self) }
        return String(decoding: JSONTape.unescape(text), as: UTF8.self)
    }

    /// The string value of `key` in the object at `index`: the last one if the key is
    /// repeated, as in the parsed tree; nil when it is absent or not a string.
    func string(forKey key: String, inObjectAt index: Int) -> String? {
        var found: String?
        var keyToken = index + 1
        for _ in 0..<count(at: index) {
            if string(at: keyToken, equalsASCII: key) {
                found = kind(at: keyToken + 1) == .string ? string(at: keyToken + 1) : nil
            }
            keyToken = end(of: keyToken + 1)
        }
        return found
    }

    /// The literal of the number token at `index`.
    func numberText(at index: Int) -> String {
        let token = tokens[index]
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.start + token.length)]), as: UTF8.self)
    }

    /// False when the string token at `index` cannot be a key of `length` UTF-8 bytes:
    /// a cheap first test before `string(at:equalsASCII:)`.
    @inline(__always) func keyMayHaveLength(at index: Int, _ length: Int) -> Bool {
        let token = tokens[index]
        return !token.flags.isEmpty || Int(token.length) == length
    }

    /// Whether the string token at `index` is `name`, an ASCII coding key, compared as
    /// `String`s compare: only a key with escapes or bytes beyond ASCII can differ in
    /// bytes and still be equal (canonical equivalence), so only those build a `String`.
    func string(at index: Int, equalsASCII name: String) -> Bool {
        let token = tokens[index]
        guard token.flags.isEmpty else { return string(at: index) == name }
        let length = Int(token.length)
        guard length == name.utf8.count else { return false }
        guard length > 0 else { return true }
        let text = bytes.baseAddress! + Int(token.start)
        return name.utf8.withContiguousStorageIfAvailable { memoryEqual(text, $0.baseAddress!, length) }
            ?? name.utf8.elementsEqual(UnsafeBufferPointer(start: text, count: length))
    }

    /// Whether two key tokens are the same key (as `String`s compare).
    func keysEqual(_ first: Int, _ second: Int) -> Bool {
        let left = tokens[first]
        let right = tokens[second]
        if left.flags.isEmpty && right.flags.isEmpty {
            guard left.length == right.length else { return false }
            return memoryEqual(bytes.baseAddress! + Int(left.start), bytes.baseAddress! + Int(right.start), Int(left.length))
        }
        return string(at: first) == string(at: second)
    }

    private func memoryEqual(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        // A plain loop: iterating a range here went through unspecialized stdlib code.
        var offset = 0
        while offset < count {
            if left[offset] != right[offset] { return false }
            offset += 1
        }
        return true
    }

    // MARK: Building values

    /// The value at `index` as a `JSONValue` tree.
    func value(at index: Int) -> JSONValue {
        let token = tokens[index]
        switch token.kind {
        case .object: return .object(object(at: index))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(token.length))
            var element = index + 1
            for _ in 0..<token.length {
                elements.append(value(at: element))
                element = end(of: element)
            }
            return .array(elements)
        case .string: return .string(string(at: index))
        case .number: return .number(JSONNumber(uncheckedText: numberText(at: index)))
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }

    /// The object at `index`; a key given twice keeps its first place and last value.
    func object(at index: Int) -> JSONObject {
        var entries: [JSONObject.Entry] = []
        entries.reserveCapacity(count(at: index))
        var key = index + 1
        for _ in 0..<count(at: index) {
            entries.append(JSONObject.Entry(key: string(at: key), value: value(at: key + 1)))
            key = end(of: key + 1)
        }
        return hasDuplicateKeys(at: index) ? JSONObject(entries) : JSONObject(uniqueEntries: entries)
    }

    /// Decodes the escapes of a string the parser has validated.
    private static func unescape(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var position = 0
        func hex4(at start: Int) -> UInt32 {
            var value: UInt32 = 0
            for byte in text[start..<start + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                default: digit = byte - UInt8(ascii: "A") + 10
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while position < text.count {
            let byte = text[position]
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                position += 1
                continue
            }
            let escape = text[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: position)
                position += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate pairs with a following \u low surrogate; a lone one becomes U+FFFD.
                    if position + 6 <= text.count, text[position] == UInt8(ascii: "\\"), text[position + 1] == UInt8(ascii: "u"),
                       case let low = hex4(at: position + 2), (0xDC00..<0xE000).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                result.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                result.append(escape)  // \" \\ \/
            }
        }
        return result
    }
}
