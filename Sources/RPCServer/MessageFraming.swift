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

enum MessageFramer {
    /// The 5-byte prefix and the payload in one buffer, ready for DATA frames.
    static func frame(_ payload: [UInt8], compressed: Bool) -> [UInt8] {
        let n = payload.count
        var out = [UInt8]()
        out.reserveCapacity(n + 5)
        out.append(compressed ? 1 : 0)
        out.append(UInt8(truncatingIfNeeded: n >> 24))
        out.append(UInt8(truncatingIfNeeded: n >> 16))
        out.append(UInt8(truncatingIfNeeded: n >> 8))
        out.append(UInt8(truncatingIfNeeded: n))
        out.append(contentsOf: payload)
        return out
    }
}
