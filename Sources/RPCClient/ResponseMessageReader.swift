/// Cuts the response DATA bytes into length-prefixed gRPC messages, whatever the frame
/// boundaries: a message may span frames and a frame may hold several messages.
struct ResponseMessageReader {
    struct Message {
        var compressed: Bool
        var bytes: [UInt8]
        /// Bytes it took on the wire, prefix included (what flow control counted).
        var wireSize: Int { bytes.count + 5 }
    }

    enum Failure: Error {
        case tooLarge(declared: Int, limit: Int)
        case badCompressionFlag(UInt8)
    }

    let maxMessageSize: Int
    private var prefix: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
    private var prefixCount = 0
    private var body: [UInt8] = []
    private var bodyLength = -1  // -1 while the prefix is incomplete
    private var compressed = false

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// True while bytes of an unfinished message are held: END_STREAM now cuts a message off.
    var hasPartialMessage: Bool { prefixCount > 0 || bodyLength >= 0 }

    mutating func append(_ input: UnsafeRawBufferPointer, emit: (Message) -> Void) throws(Failure) {
        var offset = 0
        while offset < input.count {
            if bodyLength < 0 {
                while prefixCount < 5 && offset < input.count {
                    withUnsafeMutableBytes(of: &prefix) { $0[prefixCount] = input[offset] }
                    prefixCount += 1
                    offset += 1
                }
                guard prefixCount == 5 else { return }
                prefixCount = 0
                guard prefix.0 <= 1 else { throw .badCompressionFlag(prefix.0) }
                let length = Int(prefix.1) << 24 | Int(prefix.2) << 16 | Int(prefix.3) << 8 | Int(prefix.4)
                guard length <= maxMessageSize else { throw .tooLarge(declared: length, limit: maxMessageSize) }
                compressed = prefix.0 == 1
                // A message wholly inside this chunk is copied once, straight into its array.
                if input.count - offset >= length {
                    emit(Message(compressed: compressed, bytes: Array(input[offset..<offset + length])))
                    offset += length
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
                let message = Message(compressed: compressed, bytes: body)
                body = []
                bodyLength = -1
                emit(message)
            }
        }
    }
}
