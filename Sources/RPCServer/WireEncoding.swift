/// Base64 as gRPC uses it for `-bin` metadata: servers send it unpadded and accept both.
/// `package` because RPCClient writes and reads the same values.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Bytes the unpadded encoding of `count` bytes takes.
    package static func unpaddedLength(of count: Int) -> Int {
        count / 3 * 4 + [0, 2, 3][count % 3]
    }

    package static func encode(_ bytes: [UInt8], padded: Bool) -> String {
        let unpadded = unpaddedLength(of: bytes.count)
        let padding = padded ? (4 - unpadded % 4) % 4 : 0
        return String(unsafeUninitializedCapacity: unpadded + padding) { out in
            let written = encode(bytes, into: UnsafeMutableRawBufferPointer(out))
            for i in 0..<padding { out[written + i] = UInt8(ascii: "=") }
            return written + padding
        }
    }

    /// Writes the unpadded encoding of `bytes` at the start of `out`, which has room for
    /// ``unpaddedLength(of:)`` bytes, and returns how many it wrote.
    package static func encode(_ bytes: [UInt8], into out: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        func put(_ sextet: UInt32) {
            out[written] = alphabet[Int(sextet & 63)]
            written += 1
        }
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            put(n >> 18); put(n >> 12); put(n >> 6); put(n)
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            put(n >> 18); put(n >> 12)
            if rest == 2 { put(n >> 6) }
        }
        return written
    }

    /// Decodes padded or unpadded base64; nil for anything else.
    package static func decode(_ string: String) -> [UInt8]? {
        var chars = Array(string.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        if chars.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in chars {
            let v = reverse[Int(c)]
            if v == 0xFF { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }
}

/// Percent-encoding of `grpc-message`, as PROTOCOL-HTTP2.md specifies it: every byte outside
/// printable ASCII (0x20...0x7E) and `%` itself becomes `%XX` of the UTF-8 encoding.
package enum PercentEncoding {
    package static func encode(_ message: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in message.utf8 {
            if b >= 0x20 && b <= 0x7E && b != UInt8(ascii: "%") {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` sequences; malformed ones are kept as they are, as the spec asks.
    package static func decode(_ encoded: String) -> String {
        var encoded = encoded
        return encoded.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// ``decode(_:)`` of bytes as they came off the wire.
    package static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// `grpc-timeout`: an ASCII integer of at most 8 digits and a unit (H, M, S, m, u, n).
package enum GRPCTimeout {
    package static func parse(_ value: String) -> Duration? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 2, bytes.count <= 9, let unit = bytes.last else { return nil }
        var amount: Int64 = 0
        for digit in bytes.dropLast() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: return nil
        }
    }

    /// The value a client sends for the time left: the finest unit that fits in 8 digits,
    /// rounded up so that the server does not give up before the client does.
    package static func encode(_ remaining: Duration) -> String {
        let nanoseconds = max(1, remaining.clampedNanoseconds)
        let limit: Int64 = 99_999_999
        func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - 1) / b + 1 }
        if nanoseconds <= limit { return "\(nanoseconds)n" }
        let micros = ceilDiv(nanoseconds, 1_000)
        if micros <= limit { return "\(micros)u" }
        let millis = ceilDiv(nanoseconds, 1_000_000)
        if millis <= limit { return "\(millis)m" }
        let secs = ceilDiv(nanoseconds, 1_000_000_000)
        if secs <= limit { return "\(secs)S" }
        let minutes = ceilDiv(secs, 60)
        if minutes <= limit { return "\(minutes)M" }
        return "\(min(ceilDiv(secs, 3600), limit))H"
    }
}

package extension Duration {
    /// Whole nanoseconds, held at the ends of the `Int64` range instead of overflowing:
    /// a `grpc-timeout` may say 99,999,999 hours, more nanoseconds than 64 bits count.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}
