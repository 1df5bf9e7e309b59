@testable import RPCClient
import Testing

@Suite("RPCClient wire formats")
struct WireFormatTests {
    @Test func grpcTimeoutUsesTheFinestUnitThatFits() {
        #expect(GRPCTimeoutEncoding.encode(.nanoseconds(1500)) == "1500n")
        #expect(GRPCTimeoutEncoding.encode(.milliseconds(250)) == "250000u")
        #expect(GRPCTimeoutEncoding.encode(.seconds(5)) == "5000000u")
        #expect(GRPCTimeoutEncoding.encode(.seconds(500)) == "500000m")
        #expect(GRPCTimeoutEncoding.encode(.seconds(200_000)) == "200000S")
        #expect(GRPCTimeoutEncoding.encode(.seconds(Int64(1) << 40)).hasSuffix("H"))
        #expect(GRPCTimeoutEncoding.encode(.zero) == "1n")
    }

    @Test func base64WithoutPadding() {
        func encode(_ bytes: [UInt8]) -> String {
            var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4)
            let n = out.withUnsafeMutableBytes { Base64Encoding.encode(bytes, into: $0) }
            return String(decoding: out[..<n], as: UTF8.self)
        }
        #expect(encode([]) == "")
        #expect(encode(Array("f".utf8)) == "Zg")
        #expect(encode(Array("fo".utf8)) == "Zm8")
        #expect(encode(Array("foo".utf8)) == "Zm9v")
        #expect(encode([0xFF, 0xFE, 0xFD, 0xFC]) == "//79/A")
    }

    @Test func percentDecoding() {
        func decode(_ s: String) -> String { Array(s.utf8).withUnsafeBytes { PercentDecoding.decode($0) } }
        #expect(decode("plain") == "plain")
        #expect(decode("a%20b%25c") == "a b%c")
        #expect(decode("%C3%BC") == "ü")
        #expect(decode("bad%zzescape%4") == "bad%zzescape%4")
    }

    @Test func messageReaderAcrossChunks() throws {
        var reader = ResponseMessageReader(maxMessageSize: 100)
        let wire: [UInt8] = [0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9]
        var messages: [[UInt8]] = []
        for byte in wire.dropLast() {
            try [byte].withUnsafeBytes { bytes in try reader.append(bytes) { messages.append($0.bytes) } }
        }
        #expect(messages == [[1, 2, 3], []])
        #expect(reader.hasPartialMessage)
        try [wire.last!].withUnsafeBytes { bytes in try reader.append(bytes) { messages.append($0.bytes) } }
        #expect(messages == [[1, 2, 3], [], [9]])
        #expect(!reader.hasPartialMessage)
        // Several messages in one chunk.
        try wire.withUnsafeBytes { bytes in try reader.append(bytes) { messages.append($0.bytes) } }
        #expect(messages.count == 6)
    }

    @Test func messageReaderRejectsTooLarge() {
        var reader = ResponseMessageReader(maxMessageSize: 10)
        #expect(throws: ResponseMessageReader.Failure.self) {
            try [UInt8]([0, 0, 0, 0, 11]).withUnsafeBytes { bytes in try reader.append(bytes) { _ in } }
        }
    }

    @Test func requestBodyInSmallReads() {
        var body = RequestBody(payload: [7, 8, 9])
        var out: [UInt8] = []
        var done = false
        while !done {
            var chunk = [UInt8](repeating: 0, count: 2)
            let (n, end) = chunk.withUnsafeMutableBytes { body.read(into: $0) }
            out += chunk[..<n]
            done = end
        }
        #expect(out == [0, 0, 0, 0, 3, 7, 8, 9])
    }
}
