/// The events of one watch, decoded from the server's newline-delimited JSON as they
/// arrive. Errors thrown are `KubeClientError`: `.transport` when the connection
/// drops, `.invalidResponse` for a line that is not a watch event. Stopping the
/// iteration early aborts the transfer.
public struct WatchEventStream<Object: KubernetesObject>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>
    private let body: AsyncThrowingStream<[UInt8], any Error>

    init(body: AsyncThrowingStream<[UInt8], any Error>) {
        self.body = body
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        private var body: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        private var lines = LineBuffer()
        private var bodyEnded = false

        init(body: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator) {
            self.body = body
        }

        public mutating func next() async throws -> WatchEvent<Object>? {
            while true {
                if let line = lines.nextLine() ?? (bodyEnded ? lines.takeRemainder() : nil) {
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
                    do {
                        return try KubeJSON.decode(WatchEvent<Object>.self, from: line)
                    } catch {
                        throw KubeClientError.invalidResponse("watch event: \(error)")
                    }
                }
                if bodyEnded { return nil }
                let chunk: [UInt8]?
                do { chunk = try await body.next() } catch { throw KubeRequestExecutor.transportError(error) }
                if let chunk { lines.append(chunk) } else { bodyEnded = true }
            }
        }
    }
}

/// Bytes split at '\n'.
struct LineBuffer {
    private var bytes: [UInt8] = []
    private var start = 0

    mutating func append(_ chunk: [UInt8]) {
        if start > 0 && start >= bytes.count / 2 {
            bytes.removeFirst(start)
            start = 0
        }
        bytes += chunk
    }

    mutating func nextLine() -> ArraySlice<UInt8>? {
        guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = bytes[start..<newline]
        start = newline + 1
        return line
    }

    /// What is left after the last newline, once the stream has ended.
    mutating func takeRemainder() -> ArraySlice<UInt8>? {
        guard start < bytes.count else { return nil }
        let rest = bytes[start...]
        start = bytes.count
        return rest
    }
}
