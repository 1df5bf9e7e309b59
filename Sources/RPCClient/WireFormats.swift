/// Base64 without padding, as gRPC sends `-bin` metadata values.
enum Base64Encoding {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Writes the encoding of `bytes` at the start of `out` (which has room for it) and
    /// returns how many bytes it took.
    static func encode(_ bytes: [UInt8], into out: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        func put(_ sextet: UInt32) {
            out[written] = alphabet[Int(sextet & 63)]
            written += 1
        }
        var i = 0
        while i + 3 <= bytes.count {
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            put(group >> 18); put(group >> 12); put(group >> 6); put(group)
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let group = UInt32(bytes[i]) << 16
            put(group >> 18); put(group >> 12)
        case 2:
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            put(group >> 18); put(group >> 12); put(group >> 6)
        default:
            break
        }
        return written
    }
}

/// `grpc-message` arrives percent-encoded (PROTOCOL-HTTP2.md); a malformed escape is kept as is.
enum PercentDecoding {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let high = hexDigit(bytes[i + 1]), let low = hexDigit(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}

/// `grpc-timeout` from the time left: at most 8 digits, in the finest unit that fits.
enum GRPCTimeoutEncoding {
    static func encode(_ remaining: Duration) -> String {
        let (seconds, attoseconds) = remaining.components
        let nanoseconds = max(1, seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let limit: Int64 = 99_999_999
        // Rounding up keeps the server from giving up before the client does.
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
