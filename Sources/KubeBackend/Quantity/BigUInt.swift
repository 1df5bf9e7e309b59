/// An arbitrary-precision unsigned integer, just big enough for exact quantity
/// arithmetic: the magnitudes Kubernetes allows go far past 64 bits ("1e100", or
/// sums of "8Ei"), and a `Double` would lose the exactness that quantities exist for.
struct BigUInt: Sendable, Hashable {
    /// Little-endian 64-bit limbs, with no trailing zero limb; zero is empty.
    private(set) var limbs: [UInt64]

    static let zero = BigUInt(limbs: [])

    private init(limbs: [UInt64]) {
        self.limbs = limbs
        normalize()
    }

    init(_ value: UInt64) {
        limbs = value == 0 ? [] : [value]
    }

    var isZero: Bool { limbs.isEmpty }

    /// The value as a `UInt64`, if it fits.
    var uint64Value: UInt64? {
        switch limbs.count {
        case 0: return 0
        case 1: return limbs[0]
        default: return nil
        }
    }

    private mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    // MARK: Small-operand arithmetic

    /// self = self * factor + addend.
    mutating func multiplyAndAdd(_ factor: UInt64, _ addend: UInt64) {
        var carry = addend
        for index in limbs.indices {
            let (high, low) = limbs[index].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            limbs[index] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { limbs.append(carry) }
        normalize()
    }

    /// Divides in place and returns the remainder.
    @discardableResult
    mutating func divide(by divisor: UInt64) -> UInt64 {
        precondition(divisor != 0, "division by zero")
        var remainder: UInt64 = 0
        for index in limbs.indices.reversed() {
            let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: limbs[index]))
            limbs[index] = quotient
            remainder = rest
        }
        normalize()
        return remainder
    }

    func remainder(dividingBy divisor: UInt64) -> UInt64 {
        var remainder: UInt64 = 0
        for limb in limbs.reversed() {
            remainder = divisor.dividingFullWidth((high: remainder, low: limb)).remainder
        }
        return remainder
    }

    /// Multiplies by 10^count.
    mutating func multiplyByPowerOfTen(_ count: Int) {
        var remaining = count
        while remaining >= 19 {
            multiplyAndAdd(10_000_000_000_000_000_000, 0)
            remaining -= 19
        }
        if remaining > 0 { multiplyAndAdd(BigUInt.powersOfTen[remaining], 0) }
    }

    /// Multiplies by 2^count.
    mutating func shiftLeft(_ count: Int) {
        guard !isZero, count > 0 else { return }
        let limbShift = count / 64
        let bitShift = count % 64
        if bitShift > 0 {
            var carry: UInt64 = 0
            for index in limbs.indices {
                let limb = limbs[index]
                limbs[index] = (limb << UInt64(bitShift)) | carry
                carry = limb >> UInt64(64 - bitShift)
            }
            if carry != 0 { limbs.append(carry) }
        }
        if limbShift > 0 { limbs.insert(contentsOf: repeatElement(0, count: limbShift), at: 0) }
    }

    /// Removes factors of `base` while the value stays a multiple of it, returning how many.
    mutating func removeFactors(of base: UInt64) -> Int {
        var count = 0
        while !isZero, remainder(dividingBy: base) == 0 {
            divide(by: base)
            count += 1
        }
        return count
    }

    static let powersOfTen: [UInt64] = {
        var powers: [UInt64] = [1]
        for _ in 1...19 { powers.append(powers.last! * 10) }
        return powers
    }()

    // MARK: Big arithmetic

    static func + (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        var result = lhs.limbs
        if result.count < rhs.limbs.count {
            result.append(contentsOf: repeatElement(0, count: rhs.limbs.count - result.count))
        }
        var carry = false
        for index in result.indices {
            let addend = index < rhs.limbs.count ? rhs.limbs[index] : 0
            let (partial, overflow1) = result[index].addingReportingOverflow(addend)
            let (sum, overflow2) = partial.addingReportingOverflow(carry ? 1 : 0)
            result[index] = sum
            carry = overflow1 || overflow2
        }
        if carry { result.append(1) }
        return BigUInt(limbs: result)
    }

    /// lhs - rhs; requires lhs >= rhs.
    static func - (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        precondition(lhs >= rhs, "BigUInt subtraction underflow")
        var result = lhs.limbs
        var borrow = false
        for index in result.indices {
            let subtrahend = index < rhs.limbs.count ? rhs.limbs[index] : 0
            let (partial, overflow1) = result[index].subtractingReportingOverflow(subtrahend)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow ? 1 : 0)
            result[index] = difference
            borrow = overflow1 || overflow2
        }
        return BigUInt(limbs: result)
    }
}

extension BigUInt: Comparable {
    static func < (lhs: BigUInt, rhs: BigUInt) -> Bool {
        if lhs.limbs.count != rhs.limbs.count { return lhs.limbs.count < rhs.limbs.count }
        for index in lhs.limbs.indices.reversed() where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }
}

extension BigUInt {
    /// Parses a string of ASCII decimal digits (at least one, nothing else).
    init?<Digits: Collection<UInt8>>(decimalDigits digits: Digits) {
        guard !digits.isEmpty else { return nil }
        self = .zero
        var chunk: UInt64 = 0
        var chunkLength = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            chunk = chunk * 10 + UInt64(byte - UInt8(ascii: "0"))
            chunkLength += 1
            if chunkLength == 19 {
                multiplyAndAdd(BigUInt.powersOfTen[19], chunk)
                chunk = 0
                chunkLength = 0
            }
        }
        if chunkLength > 0 { multiplyAndAdd(BigUInt.powersOfTen[chunkLength], chunk) }
    }

    /// The number of decimal digits (1 for zero).
    var decimalDigitCount: Int { decimalString.utf8.count }

    var decimalString: String {
        if let small = uint64Value { return String(small) }
        var value = self
        var chunks: [UInt64] = []
        while !value.isZero { chunks.append(value.divide(by: BigUInt.powersOfTen[19])) }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.utf8.count) + digits
        }
        return text
    }
}
