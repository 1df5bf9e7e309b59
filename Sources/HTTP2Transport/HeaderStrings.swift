import Glibc

/// The header names that a gRPC request carries or the transport treats itself, found by
/// their bytes without building a String.
enum KnownHeaderName: Int, CaseIterable {
    case method, path, scheme, authority, contentType, contentLength, te, userAgent
    case grpcTimeout, grpcEncoding, grpcAcceptEncoding, grpcMessageType

    var text: StaticString {
        switch self {
        case .method: ":method"
        case .path: ":path"
        case .scheme: ":scheme"
        case .authority: ":authority"
        case .contentType: "content-type"
        case .contentLength: "content-length"
        case .te: "te"
        case .userAgent: "user-agent"
        case .grpcTimeout: "grpc-timeout"
        case .grpcEncoding: "grpc-encoding"
        case .grpcAcceptEncoding: "grpc-accept-encoding"
        case .grpcMessageType: "grpc-message-type"
        }
    }

    private static let table = KnownStringTable(allCases.map(\.text))

    /// Runs for every header field of every request, so the one candidate is picked by length
    /// (and one byte where two names share a length) before a single comparison.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return nil }
        let candidate: KnownHeaderName
        switch bytes.count {
        case 2: candidate = .te
        case 5: candidate = .path
        case 7: candidate = bytes[1] == UInt8(ascii: "m") ? .method : .scheme
        case 10: candidate = bytes[0] == UInt8(ascii: ":") ? .authority : .userAgent
        case 12: candidate = bytes[0] == UInt8(ascii: "c") ? .contentType : .grpcTimeout
        case 13: candidate = .grpcEncoding
        case 14: candidate = .contentLength
        case 17: candidate = .grpcMessageType
        case 20: candidate = .grpcAcceptEncoding
        default: return nil
        }
        guard memcmp(candidate.text.utf8Start, base, bytes.count) == 0 else { return nil }
        self = candidate
    }

    /// The name as a String, made once.
    var string: String { Self.table.strings[rawValue] }
}

/// The header values nearly every gRPC request carries, kept as ready-made strings so that
/// they cost no decoding and no allocation (Swift strings longer than 15 bytes live on the heap).
enum KnownHeaderValues {
    static let table = KnownStringTable([
        "POST", "http", "https", "application/grpc", "application/grpc+proto", "trailers",
        "identity", "gzip", "deflate", "identity,deflate,gzip", "identity,gzip", "gzip,identity",
    ])
}

/// A fixed set of strings, found by their UTF-8 bytes.
struct KnownStringTable: Sendable {
    private let bytes: [StaticString]
    let strings: [String]

    init(_ texts: [StaticString]) {
        bytes = texts
        strings = texts.map(\.description)
    }

    func index(of candidate: UnsafeRawBufferPointer) -> Int? {
        guard let base = candidate.baseAddress else { return nil }
        for (index, text) in bytes.enumerated() where text.utf8CodeUnitCount == candidate.count {
            if memcmp(text.utf8Start, base, candidate.count) == 0 { return index }
        }
        return nil
    }

    /// The table's string for `bytes`, or a new one when the table has none.
    func string(for bytes: UnsafeRawBufferPointer) -> String {
        if let index = index(of: bytes) { return strings[index] }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Values that one connection receives with every request but that no table can know in
/// advance, such as `:path` and `user-agent`: HPACK lets the client resend them for a few
/// bytes, and this lets the server reuse the String it decoded the first time.
struct RepeatedHeaderValues {
    static let capacity = 16
    /// Longer values are decoded each time: they are unlikely to repeat, and would pin memory.
    static let maxLength = 128

    private var recent: [String] = []
    private var nextToReplace = 0

    mutating func string(for bytes: UnsafeRawBufferPointer) -> String {
        guard let base = bytes.baseAddress, bytes.count <= Self.maxLength else {
            return String(decoding: bytes, as: UTF8.self)
        }
        for candidate in recent where candidate.utf8.count == bytes.count {
            let equal = candidate.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, base, bytes.count) == 0 }
            if equal == true { return candidate }
        }
        let string = String(decoding: bytes, as: UTF8.self)
        if recent.count < Self.capacity {
            recent.append(string)
        } else {
            recent[nextToReplace] = string
            nextToReplace = (nextToReplace + 1) % Self.capacity
        }
        return string
    }
}
