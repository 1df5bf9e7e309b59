/// Parses quantity strings with the grammar and rounding rules of apimachinery's
/// `ParseQuantity`:
///
///     <quantity> ::= <sign>? <digits>? ("." <digits>?)? <suffix>
///     <suffix>   ::= n | u | m | "" | k | M | G | T | P | E
///                  | Ki | Mi | Gi | Ti | Pi | Ei
///                  | (e | E) <sign>? <digits>
enum QuantityParser {
    /// Exponents beyond this would make exact arithmetic allocate without bound;
    /// no real resource comes anywhere near it.
    static let maximumExponent = 10_000

    static func parse(_ text: String) throws(QuantityError) -> Quantity {
        guard !text.isEmpty else { throw .empty }
        if text == "0" { return Quantity(amount: .zero, format: .decimalSI, verbatim: "0") }

        let parts = try scan(text)
        let (base, exponent, format) = try interpretSuffix(parts.suffix, in: text)

        var significand = BigUInt(decimalDigits: (parts.numerator + parts.denominator).utf8) ?? .zero
        var decimalExponent = -parts.denominator.utf8.count
        if base == 10 {
            decimalExponent += exponent
        } else {
            significand.shiftLeft(exponent)
        }
        var amount = ExactDecimal(isNegative: parts.isNegative, significand: significand, exponent: decimalExponent)

        // Values finer than nano round away from zero, so that asking for some resource gets some.
        amount = amount.roundedAwayFromZero(toExponent: -9).value

        var resolvedFormat = format
        if format == .binarySI {
            let maximum = ExactDecimal(Int64.max)
            if amount.magnitude > maximum {
                amount = parts.isNegative ? -maximum : maximum
            }
            if !amount.isZero, amount.magnitude < ExactDecimal(1) {
                resolvedFormat = .decimalSI
            }
        }

        let verbatim = isPrintedVerbatim(parts, exponent: exponent, format: format) ? text : nil
        return Quantity(amount: amount, format: resolvedFormat, verbatim: verbatim)
    }

    struct Parts {
        var isNegative = false
        /// Digits before the point, leading zeros removed; "0" when there are none.
        var numerator = "0"
        var denominator = ""
        var suffix = ""
    }

    /// Splits `text` into sign, numerator, denominator and suffix, as `parseQuantityString` does.
    static func scan(_ text: String) throws(QuantityError) -> Parts {
        let bytes = Array(text.utf8)
        var parts = Parts()
        var position = 0
        let end = bytes.count
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

        if position < end, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            parts.isNegative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        while position < end, bytes[position] == UInt8(ascii: "0") { position += 1 }
        // Kubernetes accepts a string of only a sign and zeros (even "-") as zero.
        if position == end { return parts }

        let numeratorStart = position
        while position < end, isDigit(bytes[position]) { position += 1 }
        if position > numeratorStart { parts.numerator = string(numeratorStart..<position) }

        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            let denominatorStart = position
            while position < end, isDigit(bytes[position]) { position += 1 }
            parts.denominator = string(denominatorStart..<position)
        }

        let suffixStart = position
        let suffixLetters = Set("eEinumkKMGTP".utf8)
        while position < end, suffixLetters.contains(bytes[position]) { position += 1 }
        if position < end, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            position += 1
        }
        while position < end, isDigit(bytes[position]) { position += 1 }
        guard position == end else { throw .invalidFormat(text) }
        parts.suffix = string(suffixStart..<end)
        return parts
    }

    private static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let binarySuffixes: [String: Int] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]

    /// The base (10 or 2), exponent and format a suffix stands for.
    static func interpretSuffix(_ suffix: String, in text: String) throws(QuantityError) -> (Int, Int, Quantity.Format) {
        if let exponent = decimalSuffixes[suffix] { return (10, exponent, .decimalSI) }
        if let exponent = binarySuffixes[suffix] { return (2, exponent, .binarySI) }
        let utf8 = suffix.utf8
        guard utf8.count > 1, let first = utf8.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else {
            throw .invalidSuffix(text)
        }
        guard let exponent = Int64(suffix.dropFirst()) else { throw .invalidSuffix(text) }
        guard abs(exponent) <= Int64(maximumExponent) else { throw .exponentOutOfRange(text) }
        return (10, Int(exponent), .decimalExponent)
    }

    /// Whether Kubernetes keeps the input string as the printed form. Its parser
    /// remembers the input when a fast int64 path applies and the digits look
    /// canonical; the check looks only at digits, so a leading "+", leading zeros
    /// or a point ("1.500k") also survive verbatim. This mirrors that exactly,
    /// because the apiserver stores and returns such strings as they were written.
    static func isPrintedVerbatim(_ parts: Parts, exponent: Int, format: Quantity.Format) -> Bool {
        let numeratorLength = parts.numerator.utf8.count
        switch format {
        case .decimalSI, .decimalExponent:
            let precision = 18 - (numeratorLength + parts.denominator.utf8.count)
            let scale = exponent - parts.denominator.utf8.count
            guard precision >= 0, scale >= -9 else { return false }
            let shifted = parts.numerator + parts.denominator
            return scale % 3 == 0 && !shifted.hasSuffix("000") && !shifted.hasPrefix("0")
        case .binarySI:
            guard parts.denominator.isEmpty else { return false }
            let precision = 15 - numeratorLength - exponent * 3 / 10 - 1
            guard precision >= 0, let value = Int64(parts.numerator) else { return false }
            let (_, overflow) = value.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
            guard !overflow else { return false }
            return exponent % 10 == 0 && value & 0x07 != 0
        }
    }
}
