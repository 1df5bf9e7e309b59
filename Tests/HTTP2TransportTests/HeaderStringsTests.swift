@testable import HTTP2Transport
import Testing

/// The strings the transport makes from received header bytes: whatever is reused, a request
/// must see exactly the bytes its client sent.
@Suite struct HeaderStringsTests {
    private static func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        Array(text.utf8).withUnsafeBytes(body)
    }

    @Test func knownNamesAreFoundByTheirBytesAndOthersAreNot() {
        for name in KnownHeaderName.allCases {
            #expect(Self.withBytes(name.string) { KnownHeaderName($0) } == name)
        }
        // Same length and first byte as known names, but different.
        for other in [":methox", "content-typo", "grpc-timeouts", "tf", "x-user-agent", "", "User-Agent"] {
            #expect(Self.withBytes(other) { KnownHeaderName($0) } == nil, "\(other)")
        }
    }

    @Test func knownValuesComeFromTheTableAndOthersAreDecoded() {
        #expect(Self.withBytes("application/grpc") { KnownHeaderValues.table.string(for: $0) } == "application/grpc")
        #expect(Self.withBytes("application/grpc+json") { KnownHeaderValues.table.string(for: $0) } == "application/grpc+json")
        #expect(Self.withBytes("") { KnownHeaderValues.table.string(for: $0) } == "")
    }

    @Test func repeatedValuesNeverMixUpValuesOfTheSameLength() {
        var values = RepeatedHeaderValues()
        let paths = ["/pkg.Svc/MethodA", "/pkg.Svc/MethodB", "/pkg.Svc/MethodA", "/pkg.Svc/MethodC", "/pkg.Svc/MethodB"]
        for path in paths {
            #expect(Self.withBytes(path) { values.string(for: $0) } == path)
        }
    }

    @Test func moreDistinctValuesThanTheCacheHoldsAreStillExact() {
        var values = RepeatedHeaderValues()
        let distinct = (0..<(3 * RepeatedHeaderValues.capacity)).map { "/bench.v1.Bench/Method\($0)" }
        for round in 0..<3 {
            for value in distinct.shuffled() {
                #expect(Self.withBytes(value) { values.string(for: $0) } == value, "round \(round)")
            }
        }
    }

    @Test func valuesLongerThanTheLimitAreDecodedEachTime() {
        var values = RepeatedHeaderValues()
        let long = String(repeating: "a", count: RepeatedHeaderValues.maxLength + 1)
        #expect(Self.withBytes(long) { values.string(for: $0) } == long)
        #expect(Self.withBytes(long + "b") { values.string(for: $0) } == long + "b")
    }
}
