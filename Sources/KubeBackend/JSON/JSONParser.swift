/// Why bytes are not a JSON document.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem.
    public let offset: Int
    public let reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// An RFC 8259 parser into `JSONValue`. Numbers keep their text; duplicate keys
/// keep the last value, as Go's encoding/json (and so the apiserver) does.
enum JSONParser {
    static let maximumDepth = 512

    static func parse(_ data: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONTape.value(of: data)
    }
}

extension JSONTape {
    /// Validates a document and records its tokens; `JSONTape` builds values from them.
    struct Parser: ~Copyable {
        private let bytes: UnsafeBufferPointer<UInt8>
        private var position = 0
        private var depth = 0
        private var tokens: TokenBuffer

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            // About one token per 6 bytes in Kubernetes objects; growing past it is fine.
            tokens = TokenBuffer(capacity: bytes.count / 6)
        }

        /// Runs `body` with the tape of the parsed document (after `parseDocument()`), or
        /// of the tokens so far (to compare keys while parsing).
        func withTape<R>(_ body: (JSONTape) throws -> R) rethrows -> R {
            try tokens.withBuffer { try body(JSONTape(bytes: bytes, tokens: $0)) }
        }

        mutating func parseDocument() throws(JSONParseError) {
            guard bytes.count < Int(UInt32.max) else { throw error("document larger than 4 GiB") }
            skipWhitespace()
            try parseValue()
            skipWhitespace()
            guard position == bytes.count else { throw error("unexpected data after the document") }
        }

        private func error(_ reason: String) -> JSONParseError {
            JSONParseError(offset: position, reason: reason)
        }

        private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        @inline(__always)
        private mutating func skipWhitespace() {
            // Compact JSON, what servers send, has none: one comparison settles it.
            guard position < bytes.count, bytes[position] <= 0x20 else { return }
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        private mutating func expect(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            guard position + count <= bytes.count else { throw error("unexpected end of input") }
            for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] {
                throw error("invalid literal")
            }
            position += count
        }

        private mutating func append(_ kind: Kind, start: Int, length: Int, flags: Flags = []) {
            tokens.append(Token(kind: kind, flags: flags, start: UInt32(start), length: UInt32(length), end: UInt32(tokens.count + 1)))
        }

        private mutating func parseValue() throws(JSONParseError) {
            guard let byte = current else { throw error("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"): try parseObject()
            case UInt8(ascii: "["): try parseArray()
            case UInt8(ascii: "\""): try parseString()
            case UInt8(ascii: "t"):
                try expect("true")
                append(.true, start: position - 4, length: 4)
            case UInt8(ascii: "f"):
                try expect("false")
                append(.false, start: position - 5, length: 5)
            case UInt8(ascii: "n"):
                try expect("null")
                append(.null, start: position - 4, length: 4)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try parseNumber()
            default:
                throw error("unexpected character")
            }
        }

        private mutating func enterContainer() throws(JSONParseError) {
            depth += 1
            guard depth <= JSONParser.maximumDepth else { throw error("nesting too deep") }
            position += 1
            skipWhitespace()
        }

        /// Closes the container opened at token `index`.
        private mutating func close(_ index: Int, count: Int, flags: Flags = [], keyLengths: UInt32 = 0) {
            if tokens[index].kind == .object { tokens[index].start = keyLengths }
            tokens[index].length = UInt32(count)
            tokens[index].end = UInt32(tokens.count)
            tokens[index].flags = flags
        }

