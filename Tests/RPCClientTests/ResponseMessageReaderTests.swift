@testable import RPCClient
import Testing

@Suite("RPCClient response framing")
struct ResponseMessageReaderTests {
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
