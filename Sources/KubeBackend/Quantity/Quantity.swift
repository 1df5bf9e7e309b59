/// A Kubernetes resource quantity (`resource.Quantity`): an exact decimal number
/// with the suffix style it was written in, parsed, compared, added and printed
/// exactly as the apiserver does.
///
/// Values are exact, never floating point. Parsing keeps precision down to nano
/// (`1e-9`), rounding anything finer away from zero; binary-suffixed values are
/// capped at 2^63-1, as Kubernetes caps them. Equality and ordering compare values:
/// `Quantity("1Gi") == Quantity("1024Mi")`, whatever the format.
public struct Quantity: Sendable {
    /// How a quantity is printed; it is the style of the suffix it was parsed with.
    public enum Format: String, Sendable, Hashable, Codable {
        /// `12e6`
        case decimalExponent = "DecimalExponent"
        /// `12Mi` (12 × 2^20)
        case binarySI = "BinarySI"
        /// `12M` (12 × 10^6)
        case decimalSI = "DecimalSI"
    }

    var amount: ExactDecimal

    public var format: Format {
        didSet { verbatim = nil }
    }

    /// The string this quantity was parsed from, when Kubernetes would print it back
    /// verbatim instead of re-canonicalizing it (see `QuantityParser`).
    var verbatim: String?

    init(amount: ExactDecimal, format: Format, verbatim: String? = nil) {
        self.amount = amount
        self.format = format
        self.verbatim = verbatim
    }

    /// Parses a quantity string such as `"500m"`, `"1.5Gi"` or `"1e3"`.
    public init(parsing text: String) throws(QuantityError) {
        self = try QuantityParser.parse(text)
    }

    /// `value × 10^exponent`, e.g. `Quantity(250, exponent: -3)` is `250m`.
    public init(_ value: Int64, exponent: Int = 0, format: Format = .decimalSI) {
        self.init(amount: ExactDecimal(value, exponent: exponent), format: format)
    }

    /// `milliValue / 1000`.
    public init(milliValue: Int64, format: Format = .decimalSI) {
        self.init(milliValue, exponent: -3, format: format)
    }

    public static let zero = Quantity(0)

    public var isZero: Bool { amount.isZero }

    /// -1, 0 or 1.
    public var signum: Int { amount.signum }

    /// The value rounded to an integer away from zero (Kubernetes' `Value()`),
    /// clamped to the `Int64` range where Kubernetes would overflow.
    public var value: Int64 { amount.roundedInt64(scaleExponent: 0) }

    /// The value in thousandths rounded away from zero (Kubernetes' `MilliValue()`),
    /// clamped to the `Int64` range.
    public var milliValue: Int64 { amount.roundedInt64(scaleExponent: -3) }

    /// The value in units of 10^exponent, rounded away from zero (Kubernetes'
    /// `ScaledValue`), clamped to the `Int64` range.
    public func scaledValue(exponent: Int) -> Int64 {
        amount.roundedInt64(scaleExponent: exponent)
    }

    /// The value rounded away from zero to a multiple of 10^exponent, and whether
    /// that lost nothing (Kubernetes' `RoundUp`).
    public func roundedUp(toExponent exponent: Int) -> (quantity: Quantity, isExact: Bool) {
        let (rounded, isExact) = amount.roundedAwayFromZero(toExponent: exponent)
        return (Quantity(amount: rounded, format: format), isExact)
    }

    /// The value as a `Double`, which may lose precision; for display and ratios only.
    public var approximateDoubleValue: Double {
        let sign = amount.isNegative ? "-" : ""
        return Double("\(sign)\(amount.significand.decimalString)e\(amount.exponent)") ?? 0
    }
}

/// Why a string is not a quantity.
public enum QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// The string does not match `^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`.
    case invalidFormat(String)
    /// The suffix is none of the decimal, binary or exponent suffixes.
    case invalidSuffix(String)
    /// The exponent is too large for exact arithmetic to stay affordable.
    case exponentOutOfRange(String)

    public var description: String {
        switch self {
        case .empty:
            return "a quantity cannot be empty"
        case .invalidFormat(let text):
            return "quantity \"\(text)\" must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        case .invalidSuffix(let text):
            return "unable to parse the suffix of quantity \"\(text)\""
        case .exponentOutOfRange(let text):
            return "the exponent of quantity \"\(text)\" is out of range"
        }
    }
}

// MARK: Arithmetic and comparison

extension Quantity: Hashable, Comparable {
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount == rhs.amount }

    public func hash(into hasher: inout Hasher) { hasher.combine(amount) }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount < rhs.amount }

    /// The sum keeps the left operand's format, unless the left operand is zero, as Kubernetes' `Add` does.
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(amount: lhs.amount + rhs.amount, format: lhs.isZero ? rhs.format : lhs.format)
    }

    /// The difference keeps the left operand's format, unless the left operand is zero, as Kubernetes' `Sub` does.
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(amount: lhs.amount - rhs.amount, format: lhs.isZero ? rhs.format : lhs.format)
    }

    public static prefix func - (operand: Quantity) -> Quantity {
        Quantity(amount: -operand.amount, format: operand.format)
    }

    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs = lhs + rhs }

    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs = lhs - rhs }
}

// MARK: Strings

extension Quantity: CustomStringConvertible, LosslessStringConvertible, ExpressibleByStringLiteral {
    /// The string Kubernetes prints for this quantity: its canonical form, e.g. `"1536Mi"` for `1.5Gi`.
    public var description: String {
        verbatim ?? QuantityFormatter.canonicalString(amount: amount, format: format)
    }

    public init?(_ description: String) {
        guard let parsed = try? QuantityParser.parse(description) else { return nil }
        self = parsed
    }

    /// For literals in code, like Kubernetes' `MustParse`: an invalid literal is a programming error.
    public init(stringLiteral value: String) {
        do {
            self = try QuantityParser.parse(value)
        } catch {
            preconditionFailure("invalid quantity literal \"\(value)\": \(error)")
        }
    }
}

// MARK: Codable

extension Quantity: Codable {
    /// Decodes a JSON string, as Kubernetes writes quantities, or a JSON number, which
    /// it also accepts; `null` is zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if container.decodeNil() {
            self = .zero
            return
        } else if let rawNumber = (decoder as? JSONValueDecoder)?.rawNumberText {
            text = rawNumber
        } else if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else {
            text = String(try container.decode(Double.self))
        }
        do {
            self = try QuantityParser.parse(text.trimmingASCIIWhitespace())
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
