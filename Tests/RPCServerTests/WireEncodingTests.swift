import Testing
@testable import RPCServer

/// The encodings both sides of a call use: the client writes what the server reads.
@Suite struct WireEncodingTests {
    @Test func base64RoundTripsAndAcceptsBothPaddings() {
        for n in 0..<20 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 37) }
            let unpadded = Base64.encode(bytes, padded: false)
            #expect(!unpadded.contains("="))
            #expect(Base64.decode(unpadded) == bytes)
            #expect(Base64.decode(Base64.encode(bytes, padded: true)) == bytes)
        }
        #expect(Base64.encode(Array("hello".utf8), padded: true) == "aGVsbG8=")
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("a$bc") == nil)
    }

    @Test func percentEncodingFollowsTheSpec() {
        #expect(PercentEncoding.encode("plain text") == "plain text")
        #expect(PercentEncoding.decode(PercentEncoding.encode("a%b\n\u{1}é")) == "a%b\n\u{1}é")
        #expect(PercentEncoding.decode("50%") == "50%")
    }

    @Test func timeoutUnitsAndLimits() {
        #expect(GRPCTimeout.parse("1H") == .seconds(3600))
        #expect(GRPCTimeout.parse("2M") == .seconds(120))
        #expect(GRPCTimeout.parse("3S") == .seconds(3))
        #expect(GRPCTimeout.parse("4m") == .milliseconds(4))
        #expect(GRPCTimeout.parse("5u") == .microseconds(5))
        #expect(GRPCTimeout.parse("99999999n") == .nanoseconds(99_999_999))
        #expect(GRPCTimeout.parse("123456789S") == nil)
        #expect(GRPCTimeout.parse("S") == nil)
        #expect(GRPCTimeout.parse("10x") == nil)
        #expect(GRPCTimeout.parse("-1S") == nil)
    }

    /// Durations in nanoseconds for NIO timers, held at the ends of Int64: the largest
    /// `grpc-timeout` (99,999,999 hours) must not trap or wrap around to the past.
    @Test func durationsClampToNanosecondsInsteadOfOverflowing() {
        #expect(Duration.milliseconds(1500).clampedNanoseconds == 1_500_000_000)
        #expect(Duration.seconds(-2).clampedNanoseconds == -2_000_000_000)
        #expect(Duration.seconds(99_999_999 * 3600).clampedNanoseconds == .max)
        #expect(Duration.seconds(-99_999_999 * 3600).clampedNanoseconds == .min)
        #expect((Duration.seconds(9_223_372_036) + .nanoseconds(999_999_999)).clampedNanoseconds == .max)
    }

    @Test func grpcTimeoutUsesTheFinestUnitThatFits() {
        #expect(GRPCTimeout.encode(.nanoseconds(1500)) == "1500n")
        #expect(GRPCTimeout.encode(.milliseconds(250)) == "250000u")
        #expect(GRPCTimeout.encode(.seconds(5)) == "5000000u")
        #expect(GRPCTimeout.encode(.seconds(500)) == "500000m")
        #expect(GRPCTimeout.encode(.seconds(200_000)) == "200000S")
        #expect(GRPCTimeout.encode(.seconds(Int64(1) << 40)).hasSuffix("H"))
        #expect(GRPCTimeout.encode(.zero) == "1n")
    }

    @Test func anEncodedTimeoutParsesToNoLessThanTheTimeLeft() throws {
        for remaining: Duration in [.nanoseconds(1), .microseconds(123_456_789), .milliseconds(1_234_567), .seconds(987_654_321)] {
            let parsed = try #require(GRPCTimeout.parse(GRPCTimeout.encode(remaining)))
            #expect(parsed >= remaining)
        }
    }

    @Test func base64IntoABufferIsUnpadded() {
        func encode(_ bytes: [UInt8]) -> String {
            var out = [UInt8](repeating: 0, count: Base64.unpaddedLength(of: bytes.count))
            let written = out.withUnsafeMutableBytes { Base64.encode(bytes, into: $0) }
            #expect(written == out.count)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(encode([]) == "")
        #expect(encode(Array("f".utf8)) == "Zg")
        #expect(encode(Array("fo".utf8)) == "Zm8")
        #expect(encode(Array("foo".utf8)) == "Zm9v")
        #expect(encode([0xFF, 0xFE, 0xFD, 0xFC]) == "//79/A")
        #expect(Base64.encode([0xFF, 0xFE, 0xFD, 0xFC], padded: true) == "//79/A==")
    }

    @Test func percentDecodingOfWireBytes() {
        func decode(_ s: String) -> String { Array(s.utf8).withUnsafeBytes { PercentEncoding.decode($0) } }
        #expect(decode("plain") == "plain")
        #expect(decode("a%20b%25c") == "a b%c")
        #expect(decode("%C3%BC") == "ü")
        #expect(decode("bad%zzescape%4") == "bad%zzescape%4")
    }
}
