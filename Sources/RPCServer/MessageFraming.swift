/// One gRPC message as it travels: a compressed flag and the payload.
struct FramedMessage: Equatable {
    var compressed: Bool
    var bytes: [UInt8]
    /// Bytes the message took on the wire, prefix included (for flow control).
    var wireSize: Int { bytes.count + 5 }
}

/// Splits a byte stream into length-prefixed gRPC messages, whatever the DATA frame
/// boundaries: a message may span frames and a frame may hold several messages.
struct MessageDeframer {
    enum Failure: Error, Equatable {
        case messageTooLarge(declared: Int, limit: Int)
        case invalidCompressionFlag(UInt8)
    }

    let maxMessageSize: Int
    // The 5-byte prefix as it arrives: the flag, then the big-endian length.
    private var prefixBytes = 0
    private var flag: UInt8 = 0
    private var declaredLength = 0
    private var body: [UInt8] = []
    private var bodyLength = -1  // -1 while the 5-byte prefix is incomplete
    private var compressed = false

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// True when bytes of an unfinished message are buffered: END_STREAM now means a cut-off message.
    var hasPartialMessage: Bool { prefixBytes > 0 || bodyLength >= 0 }

    mutating func append(_ input: UnsafeRawBufferPointer, emit: (FramedMessage) -> Void) throws(Failure) {
        var offset = 0
        while offset < input.count {
            if bodyLength < 0 {
                while prefixBytes < 5 && offset < input.count {
                    let byte = input[offset]
                    if prefixBytes == 0 { flag = byte } else { declaredLength = declaredLength << 8 | Int(byte) }
                    prefixBytes += 1
                    offset += 1
                }
                guard prefixBytes == 5 else { return }
                guard flag <= 1 else { throw .invalidCompressionFlag(flag) }
                compressed = flag == 1
                let length = declaredLength
                guard length <= maxMessageSize else {
                    throw .messageTooLarge(declared: length, limit: maxMessageSize)
                }
                prefixBytes = 0
                declaredLength = 0
                if input.count - offset >= length {
                    // The whole message is in this input, as it usually is: one copy, no buffering.
                    let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: input[offset..<offset + length]))
                    offset += length
                    emit(FramedMessage(compressed: compressed, bytes: bytes))
                    continue
                }
                bodyLength = length
                body = []
                body.reserveCapacity(length)
            }
            let take = min(bodyLength - body.count, input.count - offset)
            body.append(contentsOf: input[offset..<offset + take])
            offset += take
            if body.count == bodyLength {
                let message = FramedMessage(compressed: compressed, bytes: body)
                body = []
                bodyLength = -1
                emit(message)
            }
        }
    }
}

/// One gRPC message on its way out: the 5-byte prefix (the compressed flag, then the
/// big-endian length), then the payload. The two stay apart so that a payload goes out without
/// first being copied in behind its prefix, and one payload can be shared by many streams.
public struct OutboundMessage: Sendable, Equatable {
    public let payload: [UInt8]
    public let compressed: Bool

    public init(payload: [UInt8], compressed: Bool = false) {
        self.payload = payload
        self.compressed = compressed
    }

    /// The message's size on the wire, prefix included.
    public var wireSize: Int { payload.count + 5 }

    /// Copies the wire bytes from `offset` on into `buffer`, as many as fit; returns how many.
    public func copyWireBytes(from offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var offset = offset
        var written = 0
        while offset < 5 && written < buffer.count {
            buffer[written] = prefixByte(offset)
            offset += 1
            written += 1
        }
        let take = min(payload.count - (offset - 5), buffer.count - written)
        guard take > 0 else { return written }
        payload.withUnsafeBytes { bytes in
            buffer.baseAddress!.advanced(by: written).copyMemory(from: bytes.baseAddress!.advanced(by: offset - 5), byteCount: take)
        }
        return written + take
    }

    /// The wire bytes in one new buffer.
    public var wireBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: wireSize) { buffer, count in
            count = copyWireBytes(from: 0, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    private func prefixByte(_ index: Int) -> UInt8 {
        if index == 0 { return compressed ? 1 : 0 }
        return UInt8(truncatingIfNeeded: payload.count >> (8 * (4 - index)))
    }
}
