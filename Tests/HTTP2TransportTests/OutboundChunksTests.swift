@testable import HTTP2Transport
import RPCServer
import Testing

/// A stream's queued response messages, as nghttp2 asks for DATA frame payloads of whatever
/// size its windows allow: every byte goes out once, in order, prefixes included.
@Suite struct OutboundChunksTests {
    @Test func readsQueuedMessagesInOrderWhateverTheFrameSizes() {
        let messages = [
            OutboundMessage(payload: [1, 2, 3]),
            OutboundMessage(payload: []),
            OutboundMessage(payload: (0..<200).map { UInt8($0) }, compressed: true),
        ]
        let expected = messages.flatMap(\.wireBytes)
        for frameSize in [1, 3, 5, 6, 64, 4096] {
            var chunks = OutboundChunks()
            for message in messages { chunks.append(message) }
            var sent: [UInt8] = []
            var frame = [UInt8](repeating: 0, count: frameSize)
            while true {
                let n = frame.withUnsafeMutableBytes { chunks.read(into: $0) }
                if n == 0 { break }
                sent += frame[..<n]
            }
            #expect(sent == expected, "frames of \(frameSize) bytes")
        }
    }

    @Test func aMessageQueuedAfterTheQueueRanDryIsReadNext() {
        var chunks = OutboundChunks()
        var frame = [UInt8](repeating: 0, count: 100)
        chunks.append(OutboundMessage(payload: [9]))
        #expect(frame.withUnsafeMutableBytes { chunks.read(into: $0) } == 6)
        #expect(frame.withUnsafeMutableBytes { chunks.read(into: $0) } == 0)
        chunks.append(OutboundMessage(payload: [4, 4]))
        #expect(frame.withUnsafeMutableBytes { chunks.read(into: $0) } == 7)
        #expect(Array(frame[..<7]) == [0, 0, 0, 0, 2, 4, 4])
    }
}
