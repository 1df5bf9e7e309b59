/// An exact signed decimal, `±significand × 10^exponent`, kept normalized: the
/// significand has no trailing decimal zero, and zero is `+0 × 10^0`. Normalizing
/// makes equal values structurally equal, so `==` and `hash` need no rescaling.
struct ExactDecimal: Sendable, Hashable {
    private(set) var isNegative: Bool
    private(set) var significand: BigUInt
    private(set) var exponent: Int

    static let zero = ExactDecimal(isNegative: false, significand: .zero, exponent: 0)

    init(isNegative: Bool, significand: BigUInt, exponent: Int) {
        var significand = significand
        if significand.isZero {
            self.isNegative = false
            self.significand = significand
            self.exponent = 0
            return
        }
        let trailingZeros = significand.removeFactors(of: 10)
        self.isNegative = isNegative
        self.significand = significand
        self.exponent = exponent + trailingZeros
    }

    init(_ value: Int64, exponent: Int = 0) {
        self.init(isNegative: value < 0, significand: BigUInt(value.magnitude), exponent: exponent)
    }

    var isZero: Bool { significand.isZero }

    /// -1, 0 or 1.
    var signum: Int { isZero ? 0 : (isNegative ? -1 : 1) }

    var isInteger: Bool { exponent >= 0 }

    var magnitude: ExactDecimal {
        ExactDecimal(isNegative: false, significand: significand, exponent: exponent)
    }

    /// The significand scaled to `targetExponent`, which must not exceed `exponent`.
    private func significand(atExponent targetExponent: Int) -> BigUInt {
        var scaled = significand
        scaled.multiplyByPowerOfTen(exponent - targetExponent)
        return scaled
    }

    /// Rounds to a multiple of 10^targetExponent, away from zero, as Kubernetes does
    /// ("if you want some resources, you should get some resources").
    func roundedAwayFromZero(toExponent targetExponent: Int) -> (value: ExactDecimal, isExact: Bool) {
        guard exponent < targetExponent else { return (self, true) }
        var quotient = significand
        var hadRemainder = false
        var remaining = targetExponent - exponent
        while remaining > 0 {
            let step = min(remaining, 19)
            if quotient.divide(by: BigUInt.powersOfTen[step]) != 0 { hadRemainder = true }
            remaining -= step
        }
        if hadRemainder { quotient.multiplyAndAdd(1, 1) }
        let rounded = ExactDecimal(isNegative: isNegative, significand: quotient, exponent: targetExponent)
        return (rounded, !hadRemainder)
    }

    /// The value as an `Int64` after rounding away from zero to a multiple of 10^scaleExponent,
    /// clamped to the `Int64` range.
    func roundedInt64(scaleExponent: Int) -> Int64 {
        let shifted = ExactDecimal(isNegative: isNegative, significand: significand, exponent: exponent - scaleExponent)
        let integral = shifted.roundedAwayFromZero(toExponent: 0).value
        guard integral.exponent < 20 else { return integral.isNegative ? .min : .max }
        var magnitude = integral.significand
        magnitude.multiplyByPowerOfTen(integral.exponent)
        guard let small = magnitude.uint64Value else { return integral.isNegative ? .min : .max }
        guard small <= UInt64(Int64.max) else { return integral.isNegative ? .min : .max }
        return integral.isNegative ? -Int64(small) : Int64(small)
    }

    /// The integral value's magnitude; requires `isInteger`.
    var integerMagnitude: BigUInt {
        precondition(isInteger)
        return significand(atExponent: 0)
    }

    static prefix func - (operand: ExactDecimal) -> ExactDecimal {
        ExactDecimal(isNegative: !operand.isNegative, significand: operand.significand, exponent: operand.exponent)
    }

    static func + (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        if lhs.isZero { return rhs }
        if rhs.isZero { return lhs }
        let common = min(lhs.exponent, rhs.exponent)
        let left = lhs.significand(atExponent: common)
        let right = rhs.significand(atExponent: common)
        if lhs.isNegative == rhs.isNegative {
            return ExactDecimal(isNegative: lhs.isNegative, significand: left + right, exponent: common)
        }
        if left >= right {
            return ExactDecimal(isNegative: lhs.isNegative, significand: left - right, exponent: common)
        }
        return ExactDecimal(isNegative: rhs.isNegative, significand: right - left, exponent: common)
    }

    static func - (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        lhs + -rhs
    }
}

extension ExactDecimal: Comparable {
    static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.signum != rhs.signum { return lhs.signum < rhs.signum }
        if lhs.isZero { return false }
        let order = compareMagnitudes(lhs, rhs)
        return lhs.isNegative ? order > 0 : order < 0
    }

    /// Compares |lhs| and |rhs|: negative, zero or positive.
    private static func compareMagnitudes(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        // Orders of magnitude differ: decide without building a huge aligned significand.
        if abs(lhs.exponent - rhs.exponent) > 40 {
            let lhsOrder = lhs.significand.decimalDigitCount + lhs.exponent
            let rhsOrder = rhs.significand.decimalDigitCount + rhs.exponent
            if lhsOrder != rhsOrder { return lhsOrder < rhsOrder ? -1 : 1 }
        }
        let common = min(lhs.exponent, rhs.exponent)
        let left = lhs.significand(atExponent: common)
        let right = rhs.significand(atExponent: common)
        return left < right ? -1 : (left == right ? 0 : 1)
    }
}
