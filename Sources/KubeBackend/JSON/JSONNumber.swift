/// A JSON number kept as its literal text, so that no value is rounded through
/// a `Double` on the way back out (an int64 resourceVersion, a large byte count).
/// Two numbers are equal when their values are, whatever their spelling:
/// `1`, `1.0` and `1e0` are one number.
public struct JSONNumber: Sendable {
    /// The literal, valid under RFC 8259's number grammar.
    public let text: String

    /// Nil when `text` is not a JSON number literal.
    public init?(_ text: String) {
        guard JSONNumber.isValidLiteral(text.utf8) else { return nil }
        self.text = text
    }

    init(uncheckedText text: String) {
        self.text = text
    }

    public init(_ value: Int64) {
        text = String(value)
    }

    public init(_ value: Int) {
        text = String(value)
    }

    /// Non-finite doubles have no JSON form and become 0.
    public init(_ value: Double) {
        guard value.isFinite else {
            text = "0"
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            text = String(Int64(value))
        } else {
            text = "\(value)"
        }
    }

    /// The value, if it is an integer literal that fits.
    public var int64Value: Int64? { Int64(text) }

    public var uint64Value: UInt64? { UInt64(text) }

    public var doubleValue: Double { Double(text) ?? 0 }

    static func isValidLiteral(_ bytes: String.UTF8View) -> Bool {
        var iterator = bytes.makeIterator()
        var current = iterator.next()
        func advance() { current = iterator.next() }
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

        if current == UInt8(ascii: "-") { advance() }
        if current == UInt8(ascii: "0") {
            advance()
        } else if isDigit(current) {
            while isDigit(current) { advance() }
        } else {
            return false
        }
        if current == UInt8(ascii: ".") {
            advance()
            guard isDigit(current) else { return false }
            while isDigit(current) { advance() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            advance()
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
            guard isDigit(current) else { return false }
            while isDigit(current) { advance() }
        }
        return current == nil
    }

    /// The value as sign, significant digits and exponent, for value comparison.
    private var normalized: (isNegative: Bool, digits: Substring, exponent: Int) {
        var body = Substring(text)
        let isNegative = body.first == "-"
        if isNegative { body = body.dropFirst() }
        var exponent = 0
        if let marker = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(body[body.index(after: marker)...]) ?? 0
            body = body[..<marker]
        }
        var digits = ""
        if let point = body.firstIndex(of: ".") {
            let fraction = body[body.index(after: point)...]
            exponent -= fraction.count
            digits = String(body[..<point]) + fraction
        } else {
            digits = String(body)
        }
        var significant = Substring(digits).drop(while: { $0 == "0" })
        while significant.last == "0" {
            significant = significant.dropLast()
            exponent += 1
        }
        if significant.isEmpty { return (false, "", 0) }
        return (isNegative, significant, exponent)
    }
}

extension JSONNumber: Hashable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        let left = lhs.normalized
        let right = rhs.normalized
        return left.isNegative == right.isNegative && left.digits == right.digits && left.exponent == right.exponent
    }

    public func hash(into hasher: inout Hasher) {
        let value = normalized
        hasher.combine(value.isNegative)
        hasher.combine(value.digits)
        hasher.combine(value.exponent)
    }
}

extension JSONNumber: CustomStringConvertible, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public var description: String { text }
    public init(integerLiteral value: Int64) { self.init(value) }
    public init(floatLiteral value: Double) { self.init(value) }
}