        private mutating func parseObject() throws(JSONParseError) {
            let index = tokens.count
            append(.object, start: position, length: 0)
            try enterContainer()
            defer { depth -= 1 }
            if current == UInt8(ascii: "}") {
                position += 1
                close(index, count: 0)
                return
            }
            var count = 0
            var hasDuplicates = false
            var seen: Set<String>? = nil
            // One bit per key length (mod 64): only a key whose length was seen before
            // can be a duplicate, so most keys skip the comparisons.
            var lengthsSeen: UInt64 = 0
            var keyLengths: UInt32 = 0
            while true {
                guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = tokens.count
                try parseString()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                skipWhitespace()
                try parseValue()
                // Small objects check duplicates by comparing bytes; large ones keep a set.
                let lengthBit: UInt64 = 1 << (UInt64(tokens[key].length) & 63)
                let escapedKey = !tokens[key].flags.isEmpty
                keyLengths |= escapedKey ? UInt32.max : JSONTape.keyLengthBit(Int(tokens[key].length))
                if count < 16 {
                    if lengthsSeen & lengthBit != 0 || escapedKey || lengthsSeen & 1 != 0 {
                        hasDuplicates = hasDuplicates || withTape { keys in
                            var other = index + 1
                            for _ in 0..<count {
                                if keys.keysEqual(other, key) { return true }
                                other = keys.end(of: other + 1)
                            }
                            return false
                        }
                    }
                    lengthsSeen |= escapedKey ? 1 : lengthBit
                } else {
                    if seen == nil {
                        seen = withTape { keys in
                            var names = Set<String>()
                            var other = index + 1
                            for _ in 0..<count {
                                names.insert(keys.string(at: other))
                                other = keys.end(of: other + 1)
                            }
                            return names
                        }
                    }
                    if !seen!.insert(withTape { $0.string(at: key) }).inserted { hasDuplicates = true }
                }
                count += 1
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace()
                case UInt8(ascii: "}"):
                    position += 1
                    close(index, count: count, flags: hasDuplicates ? .duplicateKeys : [], keyLengths: keyLengths)
                    return
                default:
                    throw error("expected ',' or '}'")
                }
            }
        }

        private mutating func parseArray() throws(JSONParseError) {
            let index = tokens.count
            append(.array, start: position, length: 0)
            try enterContainer()
            defer { depth -= 1 }
            if current == UInt8(ascii: "]") {
                position += 1
                close(index, count: 0)
                return
            }
            var count = 0
            while true {
                try parseValue()
                count += 1
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace()
                case UInt8(ascii: "]"):
                    position += 1
                    close(index, count: count)
                    return
                default:
                    throw error("expected ',' or ']'")
                }
            }
        }

        private mutating func parseNumber() throws(JSONParseError) {
            let start = position
            func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
            if current == UInt8(ascii: "-") { position += 1 }
            if current == UInt8(ascii: "0") {
                position += 1
            } else if isDigit(current) {
                while isDigit(current) { position += 1 }
            } else {
                throw error("invalid number")
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard isDigit(current) else { throw error("invalid number") }
                while isDigit(current) { position += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard isDigit(current) else { throw error("invalid number") }
                while isDigit(current) { position += 1 }
            }
            append(.number, start: start, length: position - start)
        }

        private mutating func parseString() throws(JSONParseError) {
            position += 1
            let start = position
            var flags: Flags = []
            let count = bytes.count
            while position < count {
                position = Self.skipPlainBytes(bytes, from: position)
                guard position < count else { break }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    append(.string, start: start, length: position - start, flags: flags)
                    position += 1
                    return
                }
                if byte == UInt8(ascii: "\\") {
                    flags.insert(.escaped)
                    position += 1
                    try validateEscape()
                    continue
                }
                guard byte >= 0x20 else { throw error("control character in string") }
                if byte >= 0x80 { flags.insert(.nonASCII) }
                position += 1
            }
            throw error("unterminated string")
        }

        /// The first position from `start` on that is not a plain ASCII string byte (not
        /// a quote, backslash, control character or beyond ASCII), eight bytes at a time.
        /// Static: as a method it copied the whole parser for every call, and reloading
        /// the position just stored stalled the copy.
        private static func skipPlainBytes(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highBits: UInt64 = 0x8080_8080_8080_8080
            // The high bit of each byte that is zero. A borrow can also mark bytes above the
            // first zero byte, never below it, so the lowest mark is exact.
            func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highBits }
            var position = start
            let base = UnsafeRawPointer(bytes.baseAddress!)
            while position + 8 <= bytes.count {
                // Little-endian: the byte at the lowest address is the lowest in the word.
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let special = word & highBits  // beyond ASCII
                    | zeroBytes(word ^ (ones &* 0x22))  // quote
                    | zeroBytes(word ^ (ones &* 0x5C))  // backslash
                    | (word &- ones &* 0x20) & ~word & highBits  // below 0x20
                if special != 0 { return position + special.trailingZeroBitCount / 8 }
                position += 8
            }
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
                position += 1
            }
            return position
        }

        /// Checks the escape after a backslash; `JSONTape.unescape` decodes it later.
        private mutating func validateEscape() throws(JSONParseError) {
            guard let escape = current else { throw error("unterminated escape") }
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                return
            case UInt8(ascii: "u"):
                let scalar = try parseHex4()
                // A high surrogate takes a following \u escape along when that is a low surrogate.
                guard (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { return }
                let save = position
                position += 2
                if !(0xDC00..<0xE000).contains(try parseHex4()) { position = save }
            default:
                throw error("invalid escape")
            }
        }

        private mutating func parseHex4() throws(JSONParseError) -> UInt16 {
            guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | UInt16(digit)
                position += 1
            }
            return value
        }
    }
}

extension JSONTape {
    /// The parser's tokens, in memory this buffer owns. An array checked its uniqueness
    /// and capacity on every append and its bounds on every access, a tenth of the parse.
    struct TokenBuffer: ~Copyable {
        private var base: UnsafeMutablePointer<Token>
        private var capacity: Int
        private(set) var count = 0

        init(capacity: Int) {
            self.capacity = max(capacity, 16)
            base = .allocate(capacity: self.capacity)
        }

        deinit {
            base.deallocate()
        }

        @inline(__always)
        mutating func append(_ token: Token) {
            if count == capacity { grow() }
            base[count] = token  // a trivial type: assigning initializes
            count += 1
        }

        subscript(index: Int) -> Token {
            get {
                assert(index < count)
                return base[index]
            }
            set {
                assert(index < count)
                base[index] = newValue
            }
        }

        func withBuffer<R>(_ body: (UnsafeBufferPointer<Token>) throws -> R) rethrows -> R {
            try body(UnsafeBufferPointer(start: base, count: count))
        }

        private mutating func grow() {
            let larger = UnsafeMutablePointer<Token>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }
    }
}
