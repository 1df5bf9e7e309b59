/// One line of a response head as libcurl hands it over, with its line ending, read from
/// the bytes without Foundation (its whitespace trimming cost more than the request's
/// JSON once profiled).
enum HTTPHeaderLine: Equatable {
    /// The blank line that ends a head.
    case end
    /// `HTTP/1.1 200 OK`, `HTTP/2 200`: a head starts.
    case statusLine
    case field(HTTPHeader)
    /// Anything else (no colon); ignored.
    case other

    init(_ line: UnsafeRawBufferPointer) {
        let bytes = line.bindMemory(to: UInt8.self)
        var start = 0
        var end = bytes.count
        while start < end, Self.isWhitespace(bytes[start]) { start += 1 }
        while end > start, Self.isWhitespace(bytes[end - 1]) { end -= 1 }
        guard start < end else {
            self = .end
            return
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if text.starts(with: "HTTP/".utf8) {
            self = .statusLine
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else {
            self = .other
            return
        }
        self = .field(HTTPHeader(Self.trimmed(text, 0, colon), Self.trimmed(text, colon + 1, text.count)))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    private static func trimmed(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var start = start
        var end = end
        while start < end, isWhitespace(text[start]) { start += 1 }
        while end > start, isWhitespace(text[end - 1]) { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
    }
}
