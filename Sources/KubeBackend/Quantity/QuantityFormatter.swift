/// Prints quantities in Kubernetes' canonical form: no fractional digits, and the
/// largest suffix (or exponent) that loses no precision.
enum QuantityFormatter {
    static func canonicalString(amount: ExactDecimal, format: Quantity.Format) -> String {
        if amount.isZero { return "0" }
        let sign = amount.isNegative ? "-" : ""

        if format == .binarySI, amount.magnitude >= ExactDecimal(1024), amount.isInteger {
            var mantissa = amount.integerMagnitude
            let thousands = binaryExponent(removingFrom: &mantissa)
            return sign + mantissa.decimalString + binarySuffixes[thousands]
        }

        // A binary value below 1024 or with a fraction prints as decimal SI, without rounding.
        let decimalFormat: Quantity.Format = format == .binarySI ? .decimalSI : format
        var mantissa = amount.significand
        var exponent = amount.exponent
        let remainder = ((exponent % 3) + 3) % 3
        mantissa.multiplyByPowerOfTen(remainder)
        exponent -= remainder
        return sign + mantissa.decimalString + decimalSuffix(exponent: exponent, format: decimalFormat)
    }

    private static let binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    /// Divides out powers of 1024 while exact, up to Ei. (Kubernetes has no suffix past
    /// Ei; stopping there keeps the value right rather than dropping the suffix.)
    private static func binaryExponent(removingFrom mantissa: inout BigUInt) -> Int {
        var count = 0
        while count < binarySuffixes.count - 1, mantissa.remainder(dividingBy: 1024) == 0 {
            mantissa.divide(by: 1024)
            count += 1
        }
        return count
    }

    private static let decimalSISuffixes: [Int: String] = [
        -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
    ]

    private static func decimalSuffix(exponent: Int, format: Quantity.Format) -> String {
        if format == .decimalSI, let suffix = decimalSISuffixes[exponent] { return suffix }
        // DecimalSI past E (or below n) falls back to exponent notation, as Kubernetes does.
        return exponent == 0 ? "" : "e\(exponent)"
    }
}
